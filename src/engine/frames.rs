//! The one frame walker: every consumer of the laid-out pages (preflight,
//! inspection, the screen edition) visits items through [`walk`], with the
//! same transform and clip arithmetic.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

use typst::layout::{Frame, FrameItem, Point, Rect, Transform};

use crate::pipeline::model::{Body, Issue, PieceKind};

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

/// The pictures of the issue's Word articles, which exist only in memory,
/// by the name that stands for them (`articles/x.docx/word/media/image1.png`).
pub fn memory_photos(issue: &Issue) -> HashMap<PathBuf, Arc<[u8]>> {
    let mut photos = HashMap::new();
    for piece in issue.sections.iter().flat_map(|s| &s.pieces) {
        if let PieceKind::Article {
            body: Body::Docx { path, article, .. },
        } = &piece.kind
        {
            for p in &article.pictures {
                photos.insert(path.join(&p.part), p.bytes.clone());
            }
        }
    }
    photos
}

/// The issue's photos by the hash of their bytes, to name the file behind a
/// placed image (a Word article's pictures by [`memory_photos`]' names).
pub fn image_files(issue: &Issue) -> HashMap<u64, PathBuf> {
    let mut files: HashMap<u64, PathBuf> = memory_photos(issue)
        .into_iter()
        .map(|(name, bytes)| (hash_bytes(&bytes), name))
        .collect();
    for path in &issue.inputs {
        // The bytes the layout got: converted ones for WebP and GIF.
        if let Some(checked) = crate::pipeline::photo::cached(path) {
            if let Some(bytes) = checked.converted {
                files.insert(hash_bytes(&bytes), path.clone());
            } else if let Ok(bytes) = std::fs::read(path) {
                files.insert(hash_bytes(&bytes), path.clone());
            }
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
