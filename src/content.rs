//! Stage 3: content conversion.
//!
//! Markdown articles become a tree of plain values (paragraphs, headings,
//! emphasis, lists, quotes, figures, tables, footnotes) that the layout walks
//! and turns into Typst content. Article text is therefore data: it is never
//! parsed as Typst markup, so nothing in an article can run code or read a
//! file. The whole issue, checked model plus converted bodies, is serialised
//! as one JSON document that the layout reads.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag};
use serde_json::{Value, json};

use crate::error::{Diag, Error, Location};
use crate::model::{self, Body, Issue, Photo, PieceKind};

/// The converted issue: the layout's data and the warnings found on the way.
pub struct Converted {
    pub data: Value,
    pub warnings: Vec<Diag>,
}

/// Converts the checked issue into the layout's data.
pub fn convert(issue: &Issue) -> Result<Converted, Error> {
    let mut warnings = Vec::new();
    let fw = issue.fullwidth_punctuation;
    let t = |s: &str| typeset_text(s, fw);
    let opt = |s: &Option<String>| s.as_deref().map(|s| typeset_text(s, fw));
    let photo = |p: &Photo| {
        json!({
            "src": p.src,
            "caption": opt(&p.caption),
            "width": p.width,
            "height": p.height,
        })
    };

    let mut sections = Vec::new();
    for s in &issue.sections {
        let mut pieces = Vec::new();
        for p in &s.pieces {
            let mut v = json!({
                "id": p.id,
                "title": t(&p.title),
                "toc_title": opt(&p.toc_title).unwrap_or_else(|| t(&p.title)),
                "kicker": opt(&p.kicker),
                "author": p.author,
                "unit": p.unit,
                "signature": p.signature,
                "toc": p.toc,
                "columns": p.columns,
                "lead": p.lead.as_ref().map(photo),
                "lead_size": p.lead_size,
                "figures": p.figures.iter().map(photo).collect::<Vec<_>>(),
            });
            let obj = v.as_object_mut().expect("an object");
            match &p.kind {
                PieceKind::Article {
                    body: Body::Markdown { path, text },
                } => {
                    let blocks = markdown(
                        &issue.root,
                        path,
                        text,
                        issue.fullwidth_punctuation,
                        &mut warnings,
                    )?;
                    obj.insert("kind".into(), "article".into());
                    obj.insert("body".into(), Value::Array(blocks));
                    obj.insert("typst".into(), Value::Null);
                }
                PieceKind::Article {
                    body: Body::Typst { vpath, .. },
                } => {
                    obj.insert("kind".into(), "article".into());
                    obj.insert("body".into(), Value::Null);
                    obj.insert("typst".into(), vpath.clone().into());
                }
                PieceKind::Gallery { photos } => {
                    obj.insert("kind".into(), "gallery".into());
                    obj.insert("photos".into(), photos.iter().map(photo).collect());
                }
            }
            pieces.push(v);
        }
        sections.push(json!({
            "number": s.number,
            "title": t(&s.title),
            "english": s.english,
            "divider": s.divider,
            "pieces": pieces,
        }));
    }

    let b = &issue.back_cover;
    let data = json!({
        "issue": {
            "magazine": issue.meta.magazine,
            "subtitle": t(&issue.meta.subtitle),
            "number": issue.meta.number,
            "date": issue.meta.date,
            "publisher": t(&issue.meta.publisher),
            "language": issue.meta.language,
            "region": issue.meta.region,
        },
        "cover": {
            "masthead": issue.cover.masthead,
            "slogans": issue.cover.slogans.iter().map(|s| t(s)).collect::<Vec<_>>(),
            "photo": issue.cover.photo.as_ref().map(photo),
        },
        "contents": issue.contents,
        "design": issue.design,
        "print": {
            "bleed_mm": issue.print.bleed_mm,
            "binding": issue.print.binding,
            "marks": issue.print.marks,
            "pdfx": issue.print.pdfx,
            "slug": format!("{} {} · {}-{:02}-{:02}", issue.meta.magazine, issue.meta.number,
                issue.meta.date.year, issue.meta.date.month, issue.meta.date.day),
        },
        "sections": sections,
        "back_cover": {
            "closing": opt(&b.closing),
            "publisher": opt(&b.publisher),
            "call": opt(&b.call),
            "contact": opt(&b.contact),
            "colophon": b.colophon.iter().map(|s| t(s)).collect::<Vec<_>>(),
        },
    });
    let mut data = data;
    drop_control_chars(&mut data);
    Ok(Converted { data, warnings })
}

/// Whether a character is dropped from the text: the control characters
/// (U+0000–U+001F and U+007F–U+009F) other than tab and line feed. Text
/// pasted from Word or WeChat carries them (vertical tabs, form feeds,
/// bells); they have no printed form.
pub fn is_dropped(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
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

/// Whether a character belongs to CJK text, so that no space separates it
/// from its neighbour when a line is broken in the source.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{2FDF}'   // radicals
        | '\u{3000}'..='\u{303F}' // CJK punctuation
        | '\u{3040}'..='\u{30FF}' // kana
        | '\u{3100}'..='\u{31BF}' // bopomofo
        | '\u{3400}'..='\u{4DBF}' // extension A
        | '\u{4E00}'..='\u{9FFF}' // unified ideographs
        | '\u{F900}'..='\u{FAFF}' // compatibility ideographs
        | '\u{FE30}'..='\u{FE4F}' // compatibility forms
        | '\u{FF00}'..='\u{FFEF}' // full-width forms
        | '\u{20000}'..='\u{3FFFF}'
        | '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

fn is_han_or_cjk_punct(c: char) -> bool {
    is_cjk(c) && !matches!(c, '‘' | '’')
}

/// Applies the typographic clean-up that editors expect of pasted text:
/// half-width `,;:!?()` typed between Chinese characters become their
/// full-width forms (with the spaces around them dropped), when `fullwidth`
/// is on. Everything else is kept as it is.
pub fn typeset_text(s: &str, fullwidth: bool) -> String {
    if !fullwidth || !s.contains([',', ';', ':', '!', '?', '(', ')']) {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let prev_sig = |i: usize| chars[..i].iter().rev().find(|c| **c != ' ').copied();
    let next_sig = |i: usize| chars[i + 1..].iter().find(|c| **c != ' ').copied();
    let cjk = |c: Option<char>| c.is_some_and(is_han_or_cjk_punct);
    let mut out = String::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let full = match c {
            // Between Chinese text on either side (`98.6%,按照`, `App,然后`).
            ',' | ';' | ':' | '!' | '?' if cjk(prev_sig(i)) || cjk(next_sig(i)) => {
                // Keep "3:4" and "1,000" as they are.
                let digits = prev_sig(i).is_some_and(|p| p.is_ascii_digit())
                    && next_sig(i).is_some_and(|n| n.is_ascii_digit());
                (!digits).then(|| fullwidth_of(c))
            }
            '(' if cjk(prev_sig(i)) || cjk(next_sig(i)) => Some('（'),
            ')' if cjk(prev_sig(i)) || cjk(next_sig(i)) => Some('）'),
            _ => None,
        };
        match full {
            Some(f) => {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push(f);
                i += 1;
                while i < chars.len() && chars[i] == ' ' {
                    i += 1;
                }
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn fullwidth_of(c: char) -> char {
    match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '!' => '！',
        '?' => '？',
        other => other,
    }
}

/// How deeply Markdown elements (quotes, lists, emphasis, links, …) may
/// nest. The layout walks the tree recursively and Typst limits both its
/// call depth and the depth of the JSON it reads, so deeper text is refused
/// here, at its line, with a clear message.
pub const MAX_NESTING: usize = 24;

/// A node under construction.
struct Frame {
    tag: Option<Tag<'static>>,
    children: Vec<Value>,
    start: usize,
}

/// Converts one Markdown article, the file `path` inside the issue folder
/// `root` (images are resolved against the article's folder and confined to
/// `root`), into the layout's blocks.
pub fn markdown(
    root: &Path,
    path: &Path,
    text: &Arc<str>,
    fw: bool,
    warnings: &mut Vec<Diag>,
) -> Result<Vec<Value>, Error> {
    let dir = path.parent().unwrap_or(root);
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let mut stack = vec![Frame {
        tag: None,
        children: vec![],
        start: 0,
    }];
    let mut footnotes: HashMap<String, Vec<Value>> = HashMap::new();
    let mut pending_soft = false;
    let loc = |range: std::ops::Range<usize>| Location::in_shared(path, text, range);

    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                pending_soft = false;
                // The root frame does not count.
                if stack.len() > MAX_NESTING {
                    return Err(Error::at(
                        loc(range.start..range.start + 1),
                        format!(
                            "the text is nested more than {MAX_NESTING} levels deep here (quotes, lists or emphasis inside each other)"
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
            Event::End(end) => {
                pending_soft = false;
                let frame = stack.pop().expect("balanced events");
                let tag = frame.tag.expect("a started tag");
                let children = frame.children;
                let parent = &mut stack.last_mut().expect("a parent").children;
                match (tag, end) {
                    (Tag::Paragraph, _) => push_paragraph(parent, children),
                    (Tag::Heading { level, .. }, _) => {
                        parent.push(json!({"kind": "heading", "level": heading_level(level), "body": children}));
                    }
                    (Tag::BlockQuote(_), _) => {
                        parent.push(json!({"kind": "quote", "body": blocks_of(children)}));
                    }
                    (Tag::CodeBlock(_), _) => {
                        let text: String =
                            children.iter().filter_map(|c| c["text"].as_str()).collect();
                        parent.push(json!({"kind": "code", "text": text}));
                    }
                    (Tag::List(start), _) => {
                        parent.push(json!({
                            "kind": "list",
                            "ordered": start.is_some(),
                            "start": start.unwrap_or(1),
                            "items": children,
                        }));
                    }
                    (Tag::Item, _) => parent.push(Value::Array(blocks_of(children))),
                    (Tag::FootnoteDefinition(label), _) => {
                        footnotes.insert(label.to_string(), blocks_of(children));
                    }
                    (Tag::Table(aligns), _) => {
                        let align: Vec<&str> = aligns.iter().map(align_name).collect();
                        let mut rows = children.into_iter();
                        let header = rows.next().unwrap_or(Value::Array(vec![]));
                        parent.push(json!({
                            "kind": "table",
                            "columns": align.len(),
                            "align": align,
                            "header": header,
                            "rows": rows.collect::<Vec<_>>(),
                        }));
                    }
                    (Tag::TableHead | Tag::TableRow, _) => parent.push(Value::Array(children)),
                    (Tag::TableCell, _) => parent.push(Value::Array(children)),
                    (Tag::Emphasis, _) => parent.push(json!({"kind": "emph", "body": children})),
                    (Tag::Strong, _) => parent.push(json!({"kind": "strong", "body": children})),
                    (Tag::Strikethrough, _) => {
                        parent.push(json!({"kind": "strike", "body": children}))
                    }
                    (Tag::Link { dest_url, .. }, _) if is_safe_link(&dest_url) => {
                        parent.push(
                            json!({"kind": "link", "url": dest_url.to_string(), "body": children}),
                        );
                    }
                    (Tag::Link { dest_url, .. }, _) => {
                        // A `javascript:` or `file:` link could make a PDF
                        // viewer run or open something: keep only the text.
                        warnings.push(Diag::warning(
                            Some(loc(frame.start..range.end)),
                            format!("the link `{dest_url}` is not a web or mail address; its text is printed without the link"),
                        ));
                        parent.extend(children);
                    }
                    (
                        Tag::Image {
                            dest_url, title, ..
                        },
                        _,
                    ) => {
                        let alt: String = plain_text(&children);
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
                        let (w, h) = model::image_size(&canonical)
                            .map_err(|msg| Error::at(loc(frame.start..range.end), msg))?;
                        parent.push(json!({
                            "kind": "figure",
                            "src": model::vpath(root, &canonical),
                            "caption": if caption.is_empty() { Value::Null } else { typeset_text(&caption, fw).into() },
                            "width": w,
                            "height": h,
                        }));
                    }
                    (Tag::HtmlBlock, _) => push_paragraph(parent, children),
                    (_, _) => parent.extend(children),
                }
            }
            Event::Text(s) => {
                let s = if matches!(
                    stack.last().and_then(|f| f.tag.as_ref()),
                    Some(Tag::CodeBlock(
                        CodeBlockKind::Fenced(_) | CodeBlockKind::Indented
                    ))
                ) {
                    s.to_string()
                } else {
                    typeset_text(&s, fw)
                };
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
                .push(json!({"kind": "code", "text": s.to_string()})),
            Event::InlineMath(s) | Event::DisplayMath(s) => {
                push_text(
                    &mut stack.last_mut().expect("a frame").children,
                    &s,
                    &mut pending_soft,
                );
            }
            Event::Html(s) | Event::InlineHtml(s) => {
                // HTML is shown as the characters the author typed.
                push_text(
                    &mut stack.last_mut().expect("a frame").children,
                    &s,
                    &mut pending_soft,
                );
            }
            Event::FootnoteReference(label) => {
                let children = &mut stack.last_mut().expect("a frame").children;
                children.push(json!({"kind": "footnote-ref", "label": label.to_string(), "at": range.start, "end": range.end}));
            }
            Event::SoftBreak => pending_soft = true,
            Event::HardBreak => stack
                .last_mut()
                .expect("a frame")
                .children
                .push(json!({"kind": "linebreak"})),
            Event::Rule => stack
                .last_mut()
                .expect("a frame")
                .children
                .push(json!({"kind": "rule"})),
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
    let mut blocks = stack.pop().map(|f| f.children).unwrap_or_default();
    resolve_footnotes(&mut blocks, &footnotes, &mut |label, range| {
        warnings.push(Diag::warning(
            Some(loc(range)),
            format!("the footnote [^{label}] has no definition; it is printed as typed"),
        ));
    });
    Ok(blocks)
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
fn push_text(children: &mut Vec<Value>, s: &str, pending_soft: &mut bool) {
    let mut s = s.to_string();
    if std::mem::take(pending_soft) {
        let before = last_char(children);
        let after = s.chars().next();
        let joined = matches!((before, after), (Some(a), Some(b)) if is_cjk(a) && is_cjk(b));
        if !joined && before.is_some() {
            s.insert(0, ' ');
        }
    }
    // Append in place: copying the text so far at every event would make a
    // long paragraph of many small events quadratic.
    if let Some(last) = children.last_mut()
        && last["kind"] == "text"
        && let Some(Value::String(text)) = last.get_mut("text")
    {
        text.push_str(&s);
        return;
    }
    children.push(json!({"kind": "text", "text": s}));
}

fn last_char(children: &[Value]) -> Option<char> {
    let last = children.last()?;
    match last["kind"].as_str()? {
        "text" | "code" => last["text"].as_str()?.chars().last(),
        _ => last
            .get("body")
            .and_then(Value::as_array)
            .and_then(|b| last_char(b)),
    }
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

fn align_name(a: &Alignment) -> &'static str {
    match a {
        Alignment::None => "auto",
        Alignment::Left => "left",
        Alignment::Center => "center",
        Alignment::Right => "right",
    }
}

fn is_block(v: &Value) -> bool {
    matches!(
        v["kind"].as_str(),
        Some("par" | "heading" | "quote" | "code-block" | "list" | "figure" | "table" | "rule")
    ) || (v["kind"] == "code" && v.get("block").is_some())
}

/// Wraps runs of inline nodes into paragraphs (tight list items hold inline
/// content directly).
fn blocks_of(children: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    let mut run = Vec::new();
    for c in children {
        if is_block(&c) {
            push_paragraph(&mut out, std::mem::take(&mut run));
            out.push(c);
        } else {
            run.push(c);
        }
    }
    push_paragraph(&mut out, run);
    out
}

/// Adds a paragraph, lifting images out of it as figures of their own.
fn push_paragraph(out: &mut Vec<Value>, inlines: Vec<Value>) {
    let mut run = Vec::new();
    for node in inlines {
        if node["kind"] == "figure" || is_block(&node) {
            flush_par(out, std::mem::take(&mut run));
            out.push(node);
        } else {
            run.push(node);
        }
    }
    flush_par(out, run);
}

fn flush_par(out: &mut Vec<Value>, mut run: Vec<Value>) {
    // Trim whitespace left at the edges by lifted figures.
    if let Some(first) = run.first_mut()
        && first["kind"] == "text"
    {
        let t = first["text"]
            .as_str()
            .unwrap_or("")
            .trim_start()
            .to_string();
        first["text"] = t.into();
    }
    if let Some(last) = run.last_mut()
        && last["kind"] == "text"
    {
        let t = last["text"].as_str().unwrap_or("").trim_end().to_string();
        last["text"] = t.into();
    }
    run.retain(|n| !(n["kind"] == "text" && n["text"] == ""));
    if !run.is_empty() {
        out.push(json!({"kind": "par", "body": run}));
    }
}

fn plain_text(nodes: &[Value]) -> String {
    let mut s = String::new();
    for n in nodes {
        if let Some(t) = n["text"].as_str() {
            s.push_str(t);
        }
        if let Some(b) = n["body"].as_array() {
            s.push_str(&plain_text(b));
        }
    }
    s
}

/// Replaces footnote references by their definitions.
fn resolve_footnotes(
    nodes: &mut [Value],
    defs: &HashMap<String, Vec<Value>>,
    missing: &mut dyn FnMut(&str, std::ops::Range<usize>),
) {
    for node in nodes.iter_mut() {
        if node["kind"] == "footnote-ref" {
            let label = node["label"].as_str().unwrap_or("").to_string();
            *node = match defs.get(&label) {
                Some(body) => json!({"kind": "footnote", "body": body}),
                None => {
                    let at = node["at"].as_u64().unwrap_or(0) as usize;
                    let end = node["end"].as_u64().unwrap_or(0) as usize;
                    missing(&label, at..end);
                    json!({"kind": "text", "text": format!("[^{label}]")})
                }
            };
            continue;
        }
        for key in ["body", "items", "rows", "header"] {
            if let Some(children) = node.get_mut(key).and_then(Value::as_array_mut) {
                resolve_footnotes(children, defs, missing);
            }
        }
        if let Some(children) = node.as_array_mut() {
            resolve_footnotes(children, defs, missing);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halfwidth_punctuation_between_han_becomes_fullwidth() {
        assert_eq!(typeset_text("客户,暖心服务", true), "客户，暖心服务");
        assert_eq!(typeset_text("辉煌( 第一支行 )", true), "辉煌（第一支行）");
        assert_eq!(typeset_text("10日,分行", true), "10日，分行");
        assert_eq!(typeset_text("时间 12:30, ok", true), "时间 12:30, ok");
        assert_eq!(typeset_text("a, b (c)", true), "a, b (c)");
        assert_eq!(typeset_text("客户,暖心", false), "客户,暖心");
    }

    #[test]
    fn halfwidth_punctuation_next_to_chinese_on_one_side() {
        // The sample issue's cases, and text after figures or Latin words.
        assert_eq!(typeset_text("银行”!", true), "银行”！");
        assert_eq!(typeset_text("号所言:“做最", true), "号所言：“做最");
        assert_eq!(
            typeset_text("方案》(工银办〔2023〕252号)工作", true),
            "方案》（工银办〔2023〕252号）工作"
        );
        assert_eq!(typeset_text("的网点,2023年", true), "的网点，2023年");
        assert_eq!(typeset_text("提升到98.6%,按照", true), "提升到98.6%，按照");
        assert_eq!(typeset_text("ICBC App,然后", true), "ICBC App，然后");
        assert_eq!(typeset_text("1,000元", true), "1,000元");
        assert_eq!(
            typeset_text("见 http://icbc.com.cn 网站", true),
            "见 http://icbc.com.cn 网站"
        );
    }

    #[test]
    fn soft_break_between_han_is_no_space() {
        let mut children = vec![];
        let mut soft = false;
        push_text(&mut children, "网点服务竞争力提升", &mut soft);
        soft = true;
        push_text(&mut children, "培训", &mut soft);
        soft = true;
        push_text(&mut children, "word", &mut soft);
        assert_eq!(children[0]["text"], "网点服务竞争力提升培训 word");
    }
}
