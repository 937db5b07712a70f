//! Photos decoded on a spare core while Typst lays out the text.
//!
//! Typst decodes a raster image the first time the layout places it, on the
//! thread that lays out the page; in a photo-heavy issue that is about half
//! of a cold compile. The decoding is memoised by comemo on the image's
//! bytes, format and colour profile, so decoding the same photos ahead of
//! time with the same arguments fills the very cache the layout then reads.
//! The worker takes the photos from the back of the issue while the layout
//! runs from the front; where they meet, at most one photo is decoded twice.
//! In a `watch` session only photos that are new or changed since the last
//! run are taken: the others are still in the cache.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use typst::foundations::{Bytes, Smart};

use crate::engine::filecache::Stamp;
use typst::visualize::{ExchangeFormat, RasterImage};

/// Remembers which photos were decoded in earlier runs of a session.
#[derive(Debug, Default)]
pub struct Prefetcher {
    seen: HashMap<PathBuf, Stamp>,
}

/// A running prefetch; dropping it tells the worker to stop after the photo
/// at hand (it is not waited for: what it still decodes is cached anyway).
pub struct Running {
    stop: Arc<AtomicBool>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Prefetcher {
    /// Starts decoding the photos the issue places (real paths, in document
    /// order) that this session has not decoded yet.
    pub fn start(&mut self, photos: &[PathBuf]) -> Running {
        let stop = Arc::new(AtomicBool::new(false));
        let spare = std::thread::available_parallelism().map_or(1, |n| n.get()) > 1;
        let mut fresh = Vec::new();
        for path in photos {
            let Some(stamp) = Stamp::of_path(path) else {
                continue;
            };
            if self.seen.get(path) != Some(&stamp) && !fresh.contains(path) {
                self.seen.insert(path.clone(), stamp);
                fresh.push(path.clone());
            }
        }
        if spare && !fresh.is_empty() {
            let flag = stop.clone();
            let _ = std::thread::Builder::new()
                .name("folio-prefetch".into())
                .spawn(move || {
                    for path in fresh.iter().rev() {
                        if flag.load(Ordering::Relaxed) {
                            break;
                        }
                        decode(path);
                    }
                });
        }
        Running { stop }
    }
}

/// Decodes one photo exactly as Typst's `image` element does for a path
/// with this extension and no colour profile given.
fn decode(path: &Path) {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match ext.as_deref() {
        Some("jpg" | "jpeg") => ExchangeFormat::Jpg,
        Some("png") => ExchangeFormat::Png,
        Some("gif") => ExchangeFormat::Gif,
        Some("webp") => ExchangeFormat::Webp,
        _ => return,
    };
    if let Ok(data) = std::fs::read(path) {
        let _ = RasterImage::new(Bytes::new(data), format, Smart::Auto);
    }
}
