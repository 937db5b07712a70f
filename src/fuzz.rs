//! Entry points that take arbitrary bytes, for the fuzz targets (`fuzz/`)
//! and their regression tests (`tests/cli/hostile.rs`).
//!
//! Each runs one part of the pipeline on the bytes and returns whatever they
//! are: an error is a fine outcome (it is rendered as the user would see
//! it, to exercise the messages too); a panic, an abort or a hang is a bug.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Parser;
use typst_kit::diagnostics::DiagnosticFormat;

use crate::cli::Cli;
use crate::cmd;
use crate::error::{Error, Printer};
use crate::pipeline::manifest;
use crate::pipeline::model::{self, Resources};
use crate::pipeline::{content, docx, markdown, text, to_markdown};

/// A throw-away issue folder with an article and a small photo, for inputs
/// that refer to files.
pub struct Folder {
    dir: tempfile::TempDir,
}

impl Folder {
    /// Creates the folder: `articles/a.md`, `photos/p.png` (8 × 6 pixels),
    /// `photos/p.jpg` (16 × 12).
    pub fn new() -> std::io::Result<Self> {
        let dir = tempfile::Builder::new().prefix("folio-fuzz-").tempdir()?;
        let root = dir.path();
        std::fs::create_dir_all(root.join("articles"))?;
        std::fs::create_dir_all(root.join("photos"))?;
        std::fs::write(root.join("articles/a.md"), "正文。\n")?;
        let png =
            image::RgbImage::from_fn(8, 6, |x, y| image::Rgb([x as u8 * 30, y as u8 * 40, 90]));
        png.save(root.join("photos/p.png"))
            .map_err(std::io::Error::other)?;
        let jpg =
            image::RgbImage::from_fn(16, 12, |x, y| image::Rgb([x as u8 * 15, 60, y as u8 * 20]));
        jpg.save(root.join("photos/p.jpg"))
            .map_err(std::io::Error::other)?;
        Ok(Self { dir })
    }

    /// The folder (canonical, as the model sees it).
    pub fn root(&self) -> PathBuf {
        self.dir
            .path()
            .canonicalize()
            .unwrap_or_else(|_| self.dir.path().to_path_buf())
    }
}

fn printer() -> Printer {
    Printer::new(DiagnosticFormat::Human)
}

/// Fuzz target `manifest`: the bytes are `issue.toml`; the manifest is
/// loaded, checked against the folder and converted to the layout's data.
pub fn manifest(folder: &Folder, resources: &Resources, data: &[u8]) {
    let path = folder.root().join("issue.toml");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let result = manifest::load(&path).and_then(|loaded| {
        let issue = model::check(&loaded, resources)?;
        let converted = content::convert(&issue)?;
        converted.to_json();
        for w in &converted.warnings {
            printer().render(&Error::Content(Box::new(w.clone())), None);
        }
        Ok(())
    });
    if let Err(err) = result {
        printer().render(&err, None);
    }
}

/// Fuzz target `markdown`: the bytes (as UTF-8, invalid sequences
/// replaced) are an article; the first byte chooses full-width punctuation.
pub fn markdown(folder: &Folder, data: &[u8]) {
    let (fw, text) = match data.split_first() {
        Some((flags, rest)) => (flags & 1 == 1, String::from_utf8_lossy(rest)),
        None => (true, "".into()),
    };
    let root = folder.root();
    let path = root.join("articles/a.md");
    let text: Arc<str> = Arc::from(text.as_ref());
    let mut warnings = Vec::new();
    match markdown::markdown(&root, &path, &text, fw, &mut warnings) {
        Ok(article) => {
            let blocks = article.blocks;
            // The layout reads the blocks as JSON.
            let json = serde_json::to_vec(&blocks).expect("blocks serialise");
            let _: serde_json::Value = serde_json::from_slice(&json).expect("blocks read back");
        }
        Err(err) => {
            printer().render(&err, None);
        }
    }
    for w in warnings {
        printer().render(&Error::Content(Box::new(w)), None);
    }
    text::typeset_text(&text, fw);
    // The same bytes as an article file in any encoding, and as a photo.
    let _ = crate::pipeline::encoding::decode(data);
    let _ = crate::pipeline::verify::check_jpeg(data);
    let _ = crate::pipeline::verify::check_png(data);
}

/// Fuzz target `docx`: a Word article from the bytes, read as `folio
/// compile` and `folio convert` read it (the tree, then Markdown). With
/// the first byte odd, the rest is the whole .docx file; with it even, the
/// rest is split at NUL bytes into the document, styles, numbering,
/// footnotes and relationships parts, wrapped in a zip, so that the fuzzer
/// reaches the XML reader without having to find a valid container.
/// Returns whether the bytes read as an article.
pub fn docx(folder: &Folder, data: &[u8]) -> bool {
    let Some((&mode, rest)) = data.split_first() else {
        return false;
    };
    let wrapped;
    let file = if mode & 1 == 1 {
        rest
    } else {
        const PARTS: [&str; 5] = [
            "word/document.xml",
            "word/styles.xml",
            "word/numbering.xml",
            "word/footnotes.xml",
            "word/_rels/document.xml.rels",
        ];
        let parts: Vec<(&str, &[u8])> =
            PARTS.iter().copied().zip(rest.split(|&b| b == 0)).collect();
        wrapped = docx::zip::stored_zip(&parts);
        &wrapped[..]
    };
    match docx::read(file, "/_issue/articles/a.docx") {
        Ok(article) => {
            let md = to_markdown::to_markdown(&article.blocks, &|src| src.to_string());
            // What convert writes must read back as an article.
            let root = folder.root();
            let path = root.join("articles/a.md");
            let mut warnings = Vec::new();
            let _ = markdown::markdown(&root, &path, &Arc::from(md.as_str()), true, &mut warnings);
            true
        }
        Err(err) => {
            let _ = (err.to_string(), err.hint());
            false
        }
    }
}

/// Writes a tiny issue made from `data` into `dir` and returns its
/// manifest's path. The first byte holds switches (full-width punctuation,
/// two columns, a lead photo, a figure, a signature, a gallery, no divider,
/// no 目录 entry); the rest, as UTF-8, is split at NUL characters into
/// the magazine's name, the number, the section's title, the article's
/// title, its author, its Markdown body, a caption and a cover slogan.
/// The manifest is written with TOML's escaping, so every text arrives as
/// it was.
pub fn tiny_issue(dir: &Path, data: &[u8]) -> std::io::Result<PathBuf> {
    use toml::Value;
    use toml::map::Map;

    let (flags, rest) = data.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
    let text = String::from_utf8_lossy(rest);
    let mut fields = text.split('\0');
    let mut next = |default: &str| fields.next().unwrap_or(default).to_string();
    let magazine = next("刊");
    let number = next("1");
    let section = next("栏目");
    let title = next("标题");
    let author = next("");
    let body = next("");
    let caption = next("");
    let slogan = next("");
    let on = |bit: u8| flags & (1 << bit) != 0;

    let table = |pairs: Vec<(&str, Value)>| {
        let mut m = Map::new();
        for (k, v) in pairs {
            m.insert(k.to_string(), v);
        }
        Value::Table(m)
    };
    let s = |v: &str| Value::String(v.to_string());
    let photo = |c: &str| table(vec![("file", s("photos/p.jpg")), ("caption", s(c))]);

    let mut article = vec![
        ("title", s(&title)),
        ("body", s("articles/a.md")),
        ("signature", Value::Boolean(on(4))),
        ("toc", Value::Boolean(!on(7))),
        ("columns", Value::Integer(if on(1) { 2 } else { 1 })),
    ];
    if !author.is_empty() {
        article.push(("author", s(&author)));
    }
    if on(2) {
        article.push(("lead", photo(&caption)));
    }
    if on(3) {
        article.push(("figure", Value::Array(vec![photo(&caption)])));
    }
    let mut pieces = vec![table(article)];
    if on(5) {
        pieces.push(table(vec![
            ("title", s(&caption)),
            ("photo", Value::Array(vec![photo(&caption), photo(&slogan)])),
        ]));
    }
    let manifest = table(vec![
        (
            "issue",
            table(vec![
                ("magazine", s(&magazine)),
                ("number", s(&number)),
                (
                    "date",
                    Value::Datetime("2025-06-30".parse().expect("a date")),
                ),
            ]),
        ),
        (
            "cover",
            table(vec![("slogans", Value::Array(vec![s(&slogan)]))]),
        ),
        (
            "typography",
            table(vec![("fullwidth_punctuation", Value::Boolean(on(0)))]),
        ),
        (
            "section",
            Value::Array(vec![table(vec![
                ("title", s(&section)),
                ("divider", Value::Boolean(!on(6))),
                ("article", Value::Array(pieces)),
            ])]),
        ),
        ("back_cover", table(vec![("closing", s(&caption))])),
    ]);
    let toml_text = toml::to_string(&manifest).map_err(std::io::Error::other)?;
    std::fs::create_dir_all(dir.join("articles"))?;
    std::fs::create_dir_all(dir.join("photos"))?;
    if !dir.join("photos/p.jpg").exists() {
        let jpg =
            image::RgbImage::from_fn(16, 12, |x, y| image::Rgb([x as u8 * 15, 60, y as u8 * 20]));
        jpg.save(dir.join("photos/p.jpg"))
            .map_err(std::io::Error::other)?;
    }
    std::fs::write(dir.join("articles/a.md"), body)?;
    let path = dir.join("issue.toml");
    std::fs::write(&path, toml_text)?;
    Ok(path)
}

/// Fuzz target `compile`: the whole `folio compile` of [`tiny_issue`]
/// made from the bytes, PDF written. Returns the command's result.
pub fn compile(folder: &Folder, data: &[u8]) -> Result<(), Error> {
    let root = folder.root();
    let manifest = tiny_issue(&root, data).map_err(|e| Error::io(&root, "cannot write", e))?;
    let out = root.join("out.pdf");
    let cli = Cli::try_parse_from([
        "folio".as_ref(),
        "compile".as_ref(),
        manifest.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ])
    .map_err(|e| Error::Usage(e.to_string()))?;
    let mut session = None;
    let result = cmd::run(&cli, &printer(), &mut session);
    if let Err(err) = &result {
        // Render the error as `main` would print it (against the world).
        let world = session.as_ref().and_then(|s| s.world());
        printer().render(err, world.map(|w| w as _));
    }
    drop(session);
    // Each run is a fresh process's compile: drop Typst's memoised results,
    // which would otherwise grow with every input.
    typst::comemo::evict(0);
    result
}
