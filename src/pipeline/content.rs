//! Content conversion: the checked issue becomes the layout's data.
//!
//! Every article body is converted to the typed content tree
//! ([`crate::pipeline::tree`]); the issue's metadata, sections and pieces
//! around it are typed too ([`LayoutData`]). The whole is serialised as one
//! JSON document (`/_folio/issue.json`) that the layout reads. Article text
//! is therefore data: it is never parsed as Typst markup, so nothing in an
//! article can run code or read a file.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Diag, Error};
use crate::pipeline::markdown;
use crate::pipeline::model::{self, Body, Issue, Photo, PieceKind};
use crate::pipeline::text::{is_dropped, typeset_text};
use crate::pipeline::tree::Inline;
use crate::pipeline::tree::{Block, lift_attributions, visit_inlines_mut};

/// The converted issue: the layout's data, the photos it places (real
/// paths, in document order), the pictures of Word articles (served from
/// memory) and the warnings found on the way.
pub struct Converted {
    pub data: LayoutData,
    pub photos: Vec<PathBuf>,
    pub memory: Vec<MemoryFile>,
    pub warnings: Vec<Diag>,
}

impl Converted {
    /// The data as the layout reads it: JSON, with the control characters
    /// that have no printed form removed from every text.
    pub fn to_json(&self) -> Vec<u8> {
        let mut value = serde_json::to_value(&self.data).expect("layout data serialises");
        drop_control_chars(&mut value);
        serde_json::to_vec(&value).expect("layout data serialises")
    }
}

/// A file the layout reads from memory: a picture of a Word article.
#[derive(Debug, Clone)]
pub struct MemoryFile {
    /// Its virtual path (`/_issue/articles/x.docx/word/media/image1.jpeg`).
    pub vpath: String,
    pub bytes: Arc<[u8]>,
    /// The file it comes from (for watching).
    pub source: PathBuf,
    /// The name that stands for it in messages and for the screen edition:
    /// `source/word/media/image1.jpeg`.
    pub name: PathBuf,
}

/// Everything the layout receives, documented in `layouts/default/README.md`.
#[derive(Debug, Serialize)]
pub struct LayoutData {
    pub issue: model::Meta,
    pub cover: CoverData,
    /// The 目录 heading (`[contents]` of the manifest).
    pub contents: Value,
    /// The design options (`[design]` of the manifest).
    pub design: Value,
    pub print: PrintData,
    pub build: BuildData,
    pub sections: Vec<SectionData>,
    pub back_cover: BackCoverData,
}

/// How folio builds the issue: hints that must not change the pages.
#[derive(Debug, Serialize)]
pub struct BuildData {
    /// `folio watch`: the issue is laid out again after each save.
    pub incremental: bool,
}

#[derive(Debug, Serialize)]
pub struct CoverData {
    pub masthead: String,
    pub slogans: Vec<String>,
    pub photo: Option<PhotoData>,
}

#[derive(Debug, Serialize)]
pub struct PrintData {
    /// `"print"` (the PDF for the press: a link's address is printed) or
    /// `"screen"` (the light PDF read on a screen: links are clicked).
    pub edition: &'static str,
    pub bleed_mm: f64,
    pub binding: model::Binding,
    pub marks: bool,
    pub pdfx: bool,
    /// The slug line printed outside the trim with `--marks`.
    pub slug: String,
}

#[derive(Debug, Serialize)]
pub struct SectionData {
    pub number: usize,
    pub title: String,
    pub english: Option<String>,
    pub divider: bool,
    pub pieces: Vec<PieceData>,
}

/// A photo as the layout places it.
#[derive(Debug, Serialize)]
pub struct PhotoData {
    pub src: String,
    pub caption: Option<String>,
    pub width: u32,
    pub height: u32,
    /// The point a crop keeps in view: shares of the width and height from
    /// the top left ([0.5, 0.5] unless the manifest gives `focus`).
    pub focus: [f64; 2],
}

/// An article or a gallery.
#[derive(Debug, Serialize)]
pub struct PieceData {
    pub id: String,
    pub title: String,
    pub toc_title: String,
    pub kicker: Option<String>,
    pub author: Option<String>,
    pub unit: Option<String>,
    pub signature: bool,
    pub toc: bool,
    pub columns: u8,
    pub lead: Option<PhotoData>,
    pub lead_size: String,
    pub figures: Vec<PhotoData>,
    #[serde(flatten)]
    pub kind: PieceKindData,
}

/// What a piece holds: an article's body (the content tree, or a trusted
/// Typst file the layout includes) or a gallery's photos.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PieceKindData {
    Article {
        body: Option<Vec<Block>>,
        typst: Option<String>,
    },
    Gallery {
        photos: Vec<PhotoData>,
    },
}

#[derive(Debug, Serialize)]
pub struct BackCoverData {
    pub closing: Option<String>,
    pub publisher: Option<String>,
    pub call: Option<String>,
    pub contact: Option<String>,
    pub colophon: Vec<String>,
}

/// Converts the checked issue into the layout's data.
pub fn convert(issue: &Issue) -> Result<Converted, Error> {
    let mut warnings = Vec::new();
    let mut photos = Vec::new();
    let mut memory = Vec::new();
    let fw = issue.fullwidth_punctuation;
    let t = |s: &str| typeset_text(s, fw);
    let opt = |s: &Option<String>| s.as_deref().map(|s| typeset_text(s, fw));
    let photo = |p: &Photo| PhotoData {
        src: p.src.clone(),
        caption: opt(&p.caption),
        width: p.width,
        height: p.height,
        focus: p.focus,
    };

    let cover = CoverData {
        masthead: issue.cover.masthead.clone(),
        slogans: issue.cover.slogans.iter().map(|s| t(s)).collect(),
        photo: issue.cover.photo.as_ref().map(photo),
    };
    photos.extend(issue.cover.photo.iter().map(|p| p.path.clone()));
    let mut sections = Vec::new();
    for s in &issue.sections {
        let mut pieces = Vec::new();
        for p in &s.pieces {
            let lead = p.lead.as_ref().map(photo);
            let figures = p.figures.iter().map(photo).collect();
            photos.extend(p.lead.iter().chain(&p.figures).map(|p| p.path.clone()));
            let kind = match &p.kind {
                PieceKind::Article {
                    body: Body::Markdown { path, text },
                } => {
                    let article = markdown::markdown(&issue.root, path, text, fw, &mut warnings)?;
                    photos.extend(article.photos);
                    PieceKindData::Article {
                        body: Some(article.blocks),
                        typst: None,
                    }
                }
                PieceKind::Article {
                    body: Body::Docx { path, article, .. },
                } => {
                    memory.extend(article.pictures.iter().map(|p| MemoryFile {
                        vpath: p.src.clone(),
                        bytes: p.bytes.clone(),
                        source: path.clone(),
                        name: path.join(&p.part),
                    }));
                    PieceKindData::Article {
                        body: Some(typeset_blocks(article.blocks.clone(), fw)),
                        typst: None,
                    }
                }
                PieceKind::Article {
                    body: Body::Typst { vpath, .. },
                } => PieceKindData::Article {
                    body: None,
                    typst: Some(vpath.clone()),
                },
                PieceKind::Gallery { photos: gallery } => {
                    photos.extend(gallery.iter().map(|p| p.path.clone()));
                    PieceKindData::Gallery {
                        photos: gallery.iter().map(photo).collect(),
                    }
                }
            };
            pieces.push(PieceData {
                id: p.id.clone(),
                title: t(&p.title),
                toc_title: opt(&p.toc_title).unwrap_or_else(|| t(&p.title)),
                kicker: opt(&p.kicker),
                author: p.author.clone(),
                unit: p.unit.clone(),
                signature: p.signature,
                toc: p.toc,
                columns: p.columns,
                lead,
                lead_size: p.lead_size.clone(),
                figures,
                kind,
            });
        }
        sections.push(SectionData {
            number: s.number,
            title: t(&s.title),
            english: s.english.clone(),
            divider: s.divider,
            pieces,
        });
    }

    let m = &issue.meta;
    let b = &issue.back_cover;
    let data = LayoutData {
        issue: model::Meta {
            subtitle: t(&m.subtitle),
            publisher: t(&m.publisher),
            ..m.clone()
        },
        cover,
        contents: serde_json::to_value(&issue.contents).expect("contents serialise"),
        design: serde_json::to_value(&issue.design).expect("design serialises"),
        print: PrintData {
            edition: if issue.print.screen {
                "screen"
            } else {
                "print"
            },
            bleed_mm: issue.print.bleed_mm,
            binding: issue.print.binding,
            marks: issue.print.marks,
            pdfx: issue.print.pdfx,
            slug: format!(
                "{} {} · {}-{:02}-{:02}",
                m.magazine, m.number, m.date.year, m.date.month, m.date.day
            ),
        },
        build: BuildData {
            incremental: issue.print.incremental,
        },
        sections,
        back_cover: BackCoverData {
            closing: opt(&b.closing),
            publisher: opt(&b.publisher),
            call: opt(&b.call),
            contact: opt(&b.contact),
            colophon: b.colophon.iter().map(|s| t(s)).collect(),
        },
    };
    Ok(Converted {
        data,
        photos,
        memory,
        warnings,
    })
}

/// Applies the typographic clean-up of [`typeset_text`] to the text of a
/// tree read from a Word file (the Markdown reader applies it as it reads).
fn typeset_blocks(mut blocks: Vec<Block>, fw: bool) -> Vec<Block> {
    visit_inlines_mut(&mut blocks, &mut |i| {
        if let Inline::Text { text } = i {
            *text = typeset_text(text, fw);
        }
    });
    fn captions(blocks: &mut [Block], fw: bool) {
        for b in blocks {
            match b {
                Block::Figure(f) => {
                    if let Some(c) = &mut f.caption {
                        *c = typeset_text(c, fw);
                    }
                }
                Block::Quote { body } => captions(body, fw),
                Block::List { items, .. } => items.iter_mut().for_each(|i| captions(i, fw)),
                _ => {}
            }
        }
    }
    captions(&mut blocks, fw);
    lift_attributions(&mut blocks);
    blocks
}

/// Removes the dropped characters from every text of the layout's data
/// (paths, `src` and `typst`, are left as they are: they name files).
fn drop_control_chars(v: &mut Value) {
    match v {
        Value::String(s) if s.contains(is_dropped) => s.retain(|c| !is_dropped(c)),
        Value::Array(items) => items.iter_mut().for_each(drop_control_chars),
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key != "src" && key != "typst" {
                    drop_control_chars(value);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Word article has no block quotes: an attribution follows a
    /// paragraph that closes a quotation mark.
    #[test]
    fn a_word_attribution_after_a_quotation_is_set_apart() {
        let par = |t: &str| Block::Par {
            body: vec![Inline::Text { text: t.into() }],
        };
        let blocks = typeset_blocks(vec![par("他说：“服务无小事。”"), par("-- 张行长")], true);
        assert_eq!(
            blocks[1],
            Block::Attribution {
                body: vec![Inline::Text {
                    text: "——张行长".into()
                }]
            }
        );
    }
}
