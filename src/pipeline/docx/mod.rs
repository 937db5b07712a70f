//! Word (.docx) articles to the typed content tree ([`crate::pipeline::tree`]).
//!
//! A .docx is a zip of XML parts. The reader takes the text and its
//! structure: paragraphs, headings (Heading 1–6, localised names such as
//! 标题 1, outline levels), bold, italic and underline, lists (`w:numPr`,
//! nested), tables, footnotes and endnotes, hyperlinks, line breaks, and
//! the pictures pasted into the text with the caption below them. What the
//! layout decides (fonts, sizes, colours, alignment, indents, page breaks)
//! is dropped, with one warning per kind. Nothing in the file is ever
//! evaluated.
//!
//! Every size is checked before anything is unpacked: the file, each part,
//! the parts together, and each picture's pixel count (from its header).

mod zip;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;

use roxmltree::{Document, Node, ParsingOptions};

use crate::pipeline::text::is_cjk;
use crate::pipeline::tree::{Align, Block, Figure, Inline, Table};

pub use zip::ZipError;

/// The largest .docx folio reads, in bytes.
pub const MAX_DOCX_BYTES: u64 = 64 * 1024 * 1024;
/// The most bytes one XML part (the text, the styles, …) may unpack to.
pub const MAX_PART_BYTES: u64 = 32 * 1024 * 1024;
/// The most bytes one picture may unpack to.
pub const MAX_PICTURE_BYTES: u64 = 48 * 1024 * 1024;
/// The most bytes all the parts read together may unpack to.
pub const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;
/// The most pixels a picture may have (the same limit as for photos).
pub const MAX_PICTURE_PIXELS: u64 = 120_000_000;
/// How deeply tables, text boxes and notes may be nested inside each other.
const MAX_DEPTH: usize = 8;

/// Why a file cannot be read as a Word article. Each says what to do.
#[derive(Debug)]
pub enum DocxError {
    /// Not a zip archive (and not one of the kinds below).
    NotZip,
    /// A password-protected Word file.
    Encrypted,
    /// An old binary Word 97–2003 (.doc) or WPS (.wps) file.
    BinaryDoc,
    /// An OpenDocument file (.odt) under another name.
    OpenDocument,
    /// An RTF file under another name.
    Rtf,
    /// A zip archive, but not a Word document.
    NotWord,
    /// The file is larger than [`MAX_DOCX_BYTES`].
    TooLarge(u64),
    /// A part unpacks to more than its limit: (part, bytes, limit).
    PartTooLarge(String, u64, u64),
    /// A picture has too many pixels: (part, width, height).
    PictureTooLarge(String, u32, u32),
    /// The archive or one of its XML parts is damaged.
    Damaged(String),
}

impl DocxError {
    /// What the editor can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            DocxError::Encrypted => {
                "open it in Word or WPS, remove the password (Word: File > Info > Protect Document > Encrypt with Password, empty) and save it again as .docx"
            }
            DocxError::TooLarge(_)
            | DocxError::PartTooLarge(..)
            | DocxError::PictureTooLarge(..) => {
                "make the pictures smaller in Word (Picture Format > Compress Pictures) or take them out and list them as figures in issue.toml"
            }
            _ => {
                "open it in Word or WPS and save it as a Word document (.docx) with File > Save As"
            }
        }
    }
}

impl fmt::Display for DocxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocxError::NotZip => write!(
                f,
                "this is not a Word .docx file (a .docx is a zip archive; this file is not)"
            ),
            DocxError::Encrypted => write!(
                f,
                "this Word file is protected by a password; folio cannot open it"
            ),
            DocxError::BinaryDoc => write!(
                f,
                "this is an old Word 97–2003 (.doc) or WPS (.wps) file, not a .docx"
            ),
            DocxError::OpenDocument => {
                write!(f, "this is an OpenDocument (.odt) file, not a .docx")
            }
            DocxError::Rtf => write!(f, "this is an RTF file, not a .docx"),
            DocxError::NotWord => write!(
                f,
                "this zip archive is not a Word document (it has no word/document.xml)"
            ),
            DocxError::TooLarge(n) => write!(
                f,
                "the Word file is {n} bytes; folio reads .docx files of at most {MAX_DOCX_BYTES} bytes"
            ),
            DocxError::PartTooLarge(part, n, limit) => write!(
                f,
                "the part {part} of the Word file unpacks to {n} bytes; the limit is {limit} (it was not unpacked)"
            ),
            DocxError::PictureTooLarge(part, w, h) => write!(
                f,
                "the picture {part} in the Word file is {w} × {h} pixels; folio refuses pictures over {MAX_PICTURE_PIXELS} pixels (it was not decoded)"
            ),
            DocxError::Damaged(what) => write!(f, "the Word file is damaged: {what}"),
        }
    }
}

impl From<ZipError> for DocxError {
    fn from(e: ZipError) -> Self {
        match e {
            ZipError::NotZip => DocxError::NotZip,
            ZipError::Encrypted => DocxError::Encrypted,
            ZipError::Damaged(what) => DocxError::Damaged(what),
            ZipError::Zip64 => DocxError::TooLarge(0),
            ZipError::TooLarge(part, n, limit) => DocxError::PartTooLarge(part, n, limit),
        }
    }
}

/// A picture extracted from the file.
#[derive(Debug, Clone)]
pub struct Picture {
    /// Its part in the archive (`word/media/image1.jpeg`).
    pub part: String,
    /// Its virtual path for the layout (`VBASE/word/media/image1.jpeg`).
    pub src: String,
    pub bytes: Arc<[u8]>,
    pub width: u32,
    pub height: u32,
    /// The file extension for its format (`jpg`, `png`, …).
    pub ext: &'static str,
}

/// A Word article, read.
#[derive(Debug, Clone)]
pub struct DocxArticle {
    pub blocks: Vec<Block>,
    /// The pictures placed, in reading order, each once.
    pub pictures: Vec<Picture>,
    /// A first paragraph styled Title (or set clearly larger than the text).
    pub title: Option<String>,
    /// From a last short paragraph that reads as a byline.
    pub author: Option<String>,
    pub unit: Option<String>,
    /// What was dropped or changed, one message per kind.
    pub warnings: Vec<String>,
}

/// Tells what a file that is not a readable .docx is, from its first bytes.
fn sniff(data: &[u8]) -> Option<DocxError> {
    const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if data.starts_with(CFB) {
        // A compound file: an encrypted .docx keeps its package in the
        // stream "EncryptedPackage" beside "EncryptionInfo".
        let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
        let has = |s: &str| {
            let needle = utf16(s);
            data.windows(needle.len()).any(|w| w == needle.as_slice())
        };
        return Some(if has("EncryptionInfo") || has("EncryptedPackage") {
            DocxError::Encrypted
        } else {
            DocxError::BinaryDoc
        });
    }
    if data.starts_with(b"{\\rtf") {
        return Some(DocxError::Rtf);
    }
    None
}

/// Reads a .docx held in memory. `vbase` is the virtual path under which
/// the pictures are served (`/_issue/articles/x.docx`).
pub fn read(data: &[u8], vbase: &str) -> Result<DocxArticle, DocxError> {
    if data.len() as u64 > MAX_DOCX_BYTES {
        return Err(DocxError::TooLarge(data.len() as u64));
    }
    if let Some(e) = sniff(data) {
        return Err(e);
    }
    let archive = zip::Archive::open(data)?;
    let mut budget = Budget {
        left: MAX_UNPACKED_BYTES,
    };
    if let Some(mime) = archive.read("mimetype", 1024)?
        && mime.starts_with(b"application/vnd.oasis.opendocument")
    {
        return Err(DocxError::OpenDocument);
    }
    // The main part: from the package relationships, else the usual name.
    let main = match budget.xml(&archive, "_rels/.rels")? {
        Some(text) => {
            let doc = parse(&text, "_rels/.rels")?;
            doc.root_element()
                .children()
                .filter(|n| n.has_tag_name_local("Relationship"))
                .find(|n| {
                    n.attribute("Type")
                        .is_some_and(|t| t.ends_with("/officeDocument"))
                })
                .and_then(|n| n.attribute("Target"))
                .map(|t| t.trim_start_matches('/').to_string())
        }
        None => None,
    }
    .unwrap_or_else(|| "word/document.xml".to_string());
    let Some(main_text) = budget.xml(&archive, &main)? else {
        return Err(DocxError::NotWord);
    };
    let dir = match main.rfind('/') {
        Some(i) => main[..i + 1].to_string(),
        None => String::new(),
    };
    let rels_name = format!("{dir}_rels/{}.rels", &main[dir.len()..]);
    let rels = match budget.xml(&archive, &rels_name)? {
        Some(text) => Rels::parse(&text, &rels_name, &dir)?,
        None => Rels::default(),
    };
    let part_text =
        |budget: &mut Budget, ty: &str| -> Result<Option<(String, String)>, DocxError> {
            match rels.by_type(ty) {
                Some(target) => Ok(budget.xml(&archive, &target)?.map(|t| (target, t))),
                None => Ok(None),
            }
        };
    let styles_text = part_text(&mut budget, "/styles")?;
    let numbering_text = part_text(&mut budget, "/numbering")?;
    let footnotes_text = part_text(&mut budget, "/footnotes")?;
    let endnotes_text = part_text(&mut budget, "/endnotes")?;
    let has_comments = rels.by_type("/comments").is_some();

    let styles_doc = match &styles_text {
        Some((name, t)) => Some(parse(t, name)?),
        None => None,
    };
    let styles = Styles::new(styles_doc.as_ref());
    let numbering_doc = match &numbering_text {
        Some((name, t)) => Some(parse(t, name)?),
        None => None,
    };
    let numbering = Numbering::new(numbering_doc.as_ref());
    let foot_doc = match &footnotes_text {
        Some((name, t)) => Some(parse(t, name)?),
        None => None,
    };
    let end_doc = match &endnotes_text {
        Some((name, t)) => Some(parse(t, name)?),
        None => None,
    };
    let main_doc = parse(&main_text, &main)?;

    let mut r = Reader {
        archive: &archive,
        budget,
        rels: &rels,
        styles: &styles,
        numbering: &numbering,
        footnotes: notes(foot_doc.as_ref(), "footnote"),
        endnotes: notes(end_doc.as_ref(), "endnote"),
        vbase: vbase.trim_end_matches('/').to_string(),
        pictures: Vec::new(),
        by_part: HashMap::new(),
        dropped: BTreeSet::new(),
        skipped_pictures: Vec::new(),
        counters: HashMap::new(),
        depth: 0,
    };
    if has_comments {
        r.dropped.insert(Dropped::Comments);
    }
    let body = main_doc
        .root_element()
        .children()
        .find(|n| n.has_tag_name_local("body"))
        .ok_or_else(|| DocxError::Damaged(format!("{main} has no body")))?;
    let elems = r.block_elems(body)?;
    let (blocks, title, byline) = r.assemble(elems, true)?;
    let (author, unit) = byline.unwrap_or_default();

    let mut warnings: Vec<String> = r.dropped.iter().map(|d| d.message().to_string()).collect();
    if !r.skipped_pictures.is_empty() {
        warnings.push(format!(
            "{} picture(s) in a format folio does not place ({}) are left out; save them as JPEG or PNG and list them as figures in issue.toml",
            r.skipped_pictures.len(),
            r.skipped_pictures.join(", ")
        ));
    }
    Ok(DocxArticle {
        blocks,
        pictures: r.pictures,
        title,
        author,
        unit,
        warnings,
    })
}

/// What was dropped from the file: one warning per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Dropped {
    TrackedChanges,
    Comments,
    TextBoxes,
    PageBreaks,
    Formatting,
    Indents,
    EmptyParagraphs,
    LinkedPictures,
    Equations,
    Objects,
}

impl Dropped {
    fn message(self) -> &'static str {
        match self {
            Dropped::TrackedChanges => {
                "the file still has tracked changes: insertions are kept and deletions dropped; accept or reject them in Word to be sure"
            }
            Dropped::Comments => "the file's comments are not printed",
            Dropped::TextBoxes => {
                "text boxes are not kept as boxes: their text is set as paragraphs where the box is anchored"
            }
            Dropped::PageBreaks => {
                "manual page breaks are ignored: the layout decides where pages break"
            }
            Dropped::Formatting => {
                "fonts, sizes, colours and alignment set in the file are ignored: the layout decides them"
            }
            Dropped::Indents => {
                "full-width spaces used as a first-line indent are removed: the layout indents"
            }
            Dropped::EmptyParagraphs => "empty paragraphs are dropped: the layout sets the spacing",
            Dropped::LinkedPictures => {
                "pictures linked to files outside the document (not embedded) are left out"
            }
            Dropped::Equations => "equations are left out (folio does not set Word equations)",
            Dropped::Objects => "embedded objects (charts, OLE objects) are left out",
        }
    }
}

/// Counts the bytes unpacked so far against [`MAX_UNPACKED_BYTES`].
struct Budget {
    left: u64,
}

impl Budget {
    fn bytes(
        &mut self,
        a: &zip::Archive,
        part: &str,
        limit: u64,
    ) -> Result<Option<Vec<u8>>, DocxError> {
        let Some(size) = a.size(part) else {
            return Ok(None);
        };
        if size > self.left {
            return Err(DocxError::PartTooLarge(part.to_string(), size, self.left));
        }
        let bytes = a.read(part, limit)?;
        self.left -= size;
        Ok(bytes)
    }

    fn xml(&mut self, a: &zip::Archive, part: &str) -> Result<Option<String>, DocxError> {
        match self.bytes(a, part, MAX_PART_BYTES)? {
            Some(b) => String::from_utf8(b)
                .map(|mut s| {
                    if s.starts_with('\u{feff}') {
                        s.remove(0);
                    }
                    Some(s)
                })
                .map_err(|_| DocxError::Damaged(format!("{part} is not UTF-8 text"))),
            None => Ok(None),
        }
    }
}

fn parse<'t>(text: &'t str, part: &str) -> Result<Document<'t>, DocxError> {
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: 4_000_000,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, opts).map_err(|e| DocxError::Damaged(format!("{part}: {e}")))
}

trait NodeExt<'a, 'i> {
    fn has_tag_name_local(&self, name: &str) -> bool;
    /// An attribute by its local name, whatever its namespace.
    fn attr(&self, name: &str) -> Option<&'a str>;
    fn child(&self, name: &str) -> Option<Node<'a, 'i>>;
    /// The `w:val` of a child element.
    fn val_of(&self, child: &str) -> Option<&'a str>;
    /// A toggle property (`<w:b/>`, `<w:b w:val="0"/>`).
    fn toggle(&self, child: &str) -> Option<bool>;
}

impl<'a, 'i: 'a> NodeExt<'a, 'i> for Node<'a, 'i> {
    fn has_tag_name_local(&self, name: &str) -> bool {
        self.is_element() && self.tag_name().name() == name
    }

    fn attr(&self, name: &str) -> Option<&'a str> {
        self.attributes()
            .find(|a| a.name() == name)
            .map(|a| a.value())
    }

    fn child(&self, name: &str) -> Option<Node<'a, 'i>> {
        self.children().find(|c| c.has_tag_name_local(name))
    }

    fn val_of(&self, child: &str) -> Option<&'a str> {
        self.child(child).and_then(|c| c.attr("val"))
    }

    fn toggle(&self, child: &str) -> Option<bool> {
        self.child(child).map(|c| {
            !matches!(
                c.attr("val").map(str::to_ascii_lowercase).as_deref(),
                Some("0" | "false" | "off" | "none")
            )
        })
    }
}

/// The main part's relationships: pictures, links, notes, styles.
#[derive(Default)]
struct Rels {
    /// id → (type, target as a part name or an external URL, external)
    map: HashMap<String, (String, String, bool)>,
}

impl Rels {
    fn parse(text: &str, part: &str, dir: &str) -> Result<Self, DocxError> {
        let doc = parse(text, part)?;
        let mut map = HashMap::new();
        for n in doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name_local("Relationship"))
        {
            let (Some(id), Some(ty), Some(target)) = (
                n.attribute("Id"),
                n.attribute("Type"),
                n.attribute("Target"),
            ) else {
                continue;
            };
            let external = n.attribute("TargetMode") == Some("External");
            let target = if external {
                target.to_string()
            } else {
                resolve_part(dir, target)
            };
            map.insert(id.to_string(), (ty.to_string(), target, external));
        }
        Ok(Self { map })
    }

    fn by_type(&self, suffix: &str) -> Option<String> {
        let mut found: Vec<&(String, String, bool)> = self
            .map
            .values()
            .filter(|(t, _, ext)| t.ends_with(suffix) && !ext)
            .collect();
        found.sort_by(|a, b| a.1.cmp(&b.1));
        found.first().map(|(_, target, _)| target.clone())
    }

    fn get(&self, id: &str) -> Option<&(String, String, bool)> {
        self.map.get(id)
    }
}

/// A relationship target relative to the folder `dir` of the main part.
fn resolve_part(dir: &str, target: &str) -> String {
    let joined = if let Some(abs) = target.strip_prefix('/') {
        abs.to_string()
    } else {
        format!("{dir}{target}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// A paragraph or character style, as far as folio uses it.
#[derive(Debug, Default, Clone)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    num: Option<(String, Option<u8>)>,
    bold: Option<bool>,
    italic: Option<bool>,
    underline: Option<bool>,
    strike: Option<bool>,
    size: Option<u32>,
}

/// What a paragraph style makes of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Body,
    Title,
    Heading(u8),
    Caption,
}

struct Styles {
    map: HashMap<String, Style>,
    default_para: Option<String>,
    /// The body text's size in half-points.
    body_size: u32,
}

impl Styles {
    fn new(doc: Option<&Document>) -> Self {
        let mut map = HashMap::new();
        let mut default_para = None;
        let mut doc_size = None;
        if let Some(doc) = doc {
            let root = doc.root_element();
            doc_size = root
                .child("docDefaults")
                .and_then(|d| d.child("rPrDefault"))
                .and_then(|d| d.child("rPr"))
                .and_then(|r| r.val_of("sz"))
                .and_then(|v| v.parse().ok());
            for s in root.children().filter(|n| n.has_tag_name_local("style")) {
                let Some(id) = s.attr("styleId") else {
                    continue;
                };
                let ppr = s.child("pPr");
                let rpr = s.child("rPr");
                let style = Style {
                    name: s.val_of("name").unwrap_or(id).to_string(),
                    based_on: s.val_of("basedOn").map(str::to_string),
                    outline: ppr
                        .and_then(|p| p.val_of("outlineLvl"))
                        .and_then(|v| v.parse().ok()),
                    num: ppr.and_then(|p| p.child("numPr")).map(|n| {
                        (
                            n.val_of("numId").unwrap_or("0").to_string(),
                            n.val_of("ilvl").and_then(|v| v.parse().ok()),
                        )
                    }),
                    bold: rpr.and_then(|r| r.toggle("b")),
                    italic: rpr.and_then(|r| r.toggle("i")),
                    underline: rpr.and_then(|r| r.toggle("u")),
                    strike: rpr.and_then(|r| r.toggle("strike")),
                    size: rpr
                        .and_then(|r| r.val_of("sz"))
                        .and_then(|v| v.parse().ok()),
                };
                if s.attr("type") == Some("paragraph")
                    && s.attr("default").is_some_and(|v| v == "1" || v == "true")
                {
                    default_para = Some(id.to_string());
                }
                map.insert(id.to_string(), style);
            }
        }
        let mut styles = Self {
            map,
            default_para,
            body_size: 21,
        };
        styles.body_size = styles
            .default_para
            .clone()
            .and_then(|id| styles.find(&id, |s| s.size))
            .or(doc_size)
            .unwrap_or(21);
        styles
    }

    /// The first value `f` gives along the style's `basedOn` chain.
    fn find<T>(&self, id: &str, f: impl Fn(&Style) -> Option<T>) -> Option<T> {
        let mut id = id.to_string();
        for _ in 0..20 {
            let s = self.map.get(&id)?;
            if let Some(v) = f(s) {
                return Some(v);
            }
            id = s.based_on.clone()?;
        }
        None
    }

    /// A paragraph's role from its style (None: the default style).
    fn role(&self, id: Option<&str>) -> Role {
        let Some(id) = id.or(self.default_para.as_deref()) else {
            return Role::Body;
        };
        let by_name = self.find(id, |s| role_of_name(&s.name));
        if let Some(role) = by_name {
            return role;
        }
        match self.find(id, |s| s.outline) {
            Some(l) if l < 9 => Role::Heading((l + 1).min(6)),
            _ => Role::Body,
        }
    }
}

/// The role a style's name gives: Word stores its built-in names in English
/// (`heading 1`, `Title`, `caption`) whatever the language of the program;
/// other writers store localised names (`标题 1`, `题注`).
fn role_of_name(name: &str) -> Option<Role> {
    let lower = name.trim().to_lowercase();
    for prefix in ["heading", "标题"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let rest = rest.trim();
            if rest.is_empty() && prefix == "标题" {
                return Some(Role::Title);
            }
            if let Ok(n @ 1..=9) = rest.parse::<u8>() {
                return Some(Role::Heading(n.min(6)));
            }
        }
    }
    match lower.as_str() {
        "title" => Some(Role::Title),
        "caption" | "题注" => Some(Role::Caption),
        _ => None,
    }
}

/// List definitions: numId → per level (ordered, start).
struct Numbering {
    nums: HashMap<String, Vec<(bool, u64)>>,
}

impl Numbering {
    fn new(doc: Option<&Document>) -> Self {
        let mut nums = HashMap::new();
        let Some(doc) = doc else {
            return Self { nums };
        };
        let root = doc.root_element();
        let levels = |n: Node| -> Vec<(u8, bool, u64)> {
            n.children()
                .filter(|l| l.has_tag_name_local("lvl"))
                .map(|l| {
                    let ilvl = l.attr("ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                    let fmt = l.val_of("numFmt").unwrap_or("decimal");
                    let start = l.val_of("start").and_then(|v| v.parse().ok()).unwrap_or(1);
                    (ilvl, !matches!(fmt, "bullet" | "none"), start)
                })
                .collect()
        };
        let mut abstracts: HashMap<String, Vec<(u8, bool, u64)>> = HashMap::new();
        for a in root
            .children()
            .filter(|n| n.has_tag_name_local("abstractNum"))
        {
            if let Some(id) = a.attr("abstractNumId") {
                abstracts.insert(id.to_string(), levels(a));
            }
        }
        for n in root.children().filter(|n| n.has_tag_name_local("num")) {
            let Some(id) = n.attr("numId") else { continue };
            let mut lv = n
                .val_of("abstractNumId")
                .and_then(|a| abstracts.get(a))
                .cloned()
                .unwrap_or_default();
            for o in n.children().filter(|c| c.has_tag_name_local("lvlOverride")) {
                let ilvl: u8 = o.attr("ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                if let Some(start) = o.val_of("startOverride").and_then(|v| v.parse().ok()) {
                    for l in lv.iter_mut().filter(|l| l.0 == ilvl) {
                        l.2 = start;
                    }
                }
                if let Some(l) = o.child("lvl") {
                    let over = levels(o);
                    let _ = l;
                    for (oi, ord, st) in over {
                        lv.retain(|x| x.0 != oi);
                        lv.push((oi, ord, st));
                    }
                }
            }
            let mut per = vec![(true, 1); 9];
            for (ilvl, ordered, start) in lv {
                if let Some(slot) = per.get_mut(ilvl as usize) {
                    *slot = (ordered, start);
                }
            }
            nums.insert(id.to_string(), per);
        }
        Self { nums }
    }

    /// (ordered, start) of a list level; a list without a definition is a
    /// bulleted one.
    fn level(&self, num: &str, ilvl: u8) -> (bool, u64) {
        self.nums
            .get(num)
            .and_then(|l| l.get(ilvl as usize))
            .copied()
            .unwrap_or((false, 1))
    }
}

/// The notes of footnotes.xml or endnotes.xml, by id, as their XML nodes'
/// positions (resolved when called).
fn notes<'d>(doc: Option<&'d Document<'d>>, tag: &str) -> HashMap<String, Node<'d, 'd>> {
    let mut map = HashMap::new();
    if let Some(doc) = doc {
        for n in doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name_local(tag))
        {
            // Separators and continuation notices are not notes.
            if matches!(
                n.attr("type"),
                Some("separator" | "continuationSeparator" | "continuationNotice")
            ) {
                continue;
            }
            if let Some(id) = n.attr("id") {
                map.insert(id.to_string(), n);
            }
        }
    }
    map
}

/// Run formatting that folio keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Fmt {
    strong: bool,
    emph: bool,
    strike: bool,
}

/// A piece of a paragraph under construction.
#[derive(Debug)]
enum Seg {
    Text(Fmt, String),
    Inline(Inline),
}

/// A paragraph's inline content under construction.
#[derive(Default)]
struct Inlines {
    segs: Vec<Seg>,
    pending_soft: bool,
    last: Option<char>,
}

impl Inlines {
    fn text(&mut self, fmt: Fmt, s: &str) {
        if s.is_empty() {
            return;
        }
        let mut s = s.to_string();
        if std::mem::take(&mut self.pending_soft) {
            let first = s.chars().next();
            let joined = matches!((self.last, first), (Some(a), Some(b)) if is_cjk(a) && is_cjk(b));
            if !joined && self.last.is_some() && !self.last.is_some_and(char::is_whitespace) {
                s.insert(0, ' ');
            }
        }
        self.last = s.chars().last();
        if let Some(Seg::Text(f, t)) = self.segs.last_mut()
            && *f == fmt
        {
            t.push_str(&s);
            return;
        }
        self.segs.push(Seg::Text(fmt, s));
    }

    fn soft_break(&mut self) {
        self.pending_soft = true;
    }

    fn inline(&mut self, i: Inline) {
        if let Inline::Link { body, .. } = &i
            && let Some(c) = body.last().and_then(Inline::last_char)
        {
            self.last = Some(c);
        }
        self.segs.push(Seg::Inline(i));
    }

    fn is_blank(&self) -> bool {
        self.segs.iter().all(|s| match s {
            Seg::Text(_, t) => t.trim().is_empty(),
            Seg::Inline(Inline::Linebreak) => true,
            Seg::Inline(_) => false,
        })
    }

    fn plain(&self) -> String {
        let mut out = String::new();
        for s in &self.segs {
            match s {
                Seg::Text(_, t) => out.push_str(t),
                Seg::Inline(i) => i.plain(&mut out),
            }
        }
        out
    }

    /// The inlines, with leading and trailing white space removed (and
    /// whether a full-width indent was among it).
    fn finish(mut self) -> (Vec<Inline>, bool) {
        let mut indent = false;
        let is_space = |c: char| c.is_whitespace() || c == '\u{3000}';
        // Leading.
        while let Some(Seg::Text(_, t)) = self.segs.first_mut() {
            let trimmed = t.trim_start_matches(is_space);
            if trimmed.len() != t.len() {
                indent |= t[..t.len() - trimmed.len()].contains('\u{3000}');
                *t = trimmed.to_string();
            }
            if t.is_empty() {
                self.segs.remove(0);
            } else {
                break;
            }
        }
        while matches!(self.segs.first(), Some(Seg::Inline(Inline::Linebreak))) {
            self.segs.remove(0);
        }
        // Trailing.
        loop {
            match self.segs.last_mut() {
                Some(Seg::Text(_, t)) => {
                    let trimmed = t.trim_end_matches(is_space).len();
                    t.truncate(trimmed);
                    if t.is_empty() {
                        self.segs.pop();
                    } else {
                        break;
                    }
                }
                Some(Seg::Inline(Inline::Linebreak)) => {
                    self.segs.pop();
                }
                _ => break,
            }
        }
        let out = self
            .segs
            .into_iter()
            .map(|s| match s {
                Seg::Text(fmt, text) => wrap(fmt, text),
                Seg::Inline(i) => i,
            })
            .collect();
        (out, indent)
    }
}

fn wrap(fmt: Fmt, text: String) -> Inline {
    let mut i = Inline::Text { text };
    if fmt.strike {
        i = Inline::Strike { body: vec![i] };
    }
    if fmt.emph {
        i = Inline::Emph { body: vec![i] };
    }
    if fmt.strong {
        i = Inline::Strong { body: vec![i] };
    }
    i
}

/// A paragraph, read.
struct Para {
    role: Role,
    /// (numId, level) when the paragraph is a list item.
    list: Option<(String, u8)>,
    inlines: Inlines,
    /// Indexes into the pictures, in order.
    pictures: Vec<usize>,
    /// The paragraphs of text boxes anchored in it.
    boxes: Vec<Block>,
    /// The largest text size set directly, in half-points.
    size: Option<u32>,
}

/// A body element, before lists and captions are assembled.
enum Elem {
    Para(Para),
    Table(Block, Vec<usize>),
}

struct Reader<'a, 'd> {
    archive: &'a zip::Archive<'a>,
    budget: Budget,
    rels: &'a Rels,
    styles: &'a Styles,
    numbering: &'a Numbering,
    footnotes: HashMap<String, Node<'d, 'd>>,
    endnotes: HashMap<String, Node<'d, 'd>>,
    vbase: String,
    pictures: Vec<Picture>,
    by_part: HashMap<String, usize>,
    dropped: BTreeSet<Dropped>,
    skipped_pictures: Vec<String>,
    /// The last number given at each level of each list (`w:numId`).
    counters: HashMap<String, Vec<u64>>,
    depth: usize,
}

impl<'d> Reader<'_, 'd> {
    /// The paragraphs and tables of a container (the body, a cell, a note,
    /// a text box), in order.
    fn block_elems(&mut self, parent: Node) -> Result<Vec<Elem>, DocxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return Err(DocxError::Damaged(format!(
                "tables, text boxes or notes are nested more than {MAX_DEPTH} levels deep"
            )));
        }
        let mut out = Vec::new();
        for n in parent.children().filter(Node::is_element) {
            match n.tag_name().name() {
                "p" => out.push(Elem::Para(self.paragraph(n)?)),
                "tbl" => out.push(self.table(n)?),
                "sdt" => {
                    if let Some(c) = n.child("sdtContent") {
                        out.extend(self.block_elems(c)?);
                    }
                }
                "customXml" | "ins" | "moveTo" => out.extend(self.block_elems(n)?),
                "del" | "moveFrom" => {
                    self.dropped.insert(Dropped::TrackedChanges);
                }
                "AlternateContent" => {
                    if let Some(c) = n.child("Choice").or_else(|| n.child("Fallback")) {
                        out.extend(self.block_elems(c)?);
                    }
                }
                _ => {}
            }
        }
        self.depth -= 1;
        Ok(out)
    }

    fn paragraph(&mut self, p: Node) -> Result<Para, DocxError> {
        let ppr = p.child("pPr");
        let style = ppr.and_then(|x| x.val_of("pStyle"));
        let mut role = self.styles.role(style);
        if let Some(l) = ppr
            .and_then(|x| x.val_of("outlineLvl"))
            .and_then(|v| v.parse::<u8>().ok())
            && l < 9
            && role == Role::Body
        {
            role = Role::Heading((l + 1).min(6));
        }
        if let Some(ppr) = ppr {
            if ppr.toggle("pageBreakBefore") == Some(true) {
                self.dropped.insert(Dropped::PageBreaks);
            }
            if ppr
                .val_of("jc")
                .is_some_and(|j| !matches!(j, "left" | "start" | "both" | "distribute"))
            {
                self.dropped.insert(Dropped::Formatting);
            }
        }
        let direct = ppr.and_then(|x| x.child("numPr")).map(|n| {
            (
                n.val_of("numId").unwrap_or("0").to_string(),
                n.val_of("ilvl").and_then(|v| v.parse().ok()),
            )
        });
        let from_style = style.and_then(|s| self.styles.find(s, |st| st.num.clone()));
        let list = match direct.or(from_style) {
            Some((num, ilvl)) if num != "0" && !matches!(role, Role::Heading(_) | Role::Title) => {
                Some((num, ilvl.unwrap_or(0).min(8)))
            }
            _ => None,
        };
        let mut para = Para {
            role,
            list,
            inlines: Inlines::default(),
            pictures: Vec::new(),
            boxes: Vec::new(),
            size: None,
        };
        // Size from a non-heading paragraph style counts as "set larger".
        if role == Role::Body
            && let Some(s) = style
        {
            para.size = self.styles.find(s, |st| st.size);
        }
        self.inline_children(p, Fmt::default(), &mut para, None)?;
        Ok(para)
    }

    /// Walks the inline content of a paragraph (or of a link inside it).
    fn inline_children(
        &mut self,
        parent: Node,
        fmt: Fmt,
        para: &mut Para,
        link: Option<&mut Inlines>,
    ) -> Result<(), DocxError> {
        // Smart tags, fields and content controls nest; so may a hostile file.
        self.depth += 1;
        if self.depth > MAX_DEPTH * 4 {
            self.depth -= 1;
            return Err(DocxError::Damaged(format!(
                "the text is nested more than {} levels deep",
                MAX_DEPTH * 4
            )));
        }
        let result = self.inline_children_at(parent, fmt, para, link);
        self.depth -= 1;
        result
    }

    fn inline_children_at(
        &mut self,
        parent: Node,
        fmt: Fmt,
        para: &mut Para,
        mut link: Option<&mut Inlines>,
    ) -> Result<(), DocxError> {
        for n in parent.children().filter(Node::is_element) {
            match n.tag_name().name() {
                "r" => self.run(n, fmt, para, link.as_deref_mut())?,
                "hyperlink" => {
                    let url = n
                        .attr("id")
                        .and_then(|id| self.rels.get(id))
                        .filter(|(_, _, ext)| *ext)
                        .map(|(_, t, _)| t.clone())
                        .filter(|u| crate::pipeline::markdown::is_safe_link(u));
                    match (url, link.is_some()) {
                        (Some(url), false) => {
                            let mut inner = Inlines {
                                last: para.inlines.last,
                                pending_soft: std::mem::take(&mut para.inlines.pending_soft),
                                ..Inlines::default()
                            };
                            self.inline_children(n, fmt, para, Some(&mut inner))?;
                            let (body, _) = inner.finish_keep();
                            if !body.is_empty() {
                                para.inlines.inline(Inline::Link { url, body });
                            }
                        }
                        _ => self.inline_children(n, fmt, para, link.as_deref_mut())?,
                    }
                }
                "ins" | "moveTo" => {
                    self.dropped.insert(Dropped::TrackedChanges);
                    self.inline_children(n, fmt, para, link.as_deref_mut())?;
                }
                "del" | "moveFrom" => {
                    self.dropped.insert(Dropped::TrackedChanges);
                }
                "smartTag" | "customXml" | "fldSimple" | "bdo" | "dir" => {
                    self.inline_children(n, fmt, para, link.as_deref_mut())?
                }
                "sdt" => {
                    if let Some(c) = n.child("sdtContent") {
                        self.inline_children(c, fmt, para, link.as_deref_mut())?;
                    }
                }
                "AlternateContent" => {
                    if let Some(c) = n.child("Choice").or_else(|| n.child("Fallback")) {
                        self.inline_children(c, fmt, para, link.as_deref_mut())?;
                    }
                }
                "commentRangeStart" | "commentRangeEnd" => {
                    self.dropped.insert(Dropped::Comments);
                }
                "oMath" | "oMathPara" => {
                    self.dropped.insert(Dropped::Equations);
                }
                "pPr" if n.child("rPr").is_some_and(has_formatting) => {
                    self.dropped.insert(Dropped::Formatting);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn run(
        &mut self,
        r: Node,
        fmt: Fmt,
        para: &mut Para,
        mut link: Option<&mut Inlines>,
    ) -> Result<(), DocxError> {
        let mut fmt = fmt;
        if let Some(rpr) = r.child("rPr") {
            let cstyle = rpr.val_of("rStyle");
            let from_style =
                |f: fn(&Style) -> Option<bool>| cstyle.and_then(|s| self.styles.find(s, f));
            let name_is = |names: &[&str]| {
                cstyle
                    .and_then(|s| self.styles.map.get(s))
                    .is_some_and(|st| names.contains(&st.name.to_lowercase().as_str()))
            };
            let bold = rpr
                .toggle("b")
                .or_else(|| from_style(|s| s.bold))
                .unwrap_or(false)
                || name_is(&["strong", "要点"]);
            let italic = rpr
                .toggle("i")
                .or_else(|| from_style(|s| s.italic))
                .unwrap_or(false)
                || name_is(&["emphasis", "强调"]);
            let underline = rpr
                .child("u")
                .map(|u| u.attr("val") != Some("none"))
                .or_else(|| from_style(|s| s.underline))
                .unwrap_or(false);
            let strike = rpr
                .toggle("strike")
                .or_else(|| rpr.toggle("dstrike"))
                .or_else(|| from_style(|s| s.strike))
                .unwrap_or(false);
            fmt.strong |= bold;
            // Links are underlined by Word's Hyperlink style: not emphasis.
            fmt.emph |= italic || (underline && link.is_none());
            fmt.strike |= strike;
            if has_formatting(rpr) {
                self.dropped.insert(Dropped::Formatting);
            }
            if let Some(sz) = rpr.val_of("sz").and_then(|v| v.parse::<u32>().ok())
                && r.children().any(|c| {
                    c.has_tag_name_local("t") && c.text().is_some_and(|t| !t.trim().is_empty())
                })
            {
                para.size = Some(para.size.map_or(sz, |s| s.max(sz)));
            }
            if rpr.toggle("vanish") == Some(true) {
                return Ok(());
            }
        }
        for c in r.children().filter(Node::is_element) {
            let target: &mut Inlines = match link.as_deref_mut() {
                Some(l) => l,
                None => &mut para.inlines,
            };
            match c.tag_name().name() {
                "t" => target.text(fmt, c.text().unwrap_or("")),
                "tab" | "ptab" => target.text(fmt, " "),
                "noBreakHyphen" => target.text(fmt, "-"),
                "sym" => {
                    if let Some(ch) = c
                        .attr("char")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32)
                    {
                        // Symbol fonts map to the private use area.
                        let ch = match ch as u32 {
                            0xF000..=0xF0FF => char::from_u32(ch as u32 - 0xF000).unwrap_or(ch),
                            _ => ch,
                        };
                        if !ch.is_control() {
                            target.text(fmt, &ch.to_string());
                        }
                    }
                }
                "br" => match c.attr("type") {
                    Some("page") => {
                        self.dropped.insert(Dropped::PageBreaks);
                    }
                    Some("column") => {}
                    _ => target.soft_break(),
                },
                "cr" => target.soft_break(),
                "footnoteReference" | "endnoteReference" => {
                    let foot = c.tag_name().name() == "footnoteReference";
                    let id = c.attr("id").unwrap_or("");
                    let node = if foot {
                        self.footnotes.get(id).copied()
                    } else {
                        self.endnotes.get(id).copied()
                    };
                    if let Some(node) = node {
                        let elems = self.block_elems(node)?;
                        let (mut body, _, _) = self.assemble(elems, false)?;
                        // The figures of a note have no place in it.
                        body.retain(|b| !matches!(b, Block::Figure(_)));
                        let target: &mut Inlines = match link.as_deref_mut() {
                            Some(l) => l,
                            None => &mut para.inlines,
                        };
                        if !body.is_empty() {
                            target.inline(Inline::Footnote { body });
                        }
                    }
                }
                "drawing" => self.drawing(c, para)?,
                "pict" | "object" => self.vml(c, para)?,
                "AlternateContent" => {
                    if let Some(ch) = c.child("Choice").or_else(|| c.child("Fallback")) {
                        for d in ch.children().filter(Node::is_element) {
                            match d.tag_name().name() {
                                "drawing" => self.drawing(d, para)?,
                                "pict" | "object" => self.vml(d, para)?,
                                _ => {}
                            }
                        }
                    }
                }
                "commentReference" => {
                    self.dropped.insert(Dropped::Comments);
                }
                "delText" | "instrText" | "delInstrText" => {}
                _ => {}
            }
        }
        Ok(())
    }

    /// The text boxes in a DrawingML or VML object: their paragraphs, in
    /// place (a box nested in another box is read with its parent), with
    /// one warning for the article.
    fn text_boxes(&mut self, object: Node, para: &mut Para) -> Result<(), DocxError> {
        let mut found_box = false;
        for tb in object
            .descendants()
            .filter(|n| n.has_tag_name_local("txbxContent"))
        {
            if tb
                .ancestors()
                .skip(1)
                .any(|a| a.has_tag_name_local("txbxContent"))
            {
                continue;
            }
            found_box = true;
            let elems = self.block_elems(tb)?;
            let (blocks, _, _) = self.assemble(elems, false)?;
            para.boxes.extend(blocks);
        }
        if found_box {
            self.dropped.insert(Dropped::TextBoxes);
        }
        Ok(())
    }

    /// A DrawingML object: a picture, a text box, a group of them.
    fn drawing(&mut self, d: Node, para: &mut Para) -> Result<(), DocxError> {
        self.text_boxes(d, para)?;
        for blip in d.descendants().filter(|n| n.has_tag_name_local("blip")) {
            if blip
                .ancestors()
                .any(|a| a.has_tag_name_local("txbxContent"))
            {
                continue;
            }
            match (blip.attr("embed"), blip.attr("link")) {
                (Some(id), _) => self.picture(id, para)?,
                (None, Some(_)) => {
                    self.dropped.insert(Dropped::LinkedPictures);
                }
                _ => {}
            }
        }
        if d.descendants().any(|n| n.has_tag_name_local("chart")) {
            self.dropped.insert(Dropped::Objects);
        }
        Ok(())
    }

    /// A VML object (older Word, WPS): pictures and text boxes.
    fn vml(&mut self, v: Node, para: &mut Para) -> Result<(), DocxError> {
        self.text_boxes(v, para)?;
        if v.has_tag_name_local("object") {
            self.dropped.insert(Dropped::Objects);
            return Ok(());
        }
        for img in v
            .descendants()
            .filter(|n| n.has_tag_name_local("imagedata"))
        {
            if let Some(id) = img.attr("id") {
                self.picture(id, para)?;
            }
        }
        Ok(())
    }

    /// A picture by its relationship id: extracted once, placed each time.
    fn picture(&mut self, rel: &str, para: &mut Para) -> Result<(), DocxError> {
        let Some((_, target, external)) = self.rels.get(rel).cloned() else {
            return Ok(());
        };
        if external {
            self.dropped.insert(Dropped::LinkedPictures);
            return Ok(());
        }
        if let Some(&i) = self.by_part.get(&target) {
            para.pictures.push(i);
            return Ok(());
        }
        let Some(bytes) = self
            .budget
            .bytes(self.archive, &target, MAX_PICTURE_BYTES)?
        else {
            return Ok(());
        };
        let Some(ext) = picture_format(&bytes) else {
            let name = target.rsplit('/').next().unwrap_or(&target).to_string();
            self.skipped_pictures.push(name);
            return Ok(());
        };
        let (width, height) = picture_size(&bytes)
            .map_err(|_| DocxError::Damaged(format!("the picture {target} cannot be read")))?;
        if width as u64 * height as u64 > MAX_PICTURE_PIXELS {
            return Err(DocxError::PictureTooLarge(target, width, height));
        }
        let i = self.pictures.len();
        self.pictures.push(Picture {
            src: format!("{}/{}", self.vbase, target),
            part: target.clone(),
            bytes: Arc::from(bytes),
            width,
            height,
            ext,
        });
        self.by_part.insert(target, i);
        para.pictures.push(i);
        Ok(())
    }

    fn table(&mut self, t: Node) -> Result<Elem, DocxError> {
        let mut rows: Vec<Vec<Vec<Inline>>> = Vec::new();
        let mut lifted = Vec::new();
        for tr in t.children().filter(|n| n.has_tag_name_local("tr")) {
            let mut cells = Vec::new();
            for tc in tr
                .children()
                .filter(|n| n.has_tag_name_local("tc") || n.has_tag_name_local("sdt"))
            {
                let tc = if tc.has_tag_name_local("sdt") {
                    match tc.child("sdtContent").and_then(|c| c.child("tc")) {
                        Some(c) => c,
                        None => continue,
                    }
                } else {
                    tc
                };
                let span: usize = tc
                    .child("tcPr")
                    .and_then(|p| p.val_of("gridSpan"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let merged_below = tc
                    .child("tcPr")
                    .and_then(|p| p.child("vMerge"))
                    .is_some_and(|m| m.attr("val").is_none_or(|v| v == "continue"));
                let mut inlines: Vec<Inline> = Vec::new();
                if !merged_below {
                    let elems = self.block_elems(tc)?;
                    for e in elems {
                        match e {
                            Elem::Para(p) => {
                                lifted.extend(p.pictures.iter().copied());
                                let (body, indent) = p.inlines.finish();
                                if indent {
                                    self.dropped.insert(Dropped::Indents);
                                }
                                if !body.is_empty() {
                                    if !inlines.is_empty() {
                                        inlines.push(Inline::Linebreak);
                                    }
                                    inlines.extend(body);
                                }
                                for b in p.boxes {
                                    block_inlines(&b, &mut inlines);
                                }
                            }
                            Elem::Table(inner, pics) => {
                                lifted.extend(pics);
                                block_inlines(&inner, &mut inlines);
                            }
                        }
                    }
                }
                cells.push(inlines);
                for _ in 1..span {
                    cells.push(Vec::new());
                }
            }
            rows.push(cells);
        }
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        for r in &mut rows {
            r.resize(columns, Vec::new());
        }
        let mut rows = rows.into_iter();
        let header = rows.next().unwrap_or_default();
        let table = Block::Table(Table {
            columns,
            align: vec![Align::Auto; columns],
            header,
            rows: rows.collect(),
        });
        Ok(Elem::Table(table, lifted))
    }

    /// Turns elements into blocks: headings, lists, figures with their
    /// captions. At the top of the body also takes the title (a first
    /// paragraph) and the byline (a last one).
    #[allow(clippy::type_complexity)]
    fn assemble(
        &mut self,
        elems: Vec<Elem>,
        top: bool,
    ) -> Result<
        (
            Vec<Block>,
            Option<String>,
            Option<(Option<String>, Option<String>)>,
        ),
        DocxError,
    > {
        let mut elems: Vec<Option<Elem>> = elems.into_iter().map(Some).collect();
        let is_empty = |e: &Elem| match e {
            Elem::Para(p) => p.inlines.is_blank() && p.pictures.is_empty() && p.boxes.is_empty(),
            Elem::Table(..) => false,
        };
        let mut title = None;
        let mut byline = None;
        if top {
            // The title: the first paragraph with text.
            if let Some(i) = elems
                .iter()
                .position(|e| e.as_ref().is_some_and(|e| !is_empty(e)))
                && let Some(Elem::Para(p)) = &elems[i]
                && p.pictures.is_empty()
                && p.list.is_none()
            {
                let text = p.inlines.plain().trim().to_string();
                let large = p.size.is_some_and(|s| s * 10 >= self.styles.body_size * 14);
                let short = text.chars().count() <= 60;
                if p.role == Role::Title || (large && short && p.role == Role::Body) {
                    title = Some(
                        text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
                            .to_string(),
                    );
                    elems[i] = None;
                }
            }
            // The byline: the last paragraph with text.
            if let Some(i) = elems
                .iter()
                .rposition(|e| e.as_ref().is_some_and(|e| !is_empty(e)))
                && let Some(Elem::Para(p)) = &elems[i]
                && p.pictures.is_empty()
                && p.list.is_none()
                && p.role == Role::Body
                && let Some(b) = parse_byline(&p.inlines.plain())
            {
                byline = Some(b);
                elems[i] = None;
            }
        }

        // Items: blocks, or list items waiting to be nested.
        enum Item {
            Block(Block),
            ListItem {
                num: String,
                level: u8,
                blocks: Vec<Block>,
            },
        }
        let mut items: Vec<Item> = Vec::new();
        let mut i = 0;
        while i < elems.len() {
            let Some(e) = elems[i].take() else {
                i += 1;
                continue;
            };
            i += 1;
            let p = match e {
                Elem::Table(t, pics) => {
                    items.push(Item::Block(t));
                    for pic in pics {
                        items.push(Item::Block(self.figure(pic, None)));
                    }
                    continue;
                }
                Elem::Para(p) => p,
            };
            if p.inlines.is_blank() && p.pictures.is_empty() && p.boxes.is_empty() {
                self.dropped.insert(Dropped::EmptyParagraphs);
                continue;
            }
            let role = p.role;
            let list = p.list.clone();
            let pictures = p.pictures.clone();
            let boxes = p.boxes;
            let (body, indent) = p.inlines.finish();
            if indent {
                self.dropped.insert(Dropped::Indents);
            }
            let mut blocks = Vec::new();
            if !body.is_empty() {
                blocks.push(match role {
                    Role::Heading(level) => Block::Heading { level, body },
                    _ => Block::Par { body },
                });
            }
            if !pictures.is_empty() {
                // The caption: the next paragraph with text, if it reads as one.
                let mut caption = None;
                let mut j = i;
                while j < elems.len() && elems[j].as_ref().is_some_and(&is_empty) {
                    j += 1;
                }
                if let Some(Some(Elem::Para(next))) = elems.get(j)
                    && next.pictures.is_empty()
                    && next.list.is_none()
                    && (next.role == Role::Caption || reads_as_caption(&next.inlines.plain()))
                {
                    caption = Some(next.inlines.plain().trim().to_string());
                    for e in &mut elems[i..=j] {
                        *e = None;
                    }
                    i = j + 1;
                }
                let last = pictures.len() - 1;
                for (k, pic) in pictures.into_iter().enumerate() {
                    let c = if k == last { caption.take() } else { None };
                    blocks.push(self.figure(pic, c));
                }
            }
            blocks.extend(boxes);
            match list {
                Some((num, level)) => items.push(Item::ListItem { num, level, blocks }),
                None => items.extend(blocks.into_iter().map(Item::Block)),
            }
        }

        // Nest list items.
        let mut out = Vec::new();
        let mut run: Vec<(String, u8, Vec<Block>)> = Vec::new();
        for item in items {
            match item {
                Item::ListItem { num, level, blocks } => run.push((num, level, blocks)),
                Item::Block(b) => {
                    if !run.is_empty() {
                        out.extend(self.nest(std::mem::take(&mut run)));
                    }
                    out.push(b);
                }
            }
        }
        if !run.is_empty() {
            out.extend(self.nest(run));
        }
        Ok((out, title, byline))
    }

    fn figure(&self, pic: usize, caption: Option<String>) -> Block {
        let p = &self.pictures[pic];
        Block::Figure(Figure {
            src: p.src.clone(),
            caption,
            width: p.width,
            height: p.height,
        })
    }

    /// Builds nested lists from consecutive list paragraphs. Numbering goes
    /// on across the paragraphs between items of the same list, as in Word
    /// (1. 2., a paragraph, 3.); a deeper level starts again under each item.
    fn nest(&mut self, run: Vec<(String, u8, Vec<Block>)>) -> Vec<Block> {
        type Open = Option<(bool, u64, Vec<Vec<Block>>)>;
        fn close(out: &mut Vec<Block>, current: &mut Open) {
            if let Some((ordered, start, items)) = current.take() {
                out.push(Block::List {
                    ordered,
                    start,
                    items,
                });
            }
        }
        let mut out = Vec::new();
        let base = run.iter().map(|r| r.1).min().unwrap_or(0);
        let mut current: Open = None;
        let mut deeper: Vec<(String, u8, Vec<Block>)> = Vec::new();
        let mut run = run.into_iter().peekable();
        loop {
            let next = run.next();
            if next.as_ref().is_none_or(|r| r.1 <= base) && !deeper.is_empty() {
                // The deeper items belong to the last item.
                let nested = self.nest(std::mem::take(&mut deeper));
                let cur = current.get_or_insert_with(|| (false, 1, Vec::new()));
                if cur.2.is_empty() {
                    cur.2.push(Vec::new());
                }
                cur.2.last_mut().expect("an item").extend(nested);
            }
            let Some((num, level, blocks)) = next else {
                break;
            };
            if level > base {
                deeper.push((num, level, blocks));
                continue;
            }
            let (ordered, first) = self.numbering.level(&num, level);
            let counters = self.counters.entry(num).or_insert_with(|| vec![0; 9]);
            let l = level as usize;
            let number = if counters[l] == 0 {
                first
            } else {
                counters[l] + 1
            };
            counters[l] = number;
            counters[l + 1..].iter_mut().for_each(|c| *c = 0);
            match &mut current {
                Some((o, _, items)) if *o == ordered => items.push(blocks),
                _ => {
                    close(&mut out, &mut current);
                    current = Some((ordered, number, vec![blocks]));
                }
            }
        }
        close(&mut out, &mut current);
        out
    }
}

impl Inlines {
    /// Like [`Inlines::finish`], for a link's text (white space kept).
    fn finish_keep(self) -> (Vec<Inline>, bool) {
        let out = self
            .segs
            .into_iter()
            .map(|s| match s {
                Seg::Text(fmt, text) => wrap(fmt, text),
                Seg::Inline(i) => i,
            })
            .collect();
        (out, false)
    }
}

/// The text of a block as inlines (a table inside a cell, a text box).
fn block_inlines(b: &Block, out: &mut Vec<Inline>) {
    let push = |body: &[Inline], out: &mut Vec<Inline>| {
        if !body.is_empty() {
            if !out.is_empty() {
                out.push(Inline::Linebreak);
            }
            out.extend(body.iter().cloned());
        }
    };
    match b {
        Block::Par { body } | Block::Heading { body, .. } | Block::Attribution { body } => {
            push(body, out)
        }
        Block::Table(t) => {
            for row in std::iter::once(&t.header).chain(t.rows.iter()) {
                for cell in row {
                    push(cell, out);
                }
            }
        }
        Block::List { items, .. } => items.iter().flatten().for_each(|b| block_inlines(b, out)),
        Block::Quote { body } => body.iter().for_each(|b| block_inlines(b, out)),
        Block::CodeBlock { text } => push(&[Inline::Text { text: text.clone() }], out),
        Block::Figure(_) | Block::Rule => {}
    }
}

/// Direct formatting that the layout overrides.
fn has_formatting(rpr: Node) -> bool {
    ["rFonts", "sz", "color", "highlight", "shd"]
        .iter()
        .any(|k| rpr.child(k).is_some())
}

/// JPEG and PNG are placed; other formats are named for the warning.
fn picture_format(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else {
        None
    }
}

/// A picture's pixel size as placed, from its header only: a PNG's from
/// its IHDR chunk (without reading on); a JPEG's with its EXIF orientation
/// applied (Typst turns the picture the same way).
fn picture_size(bytes: &[u8]) -> Result<(u32, u32), String> {
    use image::ImageDecoder;
    use image::metadata::Orientation;
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return match (bytes.get(12..16), bytes.get(16..20), bytes.get(20..24)) {
            (Some(b"IHDR"), Some(w), Some(h)) => Ok((
                u32::from_be_bytes([w[0], w[1], w[2], w[3]]),
                u32::from_be_bytes([h[0], h[1], h[2], h[3]]),
            )),
            _ => Err("no PNG header".into()),
        };
    }
    let mut decoder = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?
        .into_decoder()
        .map_err(|e| e.to_string())?;
    let (w, h) = decoder.dimensions();
    let turned = matches!(
        decoder.orientation(),
        Ok(Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH)
    );
    Ok(if turned { (h, w) } else { (w, h) })
}

/// Whether a paragraph below a picture reads as its caption: 图为…, 图1…,
/// 图：…, 图片…
fn reads_as_caption(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    if t.chars().count() > 120 {
        return false;
    }
    let mut chars = t.chars();
    match (chars.next(), chars.next()) {
        (Some('图'), Some(c)) => {
            matches!(
                c,
                '为' | '片'
                    | '示'
                    | ':'
                    | '：'
                    | ' '
                    | '\u{3000}'
                    | '.'
                    | '．'
                    | '、'
                    | '-'
                    | '—'
                    | '（'
                    | '('
            ) || c.is_ascii_digit()
                || ('０'..='９').contains(&c)
                || "一二三四五六七八九十".contains(c)
        }
        _ => false,
    }
}

/// Reads a last paragraph as a byline: 「第一支行 徐国龙」 (unit and name),
/// 「（供稿：华南支行）」, 「供稿：华南支行 张三」, 「文/张三」, 「作者：张三」.
/// Returns (author, unit).
fn parse_byline(text: &str) -> Option<(Option<String>, Option<String>)> {
    let t = text
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    if t.is_empty() || t.chars().count() > 30 || t.ends_with(['。', '！', '？', '；', '，']) {
        return None;
    }
    // Brackets around the whole line.
    let inner = t
        .strip_prefix(['（', '('])
        .and_then(|s| s.strip_suffix(['）', ')']))
        .unwrap_or(t)
        .trim();
    let inner = inner.trim_start_matches(['—', '-', '－']).trim();
    for key in ["供稿单位", "供稿", "来源", "作者", "撰稿", "文", "通讯员"] {
        if let Some(rest) = inner.strip_prefix(key) {
            let rest = rest.trim_start();
            if let Some(value) = rest.strip_prefix([':', '：', '/', '／']) {
                let value = value.trim();
                if value.is_empty() {
                    return None;
                }
                let (author, unit) = split_unit_name(value);
                return Some(if key.starts_with("供稿") || key == "来源" {
                    match (author, unit) {
                        (Some(a), Some(u)) => (Some(a), Some(u)),
                        (a, None) if a.is_some() => (None, Some(value.to_string())),
                        (None, u) => (None, u.or_else(|| Some(value.to_string()))),
                        other => other,
                    }
                } else {
                    match (author, unit) {
                        (None, u) => (Some(value.to_string()), u),
                        other => other,
                    }
                });
            }
        }
    }
    // 「第一支行 徐国龙」: a unit, a space, a name.
    let (author, unit) = split_unit_name(inner);
    if author.is_some() && unit.is_some() {
        return Some((author, unit));
    }
    None
}

/// Splits 「第一支行 徐国龙」 into (author, unit): a unit ends in 行, 部,
/// 中心, 室, 处, 所, 局, 公司 or 网点; a name is two to four Chinese
/// characters (several names separated by spaces or 、 are kept together).
fn split_unit_name(s: &str) -> (Option<String>, Option<String>) {
    let is_unit = |u: &str| {
        [
            "行", "部", "中心", "室", "处", "所", "局", "公司", "网点", "团队", "班",
        ]
        .iter()
        .any(|e| u.ends_with(e))
    };
    let is_name = |n: &str| {
        let c = n.chars().count();
        (2..=4).contains(&c)
            && n.chars()
                .all(|ch| ('\u{4E00}'..='\u{9FFF}').contains(&ch) || ch == '·')
    };
    let parts: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == '\u{3000}')
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [one] if is_unit(one) => (None, Some(one.to_string())),
        [one] if is_name(one) => (Some(one.to_string()), None),
        [unit @ .., last] if !unit.is_empty() && is_unit(&unit.join("")) => {
            let names: Vec<&str> = last.split('、').collect();
            if names.iter().all(|n| is_name(n)) {
                (Some(last.to_string()), Some(unit.join("")))
            } else {
                (None, None)
            }
        }
        [first, rest @ ..]
            if !rest.is_empty() && rest.iter().all(|n| is_name(n)) && is_unit(first) =>
        {
            (Some(rest.join("、")), Some(first.to_string()))
        }
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picture_sizes_follow_exif_orientation() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/images/exif-rotated.jpg"
        );
        let bytes = std::fs::read(path).unwrap();
        // Stored 300 × 200, EXIF orientation 6 (turn 90°).
        assert_eq!(picture_size(&bytes), Ok((200, 300)));
        assert_eq!(picture_size(&png_header_only(7, 5)), Ok((7, 5)));
    }

    fn png_header_only(w: u32, h: u32) -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(w.to_be_bytes());
        png.extend(h.to_be_bytes());
        png
    }

    /// A document.xml inside a minimal package.
    fn package(body: &str) -> Vec<u8> {
        let doc = format!(
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        );
        zip::tests::stored_zip(&[("word/document.xml", doc.as_bytes())])
    }

    fn text_of(blocks: &[Block]) -> String {
        let mut blocks = blocks.to_vec();
        let mut out = String::new();
        crate::pipeline::tree::visit_inlines_mut(&mut blocks, &mut |i| {
            if let Inline::Text { text } = i {
                out.push_str(text);
            }
        });
        out
    }

    /// Pseudo-random well-formed trees of WordprocessingML elements, in
    /// places Word would not put them: the reader returns an article or an
    /// error, never panics.
    #[test]
    fn random_element_trees_never_panic() {
        const WRAP: &[(&str, &str)] = &[
            ("<w:p>", "</w:p>"),
            ("<w:r>", "</w:r>"),
            ("<w:tbl>", "</w:tbl>"),
            ("<w:tr>", "</w:tr>"),
            ("<w:tc>", "</w:tc>"),
            ("<w:hyperlink r:id=\"x\">", "</w:hyperlink>"),
            ("<w:ins>", "</w:ins>"),
            ("<w:txbxContent>", "</w:txbxContent>"),
            ("<w:sdt><w:sdtContent>", "</w:sdtContent></w:sdt>"),
            ("<w:drawing>", "</w:drawing>"),
            (
                "<mc:AlternateContent><mc:Choice>",
                "</mc:Choice></mc:AlternateContent>",
            ),
        ];
        const LEAF: &[&str] = &[
            "<w:t>文字</w:t>",
            "<w:t>图为</w:t>",
            "<w:t>　　</w:t>",
            "<w:t>第一支行 徐国龙</w:t>",
            "<w:br/>",
            "<w:br w:type=\"page\"/>",
            "<w:del><w:r><w:delText>删</w:delText></w:r></w:del>",
            "<w:pPr><w:numPr><w:ilvl w:val=\"7\"/><w:numId w:val=\"3\"/></w:numPr></w:pPr>",
            "<w:pPr><w:numPr><w:ilvl w:val=\"-1\"/></w:numPr></w:pPr>",
            "<w:pPr><w:outlineLvl w:val=\"250\"/></w:pPr>",
            "<w:pPr><w:pStyle w:val=\"Caption\"/></w:pPr>",
            "<a:blip r:embed=\"none\"/>",
            "<w:footnoteReference w:id=\"9\"/>",
            "<w:sym w:char=\"F0FF\"/>",
            "<w:sym w:char=\"ZZ\"/>",
            "<w:rPr><w:b/><w:u w:val=\"none\"/><w:sz w:val=\"99999999999\"/></w:rPr>",
            "<w:tcPr><w:gridSpan w:val=\"100000\"/><w:vMerge/></w:tcPr>",
        ];
        let mut seed: u64 = 0x5eed;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        fn tree(next: &mut dyn FnMut() -> usize, depth: usize, out: &mut String) {
            for _ in 0..next() % 4 + 1 {
                if depth < 7 && !next().is_multiple_of(3) {
                    let (open, close) = WRAP[next() % WRAP.len()];
                    out.push_str(open);
                    tree(next, depth + 1, out);
                    out.push_str(close);
                } else {
                    out.push_str(LEAF[next() % LEAF.len()]);
                }
            }
        }
        let mut read_ok = 0;
        for _ in 0..2000 {
            let mut body = String::new();
            tree(&mut next, 0, &mut body);
            let doc = format!(
                r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="r" xmlns:a="a" xmlns:mc="mc"><w:body>{body}</w:body></w:document>"#
            );
            let zip = zip::tests::stored_zip(&[("word/document.xml", doc.as_bytes())]);
            if let Ok(a) = read(&zip, "/v") {
                serde_json::to_string(&a.blocks).unwrap();
                read_ok += 1;
            }
        }
        // Most trees are read (an error only for nesting past the limits).
        assert!(read_ok > 1000, "{read_ok} of 2000 read");
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash() {
        let deep = |open: &str, close: &str, n: usize| {
            format!(
                "<w:p>{}<w:r><w:t>x</w:t></w:r>{}</w:p>",
                open.repeat(n),
                close.repeat(n)
            )
        };
        for doc in [
            deep("<w:smartTag>", "</w:smartTag>", 5000),
            deep("<w:hyperlink>", "</w:hyperlink>", 5000),
            format!(
                "{}{}",
                "<w:tbl><w:tr><w:tc>".repeat(500),
                "</w:tc></w:tr></w:tbl>".repeat(500)
            ),
        ] {
            assert!(matches!(
                read(&package(&doc), "/v"),
                Err(DocxError::Damaged(_))
            ));
        }
        // A few levels are fine.
        let a = read(&package(&deep("<w:smartTag>", "</w:smartTag>", 5)), "/v").unwrap();
        assert_eq!(text_of(&a.blocks), "x");
    }

    #[test]
    fn a_note_that_calls_itself_is_refused() {
        let doc = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:footnoteReference w:id="1"/></w:r></w:p></w:body></w:document>"#;
        let notes = r#"<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="1"><w:p><w:r><w:footnoteReference w:id="1"/></w:r></w:p></w:footnote></w:footnotes>"#;
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>"#;
        let zip = zip::tests::stored_zip(&[
            ("word/document.xml", doc.as_bytes()),
            ("word/footnotes.xml", notes.as_bytes()),
            ("word/_rels/document.xml.rels", rels.as_bytes()),
        ]);
        assert!(matches!(read(&zip, "/v"), Err(DocxError::Damaged(_))));
    }

    #[test]
    fn soft_breaks_join_chinese_without_a_space() {
        let doc = "<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t></w:r></w:p><w:p><w:r><w:t>word</w:t><w:br/><w:t>two</w:t></w:r></w:p>";
        let a = read(&package(doc), "/v").unwrap();
        assert_eq!(text_of(&a.blocks), "第一行第二行word two");
    }

    #[test]
    fn numbering_goes_on_across_paragraphs_and_restarts_below() {
        let num = r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/></w:lvl></w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#;
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/></Relationships>"#;
        let item = |lvl: u8, t: &str| {
            format!(
                r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="5"/></w:numPr></w:pPr><w:r><w:t>{t}</w:t></w:r></w:p>"#
            )
        };
        let body = [
            item(0, "甲"),
            item(1, "甲一"),
            item(1, "甲二"),
            item(0, "乙"),
            "<w:p><w:r><w:t>中间的段落</w:t></w:r></w:p>".to_string(),
            item(0, "丙"),
            item(1, "丙一"),
        ]
        .concat();
        let doc = format!(
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
        );
        let zip = zip::tests::stored_zip(&[
            ("word/document.xml", doc.as_bytes()),
            ("word/numbering.xml", num.as_bytes()),
            ("word/_rels/document.xml.rels", rels.as_bytes()),
        ]);
        let a = read(&zip, "/v").unwrap();
        let starts: Vec<(u64, usize)> = a
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::List { start, items, .. } => Some((*start, items.len())),
                _ => None,
            })
            .collect();
        assert_eq!(starts, vec![(1, 2), (3, 1)]);
        // The sublist under 丙 starts again at 1.
        let Block::List { items, .. } = &a.blocks[2] else {
            panic!()
        };
        assert!(matches!(items[0][1], Block::List { start: 1, .. }));
    }

    #[test]
    fn bylines() {
        let b = |s: &str| parse_byline(s);
        let some =
            |a: Option<&str>, u: Option<&str>| Some((a.map(String::from), u.map(String::from)));
        assert_eq!(b("第一支行 徐国龙"), some(Some("徐国龙"), Some("第一支行")));
        assert_eq!(b("（供稿：华南支行）"), some(None, Some("华南支行")));
        assert_eq!(
            b("(供稿:新塘支行 刘森华)"),
            some(Some("刘森华"), Some("新塘支行"))
        );
        assert_eq!(b("文/张三"), some(Some("张三"), None));
        assert_eq!(b("作者：李四"), some(Some("李四"), None));
        assert_eq!(b("客户对网点的工作表示感谢。"), None);
        assert_eq!(b("活动取得圆满成功"), None);
        assert_eq!(b("华南支行"), None);
    }

    #[test]
    fn captions() {
        assert!(reads_as_caption("图为芳村支行开展反诈宣传活动"));
        assert!(reads_as_caption("图1 志愿者在网点门口发放宣传资料"));
        assert!(reads_as_caption("图：动员会"));
        assert!(!reads_as_caption("图书馆里的读书会"));
        assert!(!reads_as_caption("工作人员向居民讲解防范电信诈骗的知识。"));
    }

    #[test]
    fn style_names() {
        assert_eq!(role_of_name("heading 1"), Some(Role::Heading(1)));
        assert_eq!(role_of_name("Heading 7"), Some(Role::Heading(6)));
        assert_eq!(role_of_name("标题 2"), Some(Role::Heading(2)));
        assert_eq!(role_of_name("标题"), Some(Role::Title));
        assert_eq!(role_of_name("Title"), Some(Role::Title));
        assert_eq!(role_of_name("题注"), Some(Role::Caption));
        assert_eq!(role_of_name("Normal"), None);
    }

    #[test]
    fn part_paths() {
        assert_eq!(
            resolve_part("word/", "media/image1.png"),
            "word/media/image1.png"
        );
        assert_eq!(resolve_part("word/", "../media/a.png"), "media/a.png");
        assert_eq!(
            resolve_part("word/", "/word/media/a.png"),
            "word/media/a.png"
        );
    }

    #[test]
    fn kinds_of_broken_files() {
        assert!(matches!(read(b"hello", "/v"), Err(DocxError::NotZip)));
        assert!(matches!(read(b"{\\rtf1 hello}", "/v"), Err(DocxError::Rtf)));
        let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        cfb.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(matches!(read(&cfb, "/v"), Err(DocxError::BinaryDoc)));
        cfb.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(matches!(read(&cfb, "/v"), Err(DocxError::Encrypted)));
    }
}
