//! Photo proxies: the layout gets a small copy of each JPEG photo, the
//! print PDF gets the original bytes.
//!
//! Typst needs a photo's shape to lay it out, but it decodes every pixel of
//! every photo it places (about 350 ms of CPU and 280 MB for the sample's
//! 94 megapixels), although the PDF export then embeds the JPEG bytes as
//! they are. So for layout the world serves, in place of each JPEG photo, a
//! proxy that keeps what the layout reads: the aspect ratio (exact: the
//! proxy's sides are the photo's reduced by their greatest common divisor,
//! then scaled up to at most [`MAX_SIDE`] pixels; where that needs more
//! pixels, within [`RATIO_TOLERANCE`], a few micrometres on the page), the natural size
//! (the DPI scaled by the shrink factor, as EXIF rationals), the EXIF
//! orientation (the proxy is shrunk, not rotated), the colour model and the
//! ICC profile. Its pixels are the photo's, resampled, so that previews
//! show it. A JPEG comment holds the original's hash, so that no two
//! originals share a proxy and each proxy traces back to its file.
//!
//! After export, [`swap_into`] puts each original's bytes, width and height
//! into the image stream that carries its proxy: the print PDF's image
//! streams are the photo files, byte for byte, as without proxies.
//!
//! A photo whose shape no proxy within [`MAX_SIDE`] keeps (1365 × 1024), a
//! PNG, or a JPEG folio cannot read is served as it is. Proxies are made once and kept
//! on disk in the issue folder's `.folio/proxies/` (keyed by the content hash
//! of the photo), so only the first compile after a photo changes decodes
//! it.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageReader};
use rayon::prelude::*;
use siphasher::sip128::{Hasher128, SipHasher13};
use std::hash::Hasher;
use typst::foundations::Bytes;

use crate::engine::filecache::Stamp;

/// The longest side of a proxy, in pixels: enough for previews at 96 ppi of
/// a photo as wide as the page.
pub const MAX_SIDE: u32 = 640;

/// The folder in the issue folder where proxies are kept.
pub const CACHE_DIR: &str = ".folio/proxies";

/// A photo and the proxy that stands for it in the layout.
#[derive(Debug)]
pub struct Proxy {
    /// The photo's canonical path.
    pub path: PathBuf,
    /// The photo's bytes, as they go into the print PDF.
    pub original: Bytes,
    /// The photo's stored size (before EXIF rotation), as the PDF's image
    /// stream states it.
    pub width: u32,
    pub height: u32,
    /// The proxy's bytes, served to the layout.
    pub bytes: Bytes,
}

/// The proxies of a session, kept across rebuilds.
#[derive(Debug, Default)]
pub struct Proxies {
    made: HashMap<PathBuf, (Stamp, Option<Arc<Proxy>>)>,
}

impl Proxies {
    /// The proxies of these photos (real paths), made or found in the cache
    /// folder `cache` (inside the issue folder) as needed. Photos that get
    /// no proxy are left out.
    pub fn prepare(&mut self, photos: &[PathBuf], cache: &Path) -> Vec<Arc<Proxy>> {
        let mut todo = Vec::new();
        for path in photos {
            let Some(stamp) = Stamp::of_path(path) else {
                continue;
            };
            match self.made.get(path) {
                Some((s, _)) if *s == stamp => {}
                _ => {
                    if !todo.iter().any(|(p, _)| p == path) {
                        todo.push((path.clone(), stamp));
                    }
                }
            }
        }
        let made: Vec<(PathBuf, Stamp, Option<Arc<Proxy>>)> = todo
            .into_par_iter()
            .map(|(path, stamp)| {
                let proxy = std::fs::read(&path)
                    .ok()
                    .and_then(|bytes| make(&path, Bytes::new(bytes), cache))
                    .map(Arc::new);
                (path, stamp, proxy)
            })
            .collect();
        for (path, stamp, proxy) in made {
            self.made.insert(path, (stamp, proxy));
        }
        let mut out: Vec<Arc<Proxy>> = Vec::new();
        for path in photos {
            if let Some((_, Some(proxy))) = self.made.get(path)
                && !out.iter().any(|p| p.path == *path)
            {
                out.push(proxy.clone());
            }
        }
        out
    }
}

/// A stable 128-bit hash of a file's bytes, as hex (the cache's key).
fn content_hash(bytes: &[u8]) -> String {
    let mut h = SipHasher13::new_with_keys(0x666f_6c69_6f21, 0x7072_6f78_7931);
    h.write(bytes);
    format!("{:032x}", h.finish128().as_u128())
}

/// How far a proxy's shape may differ from the photo's, relative: 1e-5 is
/// 3 µm over the 303 mm of a full-bleed A4 page, far below what a print or
/// a screen shows (a device pixel at 2,400 dpi is 10 µm).
pub const RATIO_TOLERANCE: f64 = 1e-5;

/// The proxy's size for a photo of `w` × `h` pixels: the exact ratio,
/// scaled to at most [`MAX_SIDE`]; when the exact ratio needs more pixels
/// than that (2560 × 3591), the largest size within [`MAX_SIDE`] whose ratio
/// is within [`RATIO_TOLERANCE`] of the photo's (437 × 613). None when the
/// photo is small already or no such size exists.
pub fn proxy_size(w: u32, h: u32) -> Option<(u32, u32)> {
    if w == 0 || h == 0 || w.max(h) <= MAX_SIDE {
        return None;
    }
    let g = gcd(w, h);
    let (rw, rh) = (w / g, h / g);
    let k = MAX_SIDE / rw.max(rh);
    if k >= 1 {
        return Some((rw * k, rh * k));
    }
    // The longer side first: the largest proxy within the tolerance.
    let (long, short) = (w.max(h), w.min(h));
    let ratio = f64::from(short) / f64::from(long);
    (1..=MAX_SIDE).rev().find_map(|pl| {
        let ps = (f64::from(pl) * ratio).round() as u32;
        let off = (f64::from(ps) / f64::from(pl) - ratio).abs() / ratio;
        (ps >= 1 && off <= RATIO_TOLERANCE).then_some(if w >= h { (pl, ps) } else { (ps, pl) })
    })
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Makes (or finds in the cache) the proxy of one photo.
fn make(path: &Path, original: Bytes, cache: &Path) -> Option<Proxy> {
    if !original.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return None;
    }
    let mut decoder =
        ImageReader::with_format(Cursor::new(&original[..]), image::ImageFormat::Jpeg)
            .into_decoder()
            .ok()?;
    let (w, h) = decoder.dimensions();
    let (pw, ph) = proxy_size(w, h)?;
    let color = decoder.color_type();
    if !matches!(color, image::ColorType::Rgb8 | image::ColorType::L8) {
        return None;
    }
    let hash = content_hash(&original);
    let file = cache.join(format!("{hash}-{pw}x{ph}.jpg"));
    if let Ok(bytes) = std::fs::read(&file)
        && is_proxy_of(&bytes, &hash)
    {
        drop(decoder);
        return Some(Proxy {
            path: path.to_path_buf(),
            original,
            width: w,
            height: h,
            bytes: Bytes::new(bytes),
        });
    }

    let icc = decoder.icc_profile().ok().flatten();
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(&original[..]))
        .ok();
    let orientation = exif
        .as_ref()
        .and_then(|e| e.get_field(exif::Tag::Orientation, exif::In::PRIMARY))
        .and_then(|f| f.value.get_uint(0))
        .filter(|o| (2..=8).contains(o));
    let dpi = exif
        .as_ref()
        .and_then(exif_dpi)
        .or_else(|| jfif_dpi(&original));
    let image = DynamicImage::from_decoder(decoder).ok()?;
    let small = image.resize_exact(pw, ph, FilterType::Triangle);
    let mut encoded = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut encoded, 82);
    if let Some(icc) = icc {
        encoder.set_icc_profile(icc).ok()?;
    }
    match color {
        image::ColorType::L8 => encoder
            .write_image(
                small.to_luma8().as_raw(),
                pw,
                ph,
                image::ExtendedColorType::L8,
            )
            .ok()?,
        _ => encoder
            .write_image(
                small.to_rgb8().as_raw(),
                pw,
                ph,
                image::ExtendedColorType::Rgb8,
            )
            .ok()?,
    }
    // The natural size stays the photo's: dpi × pw / w.
    let scaled = dpi.map(|(num, den)| (num * u64::from(pw), den * u64::from(w)));
    let bytes = with_segments(&encoded, orientation, scaled, &hash)?;
    // The cache is an optimisation: a read-only issue folder only costs
    // the next compile the same work again.
    if std::fs::create_dir_all(cache).is_ok() {
        let tmp = cache.join(format!(".{hash}.tmp"));
        if std::fs::write(&tmp, &bytes).is_ok() {
            let _ = std::fs::rename(&tmp, &file);
        }
    }
    Some(Proxy {
        path: path.to_path_buf(),
        original,
        width: w,
        height: h,
        bytes: Bytes::new(bytes),
    })
}

/// The marker a proxy carries in a JPEG comment.
fn marker(hash: &str) -> String {
    format!("folio proxy of {hash}")
}

fn is_proxy_of(bytes: &[u8], hash: &str) -> bool {
    let marker = marker(hash);
    bytes.starts_with(&[0xFF, 0xD8])
        && bytes.ends_with(&[0xFF, 0xD9])
        && bytes
            .windows(marker.len())
            .take(4096)
            .any(|w| w == marker.as_bytes())
}

/// The DPI as Typst reads it from EXIF (the larger of XResolution and
/// YResolution), as a fraction.
fn exif_dpi(exif: &exif::Exif) -> Option<(u64, u64)> {
    let axis = |tag| {
        let f = exif.get_field(tag, exif::In::PRIMARY)?;
        let exif::Value::Rational(r) = &f.value else {
            return None;
        };
        let r = r.first()?;
        (r.num > 0 && r.denom > 0).then_some((u64::from(r.num), u64::from(r.denom)))
    };
    [axis(exif::Tag::XResolution), axis(exif::Tag::YResolution)]
        .into_iter()
        .flatten()
        .max_by(|a, b| (a.0 * b.1).cmp(&(b.0 * a.1)))
}

/// The DPI of a JFIF header, as Typst reads it (inches or centimetres).
fn jfif_dpi(data: &[u8]) -> Option<(u64, u64)> {
    if !data.starts_with(b"\xFF\xD8\xFF\xE0") || data.get(6..11)? != b"JFIF\0" {
        return None;
    }
    let len = u16::from_be_bytes([data[4], data[5]]);
    if len < 16 || *data.get(11)? != 1 {
        return None;
    }
    let x = u16::from_be_bytes([*data.get(14)?, *data.get(15)?]);
    let y = u16::from_be_bytes([*data.get(16)?, *data.get(17)?]);
    let dpu = u64::from(x.max(y));
    match data[13] {
        1 if dpu > 0 => Some((dpu, 1)),
        2 if dpu > 0 => Some((dpu * 254, 100)),
        _ => None,
    }
}

/// Inserts, after the encoder's JFIF header, an EXIF segment (orientation
/// and resolution, when the photo has them) and the proxy's comment.
fn with_segments(
    jpeg: &[u8],
    orientation: Option<u32>,
    dpi: Option<(u64, u64)>,
    hash: &str,
) -> Option<Vec<u8>> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    // After SOI, and after an APP0 (JFIF) segment if there is one.
    let mut at = 2;
    if jpeg.get(2..4) == Some(&[0xFF, 0xE0]) {
        let len = u16::from_be_bytes([*jpeg.get(4)?, *jpeg.get(5)?]) as usize;
        at = 4 + len;
        // A JFIF density would be read if EXIF has none: make it neutral.
    }
    let mut out = Vec::with_capacity(jpeg.len() + 256);
    out.extend_from_slice(&jpeg[..at]);
    if orientation.is_some() || dpi.is_some() {
        let tiff = exif_tiff(orientation, dpi);
        let len = u16::try_from(2 + 6 + tiff.len()).ok()?;
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(b"Exif\0\0");
        out.extend_from_slice(&tiff);
    }
    let comment = marker(hash);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&u16::try_from(2 + comment.len()).ok()?.to_be_bytes());
    out.extend_from_slice(comment.as_bytes());
    out.extend_from_slice(&jpeg[at..]);
    Some(out)
}

/// A minimal big-endian TIFF structure with one IFD: Orientation, and
/// XResolution, YResolution and ResolutionUnit (inches).
fn exif_tiff(orientation: Option<u32>, dpi: Option<(u64, u64)>) -> Vec<u8> {
    // Rationals are 32-bit: reduce the fraction until it fits.
    let dpi = dpi.map(|(mut n, mut d)| {
        let g = gcd_u64(n, d).max(1);
        (n, d) = (n / g, d / g);
        while n > u64::from(u32::MAX) || d > u64::from(u32::MAX) {
            n /= 2;
            d /= 2;
        }
        (n as u32, d.max(1) as u32)
    });
    let mut entries: Vec<(u16, u16, u32, [u8; 4])> = Vec::new();
    let count = usize::from(orientation.is_some()) + if dpi.is_some() { 3 } else { 0 };
    // Header (8) + count (2) + entries (12 each) + next IFD (4), then data.
    let data_at = (8 + 2 + 12 * count + 4) as u32;
    let mut data = Vec::new();
    if let Some(o) = orientation {
        let mut v = [0u8; 4];
        v[..2].copy_from_slice(&(o as u16).to_be_bytes());
        entries.push((0x0112, 3, 1, v));
    }
    if let Some((n, d)) = dpi {
        for tag in [0x011A, 0x011B] {
            let offset = data_at + data.len() as u32;
            data.extend_from_slice(&n.to_be_bytes());
            data.extend_from_slice(&d.to_be_bytes());
            entries.push((tag, 5, 1, offset.to_be_bytes()));
        }
        let mut v = [0u8; 4];
        v[..2].copy_from_slice(&2u16.to_be_bytes());
        entries.push((0x0128, 3, 1, v));
    }
    entries.sort_by_key(|e| e.0);
    let mut out = Vec::new();
    out.extend_from_slice(b"MM\0*");
    out.extend_from_slice(&8u32.to_be_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_be_bytes());
    for (tag, kind, n, value) in entries {
        out.extend_from_slice(&tag.to_be_bytes());
        out.extend_from_slice(&kind.to_be_bytes());
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(&value);
    }
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(&data);
    out
}

fn gcd_u64(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Puts each photo's bytes and size into the image stream of the PDF that
/// carries its proxy. Returns how many streams were swapped.
pub fn swap_into(doc: &mut lopdf::Document, proxies: &[Arc<Proxy>]) -> usize {
    if proxies.is_empty() {
        return 0;
    }
    let by_bytes: HashMap<&[u8], &Proxy> =
        proxies.iter().map(|p| (&p.bytes[..], p.as_ref())).collect();
    let mut swapped = 0;
    for object in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        let is_jpeg_image = stream
            .dict
            .get(b"Subtype")
            .is_ok_and(|s| s.as_name().is_ok_and(|n| n == b"Image"))
            && stream
                .dict
                .get(b"Filter")
                .is_ok_and(|f| f.as_name().is_ok_and(|n| n == b"DCTDecode"));
        if !is_jpeg_image {
            continue;
        }
        if let Some(proxy) = by_bytes.get(&stream.content[..]) {
            stream.set_content(proxy.original.to_vec());
            stream.dict.set("Width", i64::from(proxy.width));
            stream.dict.set("Height", i64::from(proxy.height));
            swapped += 1;
        }
    }
    swapped
}

/// How many image streams of the PDF still hold a proxy (none should).
pub fn proxies_left(doc: &lopdf::Document) -> usize {
    let tag = b"folio proxy of ";
    doc.objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| {
            s.content.starts_with(&[0xFF, 0xD8])
                && s.content.windows(tag.len()).take(4096).any(|w| w == tag)
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_sizes_keep_the_exact_ratio() {
        assert_eq!(proxy_size(2400, 1600), Some((639, 426)));
        assert_eq!(proxy_size(1600, 1200), Some((640, 480)));
        assert_eq!(proxy_size(4032, 3024), Some((640, 480)));
        assert_eq!(proxy_size(600, 400), None);
        // No small exact ratio: the largest proxy within the tolerance, or
        // none.
        assert_eq!(proxy_size(2560, 3591), Some((437, 613)));
        assert_eq!(proxy_size(3591, 2560), Some((613, 437)));
        assert_eq!(proxy_size(1365, 1024), None);
        for (w, h) in [(2560, 3591), (3000, 2003), (4031, 3023)] {
            if let Some((pw, ph)) = proxy_size(w, h) {
                let (r, pr) = (f64::from(h) / f64::from(w), f64::from(ph) / f64::from(pw));
                assert!((pr - r).abs() / r <= RATIO_TOLERANCE, "{w}×{h} → {pw}×{ph}");
                assert!(pw.max(ph) <= MAX_SIDE);
            }
        }
        for (w, h) in [(2400, 1600), (1600, 1200), (1400, 1050), (4000, 3000)] {
            let (pw, ph) = proxy_size(w, h).unwrap();
            assert_eq!(u64::from(pw) * u64::from(h), u64::from(ph) * u64::from(w));
            assert!(pw.max(ph) <= MAX_SIDE);
        }
    }

    #[test]
    fn a_proxy_keeps_orientation_resolution_and_shape() {
        let img = image::RgbImage::from_fn(1600, 1200, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 7])
        });
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 90)
            .write_image(img.as_raw(), 1600, 1200, image::ExtendedColorType::Rgb8)
            .unwrap();
        // Orientation 6 and 300 dpi, as a phone writes them.
        let tagged = with_segments(&jpeg, Some(6), Some((300, 1)), "x").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let proxy = make(Path::new("p.jpg"), Bytes::new(tagged), dir.path()).unwrap();
        assert_eq!((proxy.width, proxy.height), (1600, 1200));
        let exif = exif::Reader::new()
            .read_from_container(&mut Cursor::new(&proxy.bytes[..]))
            .unwrap();
        let o = exif
            .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
            .unwrap();
        assert_eq!(o.value.get_uint(0), Some(6));
        // 300 dpi × 640 / 1600 = 120 dpi: the same natural size.
        let (n, d) = exif_dpi(&exif).unwrap();
        assert_eq!(n as f64 / d as f64, 120.0);
        let decoded = image::load_from_memory(&proxy.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (640, 480));
        // Found in the cache the second time, byte for byte.
        let again = make(Path::new("p.jpg"), proxy.original.clone(), dir.path()).unwrap();
        assert_eq!(again.bytes, proxy.bytes);
    }
}
