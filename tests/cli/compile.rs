//! The compile pipeline end to end: the fixture issue and the sample issue,
//! page boxes, fonts, the 目录's page numbers, bad input, injection.

use crate::common::*;

// ---- The fixture issue ---------------------------------------------------------

#[test]
fn compiles_fixture_issue_outside_the_repository() {
    let fx = Fixture::new("basic");
    let out = fx.compile();
    assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("wrote"), "{err}");
    assert!(
        !diagnostics(&out).lines().any(|l| l.starts_with("warning")),
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
    fx.trusted_article("#read(\"/etc/passwd\")");
    let out = fx.compile();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("trusted.typ:1:"), "{err}");
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
        !err.lines().any(|l| l.starts_with("warning")),
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
