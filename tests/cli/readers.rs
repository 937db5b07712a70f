//! What print shops' tools say: poppler (pdfinfo, pdftotext), qpdf and
//! Ghostscript read every PDF folio writes without a single message.

use std::path::Path;
use std::process::Command;

use crate::common::*;

/// Runs a tool and returns everything it printed that is not the expected
/// report, with its exit code.
fn run(tool: &str, args: &[&str], pdf: &Path, after: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(tool)
        .args(args)
        .arg(pdf)
        .args(after)
        .output()
        .unwrap_or_else(|e| {
            panic!("{tool} must be installed for the tests (poppler-utils, qpdf, ghostscript): {e}")
        });
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The messages of poppler, qpdf and Ghostscript about one PDF; empty when
/// all three read it silently.
fn complaints(pdf: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut note = |what: &str, code: Option<i32>, text: &str| {
        if code != Some(0) || !text.trim().is_empty() {
            found.push(format!("{what} (exit {code:?}):\n{}", text.trim_end()));
        }
    };
    // poppler: the document catalog and info (pdfinfo), then every page's
    // content and fonts (pdftotext).
    let (code, _, err) = run("pdfinfo", &[], pdf, &[]);
    note("pdfinfo", code, &err);
    let (code, _, err) = run("pdftotext", &[], pdf, &["-"]);
    note("pdftotext", code, &err);
    // qpdf: the file structure and every stream's encoding. Its one line of
    // success is expected; anything else (a WARNING, exit 2 or 3) is not.
    let (code, out, err) = run("qpdf", &["--check"], pdf, &[]);
    let rest: String = out
        .lines()
        .filter(|l| {
            !l.starts_with("checking ")
                && !l.starts_with("PDF Version:")
                && !l.starts_with("File is not encrypted")
                && !l.starts_with("File is not linearized")
                && *l != "No syntax or stream encoding errors found; the file may still contain"
                && *l != "errors that qpdf cannot detect"
        })
        .map(|l| format!("{l}\n"))
        .collect();
    note("qpdf --check", code, &format!("{rest}{err}"));
    // Ghostscript: interprets every page.
    let (code, out, err) = run(
        "gs",
        &[
            "-q",
            "-dNOPAUSE",
            "-dBATCH",
            "-dSAFER",
            "-sDEVICE=nullpage",
            "-o",
            "/dev/null",
        ],
        pdf,
        &[],
    );
    note("gs", code, &format!("{out}{err}"));
    found
}

#[test]
fn poppler_qpdf_and_ghostscript_read_the_sample_without_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let sample = repo().join("issue.toml");
    let mut all = Vec::new();
    for (name, args) in [
        ("print.pdf", &[][..]),
        ("screen.pdf", &["--edition", "screen"][..]),
    ] {
        let pdf = dir.path().join(name);
        let out = folio()
            .arg("compile")
            .arg(&sample)
            .arg("-o")
            .arg(&pdf)
            .args(args)
            .output()
            .unwrap();
        assert_success(&out);
        for c in complaints(&pdf) {
            all.push(format!("{name}: {c}"));
        }
    }
    assert!(all.is_empty(), "{}", all.join("\n\n"));
}

/// PDF/X-4 with crop marks: the file folio's post-processing changes most
/// (output intent, XMP, Info, grown MediaBox). The small fixture keeps
/// qpdf's check (which decodes every photo) short.
#[test]
fn poppler_qpdf_and_ghostscript_read_pdfx_with_marks_without_a_message() {
    let fx = Fixture::new("basic");
    let pdf = fx.path("x4.pdf");
    assert_success(&fx.compile_with(&[
        "--standard",
        "x-4",
        "--marks",
        "-o",
        pdf.to_str().unwrap(),
    ]));
    let found = complaints(&pdf);
    assert!(found.is_empty(), "{}", found.join("\n\n"));
}

/// The check itself finds what it is there to find: poppler's complaint
/// about `/Suspects false` in the catalog's MarkInfo (what typst-pdf writes
/// and folio removes), put back into a PDF folio wrote.
#[test]
fn the_reader_check_catches_a_mark_info_poppler_rejects() {
    let fx = Fixture::new("basic");
    let pdf = fx.path("out.pdf");
    assert_success(&fx.compile_with(&["--edition", "screen", "-o", pdf.to_str().unwrap()]));
    assert!(complaints(&pdf).is_empty(), "{:?}", complaints(&pdf));
    let mut doc = lopdf::Document::load(&pdf).unwrap();
    let catalog = doc.catalog_mut().unwrap();
    let mut mark_info = lopdf::Dictionary::new();
    mark_info.set("Marked", lopdf::Object::Boolean(true));
    mark_info.set("Suspects", lopdf::Object::Boolean(false));
    catalog.set("MarkInfo", lopdf::Object::Dictionary(mark_info));
    let bad = fx.path("bad.pdf");
    doc.save(&bad).unwrap();
    let found = complaints(&bad).join("\n");
    assert!(found.contains("Suspects"), "{found}");
}
