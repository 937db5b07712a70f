//! Stage 2: the checked issue model.
//!
//! Every path of the manifest is resolved against the issue folder and
//! confined to it (no `..`, no absolute paths, no symlink that leads out),
//! every file is checked to exist and be of the right kind, and the layout
//! is found by name. Nothing after this stage touches a path the user wrote.

use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use toml::Spanned;

use crate::error::{Diag, Error, Location};
use crate::pipeline::docx::{self, DocxArticle};
use crate::pipeline::manifest::{self, Loaded};
use crate::pipeline::resources::{LayoutFiles, Origin};
use crate::pipeline::{encoding, photo};

/// folio's layouts and fonts (re-exported: the model's one input besides
/// the manifest).
pub use crate::pipeline::resources::Resources;

/// The largest article file we read, in bytes.
pub const MAX_ARTICLE_BYTES: u64 = 2 * 1024 * 1024;
pub use crate::pipeline::photo::MAX_IMAGE_PIXELS;

/// The checked issue: what the later stages work from.
#[derive(Debug)]
pub struct Issue {
    /// The manifest's path, as given.
    pub manifest_path: PathBuf,
    /// The canonical issue folder: every input lies below it.
    pub root: PathBuf,
    /// The chosen layout's files: a folder (canonical) or built into folio.
    pub layout: LayoutFiles,
    pub layout_name: String,
    pub meta: Meta,
    pub cover: Cover,
    pub contents: Contents,
    pub design: Design,
    pub fullwidth_punctuation: bool,
    pub print: Print,
    pub sections: Vec<Section>,
    pub back_cover: manifest::BackCover,
    /// The manifest's text, for glyph checks and error locations.
    pub manifest_text: Arc<str>,
    /// Every input file (canonical), for confinement and watching.
    pub inputs: Vec<PathBuf>,
    pub warnings: Vec<Diag>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub magazine: String,
    pub subtitle: String,
    pub number: String,
    pub date: Date,
    pub publisher: String,
    pub language: String,
    pub region: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

#[derive(Debug, Serialize)]
pub struct Cover {
    pub masthead: String,
    pub slogans: Vec<String>,
    pub photo: Option<Photo>,
}

#[derive(Debug, Serialize)]
pub struct Contents {
    pub title: String,
    pub subtitle: String,
}

#[derive(Debug, Serialize)]
pub struct Design {
    pub brand_color: Option<String>,
    pub accent_color: Option<String>,
    pub columns: u8,
    pub body_font: Vec<String>,
    pub heading_font: Vec<String>,
}

/// Print production settings.
#[derive(Debug, Clone, Serialize)]
pub struct Print {
    pub bleed_mm: f64,
    pub binding: Binding,
    pub marks: bool,
    /// The PDF is to be PDF/X-4 (set from the command line): marks are then
    /// drawn in device-independent black, as PDF/A-2b export requires.
    pub pdfx: bool,
    /// Preflight errors fail the compile (`[print] strict` or `--strict`).
    #[serde(skip)]
    pub strict: bool,
    /// The PDF is the screen edition (`--edition screen`): links stay
    /// clickable and coloured, with no address printed for them.
    #[serde(skip)]
    pub screen: bool,
    /// The issue is rebuilt after each save (`folio watch`): a hint to the
    /// layout, which may plan its work differently but must set the same
    /// pages.
    #[serde(skip)]
    pub incremental: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Binding {
    None,
    Saddle,
    Perfect,
}

#[derive(Debug)]
pub struct Section {
    pub number: usize,
    pub title: String,
    pub english: Option<String>,
    pub divider: bool,
    pub pieces: Vec<Piece>,
}

/// An article or a gallery.
#[derive(Debug)]
pub struct Piece {
    /// Stable id, used for the 目录's page references: `s1-a2`.
    pub id: String,
    pub title: String,
    pub toc_title: Option<String>,
    pub kicker: Option<String>,
    pub author: Option<String>,
    pub unit: Option<String>,
    pub signature: bool,
    pub toc: bool,
    pub columns: u8,
    pub lead: Option<Photo>,
    pub lead_size: String,
    pub figures: Vec<Photo>,
    pub kind: PieceKind,
}

#[derive(Debug)]
pub enum PieceKind {
    Article { body: Body },
    Gallery { photos: Vec<Photo> },
}

/// An article's body.
#[derive(Debug)]
pub enum Body {
    /// Markdown: text, never code.
    Markdown { path: PathBuf, text: Arc<str> },
    /// Trusted Typst, included by the layout from its virtual path.
    Typst { path: PathBuf, vpath: String },
    /// A Word file, read: its text as the content tree and its pictures
    /// (served to the layout from memory under `vpath/…`).
    Docx {
        path: PathBuf,
        vpath: String,
        article: Arc<DocxArticle>,
    },
}

/// A checked photo.
#[derive(Debug, Clone, Serialize)]
pub struct Photo {
    /// The path the layout uses (`/_issue/...`).
    pub src: String,
    pub caption: Option<String>,
    pub width: u32,
    pub height: u32,
    /// The point a crop keeps in view, as shares of the width and height
    /// from the top left (the manifest's `focus`; the centre by default).
    pub focus: [f64; 2],
    #[serde(skip)]
    pub path: PathBuf,
}

/// Reads a photo's `focus`: a named side or corner (`top`, `bottom-left`,
/// `center`, …) or `x,y` in percent; shares of the width and height.
pub fn parse_focus(s: &str) -> Result<[f64; 2], String> {
    let t = s.trim().to_ascii_lowercase();
    let named = match t.as_str() {
        "center" | "centre" | "middle" => Some([0.5, 0.5]),
        "top" => Some([0.5, 0.0]),
        "bottom" => Some([0.5, 1.0]),
        "left" => Some([0.0, 0.5]),
        "right" => Some([1.0, 0.5]),
        "top-left" | "left-top" => Some([0.0, 0.0]),
        "top-right" | "right-top" => Some([1.0, 0.0]),
        "bottom-left" | "left-bottom" => Some([0.0, 1.0]),
        "bottom-right" | "right-bottom" => Some([1.0, 1.0]),
        _ => None,
    };
    if let Some(f) = named {
        return Ok(f);
    }
    let bad = || {
        format!(
            "focus must be top, bottom, left, right, top-left, top-right, bottom-left, bottom-right, center or \"x,y\" in percent (e.g. \"30,20\"); it is \"{s}\""
        )
    };
    let (x, y) = t.split_once(',').ok_or_else(bad)?;
    let pct = |v: &str| -> Result<f64, String> {
        let v = v.trim().trim_end_matches('%').trim();
        let n: f64 = v.parse().map_err(|_| bad())?;
        if !(0.0..=100.0).contains(&n) {
            return Err(format!(
                "focus \"{s}\": each of x and y is a percentage from 0 to 100"
            ));
        }
        Ok(n / 100.0)
    };
    Ok([pct(x)?, pct(y)?])
}

/// The virtual folder under which the issue's files appear to the layout.
pub const ISSUE_VDIR: &str = "/_issue";

/// Checks a loaded manifest and builds the issue model.
pub fn check(loaded: &Loaded, resources: &Resources) -> Result<Issue, Error> {
    let m = &loaded.manifest;
    let manifest_path = &loaded.path;
    let canonical = manifest_path
        .canonicalize()
        .map_err(|e| Error::io(manifest_path, "cannot read the manifest", e))?;
    let root = canonical
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("/"));
    let mut ck = Checker {
        loaded,
        root: root.clone(),
        inputs: vec![canonical],
        warnings: vec![],
    };

    let layout_name = m.layout.get_ref().clone();
    let layout = ck.layout(&m.layout, resources)?;

    let date = ck.date(&m.issue.date)?;
    let meta = Meta {
        magazine: m.issue.magazine.clone(),
        subtitle: m.issue.subtitle.clone(),
        number: m.issue.number.clone(),
        date,
        publisher: m.issue.publisher.clone(),
        language: ck.lang(&m.issue.language)?,
        region: m.issue.region.as_ref().map(|r| ck.region(r)).transpose()?,
    };

    let cover = Cover {
        masthead: m
            .cover
            .masthead
            .clone()
            .unwrap_or_else(|| m.issue.magazine.clone()),
        slogans: m.cover.slogans.clone(),
        photo: m
            .cover
            .photo
            .as_ref()
            .map(|p| ck.photo(p, m.cover.photo_credit.clone()))
            .transpose()?,
    };

    let contents = Contents {
        title: m.contents.title.clone().unwrap_or_else(|| "目录".into()),
        subtitle: m
            .contents
            .subtitle
            .clone()
            .unwrap_or_else(|| "CONTENTS".into()),
    };

    let default_columns = match &m.design.columns {
        Some(c) => ck.columns(c)?,
        None => 1,
    };
    let design = Design {
        brand_color: m
            .design
            .brand_color
            .as_ref()
            .map(|c| ck.color(c))
            .transpose()?,
        accent_color: m
            .design
            .accent_color
            .as_ref()
            .map(|c| ck.color(c))
            .transpose()?,
        columns: default_columns,
        body_font: m.design.body_font.clone(),
        heading_font: m.design.heading_font.clone(),
    };

    let bleed = *m.print.bleed_mm.get_ref();
    if !(0.0..=20.0).contains(&bleed) || bleed.is_nan() {
        return Err(ck.err(m.print.bleed_mm.span(), "bleed_mm must be between 0 and 20"));
    }
    let binding = match &m.print.binding {
        None => Binding::None,
        Some(b) => match b.get_ref().as_str() {
            "none" => Binding::None,
            "saddle" => Binding::Saddle,
            "perfect" => Binding::Perfect,
            _ => {
                return Err(ck.err(
                    b.span(),
                    "binding must be \"saddle\", \"perfect\" or \"none\"",
                ));
            }
        },
    };
    let print = Print {
        bleed_mm: bleed,
        binding,
        marks: m.print.marks,
        strict: m.print.strict,
        pdfx: false,
        screen: false,
        incremental: false,
    };

    let mut sections = Vec::new();
    for (si, s) in m.sections.iter().enumerate() {
        let mut pieces = Vec::new();
        for (ai, a) in s.articles.iter().enumerate() {
            pieces.push(ck.piece(a, format!("s{}-a{}", si + 1, ai + 1), default_columns)?);
        }
        sections.push(Section {
            number: si + 1,
            title: s.title.clone(),
            english: s.english.clone(),
            divider: s.divider,
            pieces,
        });
    }

    Ok(Issue {
        manifest_path: manifest_path.clone(),
        root,
        layout,
        layout_name,
        meta,
        cover,
        contents,
        design,
        fullwidth_punctuation: m.typography.fullwidth_punctuation,
        print,
        sections,
        back_cover: clone_back(&m.back_cover),
        manifest_text: Arc::from(loaded.text.as_str()),
        inputs: ck.inputs,
        warnings: ck.warnings,
    })
}

fn clone_back(b: &manifest::BackCover) -> manifest::BackCover {
    manifest::BackCover {
        closing: b.closing.clone(),
        publisher: b.publisher.clone(),
        call: b.call.clone(),
        contact: b.contact.clone(),
        colophon: b.colophon.clone(),
    }
}

struct Checker<'a> {
    loaded: &'a Loaded,
    root: PathBuf,
    inputs: Vec<PathBuf>,
    warnings: Vec<Diag>,
}

impl Checker<'_> {
    fn err(&self, span: Range<usize>, msg: impl Into<String>) -> Error {
        Error::at(self.loaded.locate(span), msg)
    }

    fn layout(&mut self, name: &Spanned<String>, res: &Resources) -> Result<LayoutFiles, Error> {
        let n = name.get_ref();
        let valid = !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(self.err(
                name.span(),
                "a layout is named by its folder under layouts/ (letters, digits, - and _)",
            ));
        }
        // The issue's own layouts first, then --layout-dir, $FOLIO_HOME,
        // the checkout, and the layouts built into folio.
        match res.layout(Some(&self.root), n) {
            Some((origin, LayoutFiles::Dir(dir))) => {
                let canonical = dir
                    .canonicalize()
                    .map_err(|e| Error::io(&dir, "cannot open the layout", e))?;
                // The issue's own layout is part of the issue: a symlink
                // may not lead out of the issue folder.
                if origin == Origin::Issue && !canonical.starts_with(&self.root) {
                    return Err(self
                        .err(
                            name.span(),
                            format!("the issue's layout folder `layouts/{n}` leads outside the issue folder (through a symbolic link)"),
                        )
                        .with_hint("copy the layout into the issue folder instead of linking to it"));
                }
                Ok(LayoutFiles::Dir(canonical))
            }
            Some((_, builtin)) => Ok(builtin),
            None => {
                let known = res.layout_names(Some(&self.root));
                let names: Vec<&str> = known.iter().map(String::as_str).collect();
                let mut e = self.err(name.span(), format!("there is no layout named `{n}`"));
                if let Some(best) = manifest::closest(n, &names) {
                    e = e.with_hint(format!("did you mean `{best}`?"));
                }
                Err(e.with_hint(format!("layouts available: {}", known.join(", "))))
            }
        }
    }

    fn date(&self, d: &Spanned<toml::value::Datetime>) -> Result<Date, Error> {
        match &d.get_ref().date {
            Some(date) if d.get_ref().time.is_none() => Ok(Date {
                year: i32::from(date.year),
                month: date.month,
                day: date.day,
            }),
            _ => Err(self.err(d.span(), "the issue date must be a date such as 2024-01-31")),
        }
    }

    fn lang(&self, l: &Spanned<String>) -> Result<String, Error> {
        let s = l.get_ref();
        if (2..=3).contains(&s.len()) && s.chars().all(|c| c.is_ascii_lowercase()) {
            Ok(s.clone())
        } else {
            Err(self.err(
                l.span(),
                "language must be an ISO 639 code such as \"zh\" or \"en\"",
            ))
        }
    }

    fn region(&self, r: &Spanned<String>) -> Result<String, Error> {
        let s = r.get_ref();
        if s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic()) {
            Ok(s.to_ascii_lowercase())
        } else {
            Err(self.err(r.span(), "region must be an ISO 3166 code such as \"cn\""))
        }
    }

    fn color(&self, c: &Spanned<String>) -> Result<String, Error> {
        let s = c.get_ref();
        let hex = s.strip_prefix('#').unwrap_or("");
        if (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(s.clone())
        } else {
            Err(self.err(c.span(), "a colour is written #rrggbb, e.g. \"#c8102e\""))
        }
    }

    fn columns(&self, c: &Spanned<u8>) -> Result<u8, Error> {
        match *c.get_ref() {
            n @ (1 | 2) => Ok(n),
            _ => Err(self.err(c.span(), "columns must be 1 or 2")),
        }
    }

    /// Resolves a path the user wrote, confined to the issue folder.
    fn resolve(&mut self, p: &Spanned<String>, what: &str) -> Result<PathBuf, Error> {
        let root = self.root.clone();
        let canonical = confine(&root, &root, p.get_ref(), what).map_err(|(msg, hint)| {
            let e = self.err(p.span(), msg);
            match hint {
                Some(h) => e.with_hint(h),
                None => e,
            }
        })?;
        self.inputs.push(canonical.clone());
        Ok(canonical)
    }

    fn vpath(&self, canonical: &Path) -> String {
        vpath(&self.root, canonical)
    }

    fn photo(&mut self, file: &Spanned<String>, caption: Option<String>) -> Result<Photo, Error> {
        self.photo_at(file, caption, None)
    }

    /// A photo with the manifest's `focus`, if any.
    fn photo_at(
        &mut self,
        file: &Spanned<String>,
        caption: Option<String>,
        focus: Option<&Spanned<String>>,
    ) -> Result<Photo, Error> {
        let focus = match focus {
            Some(f) => parse_focus(f.get_ref()).map_err(|msg| self.err(f.span(), msg))?,
            None => [0.5, 0.5],
        };
        let path = self.resolve(file, "photo")?;
        let checked = photo::inspect(&path).map_err(|msg| self.err(file.span(), msg))?;
        if let Some(note) = &checked.note {
            self.warnings.push(Diag::info(
                Some(self.loaded.locate(file.span())),
                note.clone(),
            ));
        }
        let (width, height) = (checked.width, checked.height);
        Ok(Photo {
            src: photo::vpath(&self.root, &path, &checked),
            caption,
            width,
            height,
            focus,
            path,
        })
    }

    fn piece(&mut self, a: &manifest::Article, id: String, columns: u8) -> Result<Piece, Error> {
        let lead = a
            .lead
            .as_ref()
            .map(|p| self.photo_at(&p.file, p.caption.clone(), p.focus.as_ref()))
            .transpose()?;
        let figures = a
            .figures
            .iter()
            .map(|p| self.photo_at(&p.file, p.caption.clone(), p.focus.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let photos = a
            .photos
            .iter()
            .map(|p| self.photo_at(&p.file, p.caption.clone(), p.focus.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let lead_size = match &a.lead_size {
            None => if lead.is_some() { "full" } else { "none" }.to_string(),
            Some(s) if ["full", "half", "none"].contains(&s.get_ref().as_str()) => {
                s.get_ref().clone()
            }
            Some(s) => {
                return Err(self.err(s.span(), "lead_size must be \"full\", \"half\" or \"none\""));
            }
        };
        let columns = match &a.columns {
            Some(c) => self.columns(c)?,
            None => columns,
        };
        let kind = match (&a.body, photos.is_empty()) {
            (Some(body), true) => PieceKind::Article {
                body: self.body(body, a.trusted)?,
            },
            (None, false) => PieceKind::Gallery { photos },
            (Some(body), false) => {
                return Err(self.err(
                    a.title.as_ref().map_or(body.span(), |t| t.span()),
                    "a piece has either a `body` (an article) or `photo`s (a gallery), not both",
                ));
            }
            (None, true) => {
                let e = match &a.title {
                    Some(t) => self.err(
                        t.span(),
                        format!("the article `{}` has no `body` file", t.get_ref()),
                    ),
                    None => {
                        Error::plain(format!("the piece {id} has neither a `title` nor a `body`"))
                    }
                };
                return Err(e.with_hint("add body = \"articles/name.md\", or [[section.article.photo]] entries for a gallery"));
            }
        };
        // A Word body may supply the title, author and unit; the manifest wins.
        let from_file = match &kind {
            PieceKind::Article {
                body: Body::Docx { article, .. },
            } => Some(article.clone()),
            _ => None,
        };
        let title = match (&a.title, &from_file) {
            (Some(t), _) => t.get_ref().clone(),
            (None, Some(f)) if f.title.is_some() => f.title.clone().unwrap_or_default(),
            (None, _) => {
                let what = match (&a.body, &a.photos.first()) {
                    (Some(b), _) => Some((b.span(), b.get_ref().clone())),
                    (None, Some(p)) => Some((p.file.span(), p.file.get_ref().clone())),
                    _ => None,
                };
                let msg = |name: &str| {
                    if from_file.is_some() {
                        format!(
                            "the article `{name}` has no title: the manifest gives none and the Word file has no first paragraph styled Title"
                        )
                    } else {
                        format!("the piece with `{name}` has no `title`")
                    }
                };
                let e = match what {
                    Some((span, name)) => self.err(span, msg(&name)),
                    None => Error::plain(format!("the piece {id} has no `title`")),
                };
                return Err(e.with_hint("add title = \"…\" to its [[section.article]]"));
            }
        };
        let author = a
            .author
            .clone()
            .or_else(|| from_file.as_ref().and_then(|f| f.author.clone()));
        let unit = a
            .unit
            .clone()
            .or_else(|| from_file.as_ref().and_then(|f| f.unit.clone()));
        Ok(Piece {
            id,
            title,
            toc_title: a.toc_title.clone(),
            kicker: a.kicker.clone(),
            author,
            unit,
            signature: a.signature,
            toc: a.toc,
            columns,
            lead,
            lead_size,
            figures,
            kind,
        })
    }

    fn body(&mut self, body: &Spanned<String>, trusted: bool) -> Result<Body, Error> {
        let path = self.resolve(body, "article")?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if ext == "docx" {
            return self.docx(body, path, size);
        }
        if size > MAX_ARTICLE_BYTES {
            return Err(self.err(
                body.span(),
                format!("the article is {size} bytes; the limit is {MAX_ARTICLE_BYTES}"),
            ));
        }
        match ext.as_str() {
            "md" | "markdown" | "txt" => {
                let (text, note) = read_article(&path)?;
                self.warnings.extend(note);
                Ok(Body::Markdown { path, text: Arc::from(text) })
            }
            "typ" if trusted => {
                read_text(&path)?;
                let vpath = self.vpath(&path);
                Ok(Body::Typst { path, vpath })
            }
            "typ" => Err(self.err(body.span(), "a .typ article is Typst code and runs only when the manifest marks it `trusted = true`")),
            "doc" | "wps" | "odt" | "rtf" | "pages" => Err(self
                .err(body.span(), format!("folio reads Word articles as .docx files, not `.{ext}`"))
                .with_hint("open it in Word or WPS and save it as a Word document (.docx) with File > Save As")),
            _ => Err(self.err(body.span(), format!("an article body is a Markdown (.md), Word (.docx) or trusted Typst (.typ) file, not `.{ext}`"))),
        }
    }

    /// Reads a Word article: refused before it is unpacked when it is too
    /// large, one message with what to do when it is not a .docx.
    fn docx(&mut self, body: &Spanned<String>, path: PathBuf, size: u64) -> Result<Body, Error> {
        let name = body.get_ref();
        let fail = |ck: &Self, e: docx::DocxError| {
            ck.err(body.span(), format!("`{name}`: {e}"))
                .with_hint(e.hint())
        };
        if size > docx::MAX_DOCX_BYTES {
            return Err(fail(self, docx::DocxError::TooLarge(size)));
        }
        let bytes =
            std::fs::read(&path).map_err(|e| Error::io(&path, "cannot read the article", e))?;
        let vpath = self.vpath(&path);
        let article = docx::read(&bytes, &vpath).map_err(|e| fail(self, e))?;
        for w in &article.warnings {
            let loc = self.loaded.locate(body.span());
            self.warnings
                .push(Diag::warning(Some(loc), format!("`{name}`: {w}")));
        }
        Ok(Body::Docx {
            path,
            vpath,
            article: Arc::new(article),
        })
    }
}

/// The path under which the layout sees a (canonical) file of the issue.
pub fn vpath(root: &Path, canonical: &Path) -> String {
    let rel = canonical.strip_prefix(root).unwrap_or(canonical);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    format!("{ISSUE_VDIR}/{}", parts.join("/"))
}

/// Resolves `raw`, written relative to the folder `base`, to a canonical
/// file path inside `root`. Refuses absolute paths, `..`, and symbolic links
/// that lead out of `root`. On failure returns the message and a hint.
pub fn confine(
    root: &Path,
    base: &Path,
    raw: &str,
    what: &str,
) -> Result<PathBuf, (String, Option<String>)> {
    let rel = Path::new(raw);
    if raw.trim().is_empty() {
        return Err((format!("the {what} path is empty"), None));
    }
    if rel.is_absolute() || raw.starts_with('\\') || raw.contains(':') {
        return Err((
            format!("the {what} path `{raw}` is absolute"),
            Some("write paths relative to the file that names them".into()),
        ));
    }
    // `..` is resolved by the path's words first (`articles/../photos/p.jpg`
    // is `photos/p.jpg`); only a path that then leaves the folder is refused.
    let mut parts: Vec<std::ffi::OsString> = base
        .strip_prefix(root)
        .unwrap_or(Path::new(""))
        .components()
        .map(|c| c.as_os_str().to_os_string())
        .collect();
    for c in rel.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_os_string()),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err((
                        format!("the {what} path `{raw}` leaves the issue folder (`..`)"),
                        Some("keep every file of the issue inside the folder of issue.toml".into()),
                    ));
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err((
                    format!("the {what} path `{raw}` is absolute"),
                    Some("write paths relative to the file that names them".into()),
                ));
            }
        }
    }
    let joined = parts.iter().fold(root.to_path_buf(), |p, c| p.join(c));
    let canonical = joined.canonicalize().map_err(|e| {
        (
            format!(
                "cannot open the {what} `{raw}`: {}",
                crate::error::describe_io(&e)
            ),
            None,
        )
    })?;
    if !canonical.starts_with(root) {
        return Err((
            format!(
                "the {what} path `{raw}` leads outside the issue folder (through a symbolic link)"
            ),
            Some("copy the file into the issue folder instead of linking to it".into()),
        ));
    }
    if !canonical.is_file() {
        return Err((format!("the {what} `{raw}` is not a file"), None));
    }
    Ok(canonical)
}

/// Reads a text file that must be UTF-8 (a trusted Typst article), naming
/// the line and column of the first byte that is not.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read the file", e))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
        Error::at(
            Location::in_text(path, &text, at..at),
            "the file is not UTF-8 text",
        )
        .with_hint(SAVE_AS_UTF8)
    })
}

/// How to save a text file as UTF-8, in the editors' own words.
const SAVE_AS_UTF8: &str = "save it as UTF-8: in Notepad, File → Save As → Encoding: UTF-8 \
     (not “ANSI”, and not “Unicode”, which is UTF-16); in WPS or Word, Save As → Plain Text → \
     Unicode (UTF-8)";

/// Reads a Markdown article: UTF-8 (a byte-order mark is dropped), or
/// UTF-16 with a byte-order mark, or a legacy encoding such as GBK, with a
/// warning that names it. Bytes of no known encoding are an error at the
/// line of the first bad byte.
pub fn read_article(path: &Path) -> Result<(String, Option<Diag>), Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read the file", e))?;
    match encoding::decode(&bytes) {
        Ok(decoded) => {
            let note = decoded.encoding.map(|name| {
                Diag::warning(
                    Some(Location::file(path)),
                    format!(
                        "the article is saved as {name}, not UTF-8; folio read it in that encoding"
                    ),
                )
                .with_hint(SAVE_AS_UTF8)
            });
            Ok((decoded.text, note))
        }
        Err(bad) => Err(Error::at(
            Location::in_text(path, &bad.before, bad.before.len()..bad.before.len()),
            format!(
                "the file is not UTF-8 text, nor GBK, UTF-16 or another encoding folio knows \
                 (byte {} is 0x{:02X})",
                bad.at,
                bytes.get(bad.at).copied().unwrap_or(0)
            ),
        )
        .with_hint(SAVE_AS_UTF8)),
    }
}

/// Checks a photo (canonical path inside `root`) and returns the virtual
/// path the layout places it by, its printed pixel size and a line for the
/// editor if folio converted it.
pub fn check_photo(
    root: &Path,
    canonical: &Path,
) -> Result<(String, u32, u32, Option<String>), String> {
    let checked = photo::inspect(canonical)?;
    Ok((
        photo::vpath(root, canonical, &checked),
        checked.width,
        checked.height,
        checked.note,
    ))
}

#[cfg(test)]
mod focus_tests {
    use super::*;

    #[test]
    fn focus_is_a_side_a_corner_or_percentages() {
        assert_eq!(parse_focus("top"), Ok([0.5, 0.0]));
        assert_eq!(parse_focus("Bottom-Left"), Ok([0.0, 1.0]));
        assert_eq!(parse_focus("center"), Ok([0.5, 0.5]));
        assert_eq!(parse_focus("30,20"), Ok([0.3, 0.2]));
        assert_eq!(parse_focus(" 30% , 100% "), Ok([0.3, 1.0]));
        assert!(parse_focus("upper").unwrap_err().contains("focus must be"));
        assert!(parse_focus("30").is_err());
        assert!(parse_focus("120,20").unwrap_err().contains("0 to 100"));
    }
}
