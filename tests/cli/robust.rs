//! What editors actually send: photos cut short, from phones and chat apps
//! (WebP, GIF, HEIC, a PNG named .jpg), articles in GBK or UTF-16 or with a
//! byte-order mark, over-long words and addresses, and the text clean-up of
//! Chinese typography. Each test is named by a row of docs/bad-input.md or
//! an item of the typography issue.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::*;

// ---- Helpers ---------------------------------------------------------------------

#[track_caller]
fn expect(out: &Output, code: i32, needles: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing `{n}` in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// Writes the fixture's second article.
fn article(fx: &Fixture, bytes: impl AsRef<[u8]>) {
    std::fs::write(fx.path("articles/two.md"), bytes).unwrap();
}

/// The PDF's text, page after page, as `pdftotext -raw` gives it.
fn raw_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed for the tests");
    String::from_utf8(out.stdout).unwrap()
}

fn visible(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{2060}' | '\u{200b}' | '\u{ad}'))
        .collect()
}

fn photo_rgb(w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

fn encoded(img: &image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

// ---- Photos: whole, by content, from phones ---------------------------------------

#[test]
fn truncated_jpeg_is_refused_naming_file_and_line() {
    for percent in [50, 90] {
        let fx = Fixture::new("basic");
        let p = fx.path("photos/p2.jpg");
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() * percent / 100]).unwrap();
        let out = fx.compile();
        expect(&out, 1, &["photos/p2.jpg", "cut off", "issue.toml:26:"]);
        assert!(!fx.pdf().exists());
    }
}

#[test]
fn truncated_jpeg_in_markdown_is_refused_at_its_line() {
    let fx = Fixture::new("basic");
    let bytes = std::fs::read(fx.path("photos/p4.jpg")).unwrap();
    std::fs::write(fx.path("photos/cut.jpg"), &bytes[..bytes.len() / 2]).unwrap();
    article(&fx, "第一段。\n\n![图注](../photos/cut.jpg)\n");
    let out = fx.compile();
    expect(&out, 1, &["photos/cut.jpg", "cut off", "two.md:3:1"]);
}

#[test]
fn photo_is_read_by_its_content_not_its_extension() {
    let fx = Fixture::new("basic");
    // A PNG named .jpg and a JPEG named .png.
    let png = encoded(&photo_rgb(1200, 900), image::ImageFormat::Png);
    std::fs::write(fx.path("photos/p3.jpg"), png).unwrap();
    std::fs::rename(fx.path("photos/p4.jpg"), fx.path("photos/p4.png")).unwrap();
    fx.edit("issue.toml", |t| {
        t.replace("photos/p4.jpg", "photos/p4.png")
    });
    let out = fx.compile();
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("photos/p3.jpg") && err.contains("PNG"),
        "{err}"
    );
}

#[test]
fn unreadable_photo_names_the_photo_never_the_layout() {
    let fx = Fixture::new("basic");
    std::fs::write(fx.path("photos/p3.jpg"), b"this is not a picture at all").unwrap();
    let out = fx.compile();
    let err = expect(&out, 1, &["photos/p3.jpg", "issue.toml:36:"]);
    assert!(!err.contains(".typ"), "{err}");
}

#[test]
fn webp_and_gif_are_placed_with_an_info_line() {
    let fx = Fixture::new("basic");
    let img = photo_rgb(1200, 900);
    std::fs::write(
        fx.path("photos/p3.webp"),
        encoded(&img, image::ImageFormat::WebP),
    )
    .unwrap();
    std::fs::write(
        fx.path("photos/p4.gif"),
        encoded(&img, image::ImageFormat::Gif),
    )
    .unwrap();
    fx.edit("issue.toml", |t| {
        t.replace("photos/p3.jpg", "photos/p3.webp")
            .replace("photos/p4.jpg", "photos/p4.gif")
    });
    article(&fx, "正文。\n\n![网图](../photos/p3.webp)\n");
    let out = fx.compile();
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("photos/p3.webp") && err.contains("WebP"),
        "{err}"
    );
    assert!(
        err.contains("photos/p4.gif") && err.contains("GIF"),
        "{err}"
    );
    // Full resolution kept for print.
    let (_, json) = preflight_json(&fx);
    let msgs: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.to_string())
        .collect();
    assert!(
        !msgs
            .iter()
            .any(|m| m.contains("p3.webp") && m.contains("error")),
        "{msgs:?}"
    );
}

#[test]
fn heic_is_refused_with_how_to_convert() {
    let fx = Fixture::new("basic");
    let mut heic = vec![0, 0, 0, 0x18];
    heic.extend(b"ftypheic\0\0\0\0mif1heic");
    heic.extend([0u8; 64]);
    std::fs::write(fx.path("photos/IMG_0001.HEIC"), heic).unwrap();
    fx.edit("issue.toml", |t| {
        t.replace("photos/p3.jpg", "photos/IMG_0001.HEIC")
    });
    let out = fx.compile();
    expect(
        &out,
        1,
        &["photos/IMG_0001.HEIC", "HEIC", "JPEG", "issue.toml:36:"],
    );
}

#[test]
fn exif_orientation_of_a_png_is_honoured() {
    // A 300 × 200 PNG with an eXIf chunk saying "rotate 90°".
    let fx = Fixture::new("basic");
    let png = encoded(&photo_rgb(300, 200), image::ImageFormat::Png);
    // TIFF header, one IFD entry: Orientation (0x0112) SHORT 1 = 6.
    let exif: Vec<u8> = [
        b"MM\0\x2a\0\0\0\x08".as_slice(),
        &[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0],
    ]
    .concat();
    let mut chunk = (exif.len() as u32).to_be_bytes().to_vec();
    let mut body = b"eXIf".to_vec();
    body.extend(&exif);
    chunk.extend(&body);
    chunk.extend(crc32(&body).to_be_bytes());
    // After IHDR (8 + 25 bytes).
    let mut out = png[..33].to_vec();
    out.extend(chunk);
    out.extend(&png[33..]);
    std::fs::write(fx.path("photos/p3.jpg"), out).unwrap();
    let (_, json) = preflight_json(&fx);
    let f = findings(&json, "image-resolution")
        .into_iter()
        .find(|f| {
            f["file"]
                .as_str()
                .is_some_and(|p| p.ends_with("photos/p3.jpg"))
        })
        .unwrap_or_else(|| panic!("{json:#}"));
    assert!(
        f["message"].as_str().unwrap().contains("200 × 300 px"),
        "{f}"
    );
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn screen_edition_resamples_markdown_images_too() {
    let fx = Fixture::new("basic");
    write_photo(&fx.path("photos/big.jpg"), 3000, 2000, 7);
    article(&fx, "第一段。\n\n![大图](../photos/big.jpg)\n\n第二段。\n");
    let screen = fx.path("screen.pdf");
    let out = fx.compile_with(&["--edition", "screen", "-o", screen.to_str().unwrap()]);
    assert_success(&out);
    let (ppis, list) = image_ppis(&screen);
    for (xppi, yppi) in &ppis {
        assert!(
            *xppi <= 152.0 && *yppi <= 152.0,
            "{xppi} × {yppi} ppi\n{list}"
        );
    }
    assert!(ppis.len() >= 5, "{list}");
}

// ---- Articles: encodings, byte-order mark, empty --------------------------------

#[test]
fn byte_order_mark_is_stripped_from_an_article() {
    let fx = Fixture::new("basic");
    article(&fx, "\u{feff}## 小标题甲\n\n正文。\n");
    let out = fx.compile();
    assert_success(&out);
    let text = raw_text(&fx.pdf());
    assert!(text.contains("小标题甲"), "{text}");
    assert!(!text.contains("##"), "{text}");
}

#[test]
fn gbk_article_is_read_with_a_warning() {
    let fx = Fixture::new("basic");
    let (bytes, _, _) =
        encoding_rs::GBK.encode("这是一篇用国标码保存的报道。支行将继续做好服务工作。\n");
    article(&fx, &bytes);
    let out = fx.compile();
    assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("two.md") && err.contains("GB18030"), "{err}");
    assert!(err.contains("UTF-8"), "{err}");
    let text = visible(&raw_text(&fx.pdf()));
    assert!(text.contains("这是一篇用国标码保存的报道。"), "{text}");
}

#[test]
fn utf16_article_is_read_with_a_warning() {
    let fx = Fixture::new("basic");
    let mut bytes = vec![0xFF, 0xFE];
    for u in "记事本保存的统一码文章。\n".encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    article(&fx, &bytes);
    let out = fx.compile();
    assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("two.md") && err.contains("UTF-16"), "{err}");
    let text = visible(&raw_text(&fx.pdf()));
    assert!(text.contains("记事本保存的统一码文章。"), "{text}");
}

#[test]
fn bytes_of_no_known_encoding_name_the_first_bad_line() {
    let fx = Fixture::new("basic");
    let mut bytes = b"first line\nsecond line\n".to_vec();
    bytes.extend([0x00, 0x01, 0xFF, 0xFE, 0x80, 0x00, 0x9F, 0x00]);
    bytes.extend(b"\n");
    article(&fx, &bytes);
    let out = fx.compile();
    expect(&out, 1, &["two.md:3:", "not UTF-8"]);
}

#[test]
fn empty_article_is_a_warning_naming_the_file() {
    let fx = Fixture::new("basic");
    article(&fx, "  \n\n");
    let out = fx.compile();
    assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("two.md") && err.contains("empty"), "{err}");
}

// ---- Paths that stay inside -------------------------------------------------------

#[test]
fn paths_through_parent_that_stay_inside_are_allowed() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| {
        t.replace("\"photos/p2.jpg\"", "\"articles/../photos/p2.jpg\"")
            .replace("\"articles/two.md\"", "\"articles/../articles/two.md\"")
    });
    article(&fx, "正文。\n\n![图](../photos/p4.jpg)\n");
    assert_success(&fx.compile());
    // Still refused when the result leaves the folder.
    fx.edit("issue.toml", |t| {
        t.replace("articles/../photos/p2.jpg", "articles/../../photos/p2.jpg")
    });
    let out = fx.compile();
    expect(&out, 1, &["leaves the issue folder"]);
}

// ---- Messages in plain words ------------------------------------------------------

#[test]
fn empty_manifest_says_so() {
    let fx = Fixture::new("basic");
    std::fs::write(fx.manifest(), "").unwrap();
    let out = fx.compile();
    let err = expect(&out, 1, &["the manifest is empty", "folio init"]);
    assert!(!err.contains("missing key"), "{err}");
}

#[test]
fn title_that_is_a_number_says_to_quote_it() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| {
        t.replace("title = \"第一篇文章的标题\"", "title = 42")
    });
    let out = fx.compile();
    let err = expect(&out, 1, &["`title` must be text in quotes"]);
    assert!(!err.contains("invalid type"), "{err}");
}

#[test]
fn output_folder_that_does_not_exist_is_named() {
    let fx = Fixture::new("basic");
    let out = fx.compile_with(&["-o", fx.path("no/such/folder/x.pdf").to_str().unwrap()]);
    let err = expect(&out, 1, &["no/such/folder", "does not exist"]);
    assert!(!err.contains("previous file"), "{err}");
}

#[test]
fn nesting_message_counts_what_the_editor_sees() {
    let list = |depth: usize| {
        let mut md = String::new();
        for d in 0..depth {
            md.push_str(&"  ".repeat(d));
            md.push_str("- 项\n");
        }
        md
    };
    let fx = Fixture::new("basic");
    // Twelve lists inside each other are allowed; the thirteenth is the
    // one the message names.
    article(&fx, list(12));
    assert_success(&fx.compile());
    article(&fx, list(13));
    let out = fx.compile();
    expect(&out, 1, &["nested more than 12 levels deep", "two.md:13:"]);
}

#[test]
fn right_to_left_text_without_a_face_is_a_warning() {
    let fx = Fixture::new("basic");
    article(&fx, "中文里有一句阿拉伯文：مرحبا بالعالم。\n");
    let out = fx.compile();
    assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("Arabic"), "{err}");
    assert_eq!(err.matches("Arabic").count(), 1, "{err}");
}

// ---- Text past the trim -----------------------------------------------------------

#[test]
fn over_long_words_numbers_and_addresses_break_inside_the_column() {
    let fx = Fixture::new("basic");
    let word = "Pneumonoultramicroscopicsilicovolcanoconiosisextraordinarily";
    let number = "2023".repeat(18) + "123";
    let url = "https://www.example.com/very/long/path/segments/that/never/end/index.html?query=value&other=thing";
    let latin = "abcdefghij".repeat(300);
    article(
        &fx,
        format!("英文长词{word}结束。\n\n编号{number}结束。\n\n网址{url}结束。\n\n{latin}\n"),
    );
    let out = fx.compile();
    assert_success(&out);
    let (_, json) = preflight_json(&fx);
    assert!(findings(&json, "past-trim").is_empty(), "{json:#}");
    let near: Vec<_> = findings(&json, "safe-zone")
        .into_iter()
        .filter(|f| {
            let m = f["message"].as_str().unwrap_or("");
            m.contains("Pneumono")
                || m.contains("abcdefghij")
                || m.contains("2023")
                || m.contains("example")
        })
        .collect();
    assert!(near.is_empty(), "{near:?}");
    let text = visible(&raw_text(&fx.pdf())).replace('-', "");
    for s in [
        word,
        &number,
        "example.com/very/long",
        "abcdefghijabcdefghij",
    ] {
        assert!(text.contains(s), "{s} missing");
    }
}

#[test]
fn text_past_the_trim_is_a_preflight_error() {
    let fx = Fixture::new("basic");
    fx.trusted_article("#block(width: 400mm)[#lorem(80)]\n");
    let (code, json) = preflight_json(&fx);
    assert_eq!(code, Some(1), "{json:#}");
    let f = findings(&json, "past-trim");
    assert!(!f.is_empty(), "{json:#}");
    assert_eq!(f[0]["level"], "error");
    assert!(f[0]["page"].is_number());
    assert!(
        f[0]["message"].as_str().unwrap().contains("Lorem"),
        "{}",
        f[0]
    );
}

// ---- Chinese text clean-up (typography issue items 2, 5, 6, 15; robustness 11) ----

#[test]
fn latin_brackets_stay_latin_in_a_chinese_article() {
    let fx = Fixture::new("basic");
    article(
        &fx,
        "深拷贝可以用 structuredClone() 完成,也可以用JSON.parse(JSON.stringify(x))。辉煌( 第一支行 )。\n",
    );
    assert_success(&fx.compile());
    let text = visible(&raw_text(&fx.pdf()));
    assert!(text.contains("structuredClone()"), "{text}");
    assert!(text.contains("JSON.parse(JSON.stringify(x))"), "{text}");
    assert!(text.contains("辉煌（第一支行）"), "{text}");
}

#[test]
fn numbers_never_split_from_their_units() {
    let fx = Fixture::new("basic");
    // The same sentence shifted by one character at a time, so that the
    // numbers fall at every place of a line.
    let mut md = String::new();
    for shift in 0..24 {
        md.push_str(&"服".repeat(shift));
        md.push_str("截至2023年11月3日，辖内诈骗6万元，提升12个百分点，共计1,500元，用时3小时。");
    }
    article(&fx, md + "\n");
    assert_success(&fx.compile());
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(fx.pdf())
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<String> = text
        .lines()
        .map(visible)
        .filter(|l| !l.is_empty())
        .collect();
    let mut checked = 0;
    for pair in lines.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let last = a.chars().last().unwrap();
        let first = b.chars().next().unwrap();
        if last.is_ascii_digit() {
            checked += 1;
            assert!(
                !"年月日万元个小时".contains(first),
                "a number is split from its unit:\n{a}\n{b}"
            );
        }
        if last == '万' {
            assert!(first != '元', "万 / 元 split:\n{a}\n{b}");
        }
    }
    let _ = checked;
}

#[test]
fn spaces_dashes_and_attributions_in_chinese_text() {
    let fx = Fixture::new("basic");
    article(
        &fx,
        "避免柜台堵塞。 此外，支行—网点联动，支行-网点协同。\n\n> 路漫漫其修远兮，吾将上下而求索。\n\n-- 屈原\n",
    );
    assert_success(&fx.compile());
    let text = raw_text(&fx.pdf());
    let squashed = visible(&text);
    assert!(text.contains("堵塞。此外"), "{text}");
    assert!(squashed.contains("支行——网点联动"), "{squashed}");
    assert!(squashed.contains("支行——网点协同"), "{squashed}");
    assert!(squashed.contains("——屈原"), "{squashed}");
    assert!(!squashed.contains("--"), "{squashed}");
}
