//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lopdf::{Document, Object};

pub const MM: f64 = 72.0 / 25.4;

pub fn folio() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_folio"));
    cmd.env("NO_COLOR", "1").env_remove("SOURCE_DATE_EPOCH");
    cmd
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture issue copied into a fresh temporary folder (outside the
/// repository), with its photos generated.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("tests/fixtures").join(name), dir.path());
        let photos = dir.path().join("photos");
        std::fs::create_dir_all(&photos).unwrap();
        for (i, name) in ["p1.jpg", "p2.jpg", "p3.jpg", "p4.jpg"].iter().enumerate() {
            write_photo(&photos.join(name), 1600, 1200, i as u8);
        }
        Self { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn manifest(&self) -> PathBuf {
        self.path("issue.toml")
    }

    pub fn pdf(&self) -> PathBuf {
        self.path("issue.pdf")
    }

    pub fn edit(&self, rel: &str, f: impl FnOnce(String) -> String) {
        let p = self.path(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, f(text)).unwrap();
    }

    /// Makes the fixture's second article a trusted Typst file with `source`.
    pub fn trusted_article(&self, source: &str) {
        std::fs::write(self.path("articles/trusted.typ"), source).unwrap();
        self.edit("issue.toml", |t| {
            t.replace(
                "body = \"articles/two.md\"",
                "body = \"articles/trusted.typ\"\ntrusted = true",
            )
        });
    }

    /// `folio compile ISSUE` with more arguments.
    pub fn compile_with(&self, args: &[&str]) -> Output {
        folio()
            .arg("compile")
            .arg(self.manifest())
            .args(args)
            .output()
            .unwrap()
    }

    pub fn compile(&self) -> Output {
        folio()
            .arg("compile")
            .arg(self.manifest())
            .output()
            .unwrap()
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A deterministic photo-like JPEG.
pub fn write_photo(path: &Path, w: u32, h: u32, seed: u8) {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            ((x * 255 / w) as u8).wrapping_add(seed * 40),
            (y * 255 / h) as u8,
            (((x + y) / 7) as u8).wrapping_mul(3),
        ])
    });
    img.save(path).unwrap();
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "folio failed ({:?}):\n{}",
        out.status.code(),
        stderr(out)
    );
}

/// Whether a character is an invisible break control that folio's text
/// clean-up inserts (word joiner between a number and its unit, zero-width
/// space and soft hyphen in over-long runs): it is in the PDF's text but
/// not on the page.
pub fn is_break_control(c: char) -> bool {
    matches!(c, '\u{2060}' | '\u{200b}' | '\u{ad}')
}

/// The text of each page, with all whitespace and break controls removed.
pub fn page_texts(pdf: &Path) -> Vec<String> {
    let doc = Document::load(pdf).unwrap();
    let n = doc.get_pages().len();
    (1..=n)
        .map(|p| {
            let out = Command::new("pdftotext")
                .args(["-f", &p.to_string(), "-l", &p.to_string(), "-enc", "UTF-8"])
                .arg(pdf)
                .arg("-")
                .output()
                .expect("pdftotext (poppler-utils) must be installed for the tests");
            assert!(out.status.success());
            String::from_utf8(out.stdout)
                .unwrap()
                .chars()
                .filter(|c| !c.is_whitespace() && !is_break_control(*c))
                .collect()
        })
        .collect()
}

pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !is_break_control(*c))
        .collect()
}

pub fn rect(doc: &Document, page: &lopdf::Dictionary, key: &[u8]) -> Option<[f64; 4]> {
    let obj = page.get(key).ok()?;
    let arr = match obj {
        Object::Reference(r) => doc.get_object(*r).ok()?.as_array().ok()?,
        o => o.as_array().ok()?,
    };
    let v: Vec<f64> = arr
        .iter()
        .map(|o| match o {
            Object::Integer(i) => *i as f64,
            Object::Real(r) => f64::from(*r),
            _ => f64::NAN,
        })
        .collect();
    Some([v[0], v[1], v[2], v[3]])
}

#[track_caller]
pub fn assert_close(a: [f64; 4], b: [f64; 4]) {
    for i in 0..4 {
        assert!((a[i] - b[i]).abs() < 0.05, "{a:?} != {b:?}");
    }
}

/// Checks page boxes: A4 trim with `bleed` mm on each side.
pub fn check_boxes(pdf: &Path, bleed: f64) -> usize {
    let doc = Document::load(pdf).unwrap();
    let pages = doc.get_pages();
    let (w, h) = (210.0 * MM, 297.0 * MM);
    let b = bleed * MM;
    for (n, id) in &pages {
        let page = doc.get_dictionary(*id).unwrap();
        let media =
            rect(&doc, page, b"MediaBox").unwrap_or_else(|| panic!("page {n} has no MediaBox"));
        assert_close(media, [0.0, 0.0, w + 2.0 * b, h + 2.0 * b]);
        let trim =
            rect(&doc, page, b"TrimBox").unwrap_or_else(|| panic!("page {n} has no TrimBox"));
        assert_close(trim, [b, b, w + b, h + b]);
    }
    pages.len()
}

/// Every font in the PDF has its program embedded.
pub fn check_fonts_embedded(pdf: &Path) -> usize {
    let doc = Document::load(pdf).unwrap();
    let mut count = 0;
    for (_, obj) in doc.objects.iter() {
        let Ok(dict) = obj.as_dict() else { continue };
        if dict.get(b"Type").and_then(|t| t.as_name()).ok() != Some(b"FontDescriptor") {
            continue;
        }
        count += 1;
        let name = dict
            .get(b"FontName")
            .and_then(|n| n.as_name())
            .map(|n| String::from_utf8_lossy(n).into_owned());
        assert!(
            dict.has(b"FontFile") || dict.has(b"FontFile2") || dict.has(b"FontFile3"),
            "font {name:?} is not embedded"
        );
    }
    assert!(count > 0, "no fonts found");
    count
}

/// The text of one page as laid out (`pdftotext -layout`), line by line.
pub fn page_lines(pdf: &Path, page: usize) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args([
            "-layout",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
            "-enc",
            "UTF-8",
        ])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed for the tests");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(squash)
        .collect()
}

/// Each 目录 entry's printed page number is the page where the title is set
/// as an article opener (the last page that shows the title: the 目录 and the
/// section dividers come before it).
pub fn check_toc(pdf: &Path, entries: &[&str]) {
    let pages = page_texts(pdf);
    let toc_index = pages
        .iter()
        .position(|p| p.contains("目录"))
        .expect("a 目录 page");
    let lines = page_lines(pdf, toc_index + 1);
    for title in entries {
        let t = squash(title);
        let line = lines
            .iter()
            .find(|l| l.contains(&t))
            .unwrap_or_else(|| panic!("{title} is not in the 目录:\n{}", lines.join("\n")));
        let digits: String = line
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let printed: usize = digits
            .chars()
            .rev()
            .collect::<String>()
            .parse()
            .unwrap_or_else(|_| panic!("no page number after {title}: {line}"));
        let actual = pages
            .iter()
            .enumerate()
            .filter(|(i, p)| *i != toc_index && p.contains(&t))
            .map(|(i, _)| i + 1)
            .max()
            .unwrap_or_else(|| panic!("{title} is on no page"));
        assert_eq!(
            printed, actual,
            "目录 says {title} is on page {printed}, it is on {actual}"
        );
    }
}

/// Whether a line of `folio compile`'s output is one of the preflight's
/// findings (`warning: page 4: … (image-resolution)`), which compile prints
/// as `folio preflight` does.
pub fn is_preflight_finding(line: &str) -> bool {
    let level = ["error: ", "warning: ", "info: "]
        .iter()
        .any(|p| line.starts_with(p));
    let check = line.rsplit_once(" (").is_some_and(|(_, c)| {
        c.ends_with(')')
            && c[..c.len() - 1]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-')
    });
    level && check
}

/// The compiler's own diagnostics in an output: everything but the
/// preflight's findings.
pub fn diagnostics(out: &Output) -> String {
    stderr(out)
        .lines()
        .filter(|l| !is_preflight_finding(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `folio preflight --format json` on a fixture: the exit code and report.
pub fn preflight_json(fx: &Fixture) -> (Option<i32>, serde_json::Value) {
    let out = folio()
        .arg("preflight")
        .arg(fx.manifest())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        )
    });
    (out.status.code(), json)
}

/// The findings of one check in a preflight report.
pub fn findings<'a>(json: &'a serde_json::Value, check: &str) -> Vec<&'a serde_json::Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == check)
        .collect()
}

/// `pdfimages -list` of a PDF: each image's (x ppi, y ppi) at its placed
/// size, with the listing for messages.
pub fn image_ppis(pdf: &Path) -> (Vec<(f64, f64)>, String) {
    let out = Command::new("pdfimages")
        .arg("-list")
        .arg(pdf)
        .output()
        .expect("pdfimages (poppler-utils) must be installed for the tests");
    let list = String::from_utf8_lossy(&out.stdout).into_owned();
    let ppis = list
        .lines()
        .skip(2)
        .map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            (cols[12].parse().unwrap(), cols[13].parse().unwrap())
        })
        .collect();
    (ppis, list)
}

/// A box on a laid-out page (`--dump-layout`), in points from the top left.
#[derive(Debug, Clone, Copy)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    /// From an item's `x`, `y`, `w`, `h`.
    pub fn of(v: &serde_json::Value) -> Option<Rect> {
        let n = |k: &str| v.get(k)?.as_f64();
        let (x, y, w, h) = (n("x")?, n("y")?, n("w")?, n("h")?);
        Some(Rect {
            x0: x,
            y0: y,
            x1: x + w,
            y1: y + h,
        })
    }

    pub fn w(&self) -> f64 {
        self.x1 - self.x0
    }

    pub fn h(&self) -> f64 {
        self.y1 - self.y0
    }

    pub fn area(&self) -> f64 {
        self.w().max(0.0) * self.h().max(0.0)
    }

    /// No area to speak of (under 0.01 pt across).
    pub fn empty(&self) -> bool {
        self.w() < 0.01 || self.h() < 0.01
    }

    /// Width and height of the intersection (negative when apart).
    pub fn overlap(&self, o: &Rect) -> (f64, f64) {
        (
            self.x1.min(o.x1) - self.x0.max(o.x0),
            self.y1.min(o.y1) - self.y0.max(o.y0),
        )
    }

    pub fn inside(&self, o: &Rect, tol: f64) -> bool {
        self.x0 >= o.x0 - tol
            && self.y0 >= o.y0 - tol
            && self.x1 <= o.x1 + tol
            && self.y1 <= o.y1 + tol
    }

    /// The middle band of a text run's box (font boxes reach from the
    /// ascender to the descender, well beyond the ink).
    pub fn ink(&self) -> Rect {
        let d = 0.2 * self.h();
        Rect {
            y0: self.y0 + d,
            y1: self.y1 - d,
            ..*self
        }
    }
}
