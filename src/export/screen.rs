//! The screen edition: a light PDF for e-mail and WeChat.
//!
//! Typst embeds images as they are (typst issue 2554), so the photos are
//! downsampled before their bytes reach Typst: after a first layout shows
//! the largest size at which each photo is placed, every photo above
//! [`SCREEN_PPI`] at that size is resampled and served to the world in
//! place of the file on disk; a second layout then uses the light photos.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::PathBuf;

use image::{DynamicImage, ImageDecoder, ImageReader, imageops::FilterType};
use rayon::prelude::*;
use typst::foundations::Bytes;
use typst::layout::{FrameItem, Transform};
use typst::visualize::ImageKind;
use typst_layout::PagedDocument;

use crate::engine::frames::{hash_bytes, image_files, memory_photos, scale_of, walk};
use crate::error::Error;
use crate::pipeline::model::Issue;

/// The screen edition's photo resolution at placed size.
pub const SCREEN_PPI: f64 = 150.0;

/// The largest placed size of each photo file, in inches.
fn placed_sizes(issue: &Issue, doc: &PagedDocument) -> HashMap<PathBuf, (f64, f64)> {
    let files = image_files(issue);
    let mut sizes: HashMap<PathBuf, (f64, f64)> = HashMap::new();
    for page in doc.pages() {
        walk(
            &page.frame,
            Transform::identity(),
            None,
            &mut |item, ts, _| {
                if let FrameItem::Image(image, size, _) = item
                    && let ImageKind::Raster(raster) = image.kind()
                    && let Some(path) = files.get(&hash_bytes(raster.data()))
                {
                    let (sx, sy) = scale_of(ts);
                    let w = size.x.to_inches() * sx;
                    let h = size.y.to_inches() * sy;
                    let e = sizes.entry(path.clone()).or_insert((0.0, 0.0));
                    e.0 = e.0.max(w);
                    e.1 = e.1.max(h);
                }
            },
        );
    }
    sizes
}

/// Decodes a photo with its EXIF orientation applied (the re-encoded file
/// carries no EXIF).
fn decode(path: &PathBuf, memory: Option<&[u8]>) -> Result<DynamicImage, String> {
    let bytes = match memory {
        Some(bytes) => bytes.to_vec(),
        None => std::fs::read(path).map_err(|e| e.to_string())?,
    };
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let orientation = decoder.orientation().map_err(|e| e.to_string())?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// Resamples one photo to `SCREEN_PPI` at its placed size, if it has more.
fn downsample_one(
    path: &PathBuf,
    memory: Option<&[u8]>,
    (w_in, h_in): (f64, f64),
) -> Result<Option<Bytes>, Error> {
    let img = decode(path, memory)
        .map_err(|e| Error::file(path, format!("cannot decode the photo: {e}")))?;
    let (w, h) = (img.width(), img.height());
    let target_w = (w_in * SCREEN_PPI).ceil().max(1.0);
    let target_h = (h_in * SCREEN_PPI).ceil().max(1.0);
    // Keep the aspect ratio; the larger demand of the two axes wins.
    let factor = (target_w / f64::from(w)).max(target_h / f64::from(h));
    if factor >= 0.95 {
        return Ok(None);
    }
    let nw = ((f64::from(w) * factor).round() as u32).max(1);
    let nh = ((f64::from(h) * factor).round() as u32).max(1);
    let small = img.resize_exact(nw, nh, FilterType::Triangle);
    let mut out = Cursor::new(Vec::new());
    // Typst reads the bytes by the name the layout places them under: a
    // photo served as PNG stays PNG, a JPEG stays JPEG.
    let served_png = match crate::pipeline::photo::cached(path) {
        Some(c) if c.renamed => c.kind != crate::pipeline::photo::Kind::Jpeg,
        _ => path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("png")),
    };
    let result = if served_png {
        small.write_to(&mut out, image::ImageFormat::Png)
    } else {
        let rgb = DynamicImage::ImageRgb8(small.to_rgb8());
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
        rgb.write_with_encoder(encoder)
    };
    result.map_err(|e| Error::file(path, format!("cannot re-encode the photo: {e}")))?;
    Ok(Some(Bytes::new(out.into_inner())))
}

/// The downsampled photos of the issue, by canonical path (a Word
/// article's pictures by the names of [`memory_photos`]).
pub fn downsample(issue: &Issue, doc: &PagedDocument) -> Result<HashMap<PathBuf, Bytes>, Error> {
    let jobs: Vec<(PathBuf, (f64, f64))> = placed_sizes(issue, doc).into_iter().collect();
    let memory = memory_photos(issue);
    let results: Vec<Result<Option<(PathBuf, Bytes)>, Error>> = jobs
        .par_iter()
        .map(|(path, size)| {
            let bytes = memory.get(path).map(|b| &b[..]);
            Ok(downsample_one(path, bytes, *size)?.map(|b| (path.clone(), b)))
        })
        .collect();
    let mut map = HashMap::new();
    for r in results {
        map.extend(r?);
    }
    Ok(map)
}
