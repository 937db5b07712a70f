//! Round trip of arbitrary text (property tests, proptest): Chinese,
//! Latin, emoji, combining marks, right-to-left scripts, control
//! characters and every Markdown and Typst special character, used as an
//! article's title or body. The compile either succeeds and the PDF's text
//! holds exactly that text (modulo whitespace and the characters that
//! docs/bad-input.md lists as dropped), or it fails with a message; it never
//! panics and never runs anything the text contains.

use std::path::Path;
use std::process::Output;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::common::*;

/// Pieces of text the generator strings together.
fn piece() -> impl Strategy<Value = String> {
    let chars = |s: &str| s.chars().map(String::from).collect::<Vec<_>>();
    prop_oneof![
        // Chinese, as typed and as pasted.
        4 => (0x4E00u32..0x9FA5).prop_map(|c| char::from_u32(c).unwrap().to_string()),
        2 => select(chars("，。、；：？！“”‘’《》【】（）…—·")),
        // Latin, with precomposed accents.
        3 => select(chars("abcdefxyzABCXYZ0189éüßøłçÆœñ")),
        // Every ASCII character that means something to Markdown or Typst.
        4 => select(chars(r##"#$*_`~[]()<>@\=-+!|{}/;:,.'"&%^?"##)),
        // Combining marks (after a base letter) and right-to-left text.
        1 => select(vec!["e\u{301}".to_string(), "a\u{308}\u{323}".into(), "o\u{30A}".into()]),
        1 => select(vec!["שלום".to_string(), "مرحبا".into(), "עולם".into()]),
        // Emoji: plain, flags and ZWJ sequences.
        1 => select(vec!["😀".to_string(), "🎉".into(), "🇨🇳".into(), "👨\u{200d}👩\u{200d}👧".into()]),
        // Control characters (pasted from Word and WeChat) and invisibles.
        2 => select(chars("\u{1}\u{7}\u{8}\u{b}\u{c}\u{1b}\u{7f}\u{85}\u{9c}")),
        1 => select(chars("\u{200b}\u{feff}\u{ad}\u{2028}")),
        // Whitespace and line structure.
        3 => select(vec![" ".to_string(), "\n".into(), "\t".into(), "\r\n".into(), "\n\n".into()]),
        // Code that must stay text.
        1 => select(vec![
            "#read(\"/etc/passwd\")".to_string(),
            "#eval(\"1+1\")".into(),
            "$x^2$".into(),
            "<label>".into(),
            "@ref".into(),
            "#{panic()}".into(),
            "]] #set page(width: 1cm) [[".into(),
        ]),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 1..max).prop_map(|v| v.concat())
}

/// Whether the PDF's text is not expected to show a character: whitespace,
/// the control characters folio drops, and invisible format characters
/// (zero-width space, joiner, byte order mark, soft hyphen).
fn not_shown(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{ad}')
}

/// What the PDF's text should hold for `s`, NFC-normalised (characters no
/// font has are taken out later, from folio's warnings).
fn expected(s: &str) -> String {
    s.nfc().filter(|c| !not_shown(*c)).collect()
}

fn is_rtl(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Escapes every ASCII punctuation character, so that Markdown reads the
/// text literally (CommonMark: any ASCII punctuation may be escaped), and
/// takes the indentation off each line (indented lines are code, where
/// escapes are kept). Whitespace is not compared.
fn escape_markdown(s: &str) -> String {
    let mut out = String::new();
    let unindented: Vec<&str> = s.split('\n').map(str::trim_start).collect();
    for c in unindented.join("\n").chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Latin-only text: letters, digits, every ASCII punctuation mark, spaces.
fn latin(max: usize) -> impl Strategy<Value = String> {
    let chars = |s: &str| s.chars().map(String::from).collect::<Vec<_>>();
    let piece = prop_oneof![
        4 => select(chars("abcdefxyzABCXYZ0189éüßøłç")),
        4 => select(chars(r##"#$*_`~[]()<>@\=-+!|{}/;:,.'"&%^?"##)),
        2 => select(vec![" ".to_string(), "\n".into()]),
        1 => select(vec!["structuredClone()".to_string(), "f(x, y)".into(), "a -- b".into(), "https://example.com/a?b=1&c=2".into()]),
    ];
    prop::collection::vec(piece, 1..max).prop_map(|v| v.concat())
}

/// Writes a one-article issue and compiles it.
fn compile_issue(dir: &Path, title: &str, body: &str) -> Output {
    compile_issue_with(dir, title, body, false)
}

/// The same, with full-width punctuation (the Chinese clean-up) on or off.
fn compile_issue_with(dir: &Path, title: &str, body: &str, fullwidth: bool) -> Output {
    let mut article = toml::map::Map::new();
    article.insert("title".into(), title.into());
    article.insert("body".into(), "a.md".into());
    let manifest = format!(
        "[issue]\nmagazine = \"刊\"\nnumber = \"1\"\ndate = 2025-06-30\n\n\
         [typography]\nfullwidth_punctuation = {fullwidth}\n\n\
         [[section]]\ntitle = \"栏目\"\ndivider = false\n\n[[section.article]]\n{}",
        toml::to_string(&article).unwrap()
    );
    std::fs::write(dir.join("issue.toml"), manifest).unwrap();
    std::fs::write(dir.join("a.md"), body).unwrap();
    folio()
        .arg("compile")
        .arg(dir.join("issue.toml"))
        .args(["--timeout", "120"])
        .output()
        .unwrap()
}

/// The text of each page, whitespace removed, NFC-normalised. `-raw`
/// keeps the content's order and does not join a line ending in `-` to
/// the next one as if it were hyphenated.
fn pdf_text(pdf: &Path) -> Vec<String> {
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed for the tests");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\u{c}')
        .map(|p| p.nfc().filter(|c| !not_shown(*c)).collect())
        .collect()
}

/// `want` is on one page, in order (`in_order`), or else every character
/// of it is on that page.
fn shown(pages: &[String], want: &str, in_order: bool) -> bool {
    if want.is_empty() {
        return true;
    }
    if in_order {
        return pages.iter().any(|p| p.contains(want));
    }
    pages.iter().any(|page| {
        let mut have: Vec<char> = page.chars().collect();
        want.chars()
            .all(|c| match have.iter().position(|h| *h == c) {
                Some(i) => {
                    have.swap_remove(i);
                    true
                }
                None => false,
            })
    })
}

/// The characters folio warned that no font has (`U+1F600`): they print
/// as an empty box, which the PDF's text may or may not carry.
fn warned_missing(err: &str) -> Vec<char> {
    err.lines()
        .filter(|l| l.contains("no font has the character"))
        .filter_map(|l| {
            let hex = l.split("(U+").nth(1)?.split(')').next()?;
            char::from_u32(u32::from_str_radix(hex, 16).ok()?)
        })
        .collect()
}

/// Checks one compile: a success shows the text, a failure says why.
fn check(dir: &Path, out: &Output, wants: &[(&str, String)]) -> Result<(), TestCaseError> {
    let err = stderr(out);
    let missing = warned_missing(&err);
    prop_assert!(!err.contains("panicked"), "{}", err);
    prop_assert!(!err.contains("took longer"), "{}", err);
    match out.status.code() {
        Some(0) => {
            // Characters no font has print as a box, which the PDF's text
            // may or may not carry: they are left out on both sides.
            let pages: Vec<String> = pdf_text(&dir.join("issue.pdf"))
                .into_iter()
                .map(|p| p.chars().filter(|c| !missing.contains(c)).collect())
                .collect();
            for (what, want) in wants {
                // pdftotext puts right-to-left text in its own order, may
                // repeat a cluster with combining marks, and may reorder
                // the text around an empty box: then only the characters
                // are compared, not their order.
                let in_order = !want
                    .chars()
                    .any(|c| is_rtl(c) || is_combining_mark(c) || missing.contains(&c));
                let want: String = want.chars().filter(|c| !missing.contains(c)).collect();
                let want = want.as_str();
                prop_assert!(
                    shown(&pages, want, in_order),
                    "the {} `{}` is not in the PDF:\n{}",
                    what,
                    want,
                    pages.join("\n---\n")
                );
            }
            // Nothing was run: no file was read into the page.
            prop_assert!(!pages.concat().contains("root:"));
        }
        Some(1) => prop_assert!(err.contains("error"), "a failure without a message"),
        other => prop_assert!(false, "exit {:?}: {}", other, err),
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    })]

    /// Escaped for Markdown, the text must come out as it went in.
    #[test]
    fn any_text_round_trips_as_title_and_body(title in text(24), body in text(48)) {
        let dir = tempfile::tempdir().unwrap();
        let out = compile_issue(dir.path(), &title, &escape_markdown(&body));
        // CommonMark reads a NUL as U+FFFD; none is generated here.
        check(dir.path(), &out, &[("title", expected(&title)), ("body", expected(&body))])?;
        prop_assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}

proptest! {
    #![proptest_config(Config {
        cases: 8,
        failure_persistence: None,
        ..Config::default()
    })]

    /// With the Chinese clean-up on (full-width punctuation, bracket
    /// pairs, dashes), Latin-only text comes out exactly as it went in:
    /// only invisible break opportunities may be added.
    #[test]
    fn latin_text_is_unchanged_with_fullwidth_on(title in latin(24), body in latin(48)) {
        let dir = tempfile::tempdir().unwrap();
        let out = compile_issue_with(dir.path(), &title, &escape_markdown(&body), true);
        check(dir.path(), &out, &[("title", expected(&title)), ("body", expected(&body))])?;
        prop_assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}

proptest! {
    #![proptest_config(Config {
        cases: 16,
        failure_persistence: None,
        ..Config::default()
    })]

    /// Unescaped, the text is Markdown: it may format or fail (a `![]()`
    /// naming a missing photo), but never panics or runs code.
    #[test]
    fn any_text_as_raw_markdown_is_safe(title in text(16), body in text(64)) {
        let dir = tempfile::tempdir().unwrap();
        let out = compile_issue(dir.path(), &title, &body);
        check(dir.path(), &out, &[("title", expected(&title))])?;
    }
}

#[test]
fn control_characters_are_dropped_and_the_rest_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = compile_issue(
        dir.path(),
        "标\u{1}题\u{7f}X",
        "正\u{b}文\u{c}内\u{1b}容\u{85}Y\n",
    );
    assert_success(&out);
    let all = page_texts(&dir.path().join("issue.pdf")).concat();
    assert!(all.contains("标题X"), "{all}");
    assert!(all.contains("正文内容Y"), "{all}");
}
