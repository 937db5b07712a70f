//! Layout checks that a designer makes by eye, computed from the laid-out
//! frames (`folio compile --dump-layout`) of four fixture issues: the
//! sample, the design-stress fixture, a list-style newsletter
//! (tests/fixtures/newsletter) and a text-heavy report
//! (tests/fixtures/report).
//!
//! Per fixture: overlaps (pairs of items whose boxes intersect, minus the
//! intended ones), items outside the live area and the bleed, the fill of
//! every ordinary page, the distance in pages from a photo in the text to
//! the paragraph it follows in the source, subheads and numbered item lines
//! stranded at the foot of a column, and whether figures keep their aspect
//! ratio. The figures are printed (`cargo test --release --test cli
//! layout_checks -- --nocapture`), so that a regression shows a number.
//!
//! The layout tells the checks what cannot be seen in the frames with
//! `metadata((folio: …))` marks: `areas` (live area and type area of each
//! page), `fig-anchor` (where a photo from the text stands in the source),
//! `figure` (where it was placed, with the photo's pixel size), `gallery`
//! (a gallery page, not an ordinary one) and `underfill` (why a page may
//! stay under 70 % full).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::*;

/// The line pitch of the default layout's text, in points.
const PITCH: f64 = 17.0;
/// An ordinary page is at least this full.
const MIN_FILL: f64 = 0.70;

// ---- Geometry -------------------------------------------------------------------

// ---- The laid-out pages -----------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Image,
    /// A filled shape (a box, a background).
    Fill,
    /// A stroked line or a thin shape (a rule).
    Rule,
}

#[derive(Debug, Clone)]
struct Item {
    kind: Kind,
    text: String,
    size: f64,
    r: Rect,
}

fn items(page: &Value) -> Vec<Item> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| {
            let r = Rect::of(&i["box"])?;
            if r.w() < 0.01 && r.h() < 0.01 {
                return None;
            }
            let kind = match i["kind"].as_str()? {
                "text" => Kind::Text,
                "image" => Kind::Image,
                // A line, or a shape thin enough to read as one.
                _ if r.w() <= 2.5 || r.h() <= 2.5 => Kind::Rule,
                // A box, a colour field or a gradient shade.
                _ => Kind::Fill,
            };
            Some(Item {
                kind,
                text: i["text"].as_str().unwrap_or("").to_string(),
                size: i["size"].as_f64().unwrap_or(0.0),
                r,
            })
        })
        .collect()
}

fn mark<'a>(page: &'a Value, name: &str) -> Vec<&'a Value> {
    page["marks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["value"]["folio"] == name)
        .collect()
}

/// The live area and (on running pages) the type area a page declares.
fn areas(page: &Value) -> (Rect, Option<Rect>) {
    let trim = Rect {
        x0: 0.0,
        y0: 0.0,
        x1: page["width"].as_f64().unwrap(),
        y1: page["height"].as_f64().unwrap(),
    };
    let m = mark(page, "areas");
    let live = m
        .first()
        .and_then(|m| Rect::of(&m["value"]["live"]))
        .unwrap_or(trim);
    let body = m.first().and_then(|m| Rect::of(&m["value"]["body"]));
    (live, body)
}

fn trim(page: &Value) -> Rect {
    Rect {
        x0: 0.0,
        y0: 0.0,
        x1: page["width"].as_f64().unwrap(),
        y1: page["height"].as_f64().unwrap(),
    }
}

fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '\u{2060}')
        .collect::<String>()
        .trim()
        .to_string()
}

/// A line of text as set, with its column.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    size: f64,
    baseline: f64,
    r: Rect,
    sans_only: bool,
}

fn lines(page: &Value) -> Vec<Line> {
    page["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let fonts = l["fonts"].as_array().unwrap();
            Line {
                text: clean(l["text"].as_str().unwrap()),
                size: l["size"].as_f64().unwrap(),
                baseline: l["baseline"].as_f64().unwrap(),
                r: Rect::of(&l["box"]).unwrap(),
                sans_only: !fonts.is_empty()
                    && fonts
                        .iter()
                        .all(|f| f.as_str().unwrap_or("").contains("Sans")),
            }
        })
        .collect()
}

// ---- The checks, per page ---------------------------------------------------------

/// Pairs of items that overlap without being meant to: photo on photo,
/// text on a photo, a rule across a photo or text, two lines of text on
/// each other. Meant to overlap: anything on a background (a photo or
/// colour field covering half the page or more), text in its box.
fn overlaps(page: &Value) -> Vec<String> {
    let n = page["page"].as_u64().unwrap();
    let big = 0.5 * trim(page).area();
    let all = items(page);
    let its: Vec<&Item> = all
        .iter()
        .filter(|i| !(matches!(i.kind, Kind::Image | Kind::Fill) && i.r.area() >= big))
        .filter(|i| i.kind != Kind::Fill)
        .collect();
    let label = |i: &Item| match i.kind {
        Kind::Text => format!("text `{}`", i.text),
        k => format!(
            "{k:?} at ({:.0}, {:.0}) {:.0}×{:.0}",
            i.r.x0,
            i.r.y0,
            i.r.w(),
            i.r.h()
        ),
    };
    let mut bad = Vec::new();
    for (ai, a) in its.iter().enumerate() {
        for b in &its[ai + 1..] {
            let hit = match (a.kind, b.kind) {
                (Kind::Text, Kind::Text) => {
                    let (ow, oh) = a.r.overlap(&b.r);
                    ow > 1.0 && oh > 0.3 * a.r.h().min(b.r.h())
                }
                (Kind::Rule, Kind::Rule) => false,
                (Kind::Text, _) => {
                    let (ow, oh) = a.r.ink().overlap(&b.r);
                    ow > 1.0 && oh > 0.5
                }
                (_, Kind::Text) => {
                    let (ow, oh) = b.r.ink().overlap(&a.r);
                    ow > 1.0 && oh > 0.5
                }
                _ => {
                    let (ow, oh) = a.r.overlap(&b.r);
                    ow > 1.0 && oh > 1.0
                }
            };
            if hit {
                bad.push(format!("page {n}: {} overlaps {}", label(a), label(b)));
            }
        }
    }
    bad
}

/// Items outside the live area that do not bleed (reach the bleed edge on
/// every side where they cross the trim).
fn outside(page: &Value) -> Vec<String> {
    let n = page["page"].as_u64().unwrap();
    let t = trim(page);
    let b = &page["bleed"];
    let bleed = Rect {
        x0: -b["left"].as_f64().unwrap(),
        y0: -b["top"].as_f64().unwrap(),
        x1: t.x1 + b["right"].as_f64().unwrap(),
        y1: t.y1 + b["bottom"].as_f64().unwrap(),
    };
    let (live, _) = areas(page);
    let mut bad = Vec::new();
    for i in items(page) {
        // An opening bracket or quotation mark hung into the margin by
        // half its width (subheads) protrudes by design: its blank half.
        let hung = i.kind == Kind::Text
            && i.text
                .starts_with(['（', '「', '『', '“', '《', '〈', '【', '〔']);
        let tol = if hung {
            0.55 * i.size
        } else {
            (0.15 * i.size).max(1.0)
        };
        if i.r.inside(&live, tol) {
            continue;
        }
        let r = i.r;
        let crosses = r.x0 < -0.5 || r.y0 < -0.5 || r.x1 > t.x1 + 0.5 || r.y1 > t.y1 + 0.5;
        let reaches = (r.x0 >= -0.5 || r.x0 <= bleed.x0 + 0.5)
            && (r.y0 >= -0.5 || r.y0 <= bleed.y0 + 0.5)
            && (r.x1 <= t.x1 + 0.5 || r.x1 >= bleed.x1 - 0.5)
            && (r.y1 <= t.y1 + 0.5 || r.y1 >= bleed.y1 - 0.5);
        if i.kind == Kind::Text || !crosses || !reaches {
            bad.push(format!(
                "page {n}: {:?} `{}` at ({:.0}, {:.0}, {:.0}, {:.0}) leaves the live area",
                i.kind, i.text, r.x0, r.y0, r.x1, r.y1
            ));
        }
    }
    bad
}

/// Body text lines (the text size) inside the type area.
fn body_lines(page: &Value, body: &Rect) -> Vec<Line> {
    lines(page)
        .into_iter()
        .filter(|l| (l.size - 10.0).abs() < 0.6 && l.r.inside(body, 3.0))
        .collect()
}

/// A gallery page: marked by the layout (`gallery`), or photos and their
/// captions with hardly any text.
fn is_gallery(page: &Value, body: &Rect) -> bool {
    if !mark(page, "gallery").is_empty() {
        return true;
    }
    let photos = items(page).iter().filter(|i| i.kind == Kind::Image).count();
    photos >= 3 && body_lines(page, body).len() < 4
}

/// How full the type area is: the share of each half's height (left and
/// right column) covered by content, gaps of up to two lines bridged.
fn fill(page: &Value, body: &Rect) -> f64 {
    let mid = (body.x0 + body.x1) / 2.0;
    let halves = [(body.x0, mid), (mid, body.x1)];
    let its = items(page);
    let mut total = 0.0;
    for (x0, x1) in halves {
        let mut spans: Vec<(f64, f64)> = its
            .iter()
            .filter(|i| i.r.x1.min(x1) - i.r.x0.max(x0) > 10.0)
            .map(|i| (i.r.y0.max(body.y0), i.r.y1.min(body.y1)))
            .filter(|(a, b)| b > a)
            .collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut covered = 0.0;
        let mut cur: Option<(f64, f64)> = None;
        for (a, b) in spans {
            cur = match cur {
                Some((c0, c1)) if a <= c1 + 2.0 * PITCH => Some((c0, c1.max(b))),
                Some((c0, c1)) => {
                    covered += c1 - c0;
                    Some((a, b))
                }
                None => Some((a, b)),
            };
        }
        if let Some((c0, c1)) = cur {
            covered += c1 - c0;
        }
        total += covered / body.h();
    }
    total / 2.0
}

/// A numbered item line: `1、…` (a list-style article's item title).
fn is_item_line(t: &str) -> bool {
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    (1..=3).contains(&digits) && t[digits..].starts_with('、')
}

/// Subheads (a line of bold sans at the text size) and numbered item
/// lines with fewer than two lines of text after them in their column.
fn stranded(page: &Value, body: &Rect) -> Vec<String> {
    let n = page["page"].as_u64().unwrap();
    let ls = body_lines(page, body);
    let mid = (body.x0 + body.x1) / 2.0;
    let column = |l: &Line| {
        if l.r.w() > 300.0 {
            0
        } else if (l.r.x0 + l.r.x1) / 2.0 < mid {
            1
        } else {
            2
        }
    };
    let mut bad = Vec::new();
    for l in &ls {
        // A line of sans at the text size: a subhead (not a caption, not an
        // essay's signature).
        let head = l.sans_only && !l.text.starts_with('▲') && !l.text.starts_with('—');
        if !head && !is_item_line(&l.text) {
            continue;
        }
        let c = column(l);
        // What follows in the column: text of any size (a table's rows,
        // a caption) counts.
        let all: Vec<Line> = lines(page)
            .into_iter()
            .filter(|o| o.size >= 7.0 && o.r.inside(body, 3.0))
            .collect();
        let mut below: Vec<f64> = all
            .iter()
            .filter(|o| {
                o.baseline > l.baseline + 0.5 && (column(o) == c || column(o) == 0 || c == 0)
            })
            .map(|o| o.baseline)
            .collect();
        below.sort_by(f64::total_cmp);
        // Lines that follow on directly (a blank line at most between).
        let mut prev = l.baseline;
        let mut count = 0;
        for b in below {
            if b - prev > 2.0 * PITCH + 1.0 {
                break;
            }
            count += 1;
            prev = b;
        }
        if count < 2 {
            let what = if head { "subhead" } else { "item line" };
            bad.push(format!(
                "page {n}: {what} `{}` has {count} lines after it in its column",
                l.text
            ));
        }
    }
    bad
}

// ---- Typographic finish --------------------------------------------------------------

/// Display lines (titles, 18 pt and up) whose last visible character is a
/// comma or 、 (a comma kept for the text but not shown is transparent).
fn display_commas(page: &Value) -> Vec<String> {
    let n = page["page"].as_u64().unwrap();
    let runs: Vec<&Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "text" && i["size"].as_f64().unwrap() >= 18.0)
        .collect();
    let mut bad = Vec::new();
    for l in lines(page).into_iter().filter(|l| l.size >= 18.0) {
        let last = runs
            .iter()
            .filter(|r| {
                let visible = !r["fill"]
                    .as_str()
                    .is_some_and(|f| f.len() == 9 && f.ends_with("00"));
                let b = Rect::of(&r["box"]).unwrap();
                let mid = (b.y0 + b.y1) / 2.0;
                visible && mid > l.r.y0 && mid < l.r.y1
            })
            .max_by(|a, b| {
                let x = |r: &&&Value| Rect::of(&r["box"]).unwrap().x1;
                x(a).total_cmp(&x(b))
            });
        if let Some(r) = last {
            let t = clean(r["text"].as_str().unwrap());
            if t.ends_with('，') || t.ends_with('、') {
                bad.push(format!("page {n}: `{}`", l.text));
            }
        }
    }
    bad
}

/// Reversed text (white) below 12 pt set in a serif face: fine serifs fill
/// in on press.
fn reversed_serif(page: &Value) -> Vec<String> {
    let n = page["page"].as_u64().unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "text" && i["fill"] == "#ffffff")
        .filter(|i| i["size"].as_f64().unwrap() < 12.0)
        .filter(|i| !i["font"].as_str().unwrap().contains("Sans"))
        .map(|i| {
            format!(
                "page {n}: `{}` {} pt in {}",
                i["text"], i["size"], i["font"]
            )
        })
        .collect()
}

/// Where the columns of a type area start: two columns, or the centred
/// single measure of essays.
fn column_starts(body: &Rect) -> [f64; 3] {
    [body.x0, body.x0 + 250.0, body.x0 + 60.0]
}

/// A Latin word or a number broken between two lines of body text with no
/// hyphen (「“2 / 023」, 「AP / P」): the last line of a column is followed
/// by the first of the next, in reading order.
fn split_words(page: &Value, body: &Rect) -> Vec<String> {
    let n = page["page"].as_u64().unwrap();
    let middle = body.x0 + body.w() / 2.0;
    let mut ls: Vec<Line> = body_lines(page, body)
        .into_iter()
        .filter(|l| (l.size - 10.0).abs() < 0.01)
        .collect();
    ls.sort_by(|a, b| {
        (a.r.x0 >= middle, a.baseline)
            .partial_cmp(&(b.r.x0 >= middle, b.baseline))
            .unwrap()
    });
    ls.windows(2)
        .filter(|w| {
            let end = w[0].text.chars().last();
            let start = w[1].text.chars().next();
            end.is_some_and(|c| c.is_ascii_alphanumeric())
                && start.is_some_and(|c| c.is_ascii_alphanumeric())
        })
        .map(|w| {
            format!(
                "page {n}: `…{}` / `{}…`",
                tail(&w[0].text, 6),
                head(&w[1].text, 6)
            )
        })
        .collect()
}

fn tail(s: &str, k: usize) -> String {
    let c: Vec<char> = s.chars().collect();
    c[c.len().saturating_sub(k)..].iter().collect()
}

fn head(s: &str, k: usize) -> String {
    s.chars().take(k).collect()
}

/// The last line of a paragraph with fewer than four characters
/// (punctuation included). A line that is not the last of its paragraph
/// is justified to the full measure, so a short line is a last line; a
/// short line indented by 2 em is a paragraph of one line and not counted.
fn short_last_lines(page: &Value, body: &Rect) -> Vec<String> {
    let n = page["page"].as_u64().unwrap();
    let starts = column_starts(body);
    body_lines(page, body)
        .into_iter()
        .filter(|l| (l.size - 10.0).abs() < 0.01 && !l.sans_only && !is_item_line(&l.text))
        .filter(|l| l.text.chars().count() < 4)
        .filter(|l| {
            let indent = starts
                .iter()
                .map(|s| l.r.x0 - s)
                .filter(|d| *d > -2.0)
                .fold(f64::INFINITY, f64::min);
            indent < 15.0
        })
        .map(|l| format!("page {n}: `{}`", l.text))
        .collect()
}

fn is_cjk_mark(c: char) -> bool {
    "，。、；：？！“”‘’（）《》「」『』〈〉【】".contains(c)
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
        || is_cjk_mark(c)
}

/// Body lines in which a mark inside the line is set below full width: a
/// run of Chinese text (Han and full-width marks only) at 10 pt is at least
/// one em per character, less half an em for each pair of adjacent marks
/// and for a mark that ends the line.
fn squeezed(page: &Value, body: &Rect) -> Vec<String> {
    let n = page["page"].as_u64().unwrap();
    let mut bad = Vec::new();
    let ls = body_lines(page, body);
    for i in items(page) {
        if i.kind != Kind::Text || (i.size - 10.0).abs() > 0.01 || !i.r.inside(body, 3.0) {
            continue;
        }
        let chars: Vec<char> = i.text.chars().filter(|c| *c != '\u{2060}').collect();
        if chars.len() < 2 || !chars.iter().all(|c| is_cjk(*c)) {
            continue;
        }
        let pairs = chars
            .windows(2)
            .filter(|w| is_cjk_mark(w[0]) && is_cjk_mark(w[1]))
            .count();
        // Does the run end its line?
        let line_end = ls
            .iter()
            .any(|l| (l.r.x1 - i.r.x1).abs() < 1.0 && l.r.y0 <= i.r.y1 && l.r.y1 >= i.r.y0);
        let end = if line_end && is_cjk_mark(*chars.last().unwrap()) {
            1
        } else {
            0
        };
        let start = if is_cjk_mark(chars[0]) { 1 } else { 0 };
        let least = 10.0 * (chars.len() as f64 - 0.5 * (pairs + end + start) as f64);
        // The characters themselves may give up 0.015 em each to justify.
        if i.r.w() < least - 1.0 - 0.15 * chars.len() as f64 {
            bad.push(format!(
                "page {n}: `{}` is {:.1} pt wide, at least {least:.1} pt with full-width marks",
                i.text,
                i.r.w()
            ));
        }
    }
    bad
}

/// How far each pull quote (13 pt) stands from the sentence it repeats,
/// when that sentence is on the same page in its column: (pull quote, gap
/// in points). A pull quote leads into the text from elsewhere on the page.
fn pull_gaps(page: &Value) -> Vec<(String, f64)> {
    let n = page["page"].as_u64().unwrap();
    // (Only where the layout set a pull quote: its `pull` mark.)
    if mark(page, "pull").is_empty() {
        return Vec::new();
    }
    let all = lines(page);
    let is_pull = |l: &Line| (l.size - 13.0).abs() < 0.05;
    // Pull quotes: runs of 13 pt lines in one column, one under another.
    let mut pulls: Vec<Vec<&Line>> = Vec::new();
    let mut sorted: Vec<&Line> = all.iter().filter(|l| is_pull(l)).collect();
    sorted.sort_by(|a, b| {
        a.r.x0
            .total_cmp(&b.r.x0)
            .then(a.baseline.total_cmp(&b.baseline))
    });
    for l in sorted {
        match pulls.last_mut() {
            Some(p)
                if (p[0].r.x0 - l.r.x0).abs() < 20.0
                    && l.baseline - p.last().unwrap().baseline < 2.0 * l.size =>
            {
                p.push(l)
            }
            _ => pulls.push(vec![l]),
        }
    }
    let mut bad = Vec::new();
    for p in pulls {
        let text: String = p.iter().map(|l| l.text.as_str()).collect();
        let key: String = text
            .chars()
            .filter(|c| is_cjk(*c) && !is_cjk_mark(*c))
            .take(6)
            .collect();
        if key.chars().count() < 6 {
            continue;
        }
        let (x0, x1) = (p[0].r.x0, p.iter().map(|l| l.r.x1).fold(0.0, f64::max));
        let (top, bottom) = (p[0].r.y0, p.last().unwrap().r.y1);
        // The body lines of its column, in order, and where each starts in
        // their joined text.
        let mut col: Vec<&Line> = all
            .iter()
            .filter(|l| !is_pull(l) && l.r.x0 >= x0 - 2.0 && l.r.x0 < x1 && l.size < 12.0)
            .collect();
        col.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
        let mut joined = String::new();
        let mut starts = Vec::new();
        for l in &col {
            starts.push(joined.chars().count());
            joined.extend(l.text.chars().filter(|c| is_cjk(*c) && !is_cjk_mark(*c)));
        }
        let Some(at) = joined.find(&key) else {
            continue;
        };
        let at = joined[..at].chars().count();
        let i = starts.iter().rposition(|s| *s <= at).unwrap_or(0);
        let l = col[i];
        let gap = if l.baseline < top {
            top - l.r.y1
        } else {
            l.r.y0 - bottom
        };
        bad.push((
            format!(
                "page {n}: 「{}」",
                text.chars().take(12).collect::<String>()
            ),
            gap,
        ));
    }
    bad
}

// ---- Per fixture -------------------------------------------------------------------

/// The lines of column a two-column text block leaves free after its text
/// (from the marks where the text starts `s` and ends `t` and the block
/// ends `b`, each (page, x, y)), or how far (pt) its text runs past the
/// block's foot. Each page's columns are counted from the top of the type
/// area (or the text's start) to the block's foot (or the type area's, on
/// the pages before the block's last).
fn block_free(
    s: (u64, f64, f64),
    t: (u64, f64, f64),
    b: (u64, f64, f64),
    areas: &HashMap<u64, Rect>,
) -> Result<i64, f64> {
    if t.0 > b.0 {
        return Err(f64::INFINITY);
    }
    if t.0 == b.0 && t.2 > b.2 + 0.5 {
        return Err(t.2 - b.2);
    }
    let area = |p: u64| areas.get(&p).copied().expect("a type area on a text page");
    let top = |p: u64| if p == s.0 { s.2 } else { area(p).y0 };
    let foot = |p: u64| if p == b.0 { b.2 } else { area(p).y1 };
    let lines = |h: f64| ((h + 0.5) / PITCH).floor() as i64;
    let right = t.1 - area(t.0).x0 > area(t.0).w() / 2.0;
    let mut free = lines(foot(t.0) - t.2)
        + if right {
            0
        } else {
            lines(foot(t.0) - top(t.0))
        };
    for q in t.0 + 1..=b.0 {
        free += 2 * lines(foot(q) - top(q));
    }
    Ok(free)
}

#[derive(Debug, Default)]
struct Report {
    name: String,
    pages: usize,
    /// (page, fill) of every ordinary page.
    fills: Vec<(u64, f64)>,
    /// (page, reason) of every page the layout says is left emptier, and
    /// why (`underfill` marks).
    reasons: Vec<(u64, String)>,
    overlaps: Vec<String>,
    outside: Vec<String>,
    /// (photo, pages between the photo and its paragraph).
    distances: Vec<(String, i64)>,
    unpaired: Vec<String>,
    stranded: Vec<String>,
    /// Figures whose placed box differs from the photo's proportions.
    cropped: Vec<String>,
    figures: usize,
    /// Display lines (titles) that end with a comma.
    display_commas: Vec<String>,
    /// Last lines of paragraphs with fewer than four characters.
    short_last: Vec<String>,
    /// Latin words and numbers broken between lines.
    split_words: Vec<String>,
    /// Body lines with a mid-line mark squeezed below full width.
    squeezed: Vec<String>,
    /// Reversed (white) text below 12 pt in a serif face.
    reversed_serif: Vec<String>,
    /// Pull quotes with their sentence on the page: (which, gap in pt).
    pull_gaps: Vec<(String, f64)>,
    /// The pages of the section dividers and of the back cover.
    dividers: Vec<u64>,
    back_cover: Option<u64>,
    /// Notes: (number, page of its marker, page of its entry).
    notes: Vec<(u64, Option<u64>, Option<u64>)>,
    /// House pages added to keep those on their side.
    house: usize,
    /// The pages of the house pages.
    house_pages: Vec<u64>,
    /// House boxes (补白) filling the foot of a piece's last page.
    house_boxes: usize,
    /// Where the layout planned each kept page (`divider-N`, `back-cover`)
    /// before any was placed, house pages left out.
    planned: Vec<(String, u64)>,
    /// Two-column text blocks: (piece, lines of column its text left free
    /// in its block, or pt it ran past the block's foot).
    blocks: Vec<(String, Result<i64, f64>)>,
}

impl Report {
    /// Ordinary pages under 70 % full, with the reason the layout gives
    /// (if any).
    fn under(&self) -> Vec<(u64, f64, Option<&str>)> {
        self.fills
            .iter()
            .filter(|(_, f)| *f < MIN_FILL)
            .map(|(p, f)| {
                let why = self.reasons.iter().find(|(q, _)| q == p);
                (*p, *f, why.map(|(_, r)| r.as_str()))
            })
            .collect()
    }

    /// Ordinary pages under 70 % full, and the reason the layout states.
    fn stated(&self) -> Vec<String> {
        self.under()
            .into_iter()
            .filter_map(|(p, f, why)| Some(format!("page {p}: {:.0} % full, {}", f * 100.0, why?)))
            .collect()
    }

    /// Kept pages whose planned place (from the planner's page counts) is
    /// not where they stand, house pages left out: the house pages were
    /// then decided late, at the cost of a layout pass.
    fn misplanned(&self) -> Vec<String> {
        let mut dividers = self.dividers.iter();
        let mut bad = Vec::new();
        for (key, want) in &self.planned {
            let at = if key == "back-cover" {
                self.back_cover
            } else {
                dividers.next().copied()
            };
            let Some(at) = at else {
                bad.push(format!("{key}: planned on page {want}, not found"));
                continue;
            };
            let base = at - self.house_pages.iter().filter(|p| **p < at).count() as u64;
            if base != *want {
                bad.push(format!(
                    "{key}: planned on page {want}, stands on page {base} (house pages left out)"
                ));
            }
        }
        bad
    }

    /// Notes whose entry is not on the page of their marker.
    /// Notes without a marker or an entry, or whose entry stands before
    /// its marker (notes stand after their piece's text).
    fn notes_apart(&self) -> Vec<String> {
        self.notes
            .iter()
            .filter(|(_, m, e)| !matches!((m, e), (Some(m), Some(e)) if e >= m))
            .map(|(k, m, e)| format!("note {k}: marker on page {m:?}, entry on page {e:?}"))
            .collect()
    }

    /// Text blocks whose text runs past their foot (onto what follows).
    fn past(&self) -> Vec<String> {
        self.blocks
            .iter()
            .filter_map(|(id, r)| {
                let pt = r.as_ref().err()?;
                Some(format!("{id}: its text runs {pt:.0} pt past its block"))
            })
            .collect()
    }

    fn far(&self) -> Vec<String> {
        self.distances
            .iter()
            .filter(|(_, d)| d.abs() > 1)
            .map(|(s, d)| format!("{s}: {d} pages from its paragraph"))
            .collect()
    }

    /// Dividers and the back cover not on a left-hand (even) page; page 1,
    /// the cover, is a right-hand page.
    fn wrong_sides(&self) -> Vec<String> {
        let mut bad: Vec<String> = self
            .dividers
            .iter()
            .filter(|p| *p % 2 == 1)
            .map(|p| format!("the divider on page {p} is a right-hand page"))
            .collect();
        match self.back_cover {
            Some(p) if p % 2 == 1 => {
                bad.push(format!("the back cover is page {p}, a right-hand page"))
            }
            Some(p) if p as usize != self.pages => {
                bad.push(format!("the back cover is page {p}, not the last"))
            }
            None => bad.push("no back cover".into()),
            _ => {}
        }
        bad
    }

    fn summary(&self) -> String {
        let min = self.fills.iter().map(|(_, f)| *f).fold(f64::NAN, f64::min);
        let max_d = self
            .distances
            .iter()
            .map(|(_, d)| d.abs())
            .max()
            .unwrap_or(0);
        format!(
            "{:<13} pages {:>3} | ordinary {:>2}, lowest fill {:>3.0} %, below 70 %: {:>2} (with a stated reason {:>2}) | overlaps {:>2} | outside {:>2} | \
             photos in text {:>2}, farthest {} pages, far {:>2} | notes {:>2}, apart {:>2} | stranded {:>2} | figures {:>2}, cropped {:>2} | \
             titles ending in a comma {:>2} | short last lines {:>3} | split words {:>2} | squeezed lines {:>3} | small reversed serif {:>2} | pull quotes by their sentence {:>2}, nearest {:>3.0} pt | \
             text blocks {:>2}, run past {:>2}, most lines left free {:>2} | \
             dividers on pages {:?}, back cover on page {}, house pages {}, house boxes {}, sides off plan {}",
            self.name,
            self.pages,
            self.fills.len(),
            min * 100.0,
            self.under().len(),
            self.stated().len(),
            self.overlaps.len(),
            self.outside.len(),
            self.distances.len(),
            max_d,
            self.far().len(),
            self.notes.len(),
            self.notes_apart().len(),
            self.stranded.len(),
            self.figures,
            self.cropped.len(),
            self.display_commas.len(),
            self.short_last.len(),
            self.split_words.len(),
            self.squeezed.len(),
            self.reversed_serif.len(),
            self.pull_gaps.len(),
            self.pull_gaps
                .iter()
                .map(|(_, g)| *g)
                .fold(f64::NAN, f64::min),
            self.blocks.len(),
            self.past().len(),
            self.blocks
                .iter()
                .filter_map(|(_, r)| r.as_ref().ok().copied())
                .max()
                .unwrap_or(0),
            self.dividers,
            self.back_cover.map_or("none".into(), |p| p.to_string()),
            self.house,
            self.house_boxes,
            self.misplanned().len(),
        )
    }
}

fn check(name: &str, manifest: &std::path::Path) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("layout.json");
    let out = folio()
        .arg("compile")
        .arg(manifest)
        .arg("-o")
        .arg(dir.path().join("out.pdf"))
        .arg("--dump-layout")
        .arg(&json)
        .output()
        .unwrap();
    assert_success(&out);
    let dump: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let pages = dump["pages"].as_array().unwrap();
    let mut rep = Report {
        name: name.to_string(),
        pages: pages.len(),
        ..Report::default()
    };
    // Anchors (where a photo stands in the source) and placed figures, by
    // photo, in order.
    let mut anchors: HashMap<String, Vec<u64>> = HashMap::new();
    let mut placed: HashMap<String, Vec<u64>> = HashMap::new();
    // Text blocks: where each piece's text starts and ends, and its block
    // ends, (page, x, y); the type area of each page.
    let mut block_marks: [HashMap<String, (u64, f64, f64)>; 3] = Default::default();
    let mut type_areas: HashMap<u64, Rect> = HashMap::new();
    for page in pages {
        let n = page["page"].as_u64().unwrap();
        for (i, name) in ["text-start", "text-end", "block-end"].iter().enumerate() {
            for m in mark(page, name) {
                let id = m["value"]["id"].as_str().unwrap().to_string();
                let at = (n, m["x"].as_f64().unwrap(), m["y"].as_f64().unwrap());
                block_marks[i].insert(id, at);
            }
        }
        if let (_, Some(body)) = areas(page) {
            type_areas.insert(n, body);
        }
        rep.overlaps.extend(overlaps(page));
        rep.outside.extend(outside(page));
        rep.display_commas.extend(display_commas(page));
        rep.reversed_serif.extend(reversed_serif(page));
        rep.pull_gaps.extend(pull_gaps(page));
        if !mark(page, "divider").is_empty() {
            rep.dividers.push(n);
        }
        if !mark(page, "back-cover").is_empty() {
            rep.back_cover = Some(n);
        }
        rep.house += mark(page, "house").len();
        rep.house_boxes += mark(page, "house-box").len();
        if !mark(page, "house").is_empty() {
            rep.house_pages.push(n);
        }
        for m in mark(page, "planned-side") {
            let v = &m["value"];
            rep.planned.push((
                v["key"].as_str().unwrap().to_string(),
                v["page"].as_u64().unwrap(),
            ));
        }
        // Pieces number their notes from 1: the k-th marker numbered n
        // goes with the k-th entry numbered n.
        for m in mark(page, "note") {
            let v = &m["value"];
            let k = v["n"].as_u64().unwrap();
            let marker = v["side"].as_str() == Some("marker");
            let free = rep
                .notes
                .iter()
                .position(|(q, mk, e)| *q == k && if marker { mk.is_none() } else { e.is_none() });
            let i = match free {
                Some(i) => i,
                None => {
                    rep.notes.push((k, None, None));
                    rep.notes.len() - 1
                }
            };
            if marker {
                rep.notes[i].1 = Some(n);
            } else {
                rep.notes[i].2 = Some(n);
            }
        }
        for m in mark(page, "underfill") {
            let why = m["value"]["reason"].as_str().unwrap_or("").to_string();
            rep.reasons.push((n, why));
        }
        for m in mark(page, "fig-anchor") {
            let key = m["value"]["src"].as_str().unwrap().to_string();
            anchors.entry(key).or_default().push(n);
        }
        let images: Vec<Item> = items(page)
            .into_iter()
            .filter(|i| i.kind == Kind::Image)
            .collect();
        for m in mark(page, "figure") {
            let v = &m["value"];
            let key = v["src"].as_str().unwrap().to_string();
            if v["anchored"] == true {
                placed.entry(key.clone()).or_default().push(n);
            }
            rep.figures += 1;
            // The image placed where the mark is.
            let (x, y) = (m["x"].as_f64().unwrap(), m["y"].as_f64().unwrap());
            let img = images.iter().min_by(|a, b| {
                let d = |i: &&Item| (i.r.x0 - x).abs() + (i.r.y0 - y).abs();
                d(a).total_cmp(&d(b))
            });
            let (pw, ph) = (v["w"].as_f64().unwrap(), v["h"].as_f64().unwrap());
            match img {
                Some(i) if (i.r.x0 - x).abs() + (i.r.y0 - y).abs() < 20.0 => {
                    let want = pw / ph;
                    let got = i.r.w() / i.r.h();
                    if (got / want - 1.0).abs() > 0.02 {
                        rep.cropped.push(format!(
                            "page {n}: {key} ({pw}×{ph} px, {want:.2}) set at {:.0}×{:.0} pt ({got:.2})",
                            i.r.w(),
                            i.r.h()
                        ));
                    }
                }
                _ => rep
                    .cropped
                    .push(format!("page {n}: {key}: no image at its mark")),
            }
        }
        let (_, body) = areas(page);
        let Some(body) = body else { continue };
        rep.stranded.extend(stranded(page, &body));
        rep.short_last.extend(short_last_lines(page, &body));
        rep.split_words.extend(split_words(page, &body));
        rep.squeezed.extend(squeezed(page, &body));
        if !is_gallery(page, &body) {
            rep.fills.push((n, fill(page, &body)));
        }
    }
    for (key, a) in &anchors {
        let p = placed.get(key).cloned().unwrap_or_default();
        for (i, page) in a.iter().enumerate() {
            match p.get(i) {
                Some(q) => rep
                    .distances
                    .push((format!("{key} (page {q})"), *q as i64 - *page as i64)),
                None => rep.unpaired.push(key.clone()),
            }
        }
    }
    rep.distances.sort();
    let [starts, ends, block_ends] = &block_marks;
    for (id, b) in block_ends {
        let (Some(s), Some(t)) = (starts.get(id), ends.get(id)) else {
            rep.blocks.push((id.clone(), Err(f64::NAN)));
            continue;
        };
        rep.blocks
            .push((id.clone(), block_free(*s, *t, *b, &type_areas)));
    }
    rep.blocks.sort_by(|a, b| a.0.cmp(&b.0));
    eprintln!("{}", rep.summary());
    rep
}

/// The four fixtures, checked once for all the tests of this module.
fn reports() -> &'static Vec<Report> {
    static REPORTS: OnceLock<Vec<Report>> = OnceLock::new();
    REPORTS.get_or_init(|| {
        let stress = Fixture::new("design-stress");
        for i in 1..=25u8 {
            write_photo(&stress.path(&format!("photos/g{i:02}.jpg")), 320, 240, i);
        }
        let newsletter = Fixture::new("newsletter");
        let report = Fixture::new("report");
        // The sample, copied: outside the repository the layout comes from
        // folio's own layouts/ (FOLIO_HOME may point at another checkout's).
        let sample = tempfile::tempdir().unwrap();
        std::fs::copy(repo().join("issue.toml"), sample.path().join("issue.toml")).unwrap();
        copy_dir(
            &repo().join("examples/zhenjing-2024-01"),
            &sample.path().join("examples/zhenjing-2024-01"),
        );
        let list: Vec<(&str, PathBuf)> = vec![
            ("sample", sample.path().join("issue.toml")),
            ("design-stress", stress.manifest()),
            ("newsletter", newsletter.manifest()),
            ("report", report.manifest()),
        ];
        list.iter().map(|(name, m)| check(name, m)).collect()
    })
}

/// Fails with every finding of every fixture, after printing the figures.
#[track_caller]
fn assert_none(what: &str, f: impl Fn(&Report) -> Vec<String>) {
    let mut bad = Vec::new();
    for r in reports() {
        eprintln!("{}", r.summary());
        for b in f(r) {
            bad.push(format!("{}: {b}", r.name));
        }
    }
    assert!(bad.is_empty(), "{what}: {}\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn every_fixture_is_checked_and_marks_its_figures() {
    let r = reports();
    assert_eq!(r.len(), 4);
    for rep in r {
        assert!(rep.pages >= 8, "{}: {} pages", rep.name, rep.pages);
        assert!(!rep.fills.is_empty(), "{}: no ordinary page", rep.name);
        assert!(
            rep.unpaired.is_empty(),
            "{}: photos never placed: {:?}",
            rep.name,
            rep.unpaired
        );
    }
    // The newsletter has photos in its text, and the checks see them.
    let news = r.iter().find(|r| r.name == "newsletter").unwrap();
    assert!(news.distances.len() >= 20, "{}", news.summary());
    // The report and the newsletter have notes (the newsletter's in its
    // text: the addresses of its item titles stand under the titles), and
    // the checks see both ends of each.
    for name in ["report", "newsletter"] {
        let rep = r.iter().find(|r| r.name == name).unwrap();
        assert!(rep.notes.len() >= 3, "{}", rep.summary());
        assert!(
            rep.notes.iter().all(|(_, m, e)| m.is_some() && e.is_some()),
            "{name}: {:?}",
            rep.notes
        );
    }
}

#[test]
fn no_overlaps() {
    assert_none("overlapping items", |r| r.overlaps.clone());
}

#[test]
fn nothing_outside_the_live_area_or_the_bleed() {
    assert_none("items outside the live area", |r| r.outside.clone());
}

/// Issue 10: every ordinary page (not a cover, divider, gallery, house page
/// or full-page photo) at least 70 % full, or the layout states why not with
/// an `underfill` mark on the page (the reasons are listed in
/// layouts/default/README.md). The stated reasons are printed per fixture.
#[test]
fn ordinary_pages_are_filled_or_say_why_not() {
    let mut bad = Vec::new();
    for r in reports() {
        eprintln!("{}", r.summary());
        for s in r.stated() {
            eprintln!("{}: underfilled, as the layout says: {s}", r.name);
        }
        for (p, f, why) in r.under() {
            if why.is_none() {
                bad.push(format!(
                    "{}: page {p}: {:.0} % full, and the layout says not why",
                    r.name,
                    f * 100.0
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "ordinary pages under 70 % full: {}\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Issue 10: every divider on a left-hand page (facing its section's first
/// opener), the back cover on a left-hand page, the last.
#[test]
fn dividers_and_the_back_cover_stand_on_left_hand_pages() {
    assert_none("pages on the wrong side", Report::wrong_sides);
    assert!(reports().iter().any(|r| r.dividers.len() >= 2));
}

/// Issue 14: the sides are decided from the planner's page counts before
/// anything is placed, so the house pages stand from the first layout pass
/// (deciding them from the placed pages cost a whole pass: a 20-copy volume
/// took 10.4 s instead of 6.3 s). Every kept page stands where it was
/// planned.
#[test]
fn kept_pages_stand_where_they_were_planned() {
    assert_none("kept pages off their plan", Report::misplanned);
    assert!(reports().iter().all(|r| !r.planned.is_empty()));
}

/// A layout that does not keep the back cover on its side: preflight says
/// so when it lands on a right-hand page, and only then.
#[test]
fn preflight_warns_of_a_back_cover_on_a_right_hand_page() {
    let mut odd = 0;
    for divider in [true, false] {
        let fx = Fixture::new("basic");
        copy_dir(&repo().join("layouts/default"), &fx.path("layouts/loose"));
        // No house pages: the sides fall where the pages leave them.
        fx.edit("layouts/loose/main.typ", |t| {
            t.replace("keep-left(\"back-cover\", planned)", "")
                .replace("keep-left(\"divider-\" + str(s.number), planned);", "")
        });
        fx.edit("issue.toml", |t| {
            let t = t.replace("layout = \"default\"", "layout = \"loose\"");
            if divider {
                t
            } else {
                t.replace("english = \"News\"", "english = \"News\"\ndivider = false")
            }
        });
        let dump = dump(&fx, &[]);
        let back = dump["pages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| !mark(p, "back-cover").is_empty())
            .map(|p| p["page"].as_u64().unwrap())
            .expect("a back cover");
        let (_, json) = preflight_json(&fx);
        let found = findings(&json, "back-cover-side");
        if back % 2 == 1 {
            odd += 1;
            assert_eq!(found.len(), 1, "back cover on page {back}: {json}");
            assert_eq!(found[0]["level"], "warning");
            assert_eq!(found[0]["page"], back);
            assert!(found[0]["message"].as_str().unwrap().contains("right-hand"));
        } else {
            assert!(found.is_empty(), "back cover on page {back}: {found:?}");
        }
    }
    assert_eq!(
        odd, 1,
        "one of the two issues puts its back cover on the right"
    );
}

#[test]
fn photos_stand_beside_their_paragraph() {
    assert_none("photos far from their paragraph", Report::far);
}

/// A piece's text ends inside its block of columns: a line past the
/// block's foot stands on whatever follows it.
#[test]
fn no_text_runs_past_its_block() {
    assert_none("text running past its block", Report::past);
}

/// Every note marker has its entry, after its piece's text: never on a
/// page before the marker's.
#[test]
fn every_note_has_its_entry_after_its_marker() {
    assert_none(
        "notes without an entry after their marker",
        Report::notes_apart,
    );
}

/// A pull quote never stands within three lines of the sentence it
/// repeats.
#[test]
fn no_pull_quote_stands_beside_its_sentence() {
    assert_none("pull quotes beside their sentence", |r| {
        r.pull_gaps
            .iter()
            .filter(|(_, g)| *g < 3.0 * 16.0)
            .map(|(p, g)| format!("{p} stands {g:.0} pt from its sentence"))
            .collect()
    });
}

#[test]
fn no_stranded_subheads_or_item_lines() {
    assert_none("stranded subheads and item lines", |r| r.stranded.clone());
}

#[test]
fn figures_keep_their_proportions() {
    assert_none("figures cropped", |r| r.cropped.clone());
}

#[test]
fn no_display_line_ends_with_a_comma() {
    assert_none("titles ending a line with a comma", |r| {
        r.display_commas.clone()
    });
}

#[test]
fn small_reversed_text_is_sans() {
    assert_none("small reversed serif text", |r| r.reversed_serif.clone());
}

#[test]
fn no_mid_line_mark_is_squeezed() {
    assert_none("lines with a squeezed mark", |r| r.squeezed.clone());
}

#[test]
fn no_latin_word_or_number_is_split() {
    assert_none("Latin words or numbers split between lines", |r| {
        r.split_words.clone()
    });
}

#[test]
fn no_short_last_lines() {
    assert_none("short last lines", |r| r.short_last.clone());
}

// ---- The 目录 and the bookmarks (issue 12, item 12) ------------------------------

/// The PDF's bookmarks: (title, children) of each top-level item.
fn outline(doc: &lopdf::Document) -> Vec<(String, usize)> {
    let title = |d: &lopdf::Dictionary| -> String {
        match d.get(b"Title") {
            Ok(lopdf::Object::String(bytes, _)) => {
                if bytes.starts_with(&[0xFE, 0xFF]) {
                    let units: Vec<u16> = bytes[2..]
                        .chunks(2)
                        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                        .collect();
                    String::from_utf16_lossy(&units)
                } else {
                    String::from_utf8_lossy(bytes).into_owned()
                }
            }
            _ => String::new(),
        }
    };
    let dict = |id: lopdf::ObjectId| doc.get_object(id).unwrap().as_dict().unwrap().clone();
    let root = doc
        .catalog()
        .unwrap()
        .get(b"Outlines")
        .unwrap()
        .as_reference()
        .unwrap();
    let mut out = Vec::new();
    let mut next = dict(root)
        .get(b"First")
        .ok()
        .map(|o| o.as_reference().unwrap());
    while let Some(id) = next {
        let d = dict(id);
        let mut children = 0;
        let mut c = d.get(b"First").ok().map(|o| o.as_reference().unwrap());
        while let Some(cid) = c {
            children += 1;
            c = dict(cid)
                .get(b"Next")
                .ok()
                .map(|o| o.as_reference().unwrap());
        }
        out.push((title(&d), children));
        next = d.get(b"Next").ok().map(|o| o.as_reference().unwrap());
    }
    out
}

#[test]
fn contents_entries_link_whole_and_bookmarks_nest_by_section() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("sample.pdf");
    std::fs::copy(repo().join("issue.toml"), dir.path().join("issue.toml")).unwrap();
    copy_dir(
        &repo().join("examples/zhenjing-2024-01"),
        &dir.path().join("examples/zhenjing-2024-01"),
    );
    let out = folio()
        .arg("compile")
        .arg(dir.path().join("issue.toml"))
        .arg("-o")
        .arg(&pdf)
        .output()
        .unwrap();
    assert_success(&out);
    let doc = lopdf::Document::load(&pdf).unwrap();
    // Bookmarks: one per section, the pieces under it.
    let top = outline(&doc);
    let sections: Vec<&str> = vec!["服务动态", "服务经验", "服务故事", "服务心语"];
    let names: Vec<&str> = top.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(names, sections, "{top:?}");
    assert!(top.iter().all(|(_, n)| *n >= 1), "{top:?}");
    // The 目录's entries are links as wide as the entry (title, leader and
    // page number), not only the page number's digits.
    let pages = doc.get_pages();
    let mut wide = 0;
    for (_, id) in pages {
        let page = doc.get_object(id).unwrap().as_dict().unwrap();
        let Ok(annots) = page.get(b"Annots") else {
            continue;
        };
        let annots = match annots {
            lopdf::Object::Array(a) => a.clone(),
            lopdf::Object::Reference(r) => doc.get_object(*r).unwrap().as_array().unwrap().clone(),
            _ => continue,
        };
        for a in annots {
            let a = match a {
                lopdf::Object::Reference(r) => {
                    doc.get_object(r).unwrap().as_dict().unwrap().clone()
                }
                lopdf::Object::Dictionary(d) => d,
                _ => continue,
            };
            if a.get(b"Subtype").and_then(lopdf::Object::as_name).ok() != Some(b"Link") {
                continue;
            }
            let r: Vec<f64> = a
                .get(b"Rect")
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    v.as_float()
                        .map(f64::from)
                        .or_else(|_| v.as_i64().map(|i| i as f64))
                        .unwrap()
                })
                .collect();
            if (r[2] - r[0]).abs() > 100.0 * MM / 2.0 {
                wide += 1;
            }
        }
    }
    assert!(wide >= 8, "{wide} wide links");
}

// ---- A long 目录 (issue 10) ------------------------------------------------------

#[test]
fn a_long_contents_runs_on_to_further_pages() {
    // A yearly volume: 40 sections of one article each.
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| {
        let (head, rest) = t.split_once("[[section]]").unwrap();
        let back = &rest[rest.find("[back_cover]").unwrap()..];
        let mut sections = String::new();
        for i in 1..=40 {
            sections.push_str(&format!(
                "[[section]]\ntitle = \"第{i}栏目\"\ndivider = false\n\n\
                 [[section.article]]\ntitle = \"第{i}篇文章\"\nbody = \"articles/two.md\"\n\n"
            ));
        }
        format!("{head}{sections}{back}")
    });
    assert_success(&fx.compile());
    let pages = page_texts(&fx.pdf());
    // The 目录 is every page from the one that says 目录 to the first
    // article; it lists all 40 pieces, each with the page it starts on.
    let toc = pages.iter().position(|p| p.contains("目录")).unwrap();
    let first = pages
        .iter()
        .position(|p| p.contains("第1篇文章") && !p.contains("第2篇文章"))
        .unwrap();
    assert!(first > toc + 1, "the 目录 has one page: {toc} {first}");
    // (Without the dotted leaders.)
    let listed: String = pages[toc..first].concat().replace('·', "");
    for i in 1..=40 {
        let opener = pages
            .iter()
            .enumerate()
            .skip(first)
            .find(|(_, p)| p.contains(&format!("第{i}篇文章")))
            .map(|(n, _)| n + 1)
            .unwrap_or_else(|| panic!("第{i}篇文章 is set on no page"));
        assert!(
            listed.contains(&format!("第{i}篇文章{opener}")),
            "第{i}篇文章 (page {opener}) is not listed with its page"
        );
    }
}

// ---- Attributions (issue 11, item 15) -----------------------------------------------

/// The laid-out frames of a fixture compiled with `args`.
fn dump(fx: &Fixture, args: &[&str]) -> Value {
    let json = fx.path("layout.json");
    let out = fx.compile_with(&[&["--dump-layout", json.to_str().unwrap()], args].concat());
    assert_success(&out);
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

/// `-- 名字` after a quotation is a line of its own, `——名字`, set flush
/// right in its column and apart from the quotation's text, in the default
/// layout and in `report`.
#[test]
fn attributions_stand_apart_flush_right() {
    for layout in ["default", "report"] {
        let fx = Fixture::new("newsletter");
        fx.edit("issue.toml", |t| {
            t.replace("layout = \"default\"", &format!("layout = \"{layout}\""))
        });
        let dump = dump(&fx, &[]);
        let mut seen = 0;
        for page in dump["pages"].as_array().unwrap() {
            let ls = lines(page);
            for a in ls.iter().filter(|l| l.text.starts_with("——")) {
                let name = a.text.trim_start_matches('—');
                if !["市数据管理局工作人员", "参赛者王同学", "参赛者刘女士"].contains(&name)
                {
                    continue;
                }
                seen += 1;
                // The lines of its column above it.
                let above: Vec<&Line> = ls
                    .iter()
                    .filter(|l| l.baseline < a.baseline - 1.0 && l.r.overlap(&a.r).0 > 1.0)
                    .collect();
                // Its column's right edge: the widest line of the column.
                let right = ls
                    .iter()
                    .filter(|l| l.r.overlap(&a.r).0 > 1.0 && (l.size - a.size).abs() < 1.5)
                    .map(|l| l.r.x1)
                    .fold(f64::MIN, f64::max);
                let left = above.iter().map(|l| l.r.x0).fold(f64::MAX, f64::min);
                assert!(
                    (a.r.x1 - right).abs() < 2.0,
                    "{layout}: `{}` ends at {:.1}, its column at {right:.1}",
                    a.text,
                    a.r.x1
                );
                assert!(
                    a.r.x0 > left + 40.0,
                    "{layout}: `{}` is not set flush right ({:.1} from {left:.1})",
                    a.text,
                    a.r.x0
                );
                // Not run into the quotation's last line.
                let prev = above
                    .iter()
                    .max_by(|x, y| x.baseline.total_cmp(&y.baseline))
                    .unwrap();
                assert!(!prev.text.contains("——"), "{layout}: {}", prev.text);
                assert!(
                    a.baseline - prev.baseline > 1.2 * a.size,
                    "{layout}: `{}` is not on a line of its own",
                    a.text
                );
            }
        }
        assert_eq!(
            seen, 3,
            "{layout}: the three attributions of the newsletter"
        );
    }
}

// ---- Links by edition (issue 11, item 14) -------------------------------------------

/// The web addresses the PDF's link annotations lead to.
fn uri_links(pdf: &std::path::Path) -> Vec<String> {
    let doc = lopdf::Document::load(pdf).unwrap();
    let mut out = Vec::new();
    for (_, id) in doc.get_pages() {
        let page = doc.get_object(id).unwrap().as_dict().unwrap();
        let Ok(annots) = page.get(b"Annots") else {
            continue;
        };
        let annots = match annots {
            lopdf::Object::Array(a) => a.clone(),
            lopdf::Object::Reference(r) => doc.get_object(*r).unwrap().as_array().unwrap().clone(),
            _ => continue,
        };
        for a in annots {
            let a = match a {
                lopdf::Object::Reference(r) => {
                    doc.get_object(r).unwrap().as_dict().unwrap().clone()
                }
                lopdf::Object::Dictionary(d) => d,
                _ => continue,
            };
            let action = match a.get(b"A") {
                Ok(lopdf::Object::Dictionary(d)) => d.clone(),
                Ok(lopdf::Object::Reference(r)) => {
                    doc.get_object(*r).unwrap().as_dict().unwrap().clone()
                }
                _ => continue,
            };
            if let Ok(lopdf::Object::String(uri, _)) = action.get(b"URI") {
                out.push(String::from_utf8_lossy(uri).into_owned());
            }
        }
    }
    out
}

/// The fill colours of the text items that read `text`.
fn text_fills(dump: &Value, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for page in dump["pages"].as_array().unwrap() {
        for i in page["items"].as_array().unwrap() {
            if i["kind"] == "text" && clean(i["text"].as_str().unwrap_or("")) == text {
                out.push(i["fill"].as_str().unwrap_or("").to_string());
            }
        }
    }
    out
}

/// Print: a link is in the text colour and its address is printed as a
/// numbered note. Screen: the link is coloured and clicked, no address is
/// printed. Both keep the link annotations.
#[test]
fn links_follow_the_edition() {
    let fx = Fixture::new("newsletter");
    let mut notes = HashMap::new();
    for edition in ["print", "screen"] {
        let pdf = fx.path(&format!("{edition}.pdf"));
        let dump = dump(&fx, &["--edition", edition, "-o", pdf.to_str().unwrap()]);
        let printed: usize = page_texts(&pdf)
            .iter()
            .map(|t| t.matches("https://example.org/").count())
            .sum();
        notes.insert(edition, printed);
        let uris = uri_links(&pdf);
        assert!(
            uris.iter()
                .filter(|u| u.starts_with("https://example.org/"))
                .count()
                >= 10,
            "{edition}: {} web links: {uris:?}",
            uris.len()
        );
        // `2、[语音备忘](https://example.org/voice-memo)`: an item title.
        let fills = text_fills(&dump, "语音备忘");
        assert!(!fills.is_empty(), "{edition}: the link text is not found");
        let want = if edition == "print" {
            "#1f1f22"
        } else {
            "#b3121d"
        };
        assert!(
            fills.iter().all(|f| f == want),
            "{edition}: link text in {fills:?}, not {want}"
        );
    }
    eprintln!("addresses printed: {notes:?}");
    assert!(
        notes["print"] >= 10,
        "print: {} addresses printed",
        notes["print"]
    );
    assert_eq!(notes["screen"], 0, "screen: addresses printed");
}

// ---- Lead crops around a focus (issue 10, item 4) -------------------------------------

/// The `crop` marks of a laid-out issue: (photo, share of the height lost,
/// share cut above the frame).
fn crops(dump: &Value) -> Vec<(String, f64, f64)> {
    let mut out = Vec::new();
    for page in dump["pages"].as_array().unwrap() {
        for m in mark(page, "crop") {
            let v = &m["value"];
            out.push((
                v["src"].as_str().unwrap().to_string(),
                v["lost"].as_f64().unwrap(),
                v["above"].as_f64().unwrap(),
            ));
        }
    }
    out
}

/// A portrait lead photo cropped to the opener's landscape frame: the crop
/// keeps the manifest's `focus` in view (centre by default), and preflight
/// names the photo and the share of its height it loses.
#[test]
fn lead_crops_follow_the_focus_and_portrait_losses_are_warned() {
    let lead = "lead = { file = \"photos/p2.jpg\", caption = \"开场照片\" }";
    for (focus, want) in [
        (None, 0.5),
        (Some("top"), 0.0),
        (Some("bottom"), 1.0),
        (Some("50,25"), 0.25),
    ] {
        let fx = Fixture::new("basic");
        write_photo(&fx.path("photos/p2.jpg"), 1200, 1800, 7);
        if let Some(f) = focus {
            fx.edit("issue.toml", |t| {
                assert!(t.contains(lead));
                t.replace(lead, &lead.replace(" }", &format!(", focus = \"{f}\" }}")))
            });
        }
        let dump = dump(&fx, &[]);
        let c = crops(&dump);
        let (src, lost, above) = c
            .iter()
            .find(|(s, _, _)| s.ends_with("photos/p2.jpg"))
            .unwrap_or_else(|| panic!("{focus:?}: no crop mark for the lead: {c:?}"));
        assert!(*lost > 0.25, "{src}: {lost}");
        // The share cut above is the focus's share of what is cut, as far
        // as the photo allows (the focus as near the frame's middle).
        let expect = match want {
            w if w <= 0.0 => 0.0,
            w if w >= 1.0 => *lost,
            w => ((w - (1.0 - lost) / 2.0).max(0.0)).min(*lost),
        };
        assert!(
            (above - expect).abs() < 0.01,
            "{focus:?}: {above} cut above, not {expect} (lost {lost})"
        );
        let (_, json) = preflight_json(&fx);
        let found = findings(&json, "portrait-crop");
        assert_eq!(found.len(), 1, "{focus:?}: {json}");
        let msg = found[0]["message"].as_str().unwrap();
        assert!(msg.contains("photos/p2.jpg"), "{msg}");
        assert!(msg.contains(&format!("{:.0} %", lost * 100.0)), "{msg}");
        assert!(msg.contains("25 %"), "{msg}");
    }
}

/// A bad `focus` is an error at its line of the manifest.
#[test]
fn a_bad_focus_is_an_error_at_its_line() {
    let fx = Fixture::new("basic");
    let lead = "lead = { file = \"photos/p2.jpg\", caption = \"开场照片\" }";
    fx.edit("issue.toml", |t| {
        t.replace(
            lead,
            "lead = { file = \"photos/p2.jpg\", caption = \"开场照片\", focus = \"upper\" }",
        )
    });
    let line = std::fs::read_to_string(fx.manifest())
        .unwrap()
        .lines()
        .position(|l| l.contains("focus = \"upper\""))
        .unwrap()
        + 1;
    let out = fx.compile();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("focus must be"), "{err}");
    assert!(err.contains(&format!("issue.toml:{line}:")), "{err}");
}
