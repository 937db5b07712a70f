//! Photos as editors receive them: read by their content, not their
//! extension; checked whole; WebP and GIF turned into PNG in memory; HEIC
//! refused with a way out; EXIF orientation honoured.
//!
//! Every photo the issue places (manifest photos and Markdown images) passes
//! through [`inspect`] once per compile. The result is kept per file (size,
//! times and inode unchanged), so a `watch` session reads and walks a photo
//! only when it changed. Typst never sees a photo folio has not checked,
//! so a broken photo is reported against the manifest or Markdown line
//! that names it, never against a layout file.
//!
//! A photo whose bytes Typst cannot take as they are (WebP, GIF: converted
//! to PNG; a PNG named `.jpg`: the same bytes under the right extension)
//! is served to the layout under [`MEMORY_VDIR`]: `/_folio/photo/<path in
//! the issue>.<ext>`. The world maps such a path back to the file, so
//! confinement, watching and messages still name the file itself.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use typst::foundations::Bytes;

use crate::error::display_path;

/// The most pixels a photo may have (width × height); larger ones are
/// refused before they are decoded.
pub const MAX_IMAGE_PIXELS: u64 = 120_000_000;

/// Where photos served from memory appear to the layout.
pub const MEMORY_VDIR: &str = "/_folio/photo";

/// What a photo file holds, by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Jpeg => "JPEG",
            Kind::Png => "PNG",
            Kind::Webp => "WebP",
            Kind::Gif => "GIF",
        }
    }

    /// The extension Typst reads this format by.
    fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png | Kind::Webp | Kind::Gif => "png",
        }
    }
}

/// A checked photo.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Pixel size as printed (after the EXIF orientation).
    pub width: u32,
    pub height: u32,
    pub kind: Kind,
    /// The bytes the layout gets, when they are not the file's (WebP, GIF).
    pub converted: Option<Bytes>,
    /// Whether the file is served under another name than its own (its
    /// extension does not say what it is, or it was converted).
    pub renamed: bool,
    /// A line for the editor (what was converted), if any.
    pub note: Option<String>,
}

/// What identifies a file's contents without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
    changed: i64,
    changed_ns: i64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let (inode, changed, changed_ns) = {
            use std::os::unix::fs::MetadataExt;
            (meta.ino(), meta.ctime(), meta.ctime_nsec())
        };
        #[cfg(not(unix))]
        let (inode, changed, changed_ns) = (0, 0, 0);
        Some(Self {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
            changed,
            changed_ns,
        })
    }
}

/// Photos checked in this process, by canonical path.
static CHECKED: LazyLock<Mutex<HashMap<PathBuf, (Stamp, Checked)>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Checks the photo at `path` (canonical), from the cache if it is unchanged.
/// The error is a message that names the file.
pub fn inspect(path: &Path) -> Result<Checked, String> {
    let stamp = Stamp::of(path);
    if let Some(stamp) = stamp
        && let Ok(cache) = CHECKED.lock()
        && let Some((s, c)) = cache.get(path)
        && *s == stamp
    {
        return Ok(c.clone());
    }
    let checked = inspect_uncached(path)?;
    if let Some(stamp) = stamp
        && Stamp::of(path) == Some(stamp)
        && let Ok(mut cache) = CHECKED.lock()
    {
        cache.insert(path.to_path_buf(), (stamp, checked.clone()));
    }
    Ok(checked)
}

/// The checked state of a photo, if [`inspect`] saw it unchanged.
pub fn cached(path: &Path) -> Option<Checked> {
    let stamp = Stamp::of(path)?;
    let cache = CHECKED.lock().ok()?;
    cache
        .get(path)
        .filter(|(s, _)| *s == stamp)
        .map(|(_, c)| c.clone())
}

/// The virtual path the layout places `canonical` (inside `root`) by.
pub fn vpath(root: &Path, canonical: &Path, checked: &Checked) -> String {
    let plain = crate::pipeline::model::vpath(root, canonical);
    if !checked.renamed {
        return plain;
    }
    let rel = plain
        .strip_prefix(crate::pipeline::model::ISSUE_VDIR)
        .unwrap_or(&plain);
    format!("{MEMORY_VDIR}{rel}.{}", checked.kind.extension())
}

/// The issue-relative path (`photos/p.webp`) behind a memory path, if it
/// is one.
pub fn memory_source(vpath: &str) -> Option<&str> {
    let rest = vpath.strip_prefix(MEMORY_VDIR)?.strip_prefix('/')?;
    let (stem, _) = rest.rsplit_once('.')?;
    Some(stem)
}

/// Whether these bytes are an HEIF container (HEIC, the iPhone's default;
/// AVIF is refused the same way).
fn heif_brand(head: &[u8]) -> Option<&'static str> {
    if head.len() < 12 || &head[4..8] != b"ftyp" {
        return None;
    }
    match &head[8..12] {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" => Some("HEIC"),
        b"mif1" | b"msf1" => Some("HEIF"),
        b"avif" | b"avis" => Some("AVIF"),
        _ => None,
    }
}

fn inspect_uncached(path: &Path) -> Result<Checked, String> {
    let shown = display_path(path);
    let data = std::fs::read(path).map_err(|e| {
        format!(
            "cannot read the photo `{shown}`: {}",
            crate::error::describe_io(&e)
        )
    })?;
    if let Some(brand) = heif_brand(&data) {
        return Err(format!(
            "the photo `{shown}` is an {brand} image (the iPhone's default format), which folio cannot place; \
             convert it to JPEG: on the iPhone set Settings → Camera → Formats → Most Compatible, \
             or open it in Photos (macOS) or the Windows Photos app and export or save it as JPEG"
        ));
    }
    let kind = match image::guess_format(&data) {
        Ok(ImageFormat::Jpeg) => Kind::Jpeg,
        Ok(ImageFormat::Png) => Kind::Png,
        Ok(ImageFormat::WebP) => Kind::Webp,
        Ok(ImageFormat::Gif) => Kind::Gif,
        Ok(other) => {
            return Err(format!(
                "the photo `{shown}` is a {} image; folio places JPEG and PNG photos (and converts WebP and GIF): save it as JPEG",
                other
                    .to_mime_type()
                    .trim_start_matches("image/")
                    .to_uppercase()
            ));
        }
        Err(_) => {
            return Err(format!(
                "the photo `{shown}` cannot be read: it is corrupt, or not a JPEG, PNG, WebP or GIF image"
            ));
        }
    };
    // Structure first: a file cut short is named as such.
    match kind {
        Kind::Jpeg => {
            let info = crate::pipeline::verify::check_jpeg(&data).map_err(|p| {
                format!("the photo `{shown}` is broken: {p}; copy it again from the original")
            })?;
            if info.components == 4 {
                return Err(format!(
                    "the photo `{shown}` is a CMYK JPEG; Typst 0.15 does not reproduce CMYK JPEGs reliably \
                     (typst issue 3781): save it as an RGB JPEG (sRGB) and let the print shop convert"
                ));
            }
        }
        Kind::Png => crate::pipeline::verify::check_png(&data).map_err(|p| {
            format!("the photo `{shown}` is broken: {p}; copy it again from the original")
        })?,
        Kind::Webp | Kind::Gif => {}
    }
    let reader = ImageReader::with_format(Cursor::new(&data), image_format(kind));
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| format!("the photo `{shown}` is broken: {e}"))?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(format!("the photo `{shown}` has no pixels"));
    }
    if u64::from(w) * u64::from(h) > MAX_IMAGE_PIXELS {
        return Err(format!(
            "the photo is {w}×{h} pixels, above the limit of {MAX_IMAGE_PIXELS} pixels"
        ));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let turned = matches!(
        orientation,
        image::metadata::Orientation::Rotate90
            | image::metadata::Orientation::Rotate270
            | image::metadata::Orientation::Rotate90FlipH
            | image::metadata::Orientation::Rotate270FlipH
    );
    let (width, height) = if turned { (h, w) } else { (w, h) };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let ext_says = match ext.as_str() {
        "jpg" | "jpeg" => Some(Kind::Jpeg),
        "png" => Some(Kind::Png),
        "webp" => Some(Kind::Webp),
        "gif" => Some(Kind::Gif),
        _ => None,
    };
    match kind {
        Kind::Jpeg | Kind::Png => {
            let renamed = ext_says != Some(kind);
            let note = renamed.then(|| {
                format!(
                    "the photo `{shown}` is a {} image whatever its name says; folio reads it as {}",
                    kind.name(),
                    kind.name()
                )
            });
            Ok(Checked {
                width,
                height,
                kind,
                converted: None,
                renamed,
                note,
            })
        }
        Kind::Webp | Kind::Gif => {
            // The first frame, upright, as a PNG: PNG keeps every pixel.
            let mut img = DynamicImage::from_decoder(decoder)
                .map_err(|e| format!("the photo `{shown}` is broken: {e}"))?;
            img.apply_orientation(orientation);
            let mut out = Cursor::new(Vec::new());
            img.write_to(&mut out, ImageFormat::Png)
                .map_err(|e| format!("cannot convert the photo `{shown}`: {e}"))?;
            let first = if kind == Kind::Gif {
                " (its first frame)"
            } else {
                ""
            };
            Ok(Checked {
                width,
                height,
                kind,
                converted: Some(Bytes::new(out.into_inner())),
                renamed: true,
                note: Some(format!(
                    "the photo `{shown}` is {}; folio places it{first} as a PNG of the same {width} × {height} pixels",
                    kind.name()
                )),
            })
        }
    }
}

fn image_format(kind: Kind) -> ImageFormat {
    match kind {
        Kind::Jpeg => ImageFormat::Jpeg,
        Kind::Png => ImageFormat::Png,
        Kind::Webp => ImageFormat::WebP,
        Kind::Gif => ImageFormat::Gif,
    }
}
