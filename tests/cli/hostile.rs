//! Hostile and broken input: limits, confinement, nothing lost,
//! reproducible output, and the fuzzers' regression inputs. Each test here
//! is named by a row of docs/bad-input.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

// ---- Helpers ---------------------------------------------------------------------

/// Runs `folio compile` on the fixture with extra arguments.
fn compile_with(fx: &Fixture, args: &[&str]) -> Output {
    folio()
        .arg("compile")
        .arg(fx.manifest())
        .args(args)
        .output()
        .unwrap()
}

/// Expects exit code `code`, every one of `needles` in the message, no
/// panic, and no temporary file left beside the output.
#[track_caller]
fn expect_refusal(out: &Output, code: i32, needles: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing `{n}` in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[track_caller]
fn no_temp_files(dir: &Path) {
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".folio-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// Points the fixture's second article at another body file.
fn use_body(fx: &Fixture, body: &str) {
    fx.edit("issue.toml", |t| {
        t.replace("body = \"articles/two.md\"", &format!("body = \"{body}\""))
    });
}

/// Makes the fixture's second article a trusted Typst file with `code`.
fn trusted_typ(fx: &Fixture, code: &str) {
    std::fs::write(fx.path("articles/t.typ"), code).unwrap();
    fx.edit("issue.toml", |t| {
        t.replace(
            "body = \"articles/two.md\"",
            "body = \"articles/t.typ\"\ntrusted = true",
        )
    });
}

/// A folder outside the issue holding a secret that must never be read.
struct Outside {
    dir: tempfile::TempDir,
}

const SECRET: &str = "FOLIO-SECRET-7f3a9c";

impl Outside {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret.txt"), SECRET).unwrap();
        std::fs::write(dir.path().join("secret.md"), SECRET).unwrap();
        std::fs::write(dir.path().join("secret.typ"), SECRET).unwrap();
        std::fs::write(
            dir.path().join("secret.json"),
            format!("{{\"s\": \"{SECRET}\"}}"),
        )
        .unwrap();
        write_photo(&dir.path().join("p.jpg"), 40, 30, 9);
        std::fs::create_dir(dir.path().join("layout")).unwrap();
        std::fs::write(
            dir.path().join("layout/main.typ"),
            format!("{SECRET} #read(\"secret.txt\")"),
        )
        .unwrap();
        std::fs::write(dir.path().join("layout/secret.txt"), SECRET).unwrap();
        Self { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// The secret appears neither in the messages nor in a PDF.
#[track_caller]
fn secret_not_leaked(fx: &Fixture, out: &Output) {
    let all = format!("{}{}", stderr(out), String::from_utf8_lossy(&out.stdout));
    assert!(!all.contains(SECRET), "the secret was read:\n{all}");
    if fx.pdf().exists() {
        let text: String = page_texts(&fx.pdf()).concat();
        assert!(!text.contains(SECRET), "the secret is in the PDF");
    }
}

/// A crafted PNG whose header claims `w` × `h` pixels, with a token
/// IDAT chunk: small on disk, enormous if decoded.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    // A stored (uncompressed) zlib block of 16 zero bytes.
    let mut idat = vec![0x78, 0x01, 0x01, 16, 0, !16u8, 0xff];
    idat.extend([0u8; 16]);
    idat.extend(adler32(&[0u8; 16]).to_be_bytes());
    chunk(&mut png, b"IDAT", &idat);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &d in data {
        a = (a + u32::from(d)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// A real JPEG whose frame header (SOF) is patched to claim `w` × `h`.
fn jpeg_claiming(w: u16, h: u16) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("small.jpg");
    write_photo(&p, 64, 48, 1);
    let mut bytes = std::fs::read(&p).unwrap();
    let sof = bytes
        .windows(2)
        .position(|w| w[0] == 0xff && (0xc0..=0xc2).contains(&w[1]))
        .expect("a frame header");
    // FF Cx, length (2), precision (1), height (2), width (2).
    bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    bytes
}

/// Endless (and memory-constant) Typst: three nested loops of 9999 turns
/// each, below Typst's own guard against a loop that never ends.
const ENDLESS: &str = "#let n = 0\n#while n < 9999 {\n  let m = 0\n  while m < 9999 {\n    let k = 0\n    while k < 9999 { k += 1 }\n    m += 1\n  }\n  n += 1\n}\n";

// ---- Limits ----------------------------------------------------------------------

#[test]
fn png_header_claiming_huge_size_is_refused_before_decoding() {
    let fx = Fixture::new("basic");
    std::fs::write(fx.path("photos/p3.jpg"), png_claiming(100_000, 100_000)).unwrap();
    let t = Instant::now();
    let out = fx.compile();
    expect_refusal(
        &out,
        1,
        &[
            "100000×100000 pixels, above the limit of 120000000 pixels",
            "issue.toml:36:8",
        ],
    );
    // Decoding 10¹⁰ pixels would take minutes and 30 GB.
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    assert!(!fx.pdf().exists());
}

#[test]
fn jpeg_header_claiming_huge_size_is_refused_before_decoding() {
    let fx = Fixture::new("basic");
    std::fs::write(fx.path("photos/p4.jpg"), jpeg_claiming(60_000, 60_000)).unwrap();
    let out = fx.compile();
    expect_refusal(
        &out,
        1,
        &["60000×60000 pixels, above the limit", "issue.toml:39:8"],
    );
}

#[test]
fn huge_image_in_markdown_is_refused_at_its_line() {
    let fx = Fixture::new("basic");
    std::fs::write(fx.path("articles/big.png"), png_claiming(20_000, 20_000)).unwrap();
    std::fs::write(fx.path("articles/two.md"), "文字\n\n![说明](big.png)\n").unwrap();
    let out = fx.compile();
    expect_refusal(&out, 1, &["20000×20000 pixels", "two.md:3:1"]);
}

#[test]
fn article_above_the_size_limit_is_refused() {
    let fx = Fixture::new("basic");
    let size = 2 * 1024 * 1024 + 1;
    std::fs::write(fx.path("articles/two.md"), "字".repeat(size / 3 + 1)).unwrap();
    let len = std::fs::metadata(fx.path("articles/two.md")).unwrap().len();
    let out = fx.compile();
    expect_refusal(
        &out,
        1,
        &[
            &format!("the article is {len} bytes; the limit is 2097152"),
            "issue.toml:31:8",
        ],
    );
}

#[test]
fn manifest_above_the_size_limit_is_refused() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| {
        format!(
            "{t}\n{}",
            "# padding padding padding padding\n".repeat(40_000)
        )
    });
    let len = std::fs::metadata(fx.manifest()).unwrap().len();
    let out = fx.compile();
    expect_refusal(
        &out,
        1,
        &[
            "issue.toml",
            &format!("the manifest is {len} bytes; the limit is 1048576"),
        ],
    );
}

#[test]
fn deeply_nested_markdown_is_refused_at_its_line() {
    let fx = Fixture::new("basic");
    std::fs::write(
        fx.path("articles/two.md"),
        format!("正文\n\n{} 引用\n", ">".repeat(100_000)),
    )
    .unwrap();
    let t = Instant::now();
    let out = fx.compile();
    expect_refusal(&out, 1, &["nested more than 12 levels deep", "two.md:3:"]);
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    // Nesting that a real article uses is fine.
    std::fs::write(
        fx.path("articles/two.md"),
        "> 引用\n> > 引用里的引用\n\n- 一\n  - 二\n    - **三 *四 ~~五~~***\n",
    )
    .unwrap();
    assert_success(&fx.compile());
}

#[test]
fn endless_loop_in_a_trusted_article_times_out() {
    let fx = Fixture::new("basic");
    assert_success(&fx.compile());
    let good = std::fs::read(fx.pdf()).unwrap();
    trusted_typ(&fx, ENDLESS);
    let t = Instant::now();
    let out = compile_with(&fx, &["--timeout", "2"]);
    expect_refusal(
        &out,
        1,
        &[
            "the compile took longer than 2 s and was stopped",
            "the previous one is unchanged",
            "--timeout",
        ],
    );
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    assert_eq!(std::fs::read(fx.pdf()).unwrap(), good);
    no_temp_files(fx.dir.path());
}

#[test]
fn endless_loop_in_a_layout_times_out() {
    let fx = Fixture::new("basic");
    std::fs::create_dir_all(fx.path("layouts/loop")).unwrap();
    std::fs::write(fx.path("layouts/loop/main.typ"), ENDLESS).unwrap();
    fx.edit("issue.toml", |t| {
        t.replace("layout = \"default\"", "layout = \"loop\"")
    });
    let out = compile_with(&fx, &["--timeout", "1"]);
    expect_refusal(&out, 1, &["took longer than 1 s"]);
    assert!(!fx.pdf().exists());
}

#[test]
fn timeout_must_be_a_positive_number() {
    let fx = Fixture::new("basic");
    for bad in ["0", "-5", "soon"] {
        let out = compile_with(&fx, &[&format!("--timeout={bad}")]);
        expect_refusal(&out, 2, &["--timeout"]);
    }
    assert!(!fx.pdf().exists());
}

#[test]
fn deeply_nested_manifest_is_refused() {
    let fx = Fixture::new("basic");
    fx.edit("issue.toml", |t| {
        format!(
            "{t}\n[design]\nbody_font = {}\"x\"{}\n",
            "[".repeat(20_000),
            "]".repeat(20_000)
        )
    });
    let out = fx.compile();
    let err = expect_refusal(&out, 1, &["max recursion depth", "issue.toml:"]);
    // The offending line (40 000 characters) is not printed whole.
    assert!(err.len() < 2_000, "{} bytes of message:\n{err}", err.len());
    assert!(err.contains("near: …[[["), "{err}");
}

#[test]
fn unsafe_link_is_printed_without_the_link() {
    let fx = Fixture::new("basic");
    std::fs::write(
        fx.path("articles/two.md"),
        "看[这里](javascript:alert(1))和[那里](file:///etc/passwd)以及[官网](https://example.com)。\n",
    )
    .unwrap();
    let out = fx.compile();
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("the link `javascript:alert(1)` is not a web or mail address; its text is printed without the link")
            && err.contains("two.md:1:2"),
        "{err}"
    );
    assert!(err.contains("the link `file:///etc/passwd`"), "{err}");
    assert_eq!(
        err.matches("is not a web or mail address").count(),
        2,
        "{err}"
    );
    let raw = String::from_utf8_lossy(&pdf_strings(&fx.pdf())).into_owned();
    assert!(
        !raw.contains("javascript:"),
        "a javascript: link is in the PDF"
    );
    assert!(!raw.contains("file:///"), "a file: link is in the PDF");
    assert!(raw.contains("https://example.com"), "the web link is gone");
    let all: String = page_texts(&fx.pdf()).concat();
    // In print the web link's text is followed by a note number, its
    // address given in the note.
    assert!(all.contains("看这里和那里以及官网"), "{all}");
    assert!(all.contains("https://example.com"), "{all}");
}

#[test]
fn web_image_in_markdown_is_refused() {
    let fx = Fixture::new("basic");
    std::fs::write(
        fx.path("articles/two.md"),
        "文字\n\n![图](https://example.com/a.jpg)\n",
    )
    .unwrap();
    expect_refusal(
        &fx.compile(),
        1,
        &[
            "the image `https://example.com/a.jpg` is a web address; folio reads photos only from the issue folder",
            "two.md:3:1",
        ],
    );
}

// ---- Confinement: paths in the manifest and in Markdown --------------------------

#[test]
fn path_through_proc_is_refused() {
    let fx = Fixture::new("basic");
    use_body(&fx, "/proc/self/root/etc/hostname");
    expect_refusal(&fx.compile(), 1, &["is absolute", "issue.toml:31:8"]);
    assert!(!fx.pdf().exists());
}

#[cfg(unix)]
#[test]
fn symlink_into_proc_is_refused() {
    let fx = Fixture::new("basic");
    let outside = Outside::new();
    // /proc/self/root is the whole file system; /proc/self/cwd the folder
    // folio runs in.
    let target =
        PathBuf::from("/proc/self/root").join(outside.path("secret.md").strip_prefix("/").unwrap());
    symlink(&target, &fx.path("articles/proc.md"));
    use_body(&fx, "articles/proc.md");
    let out = fx.compile();
    expect_refusal(&out, 1, &["leads outside the issue folder"]);
    secret_not_leaked(&fx, &out);
}

#[test]
fn windows_style_absolute_paths_are_refused() {
    for path in [
        r"C:\\Windows\\win.ini",
        r"\\\\server\\share\\a.md",
        "c:a.md",
    ] {
        let fx = Fixture::new("basic");
        use_body(&fx, path);
        expect_refusal(&fx.compile(), 1, &["is absolute"]);
    }
}

#[test]
fn hidden_parent_paths_are_refused() {
    for path in [
        "articles/../../x.md",
        "./../x.md",
        "articles/./../../../etc/passwd",
    ] {
        let fx = Fixture::new("basic");
        use_body(&fx, path);
        expect_refusal(&fx.compile(), 1, &["leaves the issue folder (`..`)"]);
    }
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_refused_with_a_message() {
    let fx = Fixture::new("basic");
    symlink(Path::new("b.md"), &fx.path("articles/a.md"));
    symlink(Path::new("a.md"), &fx.path("articles/b.md"));
    use_body(&fx, "articles/a.md");
    expect_refusal(
        &fx.compile(),
        1,
        &["cannot open the article `articles/a.md`", "symbolic links"],
    );
}

#[cfg(unix)]
#[test]
fn symlink_inside_the_issue_is_allowed() {
    let fx = Fixture::new("basic");
    symlink(Path::new("two.md"), &fx.path("articles/alias.md"));
    use_body(&fx, "articles/alias.md");
    assert_success(&fx.compile());
}

#[cfg(unix)]
#[test]
fn pipe_as_article_is_refused_without_blocking() {
    let fx = Fixture::new("basic");
    let fifo = fx.path("articles/pipe.md");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    use_body(&fx, "articles/pipe.md");
    let t = Instant::now();
    expect_refusal(&fx.compile(), 1, &["articles/pipe.md", "is not a file"]);
    assert!(t.elapsed() < Duration::from_secs(20));
}

#[cfg(unix)]
#[test]
fn markdown_image_paths_are_confined() {
    let outside = Outside::new();
    type Setup<'a> = Box<dyn Fn(&Fixture) + 'a>;
    let cases: Vec<(&str, Setup, &str)> = vec![
        ("![x](/etc/hostname)", Box::new(|_| {}), "is absolute"),
        (
            "![x](file:///etc/hostname)",
            Box::new(|_| {}),
            "is a web address",
        ),
        (
            "![x](link.jpg)",
            Box::new(|fx: &Fixture| symlink(&outside.path("p.jpg"), &fx.path("articles/link.jpg"))),
            "leads outside the issue folder",
        ),
        (
            "![x](away/p.jpg)",
            Box::new(|fx: &Fixture| symlink(outside.dir.path(), &fx.path("articles/away"))),
            "leads outside the issue folder",
        ),
    ];
    for (md, setup, needle) in cases {
        let fx = Fixture::new("basic");
        setup(&fx);
        std::fs::write(fx.path("articles/two.md"), format!("文字\n\n{md}\n")).unwrap();
        let out = fx.compile();
        expect_refusal(&out, 1, &[needle, "two.md:3:1"]);
    }
}

// ---- Confinement: Typst code in a trusted article and in a layout ----------------

/// Plants, in the issue folder, links that lead out (to a file, a folder,
/// /proc) and a pipe.
#[cfg(unix)]
fn plant_escapes(fx: &Fixture, outside: &Outside) {
    symlink(&outside.path("secret.txt"), &fx.path("link.txt"));
    symlink(&outside.path("secret.json"), &fx.path("link.json"));
    symlink(&outside.path("secret.typ"), &fx.path("link.typ"));
    symlink(outside.dir.path(), &fx.path("away"));
    symlink(Path::new("/proc/self/environ"), &fx.path("environ.json"));
    assert!(
        Command::new("mkfifo")
            .arg(fx.path("pipe.txt"))
            .status()
            .unwrap()
            .success()
    );
}

/// Each way Typst code can try to reach a file outside the issue:
/// `read`, `json`, `image`, `include` and `import` through links, `..`,
/// absolute paths, /proc, a pipe and a package.
fn escape_codes(outside: &Outside) -> Vec<String> {
    let out_name = outside
        .dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let secret = outside.path("secret.txt").display().to_string();
    vec![
        "#read(\"/_issue/link.txt\")".to_string(),
        "#read(\"/_issue/away/secret.txt\")".to_string(),
        format!("#read(\"/_issue/../../{out_name}/secret.txt\")"),
        format!("#read(\"../../../../../../..{secret}\")"),
        format!("#read(\"{secret}\")"),
        "#json(\"/_issue/link.json\")".to_string(),
        "#json(\"/_issue/environ.json\")".to_string(),
        "#image(\"/_issue/away/p.jpg\")".to_string(),
        "#include \"/_issue/link.typ\"".to_string(),
        "#include \"/_issue/away/secret.typ\"".to_string(),
        "#import \"/_issue/away/secret.typ\": *".to_string(),
        "#read(\"/_issue/pipe.txt\")".to_string(),
        "#import \"@preview/example:0.1.0\": *".to_string(),
    ]
}

#[cfg(unix)]
#[test]
fn trusted_article_cannot_read_outside_the_issue() {
    let outside = Outside::new();
    for code in escape_codes(&outside) {
        let fx = Fixture::new("basic");
        plant_escapes(&fx, &outside);
        trusted_typ(&fx, &code);
        let t = Instant::now();
        let out = compile_with(&fx, &["--timeout", "60"]);
        let err = expect_refusal(&out, 1, &["t.typ:1:"]);
        assert!(!err.contains("took longer"), "{code}: {err}");
        assert!(t.elapsed() < Duration::from_secs(30), "{code} blocked");
        secret_not_leaked(&fx, &out);
        assert!(!fx.pdf().exists(), "{code}");
    }
}

#[cfg(unix)]
#[test]
fn layout_cannot_read_outside_the_issue() {
    let outside = Outside::new();
    for code in escape_codes(&outside) {
        let fx = Fixture::new("basic");
        plant_escapes(&fx, &outside);
        std::fs::create_dir_all(fx.path("layouts/own")).unwrap();
        // The layout's own folder: a link from it leads out too.
        symlink(
            &outside.path("secret.txt"),
            &fx.path("layouts/own/near.txt"),
        );
        std::fs::write(fx.path("layouts/own/main.typ"), format!("Start\n{code}\n")).unwrap();
        fx.edit("issue.toml", |t| {
            t.replace("layout = \"default\"", "layout = \"own\"")
        });
        let out = fx.compile();
        expect_refusal(&out, 1, &["main.typ:2:"]);
        secret_not_leaked(&fx, &out);
    }
    // A file beside the layout that links out.
    let fx = Fixture::new("basic");
    std::fs::create_dir_all(fx.path("layouts/own")).unwrap();
    symlink(
        &outside.path("secret.txt"),
        &fx.path("layouts/own/near.txt"),
    );
    std::fs::write(fx.path("layouts/own/main.typ"), "#read(\"near.txt\")").unwrap();
    fx.edit("issue.toml", |t| {
        t.replace("layout = \"default\"", "layout = \"own\"")
    });
    let out = fx.compile();
    expect_refusal(
        &out,
        1,
        &["main.typ:1:", "leads outside the issue and layout folders"],
    );
    secret_not_leaked(&fx, &out);
}

#[cfg(unix)]
#[test]
fn symlinked_layout_folder_is_refused() {
    let outside = Outside::new();
    let fx = Fixture::new("basic");
    std::fs::create_dir_all(fx.path("layouts")).unwrap();
    symlink(&outside.path("layout"), &fx.path("layouts/elsewhere"));
    fx.edit("issue.toml", |t| {
        t.replace("layout = \"default\"", "layout = \"elsewhere\"")
    });
    let out = fx.compile();
    expect_refusal(
        &out,
        1,
        &[
            "the issue's layout folder `layouts/elsewhere` leads outside the issue folder",
            "issue.toml:3:10",
        ],
    );
    secret_not_leaked(&fx, &out);
}

#[test]
fn layout_name_cannot_be_a_path() {
    for name in ["../x", "/tmp", "a/b", ""] {
        let fx = Fixture::new("basic");
        fx.edit("issue.toml", |t| {
            t.replace("layout = \"default\"", &format!("layout = \"{name}\""))
        });
        expect_refusal(&fx.compile(), 1, &["a layout is named by its folder"]);
    }
}

// ---- Nothing lost ------------------------------------------------------------------

#[test]
fn output_path_through_a_file_is_refused() {
    let fx = Fixture::new("basic");
    std::fs::write(fx.path("notes.txt"), "not a folder").unwrap();
    let out_path = fx.path("notes.txt/issue.pdf");
    let out = compile_with(&fx, &["-o", out_path.to_str().unwrap()]);
    expect_refusal(
        &out,
        1,
        &["cannot write the output; the previous file is unchanged"],
    );
    assert_eq!(
        std::fs::read_to_string(fx.path("notes.txt")).unwrap(),
        "not a folder"
    );
}

#[test]
fn output_that_is_a_folder_is_refused() {
    let fx = Fixture::new("basic");
    std::fs::create_dir(fx.pdf()).unwrap();
    expect_refusal(
        &fx.compile(),
        1,
        &["cannot write the output: it is a folder"],
    );
    assert!(fx.pdf().is_dir());
}

/// Removes the immutable flag again, even when the test fails.
struct Immutable(PathBuf);

impl Immutable {
    fn set(path: &Path) -> Option<Self> {
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(path)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Self(path.to_path_buf()))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

#[test]
#[ignore = "needs root (chattr +i); run with --include-ignored, as .ci/run does"]
fn read_only_output_folder_keeps_the_previous_pdf() {
    let fx = Fixture::new("basic");
    let dir = fx.path("out");
    std::fs::create_dir(&dir).unwrap();
    let pdf = dir.join("issue.pdf");
    let pdf_arg = pdf.to_str().unwrap();
    assert_success(&compile_with(&fx, &["-o", pdf_arg]));
    let good = std::fs::read(&pdf).unwrap();
    fx.edit("articles/two.md", |t| format!("{t}\n新的一段。\n"));
    // Tests run as root, for whom permission bits do not stop a write; an
    // immutable folder (chattr +i) does.
    let Some(_guard) = Immutable::set(&dir) else {
        panic!("this test needs root and a file system with chattr +i; it cannot run here");
    };
    let out = compile_with(&fx, &["-o", pdf_arg]);
    expect_refusal(
        &out,
        1,
        &[
            "out/issue.pdf",
            "cannot write the output; the previous file is unchanged",
        ],
    );
    assert_eq!(std::fs::read(&pdf).unwrap(), good);
    no_temp_files(&dir);
}

#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs root (a tmpfs in a mount namespace); run with --include-ignored, as .ci/run does"]
fn full_disk_keeps_the_previous_pdf() {
    let fx = Fixture::new("basic");
    assert_success(&fx.compile());
    let good = std::fs::read(fx.pdf()).unwrap();
    std::fs::copy(fx.pdf(), fx.path("good.pdf")).unwrap();
    fx.edit("articles/two.md", |t| format!("{t}\n新的一段。\n"));
    let mnt = fx.path("small-disk");
    std::fs::create_dir(&mnt).unwrap();
    // A tiny tmpfs in a mount namespace of its own, with the previous PDF
    // and room for a few kilobytes more; everything is checked inside, as
    // the mount ends with the namespace.
    let size_kb = good.len() / 1024 + 64;
    let script = format!(
        r#"set -e
mount -t tmpfs -o size={size_kb}k folio-test "$1"
cp "$2/good.pdf" "$1/issue.pdf"
set +e
"$3" compile "$2/issue.toml" -o "$1/issue.pdf"
echo "exit=$?"
cmp "$2/good.pdf" "$1/issue.pdf" && echo "previous=intact"
ls -A "$1" | sed 's/^/left=/'
"#
    );
    let out = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            &script,
            "sh",
        ])
        .arg(&mnt)
        .arg(fx.dir.path())
        .arg(env!("CARGO_BIN_EXE_folio"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() || report.contains("exit="),
        "this test needs root to mount a tmpfs in a mount namespace; it cannot run here: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(report.contains("exit=1"), "{report}\n{err}");
    assert!(err.contains("the disk is full"), "{err}");
    assert!(err.contains("the previous file is unchanged"), "{err}");
    assert!(report.contains("previous=intact"), "{report}");
    let left: Vec<&str> = report
        .lines()
        .filter_map(|l| l.strip_prefix("left="))
        .collect();
    assert_eq!(left, ["issue.pdf"], "{report}");
}

#[test]
fn killed_compile_leaves_the_previous_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("issue.pdf");
    // The previous PDF: the fixture issue.
    let fx = Fixture::new("basic");
    assert_success(&compile_with(&fx, &["-o", pdf.to_str().unwrap()]));
    let good = std::fs::read(&pdf).unwrap();
    // The next compile writes the sample issue (11 MB) over it; kill it
    // the moment its temporary file appears, i.e. in the middle of writing.
    let mut caught = 0;
    for _ in 0..8 {
        let mut child = folio()
            .arg("compile")
            .arg(repo().join("issue.toml"))
            .arg("-o")
            .arg(&pdf)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut seen = false;
        while Instant::now() < deadline {
            let tmp = std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with(".folio-"));
            if tmp {
                child.kill().unwrap();
                seen = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
        }
        let _ = child.kill();
        child.wait().unwrap();
        let now = std::fs::read(&pdf).unwrap();
        if now == good {
            caught += usize::from(seen);
        } else {
            // Finished before the kill: then it is the whole new PDF.
            lopdf::Document::load_mem(&now).expect("a complete PDF");
            std::fs::write(&pdf, &good).unwrap();
        }
        // What a kill can leave is a temporary file of the documented
        // pattern, never a damaged output.
        for e in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(
                name == "issue.pdf" || (name.starts_with(".folio-") && name.ends_with(".tmp")),
                "unexpected file {name}"
            );
            if name != "issue.pdf" {
                std::fs::remove_file(e.path()).unwrap();
            }
        }
        if caught >= 2 {
            break;
        }
    }
    assert!(
        caught >= 1,
        "never caught a compile in the middle of writing"
    );
    assert_eq!(std::fs::read(&pdf).unwrap(), good);
}

#[test]
fn concurrent_compiles_never_corrupt_the_output() {
    let fx = Fixture::new("basic");
    let reference = fx.path("reference.pdf");
    assert_success(&compile_with(&fx, &["-o", reference.to_str().unwrap()]));
    let children: Vec<_> = (0..4)
        .map(|_| {
            folio()
                .arg("compile")
                .arg(fx.manifest())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_success(&out);
    }
    assert_eq!(
        std::fs::read(fx.pdf()).unwrap(),
        std::fs::read(&reference).unwrap()
    );
    no_temp_files(fx.dir.path());
}

/// Content, permissions and modification time of every file below `dir`.
/// Every file below `dir` with its bytes and stamp, except folio's own
/// cache folder (`.folio/`, the photo proxies), which is not an input.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, String)> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let meta = e.metadata().unwrap();
            if meta.is_dir() && e.file_name() == ".folio" {
                continue;
            }
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                let stamp = format!("{:?} {:?}", meta.permissions(), meta.modified().unwrap());
                files.insert(e.path(), (std::fs::read(e.path()).unwrap(), stamp));
            }
        }
    }
    files
}

#[test]
fn input_files_are_never_modified() {
    let fx = Fixture::new("basic");
    let before = snapshot(fx.dir.path());
    // A good compile, a failing one, and one told to write over an input.
    assert_success(&fx.compile());
    std::fs::remove_file(fx.pdf()).unwrap();
    let one = fx.path("articles/one.md");
    let out = compile_with(&fx, &["-o", one.to_str().unwrap()]);
    expect_refusal(&out, 2, &["is one of the issue's input files"]);
    let photo = fx.path("photos/p1.jpg");
    let out = compile_with(&fx, &["-o", photo.to_str().unwrap()]);
    expect_refusal(&out, 2, &["is one of the issue's input files"]);
    let out = compile_with(&fx, &["--timeout", "0"]);
    expect_refusal(&out, 2, &[]);
    assert_eq!(snapshot(fx.dir.path()), before);
}

// ---- Reproducible output -------------------------------------------------------------

/// Every string of the PDF, streams decompressed.
fn pdf_strings(pdf: &Path) -> Vec<u8> {
    let mut doc = lopdf::Document::load(pdf).unwrap();
    doc.decompress();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn output_is_the_same_in_any_folder_and_environment() {
    let a = Fixture::new("basic");
    // Another folder, deeper, with a space and Chinese in its name; run
    // from elsewhere with a relative path, another time zone and locale.
    let b_parent = tempfile::tempdir().unwrap();
    let b = b_parent.path().join("第 2 期 copy");
    copy_dir(a.dir.path(), &b);
    assert_success(&a.compile());
    let out = folio()
        .current_dir(b_parent.path())
        .arg("compile")
        .arg("第 2 期 copy/issue.toml")
        .env("TZ", "Asia/Shanghai")
        .env("LANG", "zh_CN.UTF-8")
        .env("LC_ALL", "zh_CN.UTF-8")
        .output()
        .unwrap();
    assert_success(&out);
    let pa = std::fs::read(a.pdf()).unwrap();
    let pb = std::fs::read(b.join("issue.pdf")).unwrap();
    assert!(pa == pb, "the PDFs differ");
    // No folder of the machine leaks into the file.
    let raw = pdf_strings(&a.pdf());
    let hay = String::from_utf8_lossy(&raw);
    for leak in [
        a.dir.path().to_string_lossy().into_owned(),
        b_parent.path().to_string_lossy().into_owned(),
        repo().to_string_lossy().into_owned(),
    ] {
        assert!(!hay.contains(&leak), "{leak} is in the PDF");
    }
}

#[test]
fn source_date_epoch_sets_the_pdf_date() {
    let fx = Fixture::new("basic");
    let run = |epoch: Option<&str>, name: &str| {
        let out_path = fx.path(name);
        let mut cmd = folio();
        cmd.arg("compile")
            .arg(fx.manifest())
            .arg("-o")
            .arg(&out_path);
        if let Some(e) = epoch {
            cmd.env("SOURCE_DATE_EPOCH", e);
        }
        let out = cmd.output().unwrap();
        (out, out_path)
    };
    let (out, plain) = run(None, "plain.pdf");
    assert_success(&out);
    let (out, e1) = run(Some("1700000000"), "e1.pdf");
    assert_success(&out);
    let (out, e2) = run(Some("1700000000"), "e2.pdf");
    assert_success(&out);
    let bytes = |p: &Path| std::fs::read(p).unwrap();
    assert_eq!(bytes(&e1), bytes(&e2));
    assert_ne!(bytes(&plain), bytes(&e1));
    // Without it, the issue's date (2025-06-30); with it, 2023-11-14 22:13:20 UTC.
    let text = |p: &Path| String::from_utf8_lossy(&pdf_strings(p)).into_owned();
    assert!(text(&plain).contains("D:20250630000000"), "no issue date");
    assert!(
        text(&e1).contains("D:20231114221320"),
        "no SOURCE_DATE_EPOCH date"
    );
    let (out, _) = run(Some("yesterday"), "bad.pdf");
    expect_refusal(&out, 2, &["SOURCE_DATE_EPOCH must be a number of seconds"]);
}

// ---- The fuzzers' regression inputs -----------------------------------------------

/// The files of `fuzz/regressions/<target>/`, which must not be empty.
fn regressions(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = repo().join("fuzz/regressions").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    files
}

#[test]
fn fuzz_regressions_manifest() {
    let folder = folio::fuzz::Folder::new().unwrap();
    let resources = folio::pipeline::model::Resources::find(None).unwrap();
    for (name, data) in regressions("manifest") {
        eprintln!("manifest/{name}");
        folio::fuzz::manifest(&folder, &resources, &data);
    }
}

#[test]
fn fuzz_regressions_markdown() {
    let folder = folio::fuzz::Folder::new().unwrap();
    for (name, data) in regressions("markdown") {
        let t = Instant::now();
        folio::fuzz::markdown(&folder, &data);
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "markdown/{name} is slow"
        );
    }
}

#[test]
fn fuzz_regressions_docx() {
    let folder = folio::fuzz::Folder::new().unwrap();
    let mut read = Vec::new();
    for (name, data) in regressions("docx") {
        let t = Instant::now();
        if folio::fuzz::docx(&folder, &data) {
            read.push(name.clone());
        }
        assert!(t.elapsed() < Duration::from_secs(10), "docx/{name} is slow");
    }
    // Both ways in reach the reader: a whole file and wrapped parts.
    assert!(
        read.contains(&"file-pd-article".to_string())
            && read.contains(&"wrapped-parts".to_string()),
        "read as articles: {read:?}"
    );
}

#[test]
fn fuzz_regressions_compile() {
    let mut compiled = 0;
    for (name, data) in regressions("compile") {
        let dir = tempfile::tempdir().unwrap();
        let manifest = folio::fuzz::tiny_issue(dir.path(), &data).unwrap();
        let out = folio()
            .arg("compile")
            .arg(&manifest)
            .args(["--timeout", "120"])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "compile/{name}: {:?}\n{err}",
            out.status
        );
        assert!(!err.contains("panicked"), "compile/{name}:\n{err}");
        assert!(!err.contains("took longer"), "compile/{name}:\n{err}");
        compiled += usize::from(out.status.success());
    }
    // The tiny issues are real ones: some of them compile.
    assert!(compiled > 0, "no regression input compiled");
}
