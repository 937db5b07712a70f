//! Preflight: what a prepress operator checks before printing.
//!
//! Works on the laid-out document (placed images and their effective
//! resolution, glyphs no font has, text near the trim, backgrounds that stop
//! at the trim, page count against the binding) and on the finished PDF
//! (page boxes, embedded fonts).

use std::collections::HashMap;
use std::sync::Arc;

use lopdf::{Document, Object};
use serde::Serialize;
use typst::introspection::{MetadataElem, Tag};
use typst::layout::{Abs, Frame, FrameItem, Point, Rect, Size, Transform};
use typst::visualize::{Geometry, ImageKind};
use typst_layout::PagedDocument;

use crate::engine::frames::{hash_bytes, image_files, intersect, scale_of, transform_rect, walk};
use crate::engine::proxy::Proxy;
use crate::error::display_path;
use crate::export::prepress::page_box;
use crate::pipeline::model::{Binding, Issue};

/// Below this effective resolution a photo is a warning …
pub const WARN_PPI: f64 = 300.0;
/// … and below this an error.
pub const ERROR_PPI: f64 = 150.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub level: Level,
    /// A stable name for scripts, e.g. `image-resolution`.
    pub check: &'static str,
    /// 1-based physical page, when the finding is on a page.
    pub page: Option<usize>,
    /// The file concerned, when known.
    pub file: Option<String>,
    pub message: String,
}

/// All findings of one preflight run.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub pages: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Level::Error) > 0
    }

    /// `preflight: 0 errors, 2 warnings`.
    pub fn summary(&self) -> String {
        let e = self.count(Level::Error);
        let w = self.count(Level::Warning);
        format!(
            "preflight: {e} error{}, {w} warning{}",
            if e == 1 { "" } else { "s" },
            if w == 1 { "" } else { "s" }
        )
    }

    /// The report for people: one line per finding, grouped by page.
    pub fn human(&self) -> String {
        let mut out = self.findings_human();
        out.push_str(&format!("{} ({} pages)\n", self.summary(), self.pages));
        out
    }

    /// One line per finding, errors first on each page (no summary).
    pub fn findings_human(&self) -> String {
        let mut out = String::new();
        let mut findings = self.findings.clone();
        findings.sort_by_key(|f| (f.page.unwrap_or(0), std::cmp::Reverse(f.level)));
        for f in &findings {
            let level = match f.level {
                Level::Error => "error",
                Level::Warning => "warning",
                Level::Info => "info",
            };
            let page = f.page.map(|p| format!("page {p}: ")).unwrap_or_default();
            let file = f
                .file
                .as_ref()
                .map(|p| format!(" [{p}]"))
                .unwrap_or_default();
            out.push_str(&format!(
                "{level}: {page}{}{file} ({})\n",
                f.message, f.check
            ));
        }
        out
    }

    fn add(
        &mut self,
        level: Level,
        check: &'static str,
        page: Option<usize>,
        file: Option<String>,
        message: String,
    ) {
        self.findings.push(Finding {
            level,
            check,
            page,
            file,
            message,
        });
    }
}

/// Settings of a preflight run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Text must keep this distance from the trim.
    pub safe_mm: f64,
    /// Photos the layout placed as proxies: their resolution is the
    /// original's, which the print PDF carries.
    pub proxies: Vec<Arc<Proxy>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            safe_mm: 4.0,
            proxies: Vec::new(),
        }
    }
}

/// Runs every check.
pub fn check(issue: &Issue, doc: &PagedDocument, pdf: &[u8], opts: &Options) -> Report {
    let mut report = Report {
        pages: doc.pages().len(),
        findings: vec![],
    };
    let mut files = image_files(issue);
    // A proxy's pixels stand for its original's: (file, original ÷ proxy).
    let mut scale: HashMap<u64, f64> = HashMap::new();
    for p in &opts.proxies {
        let key = hash_bytes(&p.bytes);
        files.insert(key, p.path.clone());
        let proxy_width = image::ImageReader::new(std::io::Cursor::new(&p.bytes[..]))
            .with_guessed_format()
            .ok()
            .and_then(|r| r.into_dimensions().ok())
            .map_or(p.width, |(w, _)| w);
        scale.insert(key, f64::from(p.width) / f64::from(proxy_width.max(1)));
    }
    let bleed = Abs::mm(issue.print.bleed_mm);
    let safe = Abs::mm(opts.safe_mm);
    // The marks the layout left with `metadata((folio: …))`: (page, value).
    let mut marks: Vec<(usize, serde_json::Value)> = Vec::new();
    for (i, page) in doc.pages().iter().enumerate() {
        let n = i + 1;
        let size = page.frame.size();
        let mut seen_images: Vec<u64> = Vec::new();
        let mut near_trim = None::<String>;
        let mut past_trim = None::<String>;
        let mut missing = Vec::new();
        let mut stops_at_trim = false;
        walk(
            &page.frame,
            Transform::identity(),
            None,
            &mut |item, ts, clip| match item {
                FrameItem::Image(image, isize, _) => {
                    let (sx, sy) = scale_of(ts);
                    let w_in = isize.x.to_inches() * sx;
                    let h_in = isize.y.to_inches() * sy;
                    if w_in <= 0.0 || h_in <= 0.0 {
                        return;
                    }
                    let mut factor = 1.0;
                    let file = match image.kind() {
                        ImageKind::Raster(r) => {
                            let key = hash_bytes(r.data());
                            factor = scale.get(&key).copied().unwrap_or(1.0);
                            if seen_images.contains(&key) {
                                None
                            } else {
                                seen_images.push(key);
                                Some(files.get(&key).map(|p| display_path(p)))
                            }
                        }
                        _ => Some(None),
                    };
                    let Some(file) = file else { return };
                    let (width, height) = (
                        (image.width() * factor).round(),
                        (image.height() * factor).round(),
                    );
                    let ppi = (width / w_in).min(height / h_in);
                    let placed = format!(
                        "{:.0} × {:.0} mm",
                        isize.x.to_mm() * sx,
                        isize.y.to_mm() * sy
                    );
                    let msg =
                        format!("photo of {width} × {height} px placed at {placed}: {ppi:.0} ppi");
                    if ppi < ERROR_PPI {
                        report.add(
                            Level::Error,
                            "image-resolution",
                            Some(n),
                            file,
                            format!("{msg}, below {ERROR_PPI:.0} ppi"),
                        );
                    } else if ppi < WARN_PPI {
                        report.add(
                            Level::Warning,
                            "image-resolution",
                            Some(n),
                            file,
                            format!("{msg}, below {WARN_PPI:.0} ppi"),
                        );
                    }
                    let bounds = clipped(
                        Rect::new(Point::zero(), Point::new(isize.x, isize.y)),
                        ts,
                        clip,
                    );
                    stops_at_trim |= touches_trim_only(bounds, size, bleed);
                }
                FrameItem::Shape(shape, _) if shape.fill.is_some() => {
                    let bbox = match &shape.geometry {
                        Geometry::Rect(s) => Rect::new(Point::zero(), Point::new(s.x, s.y)),
                        Geometry::Curve(c) => c.bbox(None),
                        Geometry::Line(_) => return,
                    };
                    let bounds = clipped(bbox, ts, clip);
                    stops_at_trim |= touches_trim_only(bounds, size, bleed);
                }
                FrameItem::Text(text) => {
                    for g in &text.glyphs {
                        if g.id == 0 {
                            let s = text.text.get(g.range()).unwrap_or("?").to_string();
                            if !missing.contains(&s) {
                                missing.push(s);
                            }
                        }
                    }
                    let width = text.width();
                    let top = Point::new(Abs::zero(), -text.size).transform(ts);
                    let bottom = Point::new(width, text.size * 0.25).transform(ts);
                    let r = Rect::new(top.min(bottom), top.max(bottom));
                    // Text wholly outside the bleed is the slug line of the marks.
                    let outside = r.max.x < -bleed
                        || r.min.x > size.x + bleed
                        || r.max.y < -bleed
                        || r.min.y > size.y + bleed;
                    if outside {
                        return;
                    }
                    // The part that prints: inside the clip, if any.
                    let shown = match clip {
                        Some(c) => intersect(r, c),
                        None => r,
                    };
                    let eps = Abs::mm(0.1);
                    let past = shown.max.x > shown.min.x
                        && (shown.min.x < -eps
                            || shown.max.x > size.x + eps
                            || shown.min.y < -eps
                            || shown.max.y > size.y + eps);
                    if past && past_trim.is_none() {
                        let visible: String = text
                            .text
                            .chars()
                            .filter(|c| !matches!(c, '\u{200B}' | '\u{AD}' | '\u{2060}'))
                            .collect();
                        past_trim = Some(visible.chars().take(40).collect());
                    }
                    let close = r.min.x < safe
                        || r.min.y < safe
                        || r.max.x > size.x - safe
                        || r.max.y > size.y - safe;
                    if close && near_trim.is_none() {
                        near_trim = Some(text.text.chars().take(24).collect());
                    }
                }
                FrameItem::Tag(Tag::Start(content, _)) => {
                    if let Some(meta) = content.to_packed::<MetadataElem>()
                        && let Ok(value) = serde_json::to_value(&meta.value)
                        && value.get("folio").is_some()
                    {
                        marks.push((n, value));
                    }
                }
                _ => {}
            },
        );
        if let Some(t) = past_trim {
            report.add(
                Level::Error,
                "past-trim",
                Some(n),
                None,
                format!("text “{t}” runs past the trim: it would be cut off in print"),
            );
        }
        if let Some(t) = near_trim {
            report.add(
                Level::Warning,
                "safe-zone",
                Some(n),
                None,
                format!("text “{t}” is closer than {} mm to the trim", opts.safe_mm),
            );
        }
        if !missing.is_empty() {
            report.add(
                Level::Error,
                "missing-glyph",
                Some(n),
                None,
                format!("no font has {}: printed as empty boxes", missing.join(" ")),
            );
        }
        if stops_at_trim {
            report.add(
                Level::Warning,
                "bleed",
                Some(n),
                None,
                "a background or photo reaches the trim but not into the bleed; extend it by the bleed".into(),
            );
        }
    }

    check_marks(&mut report, &marks);

    // Binding.
    let pages = doc.pages().len();
    match issue.print.binding {
        Binding::Saddle if !pages.is_multiple_of(4) => report.add(
            Level::Error,
            "page-count",
            None,
            None,
            format!("{pages} pages: a saddle-stitched issue needs a multiple of 4"),
        ),
        Binding::Perfect if !pages.is_multiple_of(2) => report.add(
            Level::Error,
            "page-count",
            None,
            None,
            format!("{pages} pages: a perfect-bound issue needs an even page count"),
        ),
        _ => {}
    }

    check_pdf(&mut report, pdf, issue.print.bleed_mm);
    report
}

/// The largest share of a portrait photo's height a crop may take without
/// a warning (a group photo loses its heads, a standing figure its feet).
pub const PORTRAIT_CROP_WARN: f64 = 0.25;

/// Checks of what the layout marked: the back cover's side, and crops that
/// cut too much of a portrait photo's height.
fn check_marks(report: &mut Report, marks: &[(usize, serde_json::Value)]) {
    for (n, v) in marks {
        if v["folio"] == "crop" {
            let (w, h) = (
                v["w"].as_f64().unwrap_or(0.0),
                v["h"].as_f64().unwrap_or(0.0),
            );
            let lost = v["lost"].as_f64().unwrap_or(0.0);
            if h > w && lost > PORTRAIT_CROP_WARN {
                let src = v["src"].as_str().unwrap_or("");
                let file = src
                    .strip_prefix(crate::pipeline::model::ISSUE_VDIR)
                    .map_or(src, |s| s.trim_start_matches('/'));
                report.add(
                    Level::Warning,
                    "portrait-crop",
                    Some(*n),
                    Some(file.to_string()),
                    format!(
                        "the portrait photo {file} loses {:.0} % of its height to its crop (more than {:.0} %); give it a `focus` in issue.toml, or use a landscape photo",
                        lost * 100.0,
                        PORTRAIT_CROP_WARN * 100.0
                    ),
                );
            }
        }
        // Page 1, the cover, is a right-hand page: the back cover, the
        // outside of the last leaf, must be a left-hand (even) page.
        if v["folio"] == "back-cover" && n % 2 == 1 {
            report.add(
                Level::Warning,
                "back-cover-side",
                Some(*n),
                None,
                format!(
                    "the back cover is page {n}, a right-hand page: printed, it would face inwards; an even page count puts it on the outside (add or remove a page)"
                ),
            );
        }
    }
}

/// Checks of the finished PDF: page boxes and embedded fonts.
fn check_pdf(report: &mut Report, pdf: &[u8], bleed_mm: f64) {
    let doc = match Document::load_mem(pdf) {
        Ok(d) => d,
        Err(e) => {
            report.add(
                Level::Error,
                "pdf",
                None,
                None,
                format!("the PDF cannot be read back: {e}"),
            );
            return;
        }
    };
    let bleed = bleed_mm * 72.0 / 25.4;
    for (n, id) in doc.get_pages() {
        let n = n as usize;
        let media = page_box(&doc, id, b"MediaBox");
        let trim = page_box(&doc, id, b"TrimBox");
        let bleedbox = page_box(&doc, id, b"BleedBox");
        match (media, trim, bleedbox) {
            (Some(m), Some(t), Some(b)) => {
                let a4 =
                    ((t[2] - t[0]) - 595.276).abs() < 0.5 && ((t[3] - t[1]) - 841.89).abs() < 0.5;
                if !a4 {
                    report.add(
                        Level::Warning,
                        "boxes",
                        Some(n),
                        None,
                        format!(
                            "TrimBox is {:.1} × {:.1} pt, not A4",
                            t[2] - t[0],
                            t[3] - t[1]
                        ),
                    );
                }
                let contains = |outer: [f64; 4], inner: [f64; 4]| {
                    outer[0] <= inner[0] + 0.01
                        && outer[1] <= inner[1] + 0.01
                        && outer[2] >= inner[2] - 0.01
                        && outer[3] >= inner[3] - 0.01
                };
                if !contains(b, t) || !contains(m, b) {
                    report.add(
                        Level::Error,
                        "boxes",
                        Some(n),
                        None,
                        "MediaBox ⊇ BleedBox ⊇ TrimBox does not hold".into(),
                    );
                }
                let actual = t[0] - b[0];
                if (actual - bleed).abs() > 0.1 {
                    report.add(
                        Level::Error,
                        "boxes",
                        Some(n),
                        None,
                        format!("bleed is {:.1} mm, not {bleed_mm} mm", actual * 25.4 / 72.0),
                    );
                }
            }
            _ => report.add(
                Level::Error,
                "boxes",
                Some(n),
                None,
                "the page lacks a MediaBox, TrimBox or BleedBox".into(),
            ),
        }
    }
    for (_, obj) in doc.objects.iter() {
        let Ok(dict) = obj.as_dict() else { continue };
        if dict.get(b"Type").and_then(Object::as_name).ok() != Some(b"FontDescriptor") {
            continue;
        }
        if !(dict.has(b"FontFile") || dict.has(b"FontFile2") || dict.has(b"FontFile3")) {
            let name = dict
                .get(b"FontName")
                .and_then(Object::as_name)
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .unwrap_or_default();
            report.add(
                Level::Error,
                "fonts",
                None,
                None,
                format!("font {name} is not embedded"),
            );
        }
    }
}

fn clipped(local: Rect, ts: Transform, clip: Option<Rect>) -> Rect {
    let r = transform_rect(local, ts);
    match clip {
        Some(c) => intersect(r, c),
        None => r,
    }
}

/// Whether a filled area ends exactly at a trim edge instead of running on
/// into the bleed.
fn touches_trim_only(r: Rect, page: Size, bleed: Abs) -> bool {
    if bleed <= Abs::zero() || r.max.x <= r.min.x || r.max.y <= r.min.y {
        return false;
    }
    let eps = Abs::mm(0.3);
    let short = bleed - Abs::mm(0.5);
    let edge = |at: Abs, target: Abs| (at - target).abs() < eps;
    let left = edge(r.min.x, Abs::zero()) && r.min.x > -short;
    let top = edge(r.min.y, Abs::zero()) && r.min.y > -short;
    let right = edge(r.max.x, page.x) && r.max.x < page.x + short;
    let bottom = edge(r.max.y, page.y) && r.max.y < page.y + short;
    left || top || right || bottom
}

/// Pages on which nothing is drawn (the blanks added for the binding).
pub fn blank_pages(doc: &PagedDocument) -> usize {
    fn visible(frame: &Frame) -> bool {
        frame.items().any(|(_, item)| match item {
            FrameItem::Group(g) => visible(&g.frame),
            FrameItem::Text(_) | FrameItem::Shape(..) | FrameItem::Image(..) => true,
            FrameItem::Link(..) | FrameItem::Tag(_) => false,
        })
    }
    doc.pages().iter().filter(|p| !visible(&p.frame)).count()
}
