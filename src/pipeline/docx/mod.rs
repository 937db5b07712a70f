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

mod byline;
mod inlines;
mod pictures;
mod reader;
mod styles;
#[cfg(test)]
mod tests;
mod xml;
pub mod zip;

use byline::*;
use inlines::*;
use pictures::*;
use reader::*;
use styles::*;
use xml::*;

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
