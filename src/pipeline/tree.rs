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
    /// The source of a quotation, on its own line after it (`-- 名字`,
    /// `——名字`): its text begins with the 破折号 `——`.
    Attribution { body: Vec<Inline> },
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
    "attribution",
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
            Block::Par { body } | Block::Heading { body, .. } | Block::Attribution { body } => {
                inlines_mut(body, f)
            }
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

/// The longest attribution, in characters after its dash: a name, a title
/// and a work fit; a longer line is a sentence that begins with a dash.
const ATTRIBUTION_MAX: usize = 40;

/// The dashes an attribution may be typed with.
fn is_attribution_dash(c: char) -> bool {
    matches!(c, '-' | '—' | '―' | '–' | '－')
}

/// If `inlines` read as an attribution (a dash, then a short name with no
/// sentence in it), returns them with the dash set as the 破折号 `——`.
fn as_attribution(inlines: &[Inline]) -> Option<Vec<Inline>> {
    let Some(Inline::Text { text }) = inlines.first() else {
        return None;
    };
    if inlines.iter().any(|i| {
        matches!(
            i,
            Inline::Linebreak | Inline::Footnote { .. } | Inline::Code { .. }
        )
    }) {
        return None;
    }
    let t = text.trim_start();
    let dashes = t.chars().take_while(|c| is_attribution_dash(*c)).count();
    // `-` alone is a list marker's look; `---` a rule's.
    let ascii = t.starts_with('-');
    if dashes == 0 || (ascii && dashes != 2) || dashes > 2 {
        return None;
    }
    let rest: String = t.chars().skip(dashes).collect();
    let rest = rest.trim_start();
    let mut whole = rest.to_string();
    inlines[1..].iter().for_each(|i| i.plain(&mut whole));
    let len = whole.trim().chars().count();
    let sentence = whole
        .trim_end()
        .trim_end_matches(['。', '！', '？', '.', '!', '?'])
        .contains(['。', '！', '？', '；']);
    let named = whole.chars().next().is_some_and(char::is_alphanumeric);
    if !named || len == 0 || len > ATTRIBUTION_MAX || sentence {
        return None;
    }
    let mut out = inlines.to_vec();
    out[0] = Inline::Text {
        text: format!("——{rest}"),
    };
    Some(out)
}

/// Whether a block ends with a quotation: a block quote, or a paragraph
/// whose text closes a quotation mark (“……” as Word writes it).
fn ends_a_quotation(b: &Block) -> bool {
    match b {
        Block::Quote { .. } => true,
        Block::Par { body } => body
            .last()
            .and_then(Inline::last_char)
            .is_some_and(|c| matches!(c, '”' | '」' | '』' | '"')),
        _ => false,
    }
}

/// Sets apart the attribution of each quotation: a short line that begins
/// with a dash (`-- 名字`, `——名字`), typed as the last line of a block
/// quote or as the paragraph after a quotation, becomes an
/// [`Block::Attribution`] after the quotation. Runs after the text passes
/// (which set `-- 名字` as `——名字`).
pub fn lift_attributions(blocks: &mut Vec<Block>) {
    let old = std::mem::take(blocks);
    for mut b in old {
        match &mut b {
            Block::Quote { body } => {
                lift_attributions(body);
                let mut lifted = None;
                // `> -- 名字` as the quote's last paragraph.
                if let Some(Block::Attribution { .. }) = body.last() {
                    lifted = body.pop();
                } else if body.len() > 1
                    && let Some(Block::Par { body: last }) = body.last()
                    && let Some(attr) = as_attribution(last)
                {
                    body.pop();
                    lifted = Some(Block::Attribution { body: attr });
                } else if let Some(Block::Par { body: last }) = body.last_mut()
                    && let Some(k) = last.iter().rposition(|i| matches!(i, Inline::Linebreak))
                    && let Some(attr) = as_attribution(&last[k + 1..])
                {
                    // `> 引文` / `> -- 名字`: its last line.
                    last.truncate(k);
                    lifted = Some(Block::Attribution { body: attr });
                }
                blocks.push(b);
                blocks.extend(lifted);
                continue;
            }
            Block::Par { body } if blocks.last().is_some_and(ends_a_quotation) => {
                if let Some(attr) = as_attribution(body) {
                    blocks.push(Block::Attribution { body: attr });
                    continue;
                }
            }
            Block::List { items, .. } => items.iter_mut().for_each(lift_attributions),
            _ => {}
        }
        blocks.push(b);
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

    fn par(t: &str) -> Block {
        Block::Par {
            body: vec![Inline::Text { text: t.into() }],
        }
    }

    fn quote(t: &str) -> Block {
        Block::Quote { body: vec![par(t)] }
    }

    fn attribution(t: &str) -> Block {
        Block::Attribution {
            body: vec![Inline::Text { text: t.into() }],
        }
    }

    #[test]
    fn an_attribution_after_a_quote_is_set_apart() {
        // The paragraph after a block quote.
        let mut b = vec![quote("引文。"), par("——鲁迅"), par("正文。")];
        lift_attributions(&mut b);
        assert_eq!(
            b,
            vec![quote("引文。"), attribution("——鲁迅"), par("正文。")]
        );
        // Typed with ASCII hyphens (the text passes were off).
        let mut b = vec![quote("引文。"), par("-- 参赛者 王同学")];
        lift_attributions(&mut b);
        assert_eq!(b[1], attribution("——参赛者 王同学"));
        // The last line of the quote itself.
        let mut b = vec![Block::Quote {
            body: vec![Block::Par {
                body: vec![
                    Inline::Text {
                        text: "路漫漫其修远兮".into(),
                    },
                    Inline::Linebreak,
                    Inline::Text {
                        text: "——屈原".into(),
                    },
                ],
            }],
        }];
        lift_attributions(&mut b);
        assert_eq!(b, vec![quote("路漫漫其修远兮"), attribution("——屈原")]);
        // After a quotation in quotation marks (as Word writes it).
        let mut b = vec![par("他说：“服务无小事。”"), par("——行长 张三")];
        lift_attributions(&mut b);
        assert_eq!(b[1], attribution("——行长 张三"));
    }

    #[test]
    fn a_dash_that_starts_a_sentence_is_no_attribution() {
        // Not after a quotation.
        let mut b = vec![par("正文。"), par("——鲁迅")];
        lift_attributions(&mut b);
        assert_eq!(b[1], par("——鲁迅"));
        // A sentence, not a name.
        let long = "——这正是服务的意义所在。我们坚持以客户为中心。";
        let mut b = vec![quote("引文。"), par(long)];
        lift_attributions(&mut b);
        assert_eq!(b[1], par(long));
        // A list marker or a rule's look.
        for t in ["- 名字", "--- 名字", "——"] {
            let mut b = vec![quote("引文。"), par(t)];
            lift_attributions(&mut b);
            assert_eq!(b[1], par(t), "{t}");
        }
    }
}
