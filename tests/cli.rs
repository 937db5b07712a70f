//! Integration tests: run the real `folio` binary on fixture issues and
//! check the PDFs it writes (with lopdf and poppler's pdftotext).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lopdf::{Document, Object};

const MM: f64 = 72.0 / 25.4;

fn folio() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_folio"));
    cmd.env("NO_COLOR", "1").env_remove("SOURCE_DATE_EPOCH");
    cmd
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture issue copied into a fresh temporary folder (outside the
/// repository), with its photos generated.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("tests/fixtures").join(name), dir.path());
        let photos = dir.path().join("photos");
        std::fs::create_dir_all(&photos).unwrap();
        for (i, name) in ["p1.jpg", "p2.jpg", "p3.jpg", "p4.jpg"].iter().enumerate() {
            write_photo(&photos.join(name), 1600, 1200, i as u8);
        }
        Self { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn manifest(&self) -> PathBuf {
        self.path("issue.toml")
    }

    fn pdf(&self) -> PathBuf {
        self.path("issue.pdf")
    }

    fn edit(&self, rel: &str, f: impl FnOnce(String) -> String) {
        let p = self.path(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, f(text)).unwrap();
    }

    fn compile(&self) -> Output {
        folio()
            .arg("compile")
            .arg(self.manifest())
            .output()
            .unwrap()
    }
}

fn copy_dir(from: &Path, to: &Path) {
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
fn write_photo(path: &Path, w: u32, h: u32, seed: u8) {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            ((x * 255 / w) as u8).wrapping_add(seed * 40),
            (y * 255 / h) as u8,
            (((x + y) / 7) as u8).wrapping_mul(3),
        ])
    });
    img.save(path).unwrap();
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "folio failed ({:?}):\n{}",
        out.status.code(),
        stderr(out)
    );
}

/// The text of each page, with all whitespace removed.
fn page_texts(pdf: &Path) -> Vec<String> {
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
                .filter(|c| !c.is_whitespace())
                .collect()
        })
        .collect()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn rect(doc: &Document, page: &lopdf::Dictionary, key: &[u8]) -> Option<[f64; 4]> {
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
fn assert_close(a: [f64; 4], b: [f64; 4]) {
    for i in 0..4 {
        assert!((a[i] - b[i]).abs() < 0.05, "{a:?} != {b:?}");
    }
}

/// Checks page boxes: A4 trim with `bleed` mm on each side.
fn check_boxes(pdf: &Path, bleed: f64) -> usize {
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
fn check_fonts_embedded(pdf: &Path) -> usize {
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
fn page_lines(pdf: &Path, page: usize) -> Vec<String> {
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
fn check_toc(pdf: &Path, entries: &[&str]) {
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

// ---- The fixture issue ---------------------------------------------------------

#[test]
fn compiles_fixture_issue_outside_the_repository() {
    let fx = Fixture::new("basic");
    let out = fx.compile();
    assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("wrote"), "{err}");
    assert!(
        !err.contains("warning"),
        "a clean issue compiles with no warnings:\n{err}"
    );
    let pages = check_boxes(&fx.pdf(), 3.0);
    // cover, 目录, 2 dividers, 3 articles, a gallery, back cover.
    assert!(pages >= 9, "{pages} pages");
    check_fonts_embedded(&fx.pdf());
    check_toc(&fx.pdf(), &["第一篇文章的标题", "活动剪影", "一篇感言"]);
    let texts = page_texts(&fx.pdf());
    let toc = texts.iter().find(|p| p.contains("目录")).unwrap();
    assert!(
        !toc.contains("不在目录里的报道"),
        "a piece with toc = false is not listed"
    );
    let all: String = texts.concat();
    for s in [
        "2025年6月1日，第一支行",
        "脚注的内容",
        "——李四",
        "感谢观看！",
        "开场照片",
        "列表第二项",
    ] {
        assert!(all.contains(s), "missing {s}");
    }
    // A soft line break between two Han characters is no space.
    assert!(all.contains("展开，特邀"), "{all}");
}

#[test]
fn output_option_and_default_name() {
    let fx = Fixture::new("basic");
    let out_path = fx.path("out/custom.pdf");
    std::fs::create_dir_all(fx.path("out")).unwrap();
    let out = folio()
        .arg("compile")
        .arg(fx.manifest())
        .arg("-o")
        .arg(&out_path)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(out_path.is_file());
    assert!(!fx.pdf().exists());
    // ISSUE defaults to ./issue.toml.
    let out = folio()
        .arg("compile")
        .current_dir(fx.dir.path())
        .output()
        .unwrap();
    assert_success(&out);
    assert!(fx.pdf().is_file());
}

#[test]
fn same_input_gives_the_same_bytes() {
    let a = Fixture::new("basic");
    let b = Fixture::new("basic");
    assert_success(&a.compile());
    assert_success(
        &folio()
            .arg("compile")
            .current_dir(b.dir.path())
            .output()
            .unwrap(),
    );
    assert_eq!(
        std::fs::read(a.pdf()).unwrap(),
        std::fs::read(b.pdf()).unwrap()
    );
}

#[test]
fn bleed_is_set_in_the_manifest() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| {
        t.replace("[back_cover]", "[print]\nbleed_mm = 5\n\n[back_cover]")
    });
    assert_success(&fx.compile());
    check_boxes(&fx.pdf(), 5.0);
}

// ---- Article text is data --------------------------------------------------------

#[test]
fn article_text_cannot_run_code() {
    let fx = Fixture::new("basic");
    let evil = r#"#read("/etc/passwd") #import "x.typ": * $x^2$ @ref <label> \\ a\b #{1+1} ]] [[ = not a heading
`#eval("1")` and *a* and _b_ and ** and __ and __init__"#;
    std::fs::write(fx.path("articles/two.md"), evil).unwrap();
    fx.edit("issue.toml", |t| {
        t.replace("不在目录里的报道", "#set page(width: 1cm) *x* $y$")
    });
    let out = fx.compile();
    assert_success(&out);
    let all: String = page_texts(&fx.pdf()).concat();
    for s in [
        r#"#read("/etc/passwd")"#,
        r#"#import"x.typ":*"#,
        "$x^2$",
        "@ref",
        "<label>",
        r"a\b",
        "#{1+1}",
        "]][[=notaheading",
        r#"#eval("1")"#,
        "#setpage(width:1cm)*x*$y$",
    ] {
        assert!(all.contains(s), "`{s}` is not printed literally:\n{all}");
    }
    assert!(!all.contains("root:"), "a file was read");
}

// ---- Bad input -------------------------------------------------------------------

/// Compiles and expects exit code `code`, a message containing every one of
/// `needles`, and no PDF.
#[track_caller]
fn expect_failure(fx: &Fixture, code: i32, needles: &[&str]) -> String {
    let out = fx.compile();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing `{n}` in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!fx.pdf().exists(), "a PDF was written");
    let leftovers: Vec<_> = std::fs::read_dir(fx.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".folio-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    err
}

#[test]
fn malformed_toml_names_line_and_column() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| {
        t.replace("number = \"2025年第2期\"", "number = \"2025年第2期")
    });
    expect_failure(&fx, 1, &["issue.toml:8:", "error"]);
}

#[test]
fn missing_key_is_named() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| {
        t.replace("number = \"2025年第2期\"\n", "")
    });
    expect_failure(&fx, 1, &["missing key `number`", "issue.toml:"]);
}

#[test]
fn misspelt_key_suggests_the_right_one() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| t.replace("kicker = ", "kiker = "));
    expect_failure(
        &fx,
        1,
        &[
            "unknown key `kiker`",
            "did you mean `kicker`?",
            "issue.toml:22:1",
        ],
    );
}

#[test]
fn missing_article_file() {
    let fx = Fixture::new("basic");
    std::fs::remove_file(fx.path("articles/two.md")).unwrap();
    expect_failure(
        &fx,
        1,
        &["articles/two.md", "no such file", "issue.toml:31:8"],
    );
}

#[test]
fn missing_photo_file() {
    let fx = Fixture::new("basic");
    std::fs::remove_file(fx.path("photos/p3.jpg")).unwrap();
    expect_failure(&fx, 1, &["photos/p3.jpg", "no such file"]);
}

#[test]
fn non_utf8_article() {
    let fx = Fixture::new("basic");
    std::fs::write(fx.path("articles/two.md"), b"\xd5\xe2\xca\xc7 GBK text\n").unwrap();
    expect_failure(&fx, 1, &["two.md:1:1", "not UTF-8"]);
}

#[test]
fn unreadable_article() {
    let fx = Fixture::new("basic");
    std::fs::remove_file(fx.path("articles/two.md")).unwrap();
    std::fs::create_dir(fx.path("articles/two.md")).unwrap();
    expect_failure(&fx, 1, &["articles/two.md", "not a file"]);
}

#[test]
fn corrupt_photo() {
    let fx = Fixture::new("basic");
    std::fs::write(fx.path("photos/p3.jpg"), b"this is not a jpeg at all").unwrap();
    expect_failure(&fx, 1, &["p3.jpg", "corrupt", "issue.toml:36:8"]);
}

#[test]
fn parent_path_is_refused() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| t.replace("articles/two.md", "../two.md"));
    expect_failure(&fx, 1, &["leaves the issue folder", "issue.toml:31:8"]);
}

#[test]
fn absolute_path_is_refused() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| {
        t.replace("articles/two.md", "/etc/passwd")
    });
    expect_failure(&fx, 1, &["is absolute"]);
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_folder_is_refused() {
    let fx = Fixture::new("basic");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), "secret").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        fx.path("articles/link.md"),
    )
    .unwrap();
    fx.edit("issue.toml", |t| {
        t.replace("articles/two.md", "articles/link.md")
    });
    expect_failure(&fx, 1, &["leads outside the issue folder"]);
}

#[cfg(unix)]
#[test]
fn symlinked_folder_out_of_the_issue_is_refused() {
    let fx = Fixture::new("basic");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("p.jpg"),
        std::fs::read(fx.path("photos/p1.jpg")).unwrap(),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), fx.path("elsewhere")).unwrap();
    fx.edit("issue.toml", |t| {
        t.replace("photos/p3.jpg", "elsewhere/p.jpg")
    });
    expect_failure(&fx, 1, &["leads outside the issue folder"]);
}

#[test]
fn markdown_image_outside_is_refused() {
    let fx = Fixture::new("basic");
    std::fs::write(
        fx.path("articles/two.md"),
        "文字\n\n![说明](../../etc/passwd)\n",
    )
    .unwrap();
    expect_failure(&fx, 1, &["two.md:3:1", "leaves the issue folder"]);
}

#[test]
fn output_that_would_overwrite_an_input_is_refused() {
    let fx = Fixture::new("basic");
    let before = std::fs::read(fx.path("articles/one.md")).unwrap();
    let out = folio()
        .arg("compile")
        .arg(fx.manifest())
        .arg("-o")
        .arg(fx.path("articles/one.md"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is one of the issue's input files"));
    assert_eq!(std::fs::read(fx.path("articles/one.md")).unwrap(), before);
}

#[test]
fn failed_compile_keeps_the_last_good_pdf() {
    let fx = Fixture::new("basic");
    assert_success(&fx.compile());
    let good = std::fs::read(fx.pdf()).unwrap();
    fx.edit("issue.toml", |t| t.replace("kicker = ", "kiker = "));
    assert_eq!(fx.compile().status.code(), Some(1));
    assert_eq!(std::fs::read(fx.pdf()).unwrap(), good);
}

#[test]
fn usage_errors_exit_with_2() {
    let out = folio()
        .args(["compile", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = folio().arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn missing_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = folio()
        .arg("compile")
        .arg(dir.path().join("nope.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nope.toml"), "{}", stderr(&out));
}

#[test]
fn typ_article_must_be_trusted() {
    let fx = Fixture::new("basic");
    std::fs::write(fx.path("articles/t.typ"), "Hello from *Typst*.").unwrap();
    fx.edit("issue.toml", |t| {
        t.replace("articles/two.md", "articles/t.typ")
    });
    expect_failure(&fx, 1, &["trusted = true"]);
    fx.edit("issue.toml", |t| {
        t.replace(
            "body = \"articles/t.typ\"",
            "body = \"articles/t.typ\"\ntrusted = true",
        )
    });
    assert_success(&fx.compile());
    let all: String = page_texts(&fx.pdf()).concat();
    assert!(all.contains("HellofromTypst."));
}

#[test]
fn trusted_typ_cannot_read_outside() {
    let fx = Fixture::new("basic");
    std::fs::write(fx.path("articles/t.typ"), "#read(\"/etc/passwd\")").unwrap();
    fx.edit("issue.toml", |t| {
        t.replace(
            "body = \"articles/two.md\"",
            "body = \"articles/t.typ\"\ntrusted = true",
        )
    });
    let out = fx.compile();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("t.typ:1:"), "{err}");
    assert!(!fx.pdf().exists());
}

#[test]
fn missing_glyph_is_a_warning_naming_character_and_article() {
    let fx = Fixture::new("basic");
    // U+10FFFD is a private-use character no font has.
    fx.edit("articles/two.md", |t| {
        format!("{t}\n\n文字\u{10FFFD}文字\n")
    });
    let out = fx.compile();
    assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("warning"), "{err}");
    assert!(
        err.contains("U+10FFFD") && err.contains("不在目录里的报道") && err.contains("two.md:4:3"),
        "{err}"
    );
}

// ---- The sample issue ------------------------------------------------------------

#[test]
fn sample_issue_compiles_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("sample.pdf");
    let out = folio()
        .arg("compile")
        .arg(repo().join("issue.toml"))
        .arg("-o")
        .arg(&pdf)
        .output()
        .unwrap();
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        !err.contains("warning"),
        "the sample issue compiles with no warnings:\n{err}"
    );
    let pages = check_boxes(&pdf, 3.0);
    assert!(pages >= 24, "{pages} pages");
    check_fonts_embedded(&pdf);
    check_toc(
        &pdf,
        &[
            "分行举办服务管理骨干能力提升培训班",
            "分行组织开展工行驿站“反诈我在行”志愿服务活动",
            "五羊支行开展“向服务标杆网点看齐”活动",
            "荔湾支行营业室专注服务质量 致力提升服务水平",
            "环城太和支行情系客户，暖心服务获锦旗",
            "增城荔城支行成功拦截电信诈骗挽回客户资金获赞扬",
            "花都分行营业室关爱老年客户，做好特殊群体金融服务",
        ],
    );
    let all: String = page_texts(&pdf).concat();
    for s in [
        "臻境",
        "客户为尊",
        "2024年第1期",
        "各行活动剪影",
        "琶洲数字",
        "徐国龙",
        "刘森华",
        "感谢观看",
    ] {
        assert!(all.contains(s), "missing {s}");
    }
}
