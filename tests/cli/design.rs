//! Design: Chinese line breaking to clreq, nothing outside the live area,
//! visual regression of chosen pages, the manifest's design options, and
//! the second layout.
//!
//! The tests read the laid-out pages through `folio compile --dump-layout`
//! (src/inspect.rs): every text line as set, the box of every text run,
//! photo and shape, and the areas each page declares (`live`: where every
//! mark that does not bleed must stay; `body`: the type area).
//!
//! Visual references live in tests/fixtures/visual/. After an intended
//! change of the design, refresh them with
//!
//!     FOLIO_BLESS=1 cargo test --release design::visual
//!
//! and look at the new PNGs before committing them.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::*;

// ---- Running folio ----------------------------------------------------------

struct Dumped {
    layout: Value,
    dir: tempfile::TempDir,
}

impl Dumped {
    fn pages(&self) -> &Vec<Value> {
        self.layout["pages"].as_array().unwrap()
    }

    fn png(&self, page: usize) -> PathBuf {
        self.dir
            .path()
            .join("png")
            .join(format!("page-{page:03}.png"))
    }
}

/// Compiles `manifest` with the layout dump (and page images if `png`).
fn dump(manifest: &Path, png: bool) -> Dumped {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("layout.json");
    let mut cmd = folio();
    cmd.arg("compile")
        .arg(manifest)
        .arg("-o")
        .arg(dir.path().join("out.pdf"))
        .arg("--dump-layout")
        .arg(&json);
    if png {
        cmd.arg("--dump-png").arg(dir.path().join("png"));
    }
    let out = cmd.output().unwrap();
    assert_success(&out);
    let err = diagnostics(&out);
    assert!(
        !err.contains("warning:"),
        "{}: warnings:\n{err}",
        manifest.display()
    );
    let layout = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    Dumped { layout, dir }
}

/// The stress fixture: long titles, a very long article, a one-line
/// article, galleries of 1 and of 25 photos, an essay, a half lead and a
/// row of figures.
fn stress() -> Fixture {
    let fx = Fixture::new("design-stress");
    for i in 1..=25u8 {
        write_photo(&fx.path(&format!("photos/g{i:02}.jpg")), 320, 240, i);
    }
    fx
}

/// The sample issue copied (manifest and folder) into a temporary folder,
/// so that a test may edit its manifest.
fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("issue.toml"), dir.path().join("issue.toml")).unwrap();
    copy_dir(
        &repo().join("examples/zhenjing-2024-01"),
        &dir.path().join("examples/zhenjing-2024-01"),
    );
    dir
}

fn set_layout(manifest: &Path, name: &str) {
    let text = std::fs::read_to_string(manifest).unwrap();
    let text = text.replacen("layout = \"default\"", &format!("layout = \"{name}\""), 1);
    assert!(text.contains(&format!("layout = \"{name}\"")));
    std::fs::write(manifest, text).unwrap();
}

// ---- Geometry ------------------------------------------------------------------

fn text_of(line: &Value) -> String {
    line["text"]
        .as_str()
        .unwrap()
        .chars()
        .filter(|c| *c != '\u{2060}')
        .collect::<String>()
        .trim()
        .to_string()
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

// ---- (a) clreq line breaking ---------------------------------------------------

/// clreq §3.1.7, prohibition rules (basic): marks that may not start a line.
const NO_LINE_START: &str = "，。、；：？！）》〉」』】〕〗｝”’·…％‰,.;:!?)]}%";
/// Marks that may not end a line.
const NO_LINE_END: &str = "“‘（《〈「『【〔〖｛([{";

/// Checks every laid-out line; returns the violations.
fn line_breaking_violations(d: &Dumped) -> Vec<String> {
    let mut bad = Vec::new();
    for page in d.pages() {
        let n = page["page"].as_u64().unwrap();
        for line in page["lines"].as_array().unwrap() {
            let t = text_of(line);
            let chars: Vec<char> = t.chars().collect();
            let (Some(&first), Some(&last)) = (chars.first(), chars.last()) else {
                continue;
            };
            let mut why = Vec::new();
            if NO_LINE_START.contains(first) {
                why.push("starts with closing punctuation");
            }
            if NO_LINE_END.contains(last) {
                why.push("ends with opening punctuation");
            }
            // A single dash (连接号, 2023—2024) neither starts nor ends a line;
            // the two-em dash —— may start a line but is never split.
            if first == '—' && chars.get(1) != Some(&'—') {
                why.push("starts with a single dash");
            }
            if last == '—' && (chars.len() < 2 || chars[chars.len() - 2] != '—') {
                why.push("ends with a single dash");
            }
            // Half-width punctuation next to Chinese is set full-width.
            for w in chars.windows(2) {
                let half = |c: char| ",;:!?()".contains(c);
                if (half(w[0]) && is_han(w[1])) || (is_han(w[0]) && half(w[1])) {
                    why.push("half-width punctuation next to a Han character");
                    break;
                }
            }
            for reason in why {
                bad.push(format!("page {n}: {reason}: {t}"));
            }
        }
    }
    bad
}

/// Body lines (10 pt) that are the last line of a paragraph with one Han
/// character, alone or with its punctuation (孤字).
fn widows(d: &Dumped) -> Vec<String> {
    let mut bad = Vec::new();
    for page in d.pages() {
        for line in page["lines"].as_array().unwrap() {
            if (line["size"].as_f64().unwrap() - 10.0).abs() > 0.01 {
                continue;
            }
            let t = text_of(line);
            let han = t.chars().filter(|c| is_han(*c)).count();
            let other = t
                .chars()
                .filter(|c| c.is_alphanumeric() && !is_han(*c))
                .count();
            if han == 1 && other == 0 && t.chars().count() <= 3 {
                bad.push(format!("page {}: {t}", page["page"]));
            }
        }
    }
    bad
}

/// The text of every page in reading order: the left half's lines, then
/// the right half's (two columns), each from top to bottom.
fn all_text(d: &Dumped) -> String {
    let mut out = String::new();
    for page in d.pages() {
        let mid = page["width"].as_f64().unwrap() / 2.0;
        let mut lines: Vec<(bool, f64, String)> = page["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let right = l["box"]["x"].as_f64().unwrap() > mid;
                (right, l["baseline"].as_f64().unwrap(), text_of(l))
            })
            .collect();
        lines.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        for (_, _, t) in lines {
            out.push_str(&t);
        }
    }
    out
}

#[track_caller]
fn assert_clreq(d: &Dumped, what: &str) {
    let bad = line_breaking_violations(d);
    assert!(
        bad.is_empty(),
        "{what}: {} lines break clreq:\n{}",
        bad.len(),
        bad.join("\n")
    );
    let w = widows(d);
    assert!(
        w.is_empty(),
        "{what}: paragraphs end with a single character:\n{}",
        w.join("\n")
    );
    // Latin letters and figures in the body are set in the Latin face.
    for page in d.pages() {
        for item in page["items"].as_array().unwrap() {
            if item["kind"] != "text" || (item["size"].as_f64().unwrap() - 10.0).abs() > 0.01 {
                continue;
            }
            let t = item["text"].as_str().unwrap();
            if t.chars().any(|c| c.is_ascii_alphanumeric()) && !t.chars().any(is_han) {
                let font = item["font"].as_str().unwrap();
                assert!(
                    font == "Libertinus Serif" || font.contains("Sans"),
                    "{what}: page {}: `{t}` is set in {font}",
                    page["page"]
                );
            }
        }
    }
}

#[test]
fn sample_lines_obey_clreq_line_breaking() {
    let d = dump(&repo().join("issue.toml"), false);
    assert_clreq(&d, "sample");
    // The seed's year range stays on one line; its half-width punctuation
    // is set full-width (no `,` `(` next to a Han character: see above).
    let text = all_text(&d);
    assert!(text.contains("2023—2024"), "the year range is split");
    assert!(text.contains("（工银办"), "parentheses are full-width");
}

#[test]
fn stress_lines_obey_clreq_line_breaking() {
    let fx = stress();
    let d = dump(&fx.manifest(), false);
    assert_clreq(&d, "stress");
}

// ---- (b) nothing outside the live area ---------------------------------------

/// Checks the areas of every page; returns the violations.
fn area_violations(d: &Dumped) -> Vec<String> {
    let mut bad = Vec::new();
    for page in d.pages() {
        let n = page["page"].as_u64().unwrap();
        let (w, h) = (
            page["width"].as_f64().unwrap(),
            page["height"].as_f64().unwrap(),
        );
        let b = &page["bleed"];
        let bleed = Rect {
            x0: -b["left"].as_f64().unwrap(),
            y0: -b["top"].as_f64().unwrap(),
            x1: w + b["right"].as_f64().unwrap(),
            y1: h + b["bottom"].as_f64().unwrap(),
        };
        let trim = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: w,
            y1: h,
        };
        let mark = page["marks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["value"]["folio"] == "areas");
        let live = mark
            .and_then(|m| Rect::of(&m["value"]["live"]))
            .unwrap_or(trim);
        let body = mark.and_then(|m| Rect::of(&m["value"]["body"]));
        let items = page["items"].as_array().unwrap();
        let mut photos: Vec<Rect> = Vec::new();
        for item in items {
            let Some(r) = Rect::of(&item["box"]) else {
                continue;
            };
            if r.empty() {
                continue;
            }
            let kind = item["kind"].as_str().unwrap();
            let label = match kind {
                "text" => format!("text `{}`", item["text"].as_str().unwrap()),
                k => format!("{k} at ({:.0}, {:.0})", r.x0, r.y0),
            };
            // Font boxes reach from the ascender to the descender: allow a
            // Latin descender or a display face's ascender to pass the edge
            // of an area by 15 % of the size.
            let tol = item["size"].as_f64().map_or(1.0, |s| (0.15 * s).max(1.0));
            if kind == "text" {
                if !r.inside(&live, tol) {
                    bad.push(format!("page {n}: {label} leaves the live area"));
                }
            } else if !r.inside(&live, tol) {
                // Outside the live area only on purpose: it bleeds, reaching
                // the bleed edge on every side where it crosses the trim.
                let crosses = r.x0 < -0.5 || r.y0 < -0.5 || r.x1 > w + 0.5 || r.y1 > h + 0.5;
                let reaches = (r.x0 >= -0.5 || r.x0 <= bleed.x0 + 0.5)
                    && (r.y0 >= -0.5 || r.y0 <= bleed.y0 + 0.5)
                    && (r.x1 <= w + 0.5 || r.x1 >= bleed.x1 - 0.5)
                    && (r.y1 <= h + 0.5 || r.y1 >= bleed.y1 - 0.5);
                if !crosses || !reaches {
                    bad.push(format!(
                        "page {n}: {label} leaves the live area without bleeding"
                    ));
                }
            }
            // What overlaps the type area lies inside it (the running head
            // and folio lie wholly outside it).
            if let Some(body) = body {
                let (ow, oh) = r.overlap(&body);
                if ow > tol && oh > tol && !r.inside(&body, tol) {
                    bad.push(format!("page {n}: {label} runs out of the type area"));
                }
            }
            if kind == "image" && r.area() < 0.8 * trim.area() {
                photos.push(r);
            }
        }
        // No text under a photo (a full-page background photo excepted).
        for item in items.iter().filter(|i| i["kind"] == "text") {
            let Some(r) = Rect::of(&item["box"]) else {
                continue;
            };
            for p in &photos {
                let (ow, oh) = r.overlap(p);
                if ow > 1.0 && oh > 1.0 {
                    bad.push(format!("page {n}: text `{}` lies on a photo", item["text"]));
                }
            }
        }
        // No two runs of text overlap (runs of one line only touch).
        let runs: Vec<(String, Rect)> = items
            .iter()
            .filter(|i| i["kind"] == "text")
            .filter_map(|i| Some((i["text"].as_str()?.to_string(), Rect::of(&i["box"])?)))
            .collect();
        for (i, (ta, a)) in runs.iter().enumerate() {
            for (tb, b) in &runs[i + 1..] {
                let (ow, oh) = a.overlap(b);
                // Boxes run from ascender to descender: lines of a paragraph
                // may touch; collisions overlap by more.
                let limit = 0.3 * a.h().min(b.h());
                if ow > 1.0 && oh > limit {
                    bad.push(format!("page {n}: `{ta}` overlaps `{tb}`"));
                }
            }
        }
    }
    bad
}

#[track_caller]
fn assert_areas(d: &Dumped, what: &str) {
    let bad = area_violations(d);
    assert!(
        bad.is_empty(),
        "{what}: {} problems:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn sample_stays_inside_the_live_area() {
    let d = dump(&repo().join("issue.toml"), false);
    assert_areas(&d, "sample");
    // Every page but the blank ones declares its areas.
    for page in d.pages() {
        if !page["lines"].as_array().unwrap().is_empty() {
            assert!(
                page["marks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m["value"]["folio"] == "areas"),
                "page {} declares no areas",
                page["page"]
            );
        }
    }
}

#[test]
fn stress_issue_stays_inside_the_live_area_and_loses_no_text() {
    let fx = stress();
    let d = dump(&fx.manifest(), false);
    assert_areas(&d, "stress");
    // Every paragraph of the long article is there, to its last words.
    let han: String = all_text(&d).chars().filter(|c| is_han(*c)).collect();
    let long = std::fs::read_to_string(fx.path("long.md")).unwrap();
    for para in long
        .split("\n\n")
        .filter(|p| !p.starts_with('#') && !p.starts_with('['))
    {
        let tail: String = para.chars().filter(|c| is_han(*c)).collect();
        let tail: String = tail
            .chars()
            .rev()
            .take(8)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        assert!(han.contains(&tail), "lost text: …{tail}");
    }
    // The one-line article, and every photo of the 25-photo gallery.
    assert!(han.contains("本行新网点今日正式开业"));
    let images: usize = d
        .pages()
        .iter()
        .map(|p| {
            p["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["kind"] == "image")
                .count()
        })
        .sum();
    // cover, 3 in the 目录's 本期导读, 2 leads, 1 + 25 gallery, 1 in the text, 3 figures.
    assert!(images >= 1 + 2 + 1 + 25 + 1 + 3, "{images} images");
}

#[test]
fn basic_fixture_stays_inside_the_live_area() {
    let fx = Fixture::new("basic");
    let d = dump(&fx.manifest(), false);
    assert_areas(&d, "basic");
    assert_clreq(&d, "basic");
}

fn image_count(page: &Value) -> usize {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "image")
        .count()
}

/// Photos on each page of a gallery, from its opener to the page before the
/// next title.
fn gallery_counts(d: &Dumped, title: &str) -> Vec<usize> {
    let start = page_with(d, |t, s| t == title && s >= 18.0);
    let pages = &d.pages()[start - 1..];
    let titled = |p: &Value| {
        p["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["size"].as_f64().unwrap() >= 18.0)
    };
    let mut counts = vec![image_count(&pages[0])];
    counts.extend(
        pages[1..]
            .iter()
            .take_while(|p| !titled(p) && image_count(p) > 0)
            .map(image_count),
    );
    counts
}

#[test]
fn galleries_share_their_photos_evenly() {
    let fx = stress();
    let d = dump(&fx.manifest(), false);
    let counts = gallery_counts(&d, "二十五张照片的活动剪影");
    assert_eq!(counts.iter().sum::<usize>(), 25, "{counts:?}");
    let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
    assert!(max - min <= 2, "unbalanced gallery pages: {counts:?}");
    assert_eq!(gallery_counts(&d, "一张照片"), vec![1]);
    // The sample's 20 photos fall 10/10.
    let d = dump(&repo().join("issue.toml"), false);
    assert_eq!(gallery_counts(&d, "各行活动剪影"), vec![10, 10]);
}

#[test]
fn two_columns_are_balanced() {
    let d = dump(&repo().join("issue.toml"), false);
    let mut checked = 0;
    for page in d.pages() {
        // Running pages only (they declare a type area).
        let typed = page["marks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["value"]["folio"] == "areas" && m["value"]["body"].is_object());
        if !typed {
            continue;
        }
        let body: Vec<&Value> = page["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| (l["size"].as_f64().unwrap() - 10.0).abs() < 0.01)
            .filter(|l| {
                l["fonts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f == "Noto Serif CJK SC")
            })
            .collect();
        let mid = page["width"].as_f64().unwrap() / 2.0;
        let bottom = |right: bool| {
            body.iter()
                .filter(|l| (l["box"]["x"].as_f64().unwrap() > mid) == right)
                .map(|l| l["baseline"].as_f64().unwrap())
                .fold(f64::NAN, f64::max)
        };
        let (left, right) = (bottom(false), bottom(true));
        if left.is_nan() && right.is_nan() {
            continue;
        }
        // No two-column page leaves its right column empty, and the last
        // lines of the two columns are at most three lines apart.
        let two_col = body.iter().any(|l| l["box"]["w"].as_f64().unwrap() < 260.0)
            && !body.iter().any(|l| l["box"]["w"].as_f64().unwrap() > 300.0);
        if !two_col {
            continue;
        }
        assert!(
            !right.is_nan(),
            "page {}: the right column is empty",
            page["page"]
        );
        assert!(
            (left - right).abs() <= 3.0 * 17.0 + 0.5,
            "page {}: columns end at {left} and {right}",
            page["page"]
        );
        checked += 1;
    }
    assert!(checked >= 8, "{checked} two-column pages");
}

// ---- (c) visual regression ----------------------------------------------------

fn reference(name: &str) -> PathBuf {
    repo()
        .join("tests/fixtures/visual")
        .join(format!("{name}.png"))
}

/// Compares a rendered page with its reference; with FOLIO_BLESS=1 the
/// rendered page becomes the reference.
fn compare_png(actual: &Path, name: &str) -> Result<(), String> {
    let refpath = reference(name);
    if std::env::var_os("FOLIO_BLESS").is_some() {
        std::fs::create_dir_all(refpath.parent().unwrap()).unwrap();
        std::fs::copy(actual, &refpath).unwrap();
        return Ok(());
    }
    let bless = "refresh with FOLIO_BLESS=1 cargo test --release design::visual";
    let a = image::open(actual)
        .map_err(|e| format!("{name}: {e}"))?
        .to_rgb8();
    let b = image::open(&refpath)
        .map_err(|e| format!("{name}: no reference {} ({e}); {bless}", refpath.display()))?
        .to_rgb8();
    if a.dimensions() != b.dimensions() {
        return Err(format!(
            "{name}: size {:?} != reference {:?}; {bless}",
            a.dimensions(),
            b.dimensions()
        ));
    }
    let mut sum = 0u64;
    let mut far = 0usize;
    for (pa, pb) in a.pixels().zip(b.pixels()) {
        let d = (0..3)
            .map(|i| (pa[i] as i32 - pb[i] as i32).unsigned_abs())
            .max()
            .unwrap();
        sum += u64::from(d);
        if d > 64 {
            far += 1;
        }
    }
    let n = (a.width() * a.height()) as f64;
    let mean = sum as f64 / n;
    let far = far as f64 / n;
    // Anti-aliasing and JPEG decoding may differ a little between machines;
    // a moved line of text or photo does not pass.
    if mean > 1.5 || far > 0.004 {
        let keep = std::env::temp_dir().join(format!("folio-{name}.png"));
        std::fs::copy(actual, &keep).ok();
        return Err(format!(
            "{name}: differs from its reference (mean {mean:.2}/255, {:.2}% of pixels far off); \
             the new page is {}; {bless}",
            far * 100.0,
            keep.display()
        ));
    }
    Ok(())
}

/// The first page with a line that satisfies `f`.
fn page_with(d: &Dumped, f: impl Fn(&str, f64) -> bool) -> usize {
    d.pages()
        .iter()
        .find(|p| {
            p["lines"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| f(&text_of(l), l["size"].as_f64().unwrap()))
        })
        .map(|p| p["page"].as_u64().unwrap() as usize)
        .expect("a page")
}

#[test]
fn visual_regression_of_chosen_pages() {
    let d = dump(&repo().join("issue.toml"), true);
    let pages = [
        ("default-cover", 1),
        (
            "default-contents",
            page_with(&d, |t, s| t.starts_with("目录") && s >= 30.0),
        ),
        (
            "default-opener",
            page_with(&d, |t, s| {
                t == "分行举办服务管理骨干能力提升培训班" && s >= 18.0
            }),
        ),
        (
            "default-gallery",
            page_with(&d, |t, s| t == "各行活动剪影" && s >= 18.0),
        ),
    ];
    let errors: Vec<String> = pages
        .iter()
        .filter_map(|(name, page)| compare_png(&d.png(*page), name).err())
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

// ---- Design options -----------------------------------------------------------

fn items<'a>(page: &'a Value, kind: &str) -> Vec<&'a Value> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == kind)
        .collect()
}

fn page_of_title<'a>(d: &'a Dumped, title: &str) -> &'a Value {
    d.pages()
        .iter()
        .find(|p| {
            p["lines"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| text_of(l) == title && l["size"].as_f64().unwrap() >= 18.0)
        })
        .unwrap_or_else(|| panic!("no opener for {title}"))
}

#[test]
fn design_options_change_the_pages() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| {
        t.replacen(
            "[[section]]",
            "[design]\nbrand_color = \"#0a5c36\"\naccent_color = \"#d4a017\"\ncolumns = 2\n\
             body_font = [\"Noto Sans CJK SC\"]\nheading_font = [\"Noto Serif CJK SC\"]\n\n[[section]]",
            1,
        )
    });
    let d = dump(&fx.manifest(), false);
    // Brand colour: the dividers; accent colour: their numerals.
    let divider = d
        .pages()
        .iter()
        .find(|p| p["fill"] == "#0a5c36")
        .expect("a divider in the brand colour");
    assert!(
        items(divider, "text")
            .iter()
            .any(|t| t["fill"] == "#d4a017" && t["text"] == "01"),
        "the section numeral is in the accent colour"
    );
    // Faces: body text in the sans face, titles in the serif face.
    let opener = page_of_title(&d, "第一篇文章的标题");
    let fonts: Vec<&str> = items(opener, "text")
        .iter()
        .map(|t| t["font"].as_str().unwrap())
        .collect();
    assert!(
        items(opener, "text")
            .iter()
            .any(|t| t["size"].as_f64() == Some(10.0) && t["font"] == "Noto Sans CJK SC"),
        "{fonts:?}"
    );
    assert!(
        items(opener, "text")
            .iter()
            .any(|t| t["size"].as_f64().unwrap() >= 18.0 && t["font"] == "Noto Serif CJK SC"),
        "{fonts:?}"
    );

    // Columns: two columns put text lines in the right half of the page.
    let right_half = |d: &Dumped, title: &str| -> usize {
        let page = page_of_title(d, title);
        let mid = page["width"].as_f64().unwrap() / 2.0;
        page["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["size"].as_f64() == Some(10.0) && l["box"]["x"].as_f64().unwrap() > mid)
            .count()
    };
    assert!(right_half(&d, "第一篇文章的标题") >= 1, "two columns");
    fx.edit("issue.toml", |t| {
        t.replacen("columns = 2", "columns = 1", 1)
    });
    let d1 = dump(&fx.manifest(), false);
    assert_eq!(right_half(&d1, "第一篇文章的标题"), 0, "one column");

    // Lead photo size: full (text width), half (a column), none.
    let lead_width = |d: &Dumped| -> Option<f64> {
        items(page_of_title(d, "第一篇文章的标题"), "image")
            .iter()
            .map(|i| i["box"]["w"].as_f64().unwrap())
            .fold(None, |a: Option<f64>, w| Some(a.map_or(w, |a| a.max(w))))
    };
    let full = lead_width(&d1).expect("a full lead");
    assert!((full - 480.0).abs() < 2.0, "full lead is {full} pt wide");
    fx.edit("issue.toml", |t| {
        t.replacen("lead = {", "lead_size = \"half\"\nlead = {", 1)
    });
    let half = lead_width(&dump(&fx.manifest(), false)).expect("a half lead");
    assert!((half - 230.0).abs() < 2.0, "half lead is {half} pt wide");
    fx.edit("issue.toml", |t| {
        t.replacen("lead_size = \"half\"", "lead_size = \"none\"", 1)
    });
    assert_eq!(lead_width(&dump(&fx.manifest(), false)), None, "no lead");
}

#[test]
fn pull_quote_is_set_apart() {
    let fx = Fixture::new("basic");
    fx.edit("articles/one.md", |t| {
        t.replace("> 引用的一段话。", "> [!pull] 服务没有终点。")
    });
    let d = dump(&fx.manifest(), false);
    let text = all_text(&d);
    assert!(
        text.contains("“服务没有终点。”"),
        "the pull quote is set in quotation marks"
    );
    assert!(!text.contains("[!pull]"), "the marker is not printed");
    let big = d
        .pages()
        .iter()
        .flat_map(|p| p["lines"].as_array().unwrap())
        .any(|l| text_of(l).contains("服务没有终点") && l["size"].as_f64().unwrap() > 10.0);
    assert!(big, "the pull quote is larger than the text");
}

// ---- The second layout --------------------------------------------------------

#[test]
fn sample_compiles_with_both_layouts() {
    let dir = sample_copy();
    let manifest = dir.path().join("issue.toml");
    let default = dump(&manifest, false);
    set_layout(&manifest, "report");
    let report = dump(&manifest, false);
    assert_clreq(&report, "report");
    assert_areas(&report, "report");
    // The same text, set differently: one column, no photos in the flow of
    // the cover, another page count.
    let han = |d: &Dumped| all_text(d).chars().filter(|c| is_han(*c)).count();
    let (a, b) = (han(&default), han(&report));
    assert!(
        b * 10 >= a * 9,
        "the report drops text: {b} against {a} Han characters"
    );
    assert_ne!(default.pages().len(), report.pages().len());
    let mid = 595.28 / 2.0;
    for page in report.pages() {
        for l in page["lines"].as_array().unwrap() {
            if l["size"].as_f64() == Some(10.5) {
                let x = l["box"]["x"].as_f64().unwrap();
                assert!(
                    x < mid,
                    "the report is set in one column: page {} line at {x}",
                    page["page"]
                );
            }
        }
    }
}

#[test]
fn every_layout_has_a_readme_listing_its_values() {
    for name in ["default", "report"] {
        let dir = repo().join("layouts").join(name);
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        for key in ["issue.json", "sections", "pieces", "design", "back_cover"] {
            assert!(
                readme.contains(key),
                "layouts/{name}/README.md does not mention {key}"
            );
        }
        assert!(dir.join("main.typ").is_file());
    }
    // The README of the default layout states the typographic parameters.
    let readme = std::fs::read_to_string(repo().join("layouts/default/README.md")).unwrap();
    for s in ["10 pt", "17 pt", "23", "typst#"] {
        assert!(readme.contains(s), "layouts/default/README.md lacks {s}");
    }
}
