//! The typed content tree: what every article reader (Markdown today, Word
//! next) produces and what the layouts' shared renderer
//! (`layouts/_folio/render.typ`) walks. It reaches Typst as JSON, each node
//! an object with a `kind`; article text is carried as strings and never
//! evaluated as markup.

use serde::Serialize;

/// A block of an article body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Block {
    /// A paragraph.
    Par { body: Vec<Inline> },
    /// A subhead; level 1 is the article's highest.
    Heading { level: u8, body: Vec<Inline> },
    /// A block quote (a pull quote when its text starts with `[!pull]`).
    Quote { body: Vec<Block> },
    /// A fenced or indented code block, set as a block.
    CodeBlock { text: String },
    /// A numbered or bulleted list; each item is a list of blocks.
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    /// A photo placed in the text.
    Figure(Figure),
    /// A table: a header row and body rows of cells of inline text.
    Table(Table),
    /// A horizontal rule.
    Rule,
}

/// An inline run of text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Inline {
    Text {
        text: String,
    },
    Emph {
        body: Vec<Inline>,
    },
    Strong {
        body: Vec<Inline>,
    },
    Strike {
        body: Vec<Inline>,
    },
    /// Inline code, set verbatim.
    Code {
        text: String,
    },
    /// A web, mail or telephone link.
    Link {
        url: String,
        body: Vec<Inline>,
    },
    Linebreak,
    /// A footnote, with its text where it is called.
    Footnote {
        body: Vec<Block>,
    },
}

/// A photo in the text: `src` is the virtual path the Typst world serves;
/// `width` and `height` are its pixel size (after EXIF rotation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub src: String,
    pub caption: Option<String>,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub columns: usize,
    pub align: Vec<Align>,
    pub header: Vec<Vec<Inline>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
}

/// A table column's alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    Auto,
    Left,
    Center,
    Right,
}

/// The `kind` names of every node, as the renderer must know them.
pub const KINDS: &[&str] = &[
    "par",
    "heading",
    "quote",
    "code-block",
    "list",
    "figure",
    "table",
    "rule",
    "text",
    "emph",
    "strong",
    "strike",
    "code",
    "link",
    "linebreak",
    "footnote",
];

impl Inline {
    /// The plain text of the run.
    pub fn plain(&self, out: &mut String) {
        match self {
            Inline::Text { text } | Inline::Code { text } => out.push_str(text),
            Inline::Emph { body }
            | Inline::Strong { body }
            | Inline::Strike { body }
            | Inline::Link { body, .. } => body.iter().for_each(|i| i.plain(out)),
            Inline::Linebreak | Inline::Footnote { .. } => {}
        }
    }

    /// The last character of the run's text, if any.
    pub fn last_char(&self) -> Option<char> {
        match self {
            Inline::Text { text } | Inline::Code { text } => text.chars().last(),
            Inline::Emph { body }
            | Inline::Strong { body }
            | Inline::Strike { body }
            | Inline::Link { body, .. } => body.last().and_then(Inline::last_char),
            Inline::Linebreak | Inline::Footnote { .. } => None,
        }
    }
}

/// Calls `f` on every inline of the blocks, depth first in reading order
/// (footnote bodies after the footnote itself).
pub fn visit_inlines_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Inline)) {
    for b in blocks {
        match b {
            Block::Par { body } | Block::Heading { body, .. } => inlines_mut(body, f),
            Block::Quote { body } => visit_inlines_mut(body, f),
            Block::List { items, .. } => items.iter_mut().for_each(|i| visit_inlines_mut(i, f)),
            Block::Table(t) => {
                t.header.iter_mut().for_each(|c| inlines_mut(c, f));
                t.rows.iter_mut().flatten().for_each(|c| inlines_mut(c, f));
            }
            Block::CodeBlock { .. } | Block::Figure(_) | Block::Rule => {}
        }
    }
}

fn inlines_mut(inlines: &mut [Inline], f: &mut dyn FnMut(&mut Inline)) {
    for i in inlines {
        f(i);
        match i {
            Inline::Emph { body }
            | Inline::Strong { body }
            | Inline::Strike { body }
            | Inline::Link { body, .. } => inlines_mut(body, f),
            Inline::Footnote { body } => visit_inlines_mut(body, f),
            Inline::Text { .. } | Inline::Code { .. } | Inline::Linebreak => {}
        }
    }
}

/// Calls `f` on every figure of the blocks, in reading order.
pub fn visit_figures(blocks: &[Block], f: &mut dyn FnMut(&Figure)) {
    for b in blocks {
        match b {
            Block::Figure(fig) => f(fig),
            Block::Quote { body } => visit_figures(body, f),
            Block::List { items, .. } => items.iter().for_each(|i| visit_figures(i, f)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialise_with_their_names() {
        let blocks = vec![
            Block::CodeBlock { text: "x".into() },
            Block::Par {
                body: vec![Inline::Code { text: "y".into() }, Inline::Linebreak],
            },
            Block::Table(Table {
                columns: 1,
                align: vec![Align::Center],
                header: vec![vec![]],
                rows: vec![],
            }),
        ];
        let v = serde_json::to_value(&blocks).unwrap();
        assert_eq!(v[0]["kind"], "code-block");
        assert_eq!(v[1]["body"][0]["kind"], "code");
        assert_eq!(v[1]["body"][1]["kind"], "linebreak");
        assert_eq!(v[2]["kind"], "table");
        assert_eq!(v[2]["align"][0], "center");
    }

    /// Every kind listed in [`KINDS`] has a rule in the shared renderer, and
    /// every kind the renderer knows is listed.
    #[test]
    fn the_renderer_has_a_rule_for_every_kind() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/layouts/_folio/render.typ");
        let render = std::fs::read_to_string(path).expect("layouts/_folio/render.typ");
        for kind in KINDS {
            assert!(
                render.contains(&format!("k == \"{kind}\"")),
                "layouts/_folio/render.typ has no rule for the kind `{kind}`"
            );
        }
    }
}
