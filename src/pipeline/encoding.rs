//! Article files in the encodings editors' tools save: UTF-8 (with or
//! without Notepad's byte-order mark), UTF-16 with a byte-order mark
//! (Notepad's "Unicode"), and the legacy encodings of Chinese Windows
//! (GBK/GB18030, what it calls "ANSI") and others, recognised by chardetng.

/// A text file's contents as read.
#[derive(Debug, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The encoding, when it was not UTF-8, named for the editor.
    pub encoding: Option<&'static str>,
}

/// Where the first byte that no known encoding explains is (for UTF-8:
/// the first invalid byte), and the text before it.
#[derive(Debug, PartialEq, Eq)]
pub struct Undecodable {
    pub at: usize,
    pub before: String,
}

/// Whether decoded text looks like text: no control characters but tab,
/// line and page breaks (bytes of no known encoding decode to them in the
/// single-byte encodings).
fn plausible(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
}

/// Decodes a text file's bytes.
pub fn decode(bytes: &[u8]) -> Result<Decoded, Undecodable> {
    // UTF-8, with or without a byte-order mark.
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let utf8_error = match std::str::from_utf8(body) {
        Ok(s) => {
            return Ok(Decoded {
                text: s.to_string(),
                encoding: None,
            });
        }
        Err(e) => e,
    };
    let bom_len = bytes.len() - body.len();
    let invalid = Undecodable {
        at: bom_len + utf8_error.valid_up_to(),
        before: String::from_utf8_lossy(&body[..utf8_error.valid_up_to()]).into_owned(),
    };
    // UTF-16 with its byte-order mark.
    for (bom, enc, name) in [
        (
            b"\xFF\xFE",
            encoding_rs::UTF_16LE,
            "UTF-16 (what Notepad calls “Unicode”)",
        ),
        (
            b"\xFE\xFF",
            encoding_rs::UTF_16BE,
            "UTF-16 big-endian (“Unicode big endian”)",
        ),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return match enc.decode_without_bom_handling_and_without_replacement(rest) {
                Some(text) if plausible(&text) => Ok(Decoded {
                    text: text.into_owned(),
                    encoding: Some(name),
                }),
                _ => Err(invalid),
            };
        }
    }
    // A legacy encoding, as chardetng guesses it (leaning to Chinese).
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let guess = detector.guess(Some(b"cn"), false);
    let (enc, name) = if guess == encoding_rs::GBK {
        (
            encoding_rs::GB18030,
            "GB18030 (GBK, what Chinese Windows calls “ANSI”)",
        )
    } else if guess == encoding_rs::BIG5 {
        (guess, "Big5")
    } else {
        (guess, guess.name())
    };
    match enc.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) if plausible(&text) => Ok(Decoded {
            text: text.into_owned(),
            encoding: Some(name),
        }),
        _ => Err(invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("中文".as_bytes()).unwrap().text, "中文");
        let d = decode("\u{feff}## 小标题".as_bytes()).unwrap();
        assert_eq!(d.text, "## 小标题");
        assert_eq!(d.encoding, None);
    }

    #[test]
    fn gbk_and_utf16() {
        let text = "这是一篇用国标码保存的报道。支行将继续做好服务工作。\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let d = decode(&gbk).unwrap();
        assert_eq!(d.text, text);
        assert!(d.encoding.unwrap().contains("GB18030"));
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode(&le).unwrap();
        assert_eq!(d.text, text);
        assert!(d.encoding.unwrap().contains("UTF-16"));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be).unwrap().text, text);
    }

    #[test]
    fn bytes_of_no_encoding_are_refused_at_the_first_bad_byte() {
        let mut bytes = b"first line\nsecond line\n".to_vec();
        bytes.extend([0x00, 0x01, 0xFF, 0xFE, 0x80, 0x00, 0x9F, 0x00]);
        let e = decode(&bytes).unwrap_err();
        assert_eq!(e.at, 25);
        assert_eq!(e.before, "first line\nsecond line\n\u{0}\u{1}");
    }
}
