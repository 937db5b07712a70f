//! Debug views of the laid-out document, for tests and layout designers.
//!
//! `folio compile --dump-layout FILE.json` writes, for every page, the text
//! lines as they were set, the boxes of every text run, photo and shape,
//! and the marks a layout left with `metadata((folio: …))`; `--dump-png DIR`
//! renders every page to `DIR/page-NNN.png` with typst-render. Both options
//! are hidden from `--help`: they serve the design tests (tests/cli/design.rs)
//! and whoever writes a layout, and their output may change with folio.
//!
//! Coordinates are in points, from the top-left corner of the trimmed page
//! (bleed lies at negative coordinates and beyond the page size).

use std::path::Path;

use serde_json::{Value, json};
use typst::introspection::{MetadataElem, Tag};
use typst::layout::{Abs, Frame, FrameItem, Point, Transform};
use typst::utils::Scalar;
use typst::visualize::Paint;
use typst_layout::{Page, PagedDocument};

use crate::engine::frames;
use crate::error::Error;

/// Pixels per point of `--dump-png`: 36 ppi, an A4 page is 298 × 421 pixels.
pub const PNG_PIXEL_PER_PT: f64 = 0.5;

/// A box on the page, in points.
#[derive(Debug, Clone, Copy)]
struct Bbox {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Bbox {
    fn of(ts: Transform, w: Abs, h: Abs) -> Self {
        let corners = [
            Point::zero(),
            Point::new(w, Abs::zero()),
            Point::new(Abs::zero(), h),
            Point::new(w, h),
        ]
        .map(|p| p.transform_inf(ts));
        let xs = corners.map(|p| p.x.to_pt());
        let ys = corners.map(|p| p.y.to_pt());
        Self {
            x0: xs.iter().copied().fold(f64::INFINITY, f64::min),
            y0: ys.iter().copied().fold(f64::INFINITY, f64::min),
            x1: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            y1: ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }

    fn intersect(self, o: Self) -> Self {
        Self {
            x0: self.x0.max(o.x0),
            y0: self.y0.max(o.y0),
            x1: self.x1.min(o.x1),
            y1: self.y1.min(o.y1),
        }
    }

    fn json(self) -> Value {
        json!({"x": r(self.x0), "y": r(self.y0), "w": r(self.x1 - self.x0), "h": r(self.y1 - self.y0)})
    }
}

/// A solid paint as `#rrggbb` (gradients and tilings as null).
fn hex(paint: Option<&Paint>) -> Value {
    match paint {
        Some(Paint::Solid(c)) => c.to_hex().as_str().into(),
        _ => Value::Null,
    }
}

fn r(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// One run of text as set.
struct Run {
    text: String,
    font: String,
    size: f64,
    baseline: f64,
    bbox: Bbox,
}

#[derive(Default)]
struct Collected {
    runs: Vec<Run>,
    items: Vec<Value>,
    marks: Vec<Value>,
}

/// Collects the page's items through the one frame walker
/// ([`frames::walk`]), with its clip rectangles.
fn collect(frame: &Frame, out: &mut Collected) {
    frames::walk(frame, Transform::identity(), None, &mut |item, ts, clip| {
        let clip = clip.map(|c| Bbox {
            x0: c.min.x.to_pt(),
            y0: c.min.y.to_pt(),
            x1: c.max.x.to_pt(),
            y1: c.max.y.to_pt(),
        });
        let clipped = |b: Bbox| clip.map_or(b, |c| b.intersect(c));
        match item {
            FrameItem::Text(t) => {
                let m = t.font.metrics();
                let ascent = m.ascender.at(t.size);
                let descent = -m.descender.at(t.size);
                let b = Bbox::of(
                    ts.pre_concat(Transform::translate(Abs::zero(), -ascent)),
                    t.width(),
                    ascent + descent,
                );
                let b = clipped(b);
                let font = t.font.info().family.clone();
                out.items.push(json!({
                    "kind": "text", "text": t.text.as_str(), "font": font,
                    "size": r(t.size.to_pt()), "fill": hex(Some(&t.fill)), "box": b.json(),
                }));
                out.runs.push(Run {
                    text: t.text.to_string(),
                    font,
                    size: t.size.to_pt(),
                    baseline: Point::zero().transform_inf(ts).y.to_pt(),
                    bbox: b,
                });
            }
            FrameItem::Image(_, size, _) => {
                let b = clipped(Bbox::of(ts, size.x, size.y));
                out.items.push(json!({"kind": "image", "box": b.json()}));
            }
            FrameItem::Shape(shape, _) => {
                let rect = shape.geometry.bbox(shape.stroke.as_ref());
                let ts = ts.pre_concat(Transform::translate(rect.min.x, rect.min.y));
                let size = rect.max - rect.min;
                let b = clipped(Bbox::of(ts, size.x, size.y));
                out.items.push(json!({
                    "kind": "shape", "fill": hex(shape.fill.as_ref()),
                    "stroke": hex(shape.stroke.as_ref().map(|s| &s.paint)), "box": b.json(),
                }));
            }
            FrameItem::Tag(Tag::Start(content, _)) => {
                if let Some(meta) = content.to_packed::<MetadataElem>() {
                    let value = serde_json::to_value(&meta.value).unwrap_or(Value::Null);
                    if value.get("folio").is_some() {
                        let at = Point::zero().transform_inf(ts);
                        out.marks.push(json!({
                            "x": r(at.x.to_pt()), "y": r(at.y.to_pt()), "value": value,
                        }));
                    }
                }
            }
            FrameItem::Group(_) | FrameItem::Tag(_) | FrameItem::Link(..) => {}
        }
    });
}

/// Groups runs into lines: same baseline, no wider gap than 1.2 em between
/// neighbours (so that two columns give two lines).
fn lines(mut runs: Vec<Run>) -> Vec<Value> {
    runs.sort_by(|a, b| {
        a.baseline
            .total_cmp(&b.baseline)
            .then(a.bbox.x0.total_cmp(&b.bbox.x0))
    });
    let mut rows: Vec<Vec<Run>> = Vec::new();
    for run in runs {
        match rows.last_mut() {
            Some(row)
                if (row[0].baseline - run.baseline).abs() <= 0.2 * row[0].size.max(run.size) =>
            {
                row.push(run)
            }
            _ => rows.push(vec![run]),
        }
    }
    let mut out = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
        let mut line: Vec<&Run> = Vec::new();
        let flush = |line: &mut Vec<&Run>, out: &mut Vec<Value>| {
            if line.is_empty() {
                return;
            }
            let text: String = line.iter().map(|r| r.text.as_str()).collect();
            let b = line.iter().skip(1).fold(line[0].bbox, |a, r| Bbox {
                x0: a.x0.min(r.bbox.x0),
                y0: a.y0.min(r.bbox.y0),
                x1: a.x1.max(r.bbox.x1),
                y1: a.y1.max(r.bbox.y1),
            });
            let size = line.iter().map(|r| r.size).fold(0.0, f64::max);
            let fonts: Vec<&str> = line.iter().map(|r| r.font.as_str()).collect();
            out.push(json!({
                "text": text, "size": r(size), "baseline": r(line[0].baseline),
                "box": b.json(), "fonts": fonts,
            }));
            line.clear();
        };
        for run in &row {
            if let Some(prev) = line.last() {
                let gap = run.bbox.x0 - prev.bbox.x1;
                if gap > 1.2 * prev.size.max(run.size) {
                    flush(&mut line, &mut out);
                }
            }
            line.push(run);
        }
        flush(&mut line, &mut out);
    }
    out
}

fn page_json(index: usize, page: &Page) -> Value {
    let mut c = Collected::default();
    collect(&page.frame, &mut c);
    let b = page.bleed;
    json!({
        "page": index + 1,
        "width": r(page.frame.width().to_pt()),
        "height": r(page.frame.height().to_pt()),
        "bleed": {
            "left": r(b.left.to_pt()), "top": r(b.top.to_pt()),
            "right": r(b.right.to_pt()), "bottom": r(b.bottom.to_pt()),
        },
        "fill": hex(page.fill_or_transparent().as_ref()),
        "lines": lines(c.runs),
        "items": c.items,
        "marks": c.marks,
    })
}

/// The layout of every page as JSON (see the module documentation).
pub fn layout_json(doc: &PagedDocument) -> Value {
    let pages: Vec<Value> = doc
        .pages()
        .iter()
        .enumerate()
        .map(|(i, p)| page_json(i, p))
        .collect();
    json!({ "unit": "pt", "pages": pages })
}

/// Writes `layout_json` to `path`.
pub fn write_layout(doc: &PagedDocument, path: &Path) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(&layout_json(doc)).expect("layout serialises");
    std::fs::write(path, text).map_err(|e| Error::io(path, "cannot write the layout dump", e))
}

/// Renders every page, bleed included, to `dir/page-NNN.png`.
pub fn write_pngs(doc: &PagedDocument, dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the folder", e))?;
    let opts = typst_render::RenderOptions {
        pixel_per_pt: Scalar::new(PNG_PIXEL_PER_PT),
        render_bleed: true,
    };
    for (i, page) in doc.pages().iter().enumerate() {
        let pixmap = typst_render::render(page, &opts);
        let path = dir.join(format!("page-{:03}.png", i + 1));
        let png = pixmap
            .encode_png()
            .map_err(|e| Error::plain(format!("cannot encode {}: {e}", path.display())))?;
        std::fs::write(&path, png)
            .map_err(|e| Error::io(&path, "cannot write the page image", e))?;
    }
    Ok(())
}
