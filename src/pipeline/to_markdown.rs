//! The typed content tree written back as Markdown, for `folio convert`:
//! an editor who receives a Word file can go on in Markdown, and the
//! Markdown reader ([`crate::pipeline::markdown`]) gives the same tree back.

use crate::pipeline::tree::{Block, Inline};

/// Writes the blocks as Markdown; `photo` gives the file name written for
/// a figure's `src`.
pub fn to_markdown(blocks: &[Block], photo: &dyn Fn(&str) -> String) -> String {
    let mut w = Writer {
        photo,
        notes: Vec::new(),
    };
    let mut out = w.blocks(blocks);
    let mut i = 0;
    while i < w.notes.len() {
        let body = w.notes[i].clone();
        let text = w.blocks(&body);
        out.push_str(&format!("[^{}]: ", i + 1));
        out.push_str(&indent(text.trim_end(), "    ", false));
        out.push_str("\n\n");
        i += 1;
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

struct Writer<'a> {
    photo: &'a dyn Fn(&str) -> String,
    notes: Vec<Vec<Block>>,
}

/// Indents every line but (unless `first`) the first.
fn indent(text: &str, pad: &str, first: bool) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if (i > 0 || first) && !line.is_empty() {
            out.push_str(pad);
        }
        out.push_str(line);
    }
    out
}

impl Writer<'_> {
    fn blocks(&mut self, blocks: &[Block]) -> String {
        let mut out = String::new();
        for b in blocks {
            out.push_str(&self.block(b));
            out.push_str("\n\n");
        }
        out
    }

    fn block(&mut self, b: &Block) -> String {
        match b {
            Block::Par { body } | Block::Attribution { body } => self.inlines(body, true),
            Block::Heading { level, body } => {
                format!(
                    "{} {}",
                    "#".repeat((*level).clamp(1, 6) as usize),
                    self.inlines(body, false)
                )
            }
            Block::Quote { body } => {
                let inner = self.blocks(body);
                inner
                    .trim_end()
                    .split('\n')
                    .map(|l| {
                        if l.is_empty() {
                            ">".to_string()
                        } else {
                            format!("> {l}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            Block::CodeBlock { text } => {
                let mut fence = "```".to_string();
                while text.contains(&fence) {
                    fence.push('`');
                }
                format!("{fence}\n{}\n{fence}", text.trim_end_matches('\n'))
            }
            Block::List {
                ordered,
                start,
                items,
            } => {
                let mut out = String::new();
                for (n, item) in items.iter().enumerate() {
                    let marker = if *ordered {
                        format!("{}. ", start + n as u64)
                    } else {
                        "- ".to_string()
                    };
                    let pad = " ".repeat(marker.len());
                    let mut text = String::new();
                    for (k, b) in item.iter().enumerate() {
                        if k > 0 {
                            // A nested list follows its paragraph directly.
                            text.push_str(if matches!(b, Block::List { .. }) {
                                "\n"
                            } else {
                                "\n\n"
                            });
                        }
                        text.push_str(&self.block(b));
                    }
                    if n > 0 {
                        out.push('\n');
                    }
                    out.push_str(&marker);
                    out.push_str(&indent(&text, &pad, false));
                }
                out
            }
            Block::Figure(f) => {
                let alt = f.caption.as_deref().map(escape_alt).unwrap_or_default();
                format!("![{alt}]({})", (self.photo)(&f.src))
            }
            Block::Table(t) => {
                // A line break inside a cell has no Markdown form: a space.
                let cell = |w: &mut Self, c: &[Inline]| {
                    w.inlines(c, false).replace("\\\n", " ").replace('\n', " ")
                };
                let mut out = String::new();
                let header: Vec<String> = t.header.iter().map(|c| cell(self, c)).collect();
                out.push_str(&format!("| {} |\n", header.join(" | ")));
                out.push_str(&format!("|{}\n", " --- |".repeat(t.columns.max(1))));
                for row in &t.rows {
                    let cells: Vec<String> = row.iter().map(|c| cell(self, c)).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.trim_end().to_string()
            }
            Block::Rule => "* * *".to_string(),
        }
    }

    /// Inline text; `par` when it starts a paragraph (its first characters
    /// must not read as a list, heading or quote marker).
    fn inlines(&mut self, inlines: &[Inline], par: bool) -> String {
        let mut out = String::new();
        for i in inlines {
            self.inline(i, &mut out);
        }
        if par { escape_line_start(&out) } else { out }
    }

    fn inline(&mut self, i: &Inline, out: &mut String) {
        match i {
            Inline::Text { text } => out.push_str(&escape(text)),
            Inline::Emph { body } => self.span(body, "*", out),
            Inline::Strong { body } => self.span(body, "**", out),
            Inline::Strike { body } => self.span(body, "~~", out),
            Inline::Code { text } => {
                let mut ticks = "`".to_string();
                while text.contains(&ticks) {
                    ticks.push('`');
                }
                let pad = if text.starts_with('`') || text.ends_with('`') {
                    " "
                } else {
                    ""
                };
                out.push_str(&format!("{ticks}{pad}{text}{pad}{ticks}"));
            }
            Inline::Link { url, body } => {
                let mut inner = String::new();
                for b in body {
                    self.inline(b, &mut inner);
                }
                let url = if url.contains([' ', '(', ')', '<', '>']) {
                    format!("<{}>", url.replace('<', "%3C").replace('>', "%3E"))
                } else {
                    url.clone()
                };
                out.push_str(&format!("[{inner}]({url})"));
            }
            Inline::Linebreak => out.push_str("\\\n"),
            Inline::Footnote { body } => {
                self.notes.push(body.clone());
                out.push_str(&format!("[^{}]", self.notes.len()));
            }
        }
    }

    /// Emphasis, strong or strike: punctuation at its ends is moved outside
    /// when it would keep the delimiter from opening or closing (CommonMark's
    /// flanking rules, which `*“…”*` between Chinese characters breaks).
    fn span(&mut self, body: &[Inline], delim: &str, out: &mut String) {
        let mut inner = String::new();
        for b in body {
            self.inline(b, &mut inner);
        }
        if inner.trim().is_empty() {
            out.push_str(&inner);
            return;
        }
        let is_punct =
            |c: char| c.is_ascii_punctuation() || (!c.is_alphanumeric() && !c.is_whitespace());
        let lead: String = inner
            .chars()
            .take_while(|c| is_punct(*c) && *c != '\\')
            .collect();
        let rest = &inner[lead.len()..];
        let mut trail_start = rest.len();
        for (i, c) in rest.char_indices().rev() {
            if is_punct(c) && c != '\\' && !rest[..i].ends_with('\\') {
                trail_start = i;
            } else {
                break;
            }
        }
        let (core, trail) = rest.split_at(trail_start);
        if core.is_empty()
            || core.starts_with(char::is_whitespace)
            || core.ends_with(char::is_whitespace)
        {
            out.push_str(&inner);
            return;
        }
        out.push_str(&lead);
        out.push_str(delim);
        out.push_str(core);
        out.push_str(delim);
        out.push_str(trail);
    }
}

/// Backslash-escapes the characters that would be read as Markdown.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn escape_alt(s: &str) -> String {
    escape(s)
}

/// Escapes what would make a paragraph's first line a heading, list,
/// quote, rule or code block.
fn escape_line_start(s: &str) -> String {
    let mut out = String::new();
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        let lead = &line[..line.len() - trimmed.len()];
        out.push_str(lead);
        let first = trimmed.chars().next();
        match first {
            Some('#' | '+' | '-' | '=') => {
                out.push('\\');
                out.push_str(trimmed);
            }
            Some(c) if c.is_ascii_digit() => {
                let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
                let after = trimmed[digits..].chars().next();
                if matches!(after, Some('.' | ')')) {
                    out.push_str(&trimmed[..digits]);
                    out.push('\\');
                    out.push_str(&trimmed[digits..]);
                } else {
                    out.push_str(trimmed);
                }
            }
            _ => out.push_str(trimmed),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Inline {
        Inline::Text { text: s.into() }
    }

    #[test]
    fn escapes_what_markdown_would_read() {
        let md = to_markdown(
            &[Block::Par {
                body: vec![t("1. 第一 *星* [注] a_b")],
            }],
            &|s| s.to_string(),
        );
        assert_eq!(md, "1\\. 第一 \\*星\\* \\[注\\] a\\_b\n");
    }

    #[test]
    fn emphasis_keeps_quotes_outside() {
        let md = to_markdown(
            &[Block::Par {
                body: vec![
                    t("开展"),
                    Inline::Strong {
                        body: vec![t("“反诈我在行”")],
                    },
                    t("活动"),
                ],
            }],
            &|s| s.to_string(),
        );
        assert_eq!(md, "开展“**反诈我在行**”活动\n");
    }

    #[test]
    fn lists_nest_and_notes_follow() {
        let md = to_markdown(
            &[Block::List {
                ordered: true,
                start: 1,
                items: vec![
                    vec![
                        Block::Par {
                            body: vec![
                                t("甲"),
                                Inline::Footnote {
                                    body: vec![Block::Par {
                                        body: vec![t("注")],
                                    }],
                                },
                            ],
                        },
                        Block::List {
                            ordered: false,
                            start: 1,
                            items: vec![vec![Block::Par {
                                body: vec![t("乙")],
                            }]],
                        },
                    ],
                    vec![Block::Par {
                        body: vec![t("丙")],
                    }],
                ],
            }],
            &|s| s.to_string(),
        );
        assert_eq!(md, "1. 甲[^1]\n   - 乙\n2. 丙\n\n[^1]: 注\n");
    }
}
