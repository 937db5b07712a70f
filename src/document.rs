//! Stage 5: the laid-out document.
//!
//! Runs Typst on the world and checks the result: characters that no font
//! can show are reported against the file and line they came from, never
//! left as silent tofu.

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use typst::diag::Warned;
use typst::layout::{Frame, FrameItem, Point, Rect, Transform};
use typst::text::FontBook;
use typst_layout::PagedDocument;

use crate::error::{Diag, Error, Location};
use crate::model::{Body, Issue, PieceKind};
use crate::world::FolioWorld;

/// Lays out the issue. Typst's warnings are returned with the document.
pub fn layout(
    world: &FolioWorld,
) -> Result<(PagedDocument, Vec<typst::diag::SourceDiagnostic>), Error> {
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    match output {
        Ok(doc) => Ok((doc, warnings.into_iter().collect())),
        Err(errors) => {
            let mut all = errors;
            all.extend(warnings);
            Err(Error::Typst(all))
        }
    }
}

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

/// Visits every item of a page with its transform (to page coordinates) and the clip
/// rectangle in force (in page coordinates).
pub fn walk(
    frame: &Frame,
    ts: Transform,
    clip: Option<Rect>,
    f: &mut dyn FnMut(&FrameItem, Transform, Option<Rect>),
) {
    for (pos, item) in frame.items() {
        let ts = ts.pre_concat(Transform::translate(pos.x, pos.y));
        if let FrameItem::Group(group) = item {
            let inner = ts.pre_concat(group.transform);
            let clip = match &group.clip {
                Some(curve) => {
                    let r = transform_rect(curve.bbox(None), inner);
                    Some(match clip {
                        Some(c) => intersect(c, r),
                        None => r,
                    })
                }
                None => clip,
            };
            walk(&group.frame, inner, clip, f);
        } else {
            f(item, ts, clip);
        }
    }
}

pub fn scale_of(ts: Transform) -> (f64, f64) {
    let sx = (ts.sx.get().powi(2) + ts.ky.get().powi(2)).sqrt();
    let sy = (ts.sy.get().powi(2) + ts.kx.get().powi(2)).sqrt();
    (sx, sy)
}

/// A hash of file contents, to recognise a placed image's file.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// The issue's photos by the hash of their bytes, to name the file behind a
/// placed image.
pub fn image_files(issue: &Issue) -> HashMap<u64, PathBuf> {
    let mut files = HashMap::new();
    for path in &issue.inputs {
        let is_image = matches!(
            path.extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("jpg" | "jpeg" | "png")
        );
        if is_image && let Ok(bytes) = std::fs::read(path) {
            files.insert(hash_bytes(&bytes), path.clone());
        }
    }
    files
}

/// A rectangle's bounding box after a transform.
pub fn transform_rect(r: Rect, ts: Transform) -> Rect {
    let corners = [
        r.min,
        Point::new(r.max.x, r.min.y),
        Point::new(r.min.x, r.max.y),
        r.max,
    ]
    .map(|p| p.transform(ts));
    let mut min = corners[0];
    let mut max = corners[0];
    for c in corners {
        min = min.min(c);
        max = max.max(c);
    }
    Rect::new(min, max)
}

/// The intersection of two rectangles.
pub fn intersect(a: Rect, b: Rect) -> Rect {
    Rect::new(a.min.max(b.min), a.max.min(b.max))
}
