//! The glyph check: characters that no font can show are reported against
//! the file and line they came from, never left as silent tofu.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use typst::text::{FontBook, FontFlags};

use crate::error::{Diag, Location};
use crate::pipeline::model::{Body, Issue, PieceKind};
use crate::pipeline::tree::{Inline, visit_figures, visit_inlines_mut};

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
    // A right-to-left script that only a monospace face covers (Typst's
    // embedded DejaVu Sans Mono) prints, but in a typewriter face.
    let proportional = |c: char| {
        infos.iter().any(|info| {
            info.coverage.contains(c as u32) && !info.flags.contains(FontFlags::MONOSPACE)
        })
    };
    let mut diags = Vec::new();
    let mut scripts_warned: Vec<&'static str> = Vec::new();
    let mut scan = |path: &Path, text: &Arc<str>, what: &str| {
        let mut seen = BTreeSet::new();
        for (at, c) in text.char_indices() {
            if let Some(script) = rtl_script(c)
                && covered(c)
                && !proportional(c)
                && !scripts_warned.contains(&script)
            {
                scripts_warned.push(script);
                let face = infos
                    .iter()
                    .find(|info| info.coverage.contains(c as u32))
                    .map(|info| info.family.clone())
                    .unwrap_or_default();
                diags.push(
                    Diag::warning(
                        Some(Location::in_shared(path, text, at..at + c.len_utf8())),
                        format!("{what} has {script} text, and no font of the layout is made for that script: it would print in {face}, a monospace (typewriter) face"),
                    )
                    .with_hint("add a font for this script with --font-path (for example a Noto face), or set the passage as a picture"),
                );
            }
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
    // The text of a Word file has no lines to point at: the warning names
    // the file.
    for section in &issue.sections {
        for piece in &section.pieces {
            if let PieceKind::Article {
                body: Body::Docx { path, article, .. },
            } = &piece.kind
            {
                let mut blocks = article.blocks.clone();
                let mut text = String::new();
                visit_inlines_mut(&mut blocks, &mut |i| {
                    if let Inline::Text { text: t } = i {
                        text.push_str(t);
                    }
                });
                visit_figures(&blocks, &mut |f| {
                    text.push_str(f.caption.as_deref().unwrap_or(""))
                });
                let mut seen = BTreeSet::new();
                for c in text.chars() {
                    if is_invisible(c) || c.is_ascii() || covered(c) || !seen.insert(c) {
                        continue;
                    }
                    diags.push(
                        Diag::warning(
                            Some(Location::file(path)),
                            format!("no font has the character {c} (U+{:04X}) used in the article “{}”; it would print as an empty box", c as u32, piece.title),
                        )
                        .with_hint("add a font that has it with --font-path, or replace the character in the Word file"),
                    );
                }
            }
        }
    }
    diags
}

/// The right-to-left script a character belongs to, if any.
fn rtl_script(c: char) -> Option<&'static str> {
    match c {
        '\u{0590}'..='\u{05FF}' | '\u{FB1D}'..='\u{FB4F}' => Some("Hebrew"),
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFC}' => Some("Arabic"),
        '\u{0700}'..='\u{074F}' => Some("Syriac"),
        '\u{0780}'..='\u{07BF}' => Some("Thaana"),
        _ => None,
    }
}
