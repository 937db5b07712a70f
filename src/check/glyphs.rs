//! The glyph check: characters that no font can show are reported against
//! the file and line they came from, never left as silent tofu.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use typst::text::FontBook;

use crate::error::{Diag, Location};
use crate::pipeline::model::{Body, Issue, PieceKind};

/// Characters Typst does not draw and so needs no font for.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{E0100}'..='\u{E01EF}' | '\u{AD}')
}

/// Reports every character of the issue's text that no font of the world
/// covers, at the place in the manifest or article where it was typed.
pub fn check_glyphs(issue: &Issue, book: &FontBook) -> Vec<Diag> {
    let mut infos = Vec::new();
    let mut i = 0;
    while let Some(info) = book.info(i) {
        infos.push(info);
        i += 1;
    }
    let covered = |c: char| infos.iter().any(|info| info.coverage.contains(c as u32));
    let mut diags = Vec::new();
    let mut scan = |path: &Path, text: &Arc<str>, what: &str| {
        let mut seen = BTreeSet::new();
        for (at, c) in text.char_indices() {
            if is_invisible(c) || c.is_ascii() || covered(c) || !seen.insert(c) {
                continue;
            }
            diags.push(Diag::warning(
                Some(Location::in_shared(path, text, at..at + c.len_utf8())),
                format!("no font has the character {c} (U+{:04X}) used in {what}; it would print as an empty box", c as u32),
            )
            .with_hint("add a font that has it with --font-path, or replace the character"));
        }
    };
    scan(&issue.manifest_path, &issue.manifest_text, "the manifest");
    for section in &issue.sections {
        for piece in &section.pieces {
            if let PieceKind::Article {
                body: Body::Markdown { path, text },
            } = &piece.kind
            {
                scan(path, text, &format!("the article “{}”", piece.title));
            }
        }
    }
    diags
}
