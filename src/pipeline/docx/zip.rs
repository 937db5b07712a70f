//! A small reader for the zip container of a .docx: the central directory,
//! stored and deflated entries, sizes checked before anything is inflated.
//!
//! Only what Word, WPS and LibreOffice write is read (no ZIP64, no
//! multi-disk archives, no encryption). Every size the archive declares is
//! checked against a limit before the entry is inflated, and inflating
//! stops at the declared size, so a decompression bomb costs nothing.

use std::collections::HashMap;

/// Why the archive cannot be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ZipError {
    /// No end-of-central-directory record: not a zip archive.
    NotZip,
    /// The archive is damaged (what is wrong).
    Damaged(String),
    /// An entry is encrypted (zip encryption).
    Encrypted,
    /// The archive uses ZIP64 (a part over 4 GB, or more than 65535 parts).
    Zip64,
    /// An entry unpacks to more bytes than allowed: (name, size, limit).
    TooLarge(String, u64, u64),
}

#[derive(Debug, Clone)]
struct Entry {
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    local_offset: u64,
}

/// A zip archive held in memory.
pub struct Archive<'a> {
    data: &'a [u8],
    entries: HashMap<String, Entry>,
    names: Vec<String>,
}

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    d.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

const EOCD: u32 = 0x0605_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const LOCAL: u32 = 0x0403_4b50;

impl<'a> Archive<'a> {
    /// Reads the central directory.
    pub fn open(data: &'a [u8]) -> Result<Self, ZipError> {
        // The end record is in the last 22 + 65535 bytes (its comment).
        if data.len() < 22 {
            return Err(ZipError::NotZip);
        }
        let lowest = data.len().saturating_sub(22 + 0xFFFF);
        let eocd = (lowest..=data.len() - 22)
            .rev()
            .find(|&i| u32_at(data, i) == Some(EOCD))
            .ok_or(ZipError::NotZip)?;
        let damaged = |what: &str| ZipError::Damaged(what.to_string());
        let count = u16_at(data, eocd + 10).ok_or_else(|| damaged("end record"))?;
        let cd_size = u32_at(data, eocd + 12).ok_or_else(|| damaged("end record"))?;
        let cd_offset = u32_at(data, eocd + 16).ok_or_else(|| damaged("end record"))?;
        if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
            return Err(ZipError::Zip64);
        }
        let mut at = cd_offset as usize;
        let mut entries = HashMap::new();
        let mut names = Vec::new();
        for _ in 0..count {
            if u32_at(data, at) != Some(CENTRAL) {
                return Err(damaged("central directory"));
            }
            let field =
                |off: usize| u16_at(data, at + off).ok_or_else(|| damaged("central directory"));
            let field32 =
                |off: usize| u32_at(data, at + off).ok_or_else(|| damaged("central directory"));
            let flags = field(8)?;
            let method = field(10)?;
            let crc = field32(16)?;
            let compressed = field32(20)?;
            let size = field32(24)?;
            let name_len = field(28)? as usize;
            let extra_len = field(30)? as usize;
            let comment_len = field(32)? as usize;
            let local_offset = field32(42)?;
            let name = data
                .get(at + 46..at + 46 + name_len)
                .ok_or_else(|| damaged("central directory"))?;
            if flags & 1 != 0 {
                return Err(ZipError::Encrypted);
            }
            if compressed == 0xFFFF_FFFF || size == 0xFFFF_FFFF || local_offset == 0xFFFF_FFFF {
                return Err(ZipError::Zip64);
            }
            let name = String::from_utf8_lossy(name).replace('\\', "/");
            names.push(name.clone());
            entries.insert(
                name,
                Entry {
                    method,
                    crc,
                    compressed: compressed as u64,
                    size: size as u64,
                    local_offset: local_offset as u64,
                },
            );
            at += 46 + name_len + extra_len + comment_len;
        }
        Ok(Self {
            data,
            entries,
            names,
        })
    }

    /// Whether the archive has this entry (names are matched exactly, then
    /// without regard to case, as Word does).
    pub fn find(&self, name: &str) -> Option<&str> {
        let name = name.trim_start_matches('/');
        if let Some((k, _)) = self.entries.get_key_value(name) {
            return Some(k);
        }
        self.names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name))
            .map(String::as_str)
    }

    /// The size an entry declares it unpacks to.
    pub fn size(&self, name: &str) -> Option<u64> {
        self.find(name).map(|n| self.entries[n].size)
    }

    /// Unpacks one entry, refusing it when it declares (or turns out to
    /// have) more than `limit` bytes.
    pub fn read(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, ZipError> {
        let Some(key) = self.find(name) else {
            return Ok(None);
        };
        let e = &self.entries[key];
        if e.size > limit {
            return Err(ZipError::TooLarge(key.to_string(), e.size, limit));
        }
        let damaged = || ZipError::Damaged(format!("the part {key}"));
        let at = e.local_offset as usize;
        if u32_at(self.data, at) != Some(LOCAL) {
            return Err(damaged());
        }
        let name_len = u16_at(self.data, at + 26).ok_or_else(damaged)? as usize;
        let extra_len = u16_at(self.data, at + 28).ok_or_else(damaged)? as usize;
        let start = at + 30 + name_len + extra_len;
        let raw = self
            .data
            .get(start..start + e.compressed as usize)
            .ok_or_else(damaged)?;
        let bytes = match e.method {
            0 => raw.to_vec(),
            8 => miniz_oxide::inflate::decompress_to_vec_with_limit(raw, e.size as usize)
                .map_err(|_| damaged())?,
            m => {
                return Err(ZipError::Damaged(format!(
                    "the part {key} (compression method {m}, which Word does not write)"
                )));
            }
        };
        if bytes.len() as u64 != e.size || crc32fast::hash(&bytes) != e.crc {
            return Err(damaged());
        }
        Ok(Some(bytes))
    }
}

/// A zip of stored (uncompressed) entries, for the tests and the `docx`
/// fuzz target, which wrap parts in a container.
pub fn stored_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32fast::hash(data);
        let mut header = Vec::new();
        header.extend(LOCAL.to_le_bytes());
        header.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        header.extend(crc.to_le_bytes());
        header.extend((data.len() as u32).to_le_bytes());
        header.extend((data.len() as u32).to_le_bytes());
        header.extend((name.len() as u16).to_le_bytes());
        header.extend(0u16.to_le_bytes());
        out.extend(&header);
        out.extend(name.as_bytes());
        out.extend(*data);
        central.extend(CENTRAL.to_le_bytes());
        central.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend(crc.to_le_bytes());
        central.extend((data.len() as u32).to_le_bytes());
        central.extend((data.len() as u32).to_le_bytes());
        central.extend((name.len() as u16).to_le_bytes());
        central.extend([0; 12]);
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(EOCD.to_le_bytes());
    out.extend([0, 0, 0, 0]);
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend([0, 0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stored_entries_and_checks_limits() {
        let zip = stored_zip(&[("a.xml", b"<a/>"), ("word/media/x.bin", &[7; 100])]);
        let a = Archive::open(&zip).unwrap();
        assert_eq!(a.read("a.xml", 10).unwrap().unwrap(), b"<a/>");
        assert_eq!(a.read("A.XML", 10).unwrap().unwrap(), b"<a/>");
        assert_eq!(a.read("missing", 10).unwrap(), None);
        assert_eq!(
            a.read("word/media/x.bin", 50),
            Err(ZipError::TooLarge("word/media/x.bin".into(), 100, 50))
        );
    }

    #[test]
    fn a_lying_size_is_caught() {
        let mut zip = stored_zip(&[("a.xml", b"<abc/>")]);
        // Corrupt the CRC in the central directory.
        let cd = zip
            .windows(4)
            .rposition(|w| w == CENTRAL.to_le_bytes())
            .unwrap();
        zip[cd + 16] ^= 0xFF;
        let a = Archive::open(&zip).unwrap();
        assert!(matches!(a.read("a.xml", 100), Err(ZipError::Damaged(_))));
    }

    #[test]
    fn text_is_not_a_zip() {
        assert!(matches!(
            Archive::open("这不是一个Word文件,只是一段文字。".as_bytes()),
            Err(ZipError::NotZip)
        ));
    }
}
