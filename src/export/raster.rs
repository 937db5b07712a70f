//! Pages to pixels: typst-render draws a laid-out page, and this module turns
//! it into PNG bytes, single or as a spread of facing pages. Shared by
//! `folio preview` (proof files) and the live page of `folio watch --serve`.
//!
//! A magazine opens on its cover, a recto standing alone; after it every
//! verso (even page) faces the following recto (odd page). The last page
//! stands alone when it is a verso.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Cursor;

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder, RgbaImage};
use typst::layout::{Frame, FrameItem};
use typst::utils::Scalar;
use typst_layout::Page;
use typst_render::RenderOptions;

use crate::error::Error;

/// One rendered page (or spread): straight RGBA, row by row.
pub struct Raster {
    pub image: RgbaImage,
}

impl Raster {
    pub fn width(&self) -> u32 {
        self.image.width()
    }

    pub fn height(&self) -> u32 {
        self.image.height()
    }

    /// The image as PNG. `fast` trades size for speed (the live preview).
    pub fn png(&self, fast: bool) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity((self.width() * self.height()) as usize / 2);
        let compression = if fast {
            CompressionType::Fast
        } else {
            CompressionType::Default
        };
        PngEncoder::new_with_quality(Cursor::new(&mut out), compression, FilterType::Adaptive)
            .write_image(
                self.image.as_raw(),
                self.width(),
                self.height(),
                ExtendedColorType::Rgba8,
            )
            .map_err(|e| Error::plain(format!("cannot encode a PNG: {e}")))?;
        Ok(out)
    }
}

/// Draws a page (trim size, without the bleed) at `ppi` pixels per inch on
/// white.
pub fn render(page: &Page, ppi: f64) -> Raster {
    let options = RenderOptions {
        pixel_per_pt: Scalar::new(ppi / 72.0),
        render_bleed: false,
    };
    let pixmap = typst_render::render(page, &options);
    let (w, h) = (pixmap.width(), pixmap.height());
    let image = RgbaImage::from_raw(w, h, pixmap.take_demultiplied())
        .expect("a pixmap has width × height RGBA pixels");
    Raster { image }
}

/// A hash of what a page looks like: its size, fill and every drawn item
/// with its position, but not the introspection tags, links and source
/// spans that Typst keeps in the frame too. Two pages with the same visual
/// hash render to the same pixels, so a live preview draws again only the
/// pages whose visual hash changed.
pub fn visual_hash(page: &Page) -> u128 {
    let mut a = DefaultHasher::new();
    let mut b = DefaultHasher::new();
    0xf011_u32.hash(&mut b);
    for h in [&mut a, &mut b] {
        page.fill.hash(h);
        hash_frame(&page.frame, h);
    }
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

fn hash_frame(frame: &Frame, h: &mut DefaultHasher) {
    frame.size().hash(h);
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Group(group) => {
                (0u8, pos, &group.transform, &group.clip).hash(h);
                hash_frame(&group.frame, h);
            }
            FrameItem::Text(text) => {
                (1u8, pos, &text.font, text.size, &text.fill, &text.stroke).hash(h);
                for g in &text.glyphs {
                    (g.id, g.x_advance, g.x_offset, g.y_advance, g.y_offset).hash(h);
                }
            }
            FrameItem::Shape(shape, _) => (2u8, pos, shape).hash(h),
            FrameItem::Image(image, size, _) => (3u8, pos, image, size).hash(h),
            FrameItem::Link(..) | FrameItem::Tag(_) => {}
        }
    }
}

/// Puts a verso and a recto side by side (top-aligned, white behind).
pub fn side_by_side(verso: &Raster, recto: &Raster) -> Raster {
    let w = verso.width() + recto.width();
    let h = verso.height().max(recto.height());
    let mut image = RgbaImage::from_pixel(w, h, image::Rgba([255, 255, 255, 255]));
    image::imageops::replace(&mut image, &verso.image, 0, 0);
    image::imageops::replace(&mut image, &recto.image, i64::from(verso.width()), 0);
    Raster { image }
}

/// The spreads of a document of `pages` pages, as lists of 0-based page
/// indices: `[0]`, `[1, 2]`, `[3, 4]`, … (a last verso alone).
pub fn spreads(pages: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    if pages == 0 {
        return out;
    }
    out.push(vec![0]);
    let mut i = 1;
    while i < pages {
        if i + 1 < pages {
            out.push(vec![i, i + 1]);
        } else {
            out.push(vec![i]);
        }
        i += 2;
    }
    out
}

/// Runs `f` on every item in parallel (rayon), keeping the order of the
/// results.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    items.par_iter().map(f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cover_alone_then_facing_pages() {
        assert_eq!(spreads(0), Vec::<Vec<usize>>::new());
        assert_eq!(spreads(1), vec![vec![0]]);
        assert_eq!(spreads(2), vec![vec![0], vec![1]]);
        assert_eq!(spreads(5), vec![vec![0], vec![1, 2], vec![3, 4]]);
        assert_eq!(spreads(6), vec![vec![0], vec![1, 2], vec![3, 4], vec![5]]);
    }

    #[test]
    fn par_map_keeps_order() {
        let items: Vec<usize> = (0..50).collect();
        assert_eq!(
            par_map(&items, |i| i * 2),
            (0..50).map(|i| i * 2).collect::<Vec<_>>()
        );
    }

    #[test]
    fn spread_is_as_wide_as_both_pages() {
        let a = Raster {
            image: RgbaImage::from_pixel(3, 4, image::Rgba([0, 0, 0, 255])),
        };
        let b = Raster {
            image: RgbaImage::from_pixel(2, 5, image::Rgba([9, 9, 9, 255])),
        };
        let s = side_by_side(&a, &b);
        assert_eq!((s.width(), s.height()), (5, 5));
        assert_eq!(s.image.get_pixel(0, 0).0, [0, 0, 0, 255]);
        assert_eq!(s.image.get_pixel(3, 0).0, [9, 9, 9, 255]);
        assert_eq!(s.image.get_pixel(0, 4).0, [255, 255, 255, 255]);
        assert!(s.png(true).unwrap().starts_with(b"\x89PNG"));
    }
}
