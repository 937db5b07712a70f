//! Stage 1: the manifest as written by the editor.
//!
//! These are the raw serde structs of `issue.toml`. Unknown keys are refused
//! (`deny_unknown_fields`) so that a misspelt key is an error, not a silently
//! ignored setting. Values that later stages must point back at (paths above
//! all) are kept `Spanned`, so that an error found while checking them can
//! name the manifest's line and column.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Location};

/// The largest manifest we read, in bytes.
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// The whole manifest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Name of the layout folder under `layouts/`.
    #[serde(default = "default_layout")]
    pub layout: Spanned<String>,
    pub issue: IssueMeta,
    #[serde(default)]
    pub cover: Cover,
    #[serde(default)]
    pub contents: Contents,
    #[serde(default)]
    pub design: Design,
    #[serde(default)]
    pub typography: Typography,
    #[serde(default)]
    pub print: Print,
    #[serde(default, rename = "section")]
    pub sections: Vec<Section>,
    #[serde(default)]
    pub back_cover: BackCover,
}

fn default_layout() -> Spanned<String> {
    Spanned::new(0..0, "default".to_string())
}

/// Metadata of the issue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueMeta {
    /// The magazine's name, e.g. 臻境.
    pub magazine: String,
    /// e.g. 工行广州分行服务管理专刊.
    #[serde(default)]
    pub subtitle: String,
    /// e.g. 2024年第1期.
    pub number: String,
    /// Publication date. Also the PDF's creation date, so output is
    /// reproducible.
    pub date: Spanned<toml::value::Datetime>,
    #[serde(default)]
    pub publisher: String,
    /// BCP 47 primary language, e.g. "zh".
    #[serde(default = "default_language")]
    pub language: Spanned<String>,
    /// Region, e.g. "cn".
    #[serde(default)]
    pub region: Option<Spanned<String>>,
}

fn default_language() -> Spanned<String> {
    Spanned::new(0..0, "zh".to_string())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cover {
    /// The big name on the cover; defaults to the magazine's name.
    #[serde(default)]
    pub masthead: Option<String>,
    #[serde(default)]
    pub slogans: Vec<String>,
    #[serde(default)]
    pub photo: Option<Spanned<String>>,
    #[serde(default)]
    pub photo_credit: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contents {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
}

/// Design options handed to the layout as they are.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Design {
    /// Brand colour, `#rrggbb`.
    #[serde(default)]
    pub brand_color: Option<Spanned<String>>,
    /// The issue's accent colour, `#rrggbb`.
    #[serde(default)]
    pub accent_color: Option<Spanned<String>>,
    /// Default number of text columns for articles (1 or 2).
    #[serde(default)]
    pub columns: Option<Spanned<u8>>,
    /// Font families for body text, in order of preference.
    #[serde(default)]
    pub body_font: Vec<String>,
    /// Font families for headings, in order of preference.
    #[serde(default)]
    pub heading_font: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Typography {
    /// Set half-width `,;:()!?` typed between Chinese characters as their
    /// full-width forms.
    #[serde(default = "yes")]
    pub fullwidth_punctuation: bool,
}

impl Default for Typography {
    fn default() -> Self {
        Self {
            fullwidth_punctuation: true,
        }
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Print {
    /// Bleed on every side of the trim, in millimetres.
    #[serde(default = "default_bleed")]
    pub bleed_mm: Spanned<f64>,
    /// How the issue is bound: "saddle" (stapled; page count padded to a
    /// multiple of 4), "perfect" (glued spine) or "none".
    #[serde(default)]
    pub binding: Option<Spanned<String>>,
    /// Print trim marks and a slug line outside the bleed.
    #[serde(default)]
    pub marks: bool,
    /// Preflight errors fail the compile (for publishers who automate).
    #[serde(default)]
    pub strict: bool,
}

impl Default for Print {
    fn default() -> Self {
        Self {
            bleed_mm: Spanned::new(0..0, default_bleed_value()),
            binding: None,
            marks: false,
            strict: false,
        }
    }
}

fn default_bleed_value() -> f64 {
    3.0
}

fn default_bleed() -> Spanned<f64> {
    Spanned::new(0..0, default_bleed_value())
}

/// A section of the table of contents (服务动态, 服务经验, …).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub title: String,
    /// An optional English subtitle (e.g. SERVICE NEWS).
    #[serde(default)]
    pub english: Option<String>,
    /// Whether the section gets a divider page.
    #[serde(default = "yes")]
    pub divider: bool,
    /// The pieces of the section, in reading order: articles and galleries.
    #[serde(default, rename = "article")]
    pub articles: Vec<Article>,
}

/// An article or, when it has `photos`, a photo gallery.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    /// Required, unless a Word body supplies it.
    #[serde(default)]
    pub title: Option<Spanned<String>>,
    /// The title as the 目录 prints it, when it differs.
    #[serde(default)]
    pub toc_title: Option<String>,
    /// 栏目 label such as 支行报道.
    #[serde(default)]
    pub kicker: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    /// The author's unit, e.g. 第一支行.
    #[serde(default)]
    pub unit: Option<String>,
    /// Set the byline as a signature under the text (essays).
    #[serde(default)]
    pub signature: bool,
    /// Whether the 目录 lists this piece.
    #[serde(default = "yes")]
    pub toc: bool,
    /// The body: a Markdown or Word (.docx) file, or a `.typ` file when
    /// `trusted = true`.
    #[serde(default)]
    pub body: Option<Spanned<String>>,
    /// A `.typ` body is Typst code: it runs only when marked trusted.
    #[serde(default)]
    pub trusted: bool,
    /// Lead photo above the text.
    #[serde(default)]
    pub lead: Option<Photo>,
    /// Size of the lead photo: "full", "half" or "none".
    #[serde(default)]
    pub lead_size: Option<Spanned<String>>,
    /// Photos placed with the article, after the text.
    #[serde(default, rename = "figure")]
    pub figures: Vec<Photo>,
    /// Photos of a gallery. A piece with photos and no body is a gallery.
    #[serde(default, rename = "photo")]
    pub photos: Vec<Photo>,
    /// Text columns for this article (1 or 2); overrides `design.columns`.
    #[serde(default)]
    pub columns: Option<Spanned<u8>>,
}

/// A captioned photo.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Photo {
    pub file: Spanned<String>,
    #[serde(default)]
    pub caption: Option<String>,
    /// Where the subject is, for a crop: `"top"`, `"bottom-left"`,
    /// `"center"`, … or `"x,y"` in percent of the width and height.
    #[serde(default)]
    pub focus: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackCover {
    /// A closing line, e.g. 感谢观看!
    #[serde(default)]
    pub closing: Option<String>,
    /// Who publishes, e.g. 广州分行运行管理部.
    #[serde(default)]
    pub publisher: Option<String>,
    /// Call for submissions.
    #[serde(default)]
    pub call: Option<String>,
    /// Contact line.
    #[serde(default)]
    pub contact: Option<String>,
    /// Further colophon lines (printing, circulation, …).
    #[serde(default)]
    pub colophon: Vec<String>,
}

/// The manifest with its text, kept for error locations.
pub struct Loaded {
    pub manifest: Manifest,
    pub path: PathBuf,
    pub text: String,
}

impl Loaded {
    /// The location of a byte span of the manifest.
    pub fn locate(&self, span: std::ops::Range<usize>) -> Location {
        Location::in_text(&self.path, &self.text, span)
    }
}

/// Reads and parses a manifest.
pub fn load(path: &Path) -> Result<Loaded, Error> {
    let meta =
        std::fs::metadata(path).map_err(|e| Error::io(path, "cannot read the manifest", e))?;
    if !meta.is_file() {
        return Err(Error::file(path, "the manifest is not a file"));
    }
    if meta.len() > MAX_MANIFEST_BYTES {
        return Err(Error::file(
            path,
            format!(
                "the manifest is {} bytes; the limit is {MAX_MANIFEST_BYTES}",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read the manifest", e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        Error::at(
            Location::in_text(path, &text, at..at + 1),
            "the manifest is not valid UTF-8 text",
        )
    })?;
    // Notepad's byte-order mark is not part of the text.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    let blank = text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
    if blank {
        return Err(Error::file(path, "the manifest is empty: it names no magazine, issue or article")
            .with_hint(format!("the smallest manifest that compiles is:\n\n{SMALLEST}\nor run `folio init FOLDER` for a new issue with an example article and photo")));
    }
    let manifest = parse(&text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Error::at(
            Location::in_text(path, &text, span.clone()),
            describe(&e, &text, span),
        )
    })?;
    Ok(Loaded {
        manifest,
        path: path.to_path_buf(),
        text,
    })
}

/// Parses manifest text.
pub fn parse(text: &str) -> Result<Manifest, toml::de::Error> {
    toml::from_str(text)
}

/// Turns serde's message into one an editor can act on: the unknown key is
/// named with the closest known one.
/// The smallest manifest that compiles, shown when a manifest is empty.
const SMALLEST: &str = "[issue]\nmagazine = \"刊名\"\nnumber = \"2025年第1期\"\ndate = 2025-01-31\n\n[[section]]\ntitle = \"栏目\"\n\n[[section.article]]\ntitle = \"文章标题\"\nbody = \"articles/one.md\"\n";

/// The key whose value is at `span` of the manifest: the words before `=`
/// on that line.
fn key_at(text: &str, span: &std::ops::Range<usize>) -> Option<String> {
    let start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(start..span.start)?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.contains('[')).then(|| key.to_string())
}

fn describe(e: &toml::de::Error, text: &str, span: std::ops::Range<usize>) -> String {
    let msg = e.message().trim().to_string();
    // serde's "invalid type: integer `42`, expected a string", in words.
    if let Some(rest) = msg.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        let key = key_at(text, &span).unwrap_or_else(|| "this value".into());
        let want = if expected.contains("string") {
            format!("`{key}` must be text in quotes, e.g. {key} = \"…\"")
        } else if expected.contains("bool") {
            format!("`{key}` must be true or false (without quotes)")
        } else if expected.contains("integer")
            || expected.starts_with('u')
            || expected.starts_with('i')
            || expected.starts_with('f')
        {
            format!("`{key}` must be a number (without quotes)")
        } else if expected.contains("sequence") {
            format!("`{key}` must be a list in brackets, e.g. {key} = [\"…\", \"…\"]")
        } else if expected.contains("date") || expected.contains("Datetime") {
            format!("`{key}` must be a date such as 2024-01-31 (without quotes)")
        } else {
            format!("`{key}` has the wrong kind of value (expected {expected})")
        };
        return format!("{want}; it is {found}");
    }
    if let Some(rest) = msg.strip_prefix("unknown field `")
        && let Some((field, expected)) = rest.split_once('`')
    {
        let known: Vec<&str> = expected
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s)
            .collect();
        let mut out = format!("unknown key `{field}`");
        if let Some(best) = closest(field, &known) {
            out.push_str(&format!("; did you mean `{best}`?"));
        }
        if !known.is_empty() {
            out.push_str(&format!(" (known keys here: {})", known.join(", ")));
        }
        return out;
    }
    if let Some(rest) = msg.strip_prefix("missing field `")
        && let Some((field, _)) = rest.split_once('`')
    {
        return format!("missing key `{field}`");
    }
    msg
}

/// The known word closest to `word`, if it is close enough to be a typo.
pub fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[issue]
magazine = "臻境"
number = "2024年第1期"
date = 2024-01-31

[cover]
"#;

    #[test]
    fn minimal_manifest_parses() {
        let m = parse(MINIMAL).unwrap();
        assert_eq!(m.layout.get_ref(), "default");
        assert_eq!(m.issue.magazine, "臻境");
        assert!(m.sections.is_empty());
        assert_eq!(*m.print.bleed_mm.get_ref(), 3.0);
    }

    #[test]
    fn unknown_key_suggests_the_known_one() {
        let text = MINIMAL.replace("magazine =", "magazin =");
        let err = parse(&text).unwrap_err();
        let msg = describe(&err, &text, err.span().unwrap_or(0..0));
        assert!(msg.contains("unknown key `magazin`"), "{msg}");
        assert!(msg.contains("did you mean `magazine`?"), "{msg}");
    }

    #[test]
    fn article_keys_are_checked() {
        let text = format!(
            "{MINIMAL}\n[[section]]\ntitle = \"服务动态\"\n[[section.article]]\ntitle = \"x\"\nbodyy = \"a.md\"\n"
        );
        let err = parse(&text).unwrap_err();
        let msg = describe(&err, &text, err.span().unwrap_or(0..0));
        assert!(msg.contains("did you mean `body`?"), "{msg}");
    }

    #[test]
    fn wrong_kinds_of_value_are_said_in_words() {
        let text = MINIMAL.replace("magazine = \"臻境\"", "magazine = 42");
        let err = parse(&text).unwrap_err();
        let msg = describe(&err, &text, err.span().unwrap_or(0..0));
        assert!(
            msg.starts_with("`magazine` must be text in quotes"),
            "{msg}"
        );
    }

    #[test]
    fn distance() {
        assert_eq!(closest("titel", &["title", "kicker"]), Some("title"));
        assert_eq!(closest("zzzzzz", &["title", "kicker"]), None);
    }
}
