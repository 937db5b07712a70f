//! Markdown articles to the typed content tree ([`crate::pipeline::tree`]).
//!
//! The article is parsed with pulldown-cmark (CommonMark with tables,
//! footnotes and strikethrough); images are resolved against the article's
//! folder and confined to the issue folder. Nothing in the text is ever
//! evaluated.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use pulldown_cmark::{Alignment, Event, HeadingLevel, Options, Parser, Tag};

use crate::error::{Diag, Error, Location};
use crate::pipeline::model;
use crate::pipeline::text::{is_cjk, typeset_blocks};
use crate::pipeline::tree::{
    Align, Block, Figure, Inline, Table, lift_attributions, visit_inlines_mut,
};

/// How deeply Markdown elements (quotes, lists, emphasis, links, …) may
/// nest, counted as the editor sees them: a list inside a list is two
/// levels, a quote in a quote two. The layout walks the tree recursively
/// and Typst limits both its call depth and the depth of the JSON it reads,
/// so deeper text is refused here, at its line, with a clear message.
pub const MAX_NESTING: usize = 12;

/// The parser's own frames (a list level is a list and an item, a quote
/// holds a paragraph): a guard for what the count above does not see.
const MAX_FRAMES: usize = 2 * MAX_NESTING + 4;

/// Whether a tag is a level of nesting as the editor sees it.
fn is_level(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::BlockQuote(_)
            | Tag::List(_)
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::FootnoteDefinition(_)
    )
}

/// A node under construction: a finished inline or block, or one of the
/// parts that lists and tables are assembled from.
enum Node {
    Inline(Inline),
    Block(Block),
    Item(Vec<Block>),
    /// A table row's cells, and the photos found in them (placed after the
    /// table).
    Row(Vec<Vec<Inline>>, Vec<Block>),
    Cell(Vec<Inline>, Vec<Block>),
}

/// An element under construction.
struct Frame {
    tag: Option<Tag<'static>>,
    children: Vec<Node>,
    start: usize,
}

/// A converted article: its blocks and the real paths of the photos it
/// places, in reading order.
pub struct Article {
    pub blocks: Vec<Block>,
    pub photos: Vec<std::path::PathBuf>,
}

/// Converts one Markdown article, the file `path` inside the issue folder
/// `root` (images are resolved against the article's folder and confined to
/// `root`), into the typed content tree.
pub fn markdown(
    root: &Path,
    path: &Path,
    text: &Arc<str>,
    fw: bool,
    warnings: &mut Vec<Diag>,
) -> Result<Article, Error> {
    let dir = path.parent().unwrap_or(root);
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let mut stack = vec![Frame {
        tag: None,
        children: vec![],
        start: 0,
    }];
    let mut footnotes: HashMap<String, Vec<Block>> = HashMap::new();
    // Footnote calls in the text, in reading order: (label, source range).
    let mut calls: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    let mut photos = Vec::new();
    let mut pending_soft = false;
    let loc = |range: std::ops::Range<usize>| Location::in_shared(path, text, range);

    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                pending_soft = false;
                let levels = stack
                    .iter()
                    .filter_map(|f| f.tag.as_ref())
                    .filter(|t| is_level(t))
                    .count()
                    + usize::from(is_level(&tag));
                // The root frame does not count.
                if levels > MAX_NESTING || stack.len() > MAX_FRAMES {
                    return Err(Error::at(
                        loc(range.start..range.start + 1),
                        format!(
                            "the text is nested more than {MAX_NESTING} levels deep here (lists, quotes or emphasis inside each other)"
                        ),
                    )
                    .with_hint("a printed article needs only a few levels; remove the extra `>`, indentation or `*`"));
                }
                stack.push(Frame {
                    tag: Some(tag.into_static()),
                    children: vec![],
                    start: range.start,
                });
            }
            Event::End(_) => {
                pending_soft = false;
                let frame = stack.pop().expect("balanced events");
                let tag = frame.tag.expect("a started tag");
                let children = frame.children;
                let parent = &mut stack.last_mut().expect("a parent").children;
                match tag {
                    Tag::Paragraph | Tag::HtmlBlock => push_paragraph(parent, children),
                    Tag::Heading { level, .. } => {
                        let (body, lifted) = split_inlines(children);
                        parent.push(Node::Block(Block::Heading {
                            level: heading_level(level),
                            body,
                        }));
                        parent.extend(lifted.into_iter().map(Node::Block));
                    }
                    Tag::BlockQuote(_) => parent.push(Node::Block(Block::Quote {
                        body: blocks_of(children),
                    })),
                    Tag::CodeBlock(_) => {
                        let mut text = String::new();
                        for c in &children {
                            if let Node::Inline(i) = c {
                                i.plain(&mut text);
                            }
                        }
                        parent.push(Node::Block(Block::CodeBlock { text }));
                    }
                    Tag::List(start) => {
                        let items = children
                            .into_iter()
                            .filter_map(|c| match c {
                                Node::Item(blocks) => Some(blocks),
                                _ => None,
                            })
                            .collect();
                        parent.push(Node::Block(Block::List {
                            ordered: start.is_some(),
                            start: start.unwrap_or(1),
                            items,
                        }));
                    }
                    Tag::Item => parent.push(Node::Item(blocks_of(children))),
                    Tag::FootnoteDefinition(label) => {
                        footnotes.insert(label.to_string(), blocks_of(children));
                    }
                    Tag::Table(aligns) => {
                        let align: Vec<Align> = aligns.iter().map(align_of).collect();
                        let mut lifted = Vec::new();
                        let mut rows = children.into_iter().filter_map(|c| match c {
                            Node::Row(cells, blocks) => {
                                lifted.extend(blocks);
                                Some(cells)
                            }
                            _ => None,
                        });
                        let header = rows.next().unwrap_or_default();
                        let rows = rows.collect();
                        parent.push(Node::Block(Block::Table(Table {
                            columns: align.len(),
                            align,
                            header,
                            rows,
                        })));
                        parent.extend(lifted.into_iter().map(Node::Block));
                    }
                    Tag::TableHead | Tag::TableRow => {
                        let mut cells = Vec::new();
                        let mut lifted = Vec::new();
                        for c in children {
                            if let Node::Cell(inlines, blocks) = c {
                                cells.push(inlines);
                                lifted.extend(blocks);
                            }
                        }
                        parent.push(Node::Row(cells, lifted));
                    }
                    Tag::TableCell => {
                        let (inlines, blocks) = split_inlines(children);
                        parent.push(Node::Cell(inlines, blocks));
                    }
                    Tag::Emphasis => push_span(parent, children, |body| Inline::Emph { body }),
                    Tag::Strong => push_span(parent, children, |body| Inline::Strong { body }),
                    Tag::Strikethrough => {
                        push_span(parent, children, |body| Inline::Strike { body })
                    }
                    Tag::Link { dest_url, .. } if is_safe_link(&dest_url) => {
                        let url = dest_url.to_string();
                        push_span(parent, children, |body| Inline::Link { url, body });
                    }
                    Tag::Link { dest_url, .. } => {
                        // A `javascript:` or `file:` link could make a PDF
                        // viewer run or open something: keep only the text.
                        warnings.push(Diag::warning(
                            Some(loc(frame.start..range.end)),
                            format!("the link `{dest_url}` is not a web or mail address; its text is printed without the link"),
                        ));
                        parent.extend(children);
                    }
                    Tag::Image {
                        dest_url, title, ..
                    } => {
                        let mut alt = String::new();
                        for c in &children {
                            if let Node::Inline(i) = c {
                                i.plain(&mut alt);
                            }
                        }
                        let caption = if title.is_empty() {
                            alt
                        } else {
                            title.to_string()
                        };
                        let url = dest_url.to_string();
                        if url.contains("://") {
                            return Err(Error::at(
                                loc(frame.start..range.end),
                                format!(
                                    "the image `{url}` is a web address; folio reads photos only from the issue folder"
                                ),
                            ));
                        }
                        let canonical =
                            model::confine(root, dir, &url, "image").map_err(|(msg, hint)| {
                                let e = Error::at(loc(frame.start..range.end), msg);
                                match hint {
                                    Some(h) => e.with_hint(h),
                                    None => e,
                                }
                            })?;
                        let (src, w, h, note) = model::check_photo(root, &canonical)
                            .map_err(|msg| Error::at(loc(frame.start..range.end), msg))?;
                        if let Some(note) = note {
                            warnings.push(Diag::info(Some(loc(frame.start..range.end)), note));
                        }
                        parent.push(Node::Block(Block::Figure(Figure {
                            src,
                            caption: (!caption.is_empty()).then_some(caption),
                            width: w,
                            height: h,
                        })));
                        photos.push(canonical);
                    }
                    _ => parent.extend(children),
                }
            }
            Event::Text(s) => {
                // Typeset with the whole paragraph at the end.
                push_text(
                    &mut stack.last_mut().expect("a frame").children,
                    &s,
                    &mut pending_soft,
                );
            }
            Event::Code(s) => stack
                .last_mut()
                .expect("a frame")
                .children
                .push(Node::Inline(Inline::Code {
                    text: s.to_string(),
                })),
            Event::InlineMath(s)
            | Event::DisplayMath(s)
            // HTML is shown as the characters the author typed.
            | Event::Html(s)
            | Event::InlineHtml(s) => push_text(
                &mut stack.last_mut().expect("a frame").children,
                &s,
                &mut pending_soft,
            ),
            Event::FootnoteReference(label) => {
                let in_definition = stack
                    .iter()
                    .any(|f| matches!(f.tag, Some(Tag::FootnoteDefinition(_))));
                let children = &mut stack.last_mut().expect("a frame").children;
                if in_definition {
                    // A footnote inside a footnote is printed as typed.
                    push_text(children, &format!("[^{label}]"), &mut pending_soft);
                } else {
                    calls.push((label.to_string(), range.clone()));
                    children.push(Node::Inline(Inline::Footnote { body: vec![] }));
                }
            }
            Event::SoftBreak => pending_soft = true,
            Event::HardBreak => stack
                .last_mut()
                .expect("a frame")
                .children
                .push(Node::Inline(Inline::Linebreak)),
            Event::Rule => stack
                .last_mut()
                .expect("a frame")
                .children
                .push(Node::Block(Block::Rule)),
            Event::TaskListMarker(done) => {
                let mark = if done { "☑ " } else { "☐ " };
                push_text(
                    &mut stack.last_mut().expect("a frame").children,
                    mark,
                    &mut pending_soft,
                );
            }
        }
    }
    let mut blocks = blocks_of(stack.pop().map(|f| f.children).unwrap_or_default());
    // Each footnote call gets its definition's text, in reading order.
    let mut calls = calls.into_iter();
    visit_inlines_mut(&mut blocks, &mut |inline| {
        if let Inline::Footnote { body } = inline
            && body.is_empty()
            && let Some((label, range)) = calls.next()
        {
            match footnotes.get(&label) {
                Some(def) => *body = def.clone(),
                None => {
                    warnings.push(Diag::warning(
                        Some(loc(range)),
                        format!(
                            "the footnote [^{label}] has no definition; it is printed as typed"
                        ),
                    ));
                    *inline = Inline::Text {
                        text: format!("[^{label}]"),
                    };
                }
            }
        }
    });
    typeset_blocks(&mut blocks, fw);
    lift_attributions(&mut blocks);
    if blocks.is_empty() {
        warnings.push(
            Diag::warning(
                Some(Location::file(path)),
                "the article is empty: only its title is printed",
            )
            .with_hint("write its text into the file, or remove the article from issue.toml"),
        );
    }
    Ok(Article { blocks, photos })
}

/// Whether a link may go into the PDF: web and mail addresses, telephone
/// numbers, and links within the document.
pub fn is_safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:", "tel:", "#"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Appends text, joining a soft line break as the script asks: nothing
/// between two CJK characters, a space otherwise.
fn push_text(children: &mut Vec<Node>, s: &str, pending_soft: &mut bool) {
    let mut s = s.to_string();
    if std::mem::take(pending_soft) {
        let before = match children.last() {
            Some(Node::Inline(i)) => i.last_char(),
            _ => None,
        };
        let after = s.chars().next();
        let joined = matches!((before, after), (Some(a), Some(b)) if is_cjk(a) && is_cjk(b));
        if before.is_some() && s.starts_with("--") && !s.starts_with("---") {
            // `-- 名字` on a line of its own (an attribution in a quote):
            // it keeps its line.
            children.push(Node::Inline(Inline::Linebreak));
        } else if !joined && before.is_some() {
            s.insert(0, ' ');
        }
    }
    // Append in place: copying the text so far at every event would make a
    // long paragraph of many small events quadratic.
    if let Some(Node::Inline(Inline::Text { text })) = children.last_mut() {
        text.push_str(&s);
        return;
    }
    children.push(Node::Inline(Inline::Text { text: s }));
}

/// Wraps inline children in a span (emphasis, link, …); blocks found inside
/// (an image in a link) follow the span.
fn push_span(
    parent: &mut Vec<Node>,
    children: Vec<Node>,
    make: impl FnOnce(Vec<Inline>) -> Inline,
) {
    let (body, lifted) = split_inlines(children);
    parent.push(Node::Inline(make(body)));
    parent.extend(lifted.into_iter().map(Node::Block));
}

/// Separates inline children from blocks (images lifted out of the text).
fn split_inlines(children: Vec<Node>) -> (Vec<Inline>, Vec<Block>) {
    let mut inlines = Vec::new();
    let mut blocks = Vec::new();
    for c in children {
        match c {
            Node::Inline(i) => inlines.push(i),
            Node::Block(b) => blocks.push(b),
            Node::Item(items) => blocks.extend(items),
            Node::Row(_, lifted) | Node::Cell(_, lifted) => blocks.extend(lifted),
        }
    }
    (inlines, blocks)
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn align_of(a: &Alignment) -> Align {
    match a {
        Alignment::None => Align::Auto,
        Alignment::Left => Align::Left,
        Alignment::Center => Align::Center,
        Alignment::Right => Align::Right,
    }
}

/// Wraps runs of inline nodes into paragraphs (tight list items hold inline
/// content directly).
fn blocks_of(children: Vec<Node>) -> Vec<Block> {
    let mut out = Vec::new();
    push_paragraph_blocks(&mut out, children);
    out
}

/// Adds a paragraph, lifting images and other blocks out of it.
fn push_paragraph(out: &mut Vec<Node>, children: Vec<Node>) {
    let mut blocks = Vec::new();
    push_paragraph_blocks(&mut blocks, children);
    out.extend(blocks.into_iter().map(Node::Block));
}

fn push_paragraph_blocks(out: &mut Vec<Block>, children: Vec<Node>) {
    let mut run = Vec::new();
    for node in children {
        match node {
            Node::Inline(i) => run.push(i),
            Node::Block(b) => {
                flush_par(out, std::mem::take(&mut run));
                out.push(b);
            }
            Node::Item(items) | Node::Row(_, items) | Node::Cell(_, items) => {
                flush_par(out, std::mem::take(&mut run));
                out.extend(items);
            }
        }
    }
    flush_par(out, run);
}

fn flush_par(out: &mut Vec<Block>, mut run: Vec<Inline>) {
    // Trim whitespace left at the edges by lifted figures.
    if let Some(Inline::Text { text }) = run.first_mut() {
        *text = text.trim_start().to_string();
    }
    if let Some(Inline::Text { text }) = run.last_mut() {
        *text = text.trim_end().to_string();
    }
    run.retain(|n| !matches!(n, Inline::Text { text } if text.is_empty()));
    if !run.is_empty() {
        out.push(Block::Par { body: run });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_break_between_han_is_no_space() {
        let mut children = vec![];
        let mut soft = false;
        push_text(&mut children, "网点服务竞争力提升", &mut soft);
        soft = true;
        push_text(&mut children, "培训", &mut soft);
        soft = true;
        push_text(&mut children, "word", &mut soft);
        match &children[0] {
            Node::Inline(Inline::Text { text }) => {
                assert_eq!(text, "网点服务竞争力提升培训 word")
            }
            _ => panic!("one text node"),
        }
    }

    fn convert(md: &str) -> Vec<Block> {
        let text: Arc<str> = md.into();
        let mut warnings = Vec::new();
        markdown(
            Path::new("/r"),
            Path::new("/r/a.md"),
            &text,
            true,
            &mut warnings,
        )
        .expect("converts")
        .blocks
    }

    #[test]
    fn a_fenced_code_block_is_a_block() {
        let blocks = convert("文字\n\n```\nlet x = 1;\n```\n");
        assert_eq!(
            blocks[1],
            Block::CodeBlock {
                text: "let x = 1;\n".into()
            }
        );
        assert!(matches!(&blocks[0], Block::Par { .. }));
    }

    #[test]
    fn footnotes_are_filled_in_reading_order() {
        let blocks = convert("甲[^b]乙[^a]丙[^x]\n\n[^a]: 注一\n[^b]: 注二\n");
        let Block::Par { body } = &blocks[0] else {
            panic!("a paragraph")
        };
        let notes: Vec<String> = body
            .iter()
            .filter_map(|i| match i {
                Inline::Footnote { body } => {
                    let mut s = String::new();
                    if let Some(Block::Par { body }) = body.first() {
                        body.iter().for_each(|i| i.plain(&mut s));
                    }
                    Some(s)
                }
                _ => None,
            })
            .collect();
        assert_eq!(notes, vec!["注二", "注一"]);
        assert!(
            body.iter()
                .any(|i| matches!(i, Inline::Text { text } if text.contains("[^x]")))
        );
    }

    #[test]
    fn an_attribution_is_a_block_of_its_own() {
        let blocks =
            convert("> 数字化不是把窗口搬到手机上。\n\n-- 市数据管理局工作人员\n\n正文。\n");
        assert!(matches!(&blocks[0], Block::Quote { .. }));
        assert_eq!(
            blocks[1],
            Block::Attribution {
                body: vec![Inline::Text {
                    text: "——市数据管理局工作人员".into()
                }]
            }
        );
        assert!(matches!(&blocks[2], Block::Par { .. }));
        // On the quote's own last line.
        let blocks = convert("> 路漫漫其修远兮\n> -- 屈原\n");
        assert_eq!(blocks.len(), 2, "{blocks:?}");
        let Block::Quote { body } = &blocks[0] else {
            panic!("a quote")
        };
        assert_eq!(
            body,
            &vec![Block::Par {
                body: vec![Inline::Text {
                    text: "路漫漫其修远兮".into()
                }]
            }]
        );
        assert!(matches!(&blocks[1], Block::Attribution { .. }));
    }
}
