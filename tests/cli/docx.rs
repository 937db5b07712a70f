//! Word articles (`body = "articles/x.docx"`): the fixtures of
//! tests/fixtures/docx/ (written by python-docx and by LibreOffice, see
//! make.py there) compile, set the text that pandoc's Word reader finds and
//! place every picture; broken files are refused with one message; `folio
//! convert` round-trips; `folio watch` rebuilds when the .docx changes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/docx").join(name)
}

/// A one-article issue around a .docx: `title` and `extra` go into the
/// article's table of the manifest (no title: the file's own is used).
fn docx_issue(docx: &Path, title: Option<&str>, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("articles")).unwrap();
    let name = docx.file_name().unwrap().to_str().unwrap();
    std::fs::copy(docx, dir.path().join("articles").join(name)).unwrap();
    let title = title
        .map(|t| format!("title = \"{t}\"\n"))
        .unwrap_or_default();
    std::fs::write(
        dir.path().join("issue.toml"),
        format!(
            r#"layout = "default"

[issue]
magazine = "测试刊"
subtitle = "Word 稿件测试"
number = "2025年第3期"
date = 2025-09-30
publisher = "folio 编辑部"

[[section]]
title = "来稿"

[[section.article]]
{title}body = "articles/{name}"
{extra}
"#
        ),
    )
    .unwrap();
    dir
}

/// Compiles with the layout dump; returns the output and the dump.
fn compile_dump(manifest: &Path) -> (Output, Option<Value>) {
    let dir = manifest.parent().unwrap();
    let json = dir.join("layout.json");
    let out = folio()
        .arg("compile")
        .arg(manifest)
        .arg("--dump-layout")
        .arg(&json)
        .output()
        .unwrap();
    let dump = std::fs::read_to_string(&json)
        .ok()
        .map(|t| serde_json::from_str(&t).unwrap());
    (out, dump)
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

fn han(s: &str) -> String {
    s.chars().filter(|c| is_han(*c)).collect()
}

/// The text set on every page, lines in reading order (left column, then
/// right; in one column, a table's cells left to right), as one string.
fn set_text(dump: &Value) -> String {
    let mut out = String::new();
    for page in dump["pages"].as_array().unwrap() {
        let mid = page["width"].as_f64().unwrap() / 2.0;
        // A page whose body text (10 pt) runs across the middle is set in
        // one column: a line right of the middle is then a table's cell,
        // read after the cells left of it, not a line of a right column.
        let one_column = page["lines"].as_array().unwrap().iter().any(|l| {
            let (x, w) = (
                l["box"]["x"].as_f64().unwrap(),
                l["box"]["w"].as_f64().unwrap(),
            );
            (l["size"].as_f64().unwrap_or(0.0) - 10.0).abs() < 0.05
                && x < mid - 10.0
                && x + w > mid + 10.0
        });
        // Pull quotes (13 pt) repeat a sentence of the text: the layout
        // draws them from the article to fill a last page.
        let mut lines: Vec<(bool, f64, f64, String)> = page["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| (l["size"].as_f64().unwrap_or(0.0) - 13.0).abs() > 0.05)
            .map(|l| {
                let x = l["box"]["x"].as_f64().unwrap();
                (
                    !one_column && x > mid,
                    l["baseline"].as_f64().unwrap(),
                    x,
                    l["text"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        lines.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.total_cmp(&b.2))
        });
        for (_, _, _, t) in lines {
            out.push_str(&t);
            out.push('\n');
        }
    }
    out
}

fn images_placed(dump: &Value) -> usize {
    dump["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap())
        .filter(|i| i["kind"] == "image")
        .count()
}

fn pandoc(docx: &Path, to: &str) -> String {
    let out = Command::new("pandoc")
        .args(["-f", "docx", "-t", to, "--wrap=none"])
        .arg(docx)
        .output()
        .expect(
            "pandoc must be installed for the .docx tests (Debian: pandoc; .ci/run installs it)",
        );
    assert!(out.status.success(), "pandoc failed on {}", docx.display());
    String::from_utf8(out.stdout).unwrap()
}

/// pandoc's plain text of a .docx: its paragraphs, and its notes (which
/// pandoc gathers at the end as `[1] …`).
fn pandoc_paragraphs(docx: &Path) -> (Vec<String>, Vec<String>) {
    let plain = pandoc(docx, "plain");
    let mut pars = Vec::new();
    let mut notes = Vec::new();
    for block in plain.split("\n\n") {
        let block = block.trim();
        if block.is_empty() {
            continue;
        }
        let is_note = block.starts_with('[')
            && block[1..]
                .split(']')
                .next()
                .is_some_and(|n| n.parse::<u32>().is_ok());
        if is_note {
            notes.push(block.to_string());
        } else {
            pars.push(block.to_string());
        }
    }
    (pars, notes)
}

/// Whether `needle`'s characters appear in `hay` in order (other text may
/// come between them: a running head, a page number, a column break).
fn is_subsequence(needle: &str, hay: &str) -> bool {
    let mut hay = hay.chars();
    needle.chars().all(|c| hay.any(|h| h == c))
}

fn counts(s: &str) -> HashMap<char, usize> {
    let mut m = HashMap::new();
    for c in s.chars() {
        *m.entry(c).or_default() += 1;
    }
    m
}

/// What each fixture is, and what folio does differently from pandoc on
/// purpose.
struct Case {
    file: &'static str,
    /// The manifest's title; None: the file's Title paragraph is used.
    title: Option<&'static str>,
    /// The title folio must find in the file.
    file_title: Option<&'static str>,
    /// A last paragraph taken as the byline: its text, and what the layout
    /// then prints (author and/or unit).
    byline: Option<(&'static str, &'static str)>,
    /// Text that must not be set (deletions, comments).
    absent: &'static [&'static str],
    /// Text folio keeps that pandoc drops (text boxes).
    folio_only: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        file: "pd-article.docx",
        title: None,
        file_title: Some("行稳致远 优质为本 专业铸就辉煌"),
        byline: Some(("第一支行 徐国龙", "徐国龙")),
        absent: &[],
        folio_only: &[],
    },
    Case {
        file: "pd-headings.docx",
        title: None,
        file_title: Some("云山支行营业室积极落实“百家示范网点”评选工作"),
        byline: None,
        absent: &[],
        folio_only: &[],
    },
    Case {
        file: "pd-lists.docx",
        title: Some("列表测试"),
        file_title: None,
        byline: None,
        absent: &[],
        folio_only: &[],
    },
    Case {
        file: "pd-table.docx",
        title: Some("表格测试"),
        file_title: None,
        byline: None,
        absent: &[],
        folio_only: &[],
    },
    Case {
        file: "pd-pictures.docx",
        title: Some("图片测试"),
        file_title: None,
        byline: None,
        absent: &[],
        folio_only: &[],
    },
    Case {
        file: "pd-tracked.docx",
        title: Some("修订测试"),
        file_title: None,
        byline: Some(("（供稿：华南支行）", "华南支行")),
        absent: &["草稿", "这里请补充活动日期"],
        folio_only: &[],
    },
    Case {
        file: "lo-article.docx",
        title: None,
        file_title: Some("华南支行积极开展“反诈我在行”志愿服务活动"),
        byline: Some(("（供稿：华南支行）", "华南支行")),
        absent: &[],
        folio_only: &[],
    },
    Case {
        file: "lo-pictures.docx",
        title: Some("图片测试"),
        file_title: None,
        byline: None,
        absent: &[],
        folio_only: &["文本框:示范网点创建小贴士"],
    },
    Case {
        file: "lo-tracked.docx",
        title: Some("修订测试"),
        file_title: None,
        byline: None,
        absent: &["初稿", "请核实时间"],
        folio_only: &[],
    },
];

#[test]
fn every_fixture_compiles_and_sets_what_pandoc_reads() {
    // Every fixture in the folder is covered by a case.
    let mut files: Vec<String> = std::fs::read_dir(repo().join("tests/fixtures/docx"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".docx"))
        .collect();
    files.sort();
    let mut covered: Vec<String> = CASES.iter().map(|c| c.file.to_string()).collect();
    covered.sort();
    assert_eq!(files, covered, "a fixture has no case in tests/cli/docx.rs");

    let mut report = Vec::new();
    for case in CASES {
        let docx = fixture(case.file);
        let issue = docx_issue(&docx, case.title, "");
        let (out, dump) = compile_dump(&issue.path().join("issue.toml"));
        assert_success(&out);
        let dump = dump.unwrap();
        let set = set_text(&dump);
        let set_han = han(&set);

        let (mut pars, notes) = pandoc_paragraphs(&docx);
        if let Some((line, shown)) = case.byline {
            let last = pars.pop().unwrap();
            assert_eq!(last.trim(), line, "{}: the last paragraph", case.file);
            assert!(
                set.contains(shown),
                "{}: the byline's {shown} is not set",
                case.file
            );
            assert!(
                !set.contains(line),
                "{}: the byline is still in the text",
                case.file
            );
        }
        if let Some(t) = case.file_title {
            assert!(
                squash(&set).contains(&squash(t)),
                "{}: the title {t} is not set",
                case.file
            );
        }
        // Every paragraph and note pandoc reads is set, in order.
        let mut expected = String::new();
        for p in pars.iter().chain(notes.iter()) {
            let h = han(p);
            assert!(
                is_subsequence(&h, &set_han),
                "{}: this paragraph is not set as pandoc reads it:\n{p}\n--- folio set:\n{set}",
                case.file
            );
            expected.push_str(&h);
        }
        // And no character of it is missing.
        let have = counts(&set_han);
        for (c, n) in counts(&expected) {
            assert!(
                have.get(&c).copied().unwrap_or(0) >= n,
                "{}: `{c}` is set fewer than {n} times",
                case.file
            );
        }
        for a in case.absent {
            assert!(!set.contains(a), "{}: `{a}` must not be set", case.file);
        }
        for f in case.folio_only {
            assert!(
                is_subsequence(&han(f), &set_han),
                "{}: `{f}` is not set",
                case.file
            );
        }
        // And folio sets nothing else: every Han character beyond what
        // pandoc reads (and the text boxes) is one of the issue's own
        // furniture (cover, 目录, running heads, title, byline), found by
        // compiling the same issue around a one-line Markdown article.
        let chrome = {
            let title = case.title.or(case.file_title).unwrap();
            let md = issue.path().join("articles/one-line.md");
            std::fs::write(&md, "正文。\n").unwrap();
            let base = docx_issue(&md, Some(title), "");
            let (out, dump) = compile_dump(&base.path().join("issue.toml"));
            assert_success(&out);
            han(&set_text(&dump.unwrap()))
        };
        let mut allowed = counts(&expected);
        let byline = case.byline.map_or("", |b| b.0);
        // The default layout sets a piece's notes (its footnotes, and its
        // links' addresses in print) under the word 注释.
        for f in case.folio_only.iter().chain([&byline, &"注释"]) {
            for c in han(f).chars() {
                *allowed.entry(c).or_default() += 1;
            }
        }
        for (c, n) in counts(&set_han) {
            if !chrome.contains(c) {
                assert!(
                    n <= allowed.get(&c).copied().unwrap_or(0),
                    "{}: `{c}` is set {n} times, more than pandoc reads:\n{set}",
                    case.file
                );
            }
        }
        // Every picture pandoc finds is placed.
        let pictures = pandoc(&docx, "markdown").matches("![").count();
        assert_eq!(
            images_placed(&dump),
            pictures,
            "{}: pictures placed",
            case.file
        );
        report.push(format!(
            "{}: {} paragraphs and {} notes ({} Han characters) found in folio's pages; {} pictures",
            case.file,
            pars.len(),
            notes.len(),
            han(&expected).chars().count(),
            pictures
        ));
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn word_files_warn_once_per_kind_naming_the_article() {
    let issue = docx_issue(&fixture("lo-tracked.docx"), Some("修订测试"), "");
    let out = folio()
        .arg("compile")
        .arg(issue.path().join("issue.toml"))
        .args(["--diagnostic-format", "short"])
        .output()
        .unwrap();
    assert_success(&out);
    let err = stderr(&out);
    for what in ["tracked changes", "comments", "page breaks"] {
        let lines: Vec<&str> = err.lines().filter(|l| l.contains(what)).collect();
        assert_eq!(lines.len(), 1, "one warning about {what}:\n{err}");
    }
    assert!(
        err.lines()
            .filter(|l| l.contains(": warning:"))
            .all(|l| l.contains("lo-tracked.docx")),
        "every warning names the article:\n{err}"
    );
}

#[test]
fn the_manifest_wins_over_the_file_title_and_byline() {
    let issue = docx_issue(
        &fixture("pd-article.docx"),
        Some("编辑部定的标题"),
        "author = \"王五\"\nunit = \"编辑部\"\n",
    );
    let (out, dump) = compile_dump(&issue.path().join("issue.toml"));
    assert_success(&out);
    let set = set_text(&dump.unwrap());
    assert!(set.contains("编辑部定的标题"));
    assert!(set.contains("王五"));
    assert!(
        !set.contains("行稳致远 优质为本"),
        "the file's title is set"
    );
    assert!(!set.contains("徐国龙"), "the file's byline is set");
}

#[test]
fn an_article_without_any_title_is_an_error_that_says_what_to_add() {
    let issue = docx_issue(&fixture("pd-lists.docx"), None, "");
    let out = folio()
        .arg("compile")
        .arg(issue.path().join("issue.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("title"), "{err}");
    assert!(err.contains("pd-lists.docx"), "{err}");
}

// ---- Broken files -----------------------------------------------------------------

/// A CRC-32 (for the zips the tests write).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip of stored entries; an entry may declare another unpacked size and
/// the deflate method (a bomb's central directory).
fn write_zip(files: &[(&str, &[u8], Option<u32>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data, declared) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let (method, size) = match declared {
            Some(s) => (8u16, *s),
            None => (0u16, data.len() as u32),
        };
        let mut common = Vec::new();
        common.extend(method.to_le_bytes());
        common.extend([0, 0, 0, 0]);
        common.extend(crc.to_le_bytes());
        common.extend((data.len() as u32).to_le_bytes());
        common.extend(size.to_le_bytes());
        common.extend((name.len() as u16).to_le_bytes());
        common.extend(0u16.to_le_bytes());
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend([20, 0, 0, 0]);
        out.extend(&common);
        out.extend(name.as_bytes());
        out.extend(*data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend([20, 0, 20, 0, 0, 0]);
        central.extend(&common);
        central.extend([0; 10]);
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let cd = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0, 0, 0, 0]);
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd.to_le_bytes());
    out.extend([0, 0]);
    out
}

const CONTENT_TYPES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;

fn document_with_picture() -> (Vec<u8>, Vec<u8>) {
    document_with("media/image1.png")
}

/// A document.xml with a paragraph and a picture, and its relationships.
fn document_with(target: &str) -> (Vec<u8>, Vec<u8>) {
    let doc = r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><w:body><w:p><w:r><w:t>一张很大的图片。</w:t></w:r></w:p><w:p><w:r><w:drawing><a:blip r:embed="rId9"/></w:drawing></w:r></w:p></w:body></w:document>"#.as_bytes().to_vec();
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="TARGET"/></Relationships>"#.replace("TARGET", target).into_bytes();
    (doc, rels)
}

/// A PNG header that declares `w` × `h` pixels (no pixel data).
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    png
}

#[test]
fn broken_word_files_are_refused_with_one_message_and_the_pdf_is_kept() {
    let good = fixture("pd-table.docx");
    let issue = docx_issue(&good, Some("坏文件测试"), "");
    let manifest = issue.path().join("issue.toml");
    assert_success(&folio().arg("compile").arg(&manifest).output().unwrap());
    let pdf = issue.path().join("issue.pdf");
    let before = std::fs::read(&pdf).unwrap();

    let (doc, rels) = document_with_picture();
    let bomb_picture = write_zip(&[
        ("[Content_Types].xml", CONTENT_TYPES, None),
        ("word/document.xml", &doc, None),
        ("word/_rels/document.xml.rels", &rels, None),
        ("word/media/image1.png", &png_header(40_000, 40_000), None),
    ]);
    // A part that declares 3 GB unpacked (a zip bomb's directory).
    let bomb_part = write_zip(&[
        ("[Content_Types].xml", CONTENT_TYPES, None),
        ("word/document.xml", &[0x03, 0x00], Some(3_000_000_000)),
    ]);
    let oversize = {
        let mut v = write_zip(&[("word/document.xml", &doc, None)]);
        v.resize(65 * 1024 * 1024, 0);
        v
    };
    let generated = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("bomb-picture.docx", &bomb_picture),
        ("bomb-part.docx", &bomb_part),
        ("oversize.docx", &oversize),
    ] {
        std::fs::write(generated.path().join(name), bytes).unwrap();
    }

    let cases: Vec<(PathBuf, &str)> = vec![
        (fixture("broken/not-a-zip.docx"), "save it as"),
        (fixture("broken/encrypted.docx"), "password"),
        (fixture("broken/old-binary.docx"), "97–2003"),
        (fixture("broken/renamed-wps.docx"), "WPS"),
        (fixture("broken/renamed-odt.docx"), "OpenDocument"),
        (generated.path().join("bomb-picture.docx"), "40000 × 40000"),
        (generated.path().join("bomb-part.docx"), "3000000000 bytes"),
        (generated.path().join("oversize.docx"), "at most"),
    ];
    for (file, says) in cases {
        std::fs::copy(&file, issue.path().join("articles/pd-table.docx")).unwrap();
        let out = folio().arg("compile").arg(&manifest).output().unwrap();
        let err = stderr(&out);
        let name = file.file_name().unwrap().to_string_lossy();
        assert_eq!(out.status.code(), Some(1), "{name}:\n{err}");
        assert_eq!(
            err.matches("error").count(),
            1,
            "{name}: one message:\n{err}"
        );
        assert!(
            err.contains("pd-table.docx"),
            "{name}: the file is named:\n{err}"
        );
        assert!(err.contains(says), "{name}: `{says}` missing:\n{err}");
        assert!(!err.contains("panicked"), "{name}:\n{err}");
        assert_eq!(
            std::fs::read(&pdf).unwrap(),
            before,
            "{name}: the PDF changed"
        );
    }
}

// ---- folio convert --------------------------------------------------------------

/// The lines of every page: (page, text, baseline, x).
fn lines_of(dump: &Value) -> Vec<(u64, String, String)> {
    let mut out = Vec::new();
    for page in dump["pages"].as_array().unwrap() {
        for l in page["lines"].as_array().unwrap() {
            out.push((
                page["page"].as_u64().unwrap(),
                l["text"].as_str().unwrap().to_string(),
                format!("{} {}", l["baseline"], l["box"]["x"]),
            ));
        }
    }
    out
}

#[test]
fn convert_writes_markdown_that_sets_the_same_pages() {
    for name in [
        "pd-article.docx",
        "pd-lists.docx",
        "pd-pictures.docx",
        "pd-table.docx",
        "lo-article.docx",
        "lo-pictures.docx",
    ] {
        let docx = fixture(name);
        let issue = docx_issue(&docx, Some("转换测试"), "");
        let (out, dump) = compile_dump(&issue.path().join("issue.toml"));
        assert_success(&out);
        let from_docx = dump.unwrap();

        let out = folio()
            .arg("convert")
            .arg(issue.path().join("articles").join(name))
            .arg("-o")
            .arg(issue.path().join("md"))
            .output()
            .unwrap();
        assert_success(&out);
        let stem = name.trim_end_matches(".docx");
        let md = issue.path().join("md").join(format!("{stem}.md"));
        assert!(md.is_file(), "{name}: no {}", md.display());
        let printed = String::from_utf8_lossy(&out.stdout).into_owned();
        let pictures = std::fs::read_dir(issue.path().join("md"))
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{stem}-"))
            })
            .count();
        // The Markdown article, with the title, author and unit that
        // convert prints for the manifest.
        let keys: String = printed
            .lines()
            .filter(|l| l.starts_with("author =") || l.starts_with("unit ="))
            .map(|l| format!("{l}\n"))
            .collect();
        let toml = std::fs::read_to_string(issue.path().join("issue.toml"))
            .unwrap()
            .replace(
                &format!("body = \"articles/{name}\""),
                &format!("body = \"md/{stem}.md\"\n{keys}"),
            );
        std::fs::write(issue.path().join("issue.toml"), toml).unwrap();
        let (out, dump) = compile_dump(&issue.path().join("issue.toml"));
        assert_success(&out);
        let from_md = dump.unwrap();
        assert_eq!(
            images_placed(&from_md),
            images_placed(&from_docx),
            "{name}: pictures"
        );
        assert_eq!(
            images_placed(&from_md),
            pictures,
            "{name}: pictures written"
        );
        assert_eq!(
            lines_of(&from_md),
            lines_of(&from_docx),
            "{name}: the Markdown sets other lines:\n{}",
            std::fs::read_to_string(&md).unwrap()
        );
    }
}

#[test]
fn convert_refuses_a_broken_file_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = folio()
        .arg("convert")
        .arg(fixture("broken/encrypted.docx"))
        .arg("-o")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("encrypted.docx") && err.contains("password"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "files written"
    );
}

// ---- folio watch --------------------------------------------------------------

fn pdf_text(pdf: &Path) -> String {
    if !pdf.is_file() {
        return String::new();
    }
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    squash(&String::from_utf8_lossy(&out.stdout))
}

#[track_caller]
fn wait_until(what: &str, ok: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn watch_rebuilds_when_the_word_file_changes() {
    let issue = docx_issue(&fixture("pd-table.docx"), Some("监视测试"), "");
    let pdf = issue.path().join("issue.pdf");
    let mut child = folio()
        .args(["watch", "issue.toml"])
        .current_dir(issue.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the first build", || {
        pdf_text(&pdf).contains("各支行将继续努力")
    });
    // The editor saves another version of the article.
    let target = issue.path().join("articles/pd-table.docx");
    let tmp = issue.path().join("articles/.new.docx");
    std::fs::copy(fixture("pd-lists.docx"), &tmp).unwrap();
    std::fs::rename(&tmp, &target).unwrap();
    wait_until("the rebuild", || {
        pdf_text(&pdf).contains("学员们纷纷表示收获很大")
    });
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_doc_body_is_refused_with_what_to_do() {
    let issue = docx_issue(&fixture("broken/old-binary.doc"), Some("旧文件"), "");
    let out = folio()
        .arg("compile")
        .arg(issue.path().join("issue.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("not `.doc`") && err.contains("Save As"),
        "{err}"
    );
}

/// The sample issue's article 11 is supplied as a .docx made from its
/// Markdown (tests/fixtures/docx/make.sh): both set the same lines.
#[test]
fn the_sample_word_article_sets_the_same_lines_as_its_markdown() {
    let articles = repo().join("examples/zhenjing-2024-01/articles");
    let docx = docx_issue(
        &articles.join("11-zengcheng-licheng.docx"),
        Some("增城"),
        "",
    );
    let md = docx_issue(&articles.join("11-zengcheng-licheng.md"), Some("增城"), "");
    let (out, a) = compile_dump(&docx.path().join("issue.toml"));
    assert_success(&out);
    let (out, b) = compile_dump(&md.path().join("issue.toml"));
    assert_success(&out);
    let (a, b) = (lines_of(&a.unwrap()), lines_of(&b.unwrap()));
    assert!(a.iter().any(|l| l.1.contains("增城荔城支行")));
    assert_eq!(a, b);
}

/// A photo pasted at full resolution into a Word file is downsampled for
/// the screen edition like any photo, and preflight names it.
#[test]
fn word_pictures_are_downsampled_for_the_screen_and_named_by_preflight() {
    let tmp = tempfile::tempdir().unwrap();
    let jpg = tmp.path().join("big.jpg");
    write_photo(&jpg, 1400, 1000, 3);
    let (doc, rels) = document_with("media/image1.jpeg");
    let docx = tmp.path().join("photo.docx");
    std::fs::write(
        &docx,
        write_zip(&[
            ("[Content_Types].xml", CONTENT_TYPES, None),
            ("word/document.xml", &doc, None),
            ("word/_rels/document.xml.rels", &rels, None),
            (
                "word/media/image1.jpeg",
                &std::fs::read(&jpg).unwrap(),
                None,
            ),
        ]),
    )
    .unwrap();
    let issue = docx_issue(&docx, Some("大图"), "");
    let manifest = issue.path().join("issue.toml");
    assert_success(&folio().arg("compile").arg(&manifest).output().unwrap());
    let out = folio()
        .arg("compile")
        .arg(&manifest)
        .args(["--edition", "screen"])
        .output()
        .unwrap();
    assert_success(&out);
    // The widths of the images in each PDF (pdfimages, poppler-utils).
    let widths = |pdf: &str| -> Vec<u32> {
        let out = Command::new("pdfimages")
            .arg("-list")
            .arg(issue.path().join(pdf))
            .output()
            .expect("pdfimages (poppler-utils)");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .skip(2)
            .filter_map(|l| l.split_whitespace().nth(3)?.parse().ok())
            .collect()
    };
    assert_eq!(widths("issue.pdf"), vec![1400], "print keeps the photo");
    let screen = widths("issue-screen.pdf");
    assert!(screen.len() == 1 && screen[0] < 1000, "screen: {screen:?}");
    let out = folio()
        .arg("preflight")
        .arg(&manifest)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("photo.docx/word/media/image1.jpeg"),
        "{report}"
    );
}
