//! The one frame walker: every consumer of the laid-out pages (preflight,
//! inspection, the screen edition) visits items through [`walk`], with the
//! same transform and clip arithmetic.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

use typst::layout::{Frame, FrameItem, Point, Rect, Transform};

use crate::pipeline::model::Issue;

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
