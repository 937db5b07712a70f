//! Runs of text with the formatting folio keeps, gathered into the tree's
//! inline nodes.

use super::*;

/// Run formatting that folio keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Fmt {
    pub(super) strong: bool,
    pub(super) emph: bool,
    pub(super) strike: bool,
}

/// A piece of a paragraph under construction.
#[derive(Debug)]
pub(super) enum Seg {
    Text(Fmt, String),
    Inline(Inline),
}

/// A paragraph's inline content under construction.
#[derive(Default)]
pub(super) struct Inlines {
    pub(super) segs: Vec<Seg>,
    pub(super) pending_soft: bool,
    pub(super) last: Option<char>,
}

impl Inlines {
    pub(super) fn text(&mut self, fmt: Fmt, s: &str) {
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

    pub(super) fn soft_break(&mut self) {
        self.pending_soft = true;
    }

    pub(super) fn inline(&mut self, i: Inline) {
        if let Inline::Link { body, .. } = &i
            && let Some(c) = body.last().and_then(Inline::last_char)
        {
            self.last = Some(c);
        }
        self.segs.push(Seg::Inline(i));
    }

    pub(super) fn is_blank(&self) -> bool {
        self.segs.iter().all(|s| match s {
            Seg::Text(_, t) => t.trim().is_empty(),
            Seg::Inline(Inline::Linebreak) => true,
            Seg::Inline(_) => false,
        })
    }

    pub(super) fn plain(&self) -> String {
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
    pub(super) fn finish(mut self) -> (Vec<Inline>, bool) {
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
        (inlines_of(self.segs), indent)
    }

    /// Like [`Inlines::finish`], for a link's text (white space kept).
    pub(super) fn finish_keep(self) -> (Vec<Inline>, bool) {
        (inlines_of(self.segs), false)
    }
}

/// The segments as the tree's inlines, each text run wrapped in its
/// formatting.
fn inlines_of(segs: Vec<Seg>) -> Vec<Inline> {
    segs.into_iter()
        .map(|s| match s {
            Seg::Text(fmt, text) => wrap(fmt, text),
            Seg::Inline(i) => i,
        })
        .collect()
}

pub(super) fn wrap(fmt: Fmt, text: String) -> Inline {
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

/// The text of a block as inlines (a table inside a cell, a text box).
pub(super) fn block_inlines(b: &Block, out: &mut Vec<Inline>) {
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
pub(super) fn has_formatting(rpr: Node) -> bool {
    ["rFonts", "sz", "color", "highlight", "shd"]
        .iter()
        .any(|k| rpr.child(k).is_some())
}
