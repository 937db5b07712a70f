//! What the print shop receives: page boxes, crop marks, saddle stitching,
//! PDF/A and PDF/X, preflight, the screen edition, photos.

use std::path::Path;
use std::process::Command;

use lopdf::{Document, Object};

use crate::common::*;

fn fixture_images() -> std::path::PathBuf {
    repo().join("tests/fixtures/images")
}

/// A page's TrimBox, BleedBox and MediaBox, where present.
type Boxes = (Option<[f64; 4]>, Option<[f64; 4]>, Option<[f64; 4]>);

fn boxes(pdf: &Path) -> Vec<Boxes> {
    let doc = Document::load(pdf).unwrap();
    doc.get_pages()
        .values()
        .map(|id| {
            let page = doc.get_dictionary(*id).unwrap();
            (
                rect(&doc, page, b"MediaBox"),
                rect(&doc, page, b"BleedBox"),
                rect(&doc, page, b"TrimBox"),
            )
        })
        .collect()
}

#[test]
fn every_page_has_trim_and_bleed_boxes() {
    let fx = Fixture::new("basic");
    assert_success(&fx.compile());
    let (w, h, b) = (210.0 * MM, 297.0 * MM, 3.0 * MM);
    for (media, bleed, trim) in boxes(&fx.pdf()) {
        assert_close(media.unwrap(), [0.0, 0.0, w + 2.0 * b, h + 2.0 * b]);
        assert_close(
            bleed.expect("a BleedBox"),
            [0.0, 0.0, w + 2.0 * b, h + 2.0 * b],
        );
        assert_close(trim.unwrap(), [b, b, w + b, h + b]);
    }
    // poppler agrees.
    let out = Command::new("pdfinfo")
        .arg("-box")
        .arg(fx.pdf())
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(
        info.contains("BleedBox:") && info.contains("TrimBox:"),
        "{info}"
    );
}

#[test]
fn crop_marks_enlarge_the_media_box_only() {
    let fx = Fixture::new("basic");
    let out = fx.compile_with(&["--marks"]);
    assert_success(&out);
    let (w, h, b, m) = (210.0 * MM, 297.0 * MM, 3.0 * MM, 12.0 * MM);
    for (media, bleed, trim) in boxes(&fx.pdf()) {
        assert_close(media.unwrap(), [-m, -m, w + 2.0 * b + m, h + 2.0 * b + m]);
        assert_close(bleed.unwrap(), [0.0, 0.0, w + 2.0 * b, h + 2.0 * b]);
        assert_close(trim.unwrap(), [b, b, w + b, h + b]);
    }
    // The slug line names the magazine, issue and page.
    let texts = page_texts(&fx.pdf());
    assert!(
        texts[2].contains("测试刊2025年第2期·2025-06-30·3"),
        "{}",
        texts[2]
    );
    // The manifest can ask for marks too.
    fx.edit("issue.toml", |t| {
        t.replace("[back_cover]", "[print]\nmarks = true\n\n[back_cover]")
    });
    assert_success(&fx.compile());
    let (media, _, _) = boxes(&fx.pdf())[0];
    assert_close(media.unwrap(), [-m, -m, w + 2.0 * b + m, h + 2.0 * b + m]);
}

#[test]
fn saddle_stitching_pads_to_a_multiple_of_four() {
    let fx = Fixture::new("basic");
    assert_success(&fx.compile());
    let plain = Document::load(fx.pdf()).unwrap().get_pages().len();
    fx.edit("issue.toml", |t| {
        t.replace(
            "[back_cover]",
            "[print]\nbinding = \"saddle\"\n\n[back_cover]",
        )
    });
    let out = fx.compile();
    assert_success(&out);
    let pages = Document::load(fx.pdf()).unwrap().get_pages().len();
    assert_eq!(pages % 4, 0, "{pages} pages");
    // The blanks (the plain issue may hold a house page before its back
    // cover that the saddle-stitched one does not need: count the blanks).
    let texts = page_texts(&fx.pdf());
    let added = texts.iter().filter(|t| t.is_empty()).count();
    assert!(added < 4);
    if added > 0 {
        let msg = if added == 1 {
            "1 blank page added".to_string()
        } else {
            format!("{added} blank pages added")
        };
        assert!(stderr(&out).contains(&msg), "{}", stderr(&out));
    }
    // The back cover stays last and the blanks carry no folio.
    assert!(texts.last().unwrap().contains("感谢观看"));
    assert!(
        pages - plain <= added,
        "{plain} pages, {pages} saddle-stitched"
    );
    // The fixture needs padding at all (otherwise this test proves little).
    assert!(added > 0, "no blank needed ({plain} pages plain)");
}

#[test]
fn pdfa_2b_through_typst_pdf() {
    let fx = Fixture::new("basic");
    let out = fx.compile_with(&["--standard", "a-2b"]);
    assert_success(&out);
    let bytes = std::fs::read(fx.pdf()).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("<pdfaid:part>2</pdfaid:part>"));
    assert!(text.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    assert!(text.contains("GTS_PDFA1"));
}

#[test]
fn pdfx_4_has_output_intent_and_metadata() {
    let fx = Fixture::new("basic");
    let out = fx.compile_with(&["--standard", "x-4"]);
    assert_success(&out);
    let doc = Document::load(fx.pdf()).unwrap();
    let catalog = doc.catalog().unwrap();
    let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
    assert_eq!(intents.len(), 1);
    let intent = doc
        .get_dictionary(intents[0].as_reference().unwrap())
        .unwrap();
    assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFX");
    let profile = doc
        .get_object(
            intent
                .get(b"DestOutputProfile")
                .unwrap()
                .as_reference()
                .unwrap(),
        )
        .unwrap();
    let profile = profile.as_stream().unwrap();
    assert_eq!(profile.dict.get(b"N").unwrap().as_i64().unwrap(), 4);
    let icc = profile
        .decompressed_content()
        .unwrap_or_else(|_| profile.content.clone());
    assert_eq!(&icc[16..20], b"CMYK");
    // XMP.
    let meta = doc
        .get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap())
        .unwrap();
    let meta = meta.as_stream().unwrap();
    let xmp = String::from_utf8(
        meta.decompressed_content()
            .unwrap_or_else(|_| meta.content.clone()),
    )
    .unwrap();
    assert!(
        xmp.contains("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>"),
        "{xmp}"
    );
    assert!(xmp.contains("<pdf:Trapped>False</pdf:Trapped>"));
    assert!(
        !xmp.contains("<pdfaid:part>"),
        "no PDF/A claim beside PDF/X"
    );
    assert!(xmp.contains("<xmp:CreateDate>2025-06-30"));
    // Info dictionary.
    let info = doc
        .get_dictionary(doc.trailer.get(b"Info").unwrap().as_reference().unwrap())
        .unwrap();
    assert_eq!(info.get(b"Trapped").unwrap().as_name().unwrap(), b"False");
    assert!(
        matches!(info.get(b"GTS_PDFXVersion").unwrap(), Object::String(s, _) if s == b"PDF/X-4")
    );
    // Boxes on every page; every font embedded.
    for (_, bleed, trim) in boxes(&fx.pdf()) {
        assert!(bleed.is_some() && trim.is_some());
    }
    check_fonts_embedded(&fx.pdf());
    // poppler recognises it.
    let out = Command::new("pdfinfo").arg(fx.pdf()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("PDF/X-4"));
    // With crop marks too (drawn in device-independent black there).
    let out = fx.compile_with(&["--standard", "x-4", "--marks"]);
    assert_success(&out);
    let out = Command::new("pdfinfo").arg(fx.pdf()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("PDF/X-4"));
    // PDF/A and PDF/X together is a usage error.
    let out = fx.compile_with(&["--standard", "x-4", "--standard", "a-2b"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn jpegs_pass_through_untouched() {
    let fx = Fixture::new("basic");
    assert_success(&fx.compile());
    let photo = std::fs::read(fx.path("photos/p2.jpg")).unwrap();
    let doc = Document::load(fx.pdf()).unwrap();
    let found = doc.objects.values().any(|o| {
        o.as_stream().is_ok_and(|s| {
            s.dict.get(b"Filter").and_then(Object::as_name).ok() == Some(b"DCTDecode")
                && s.content == photo
        })
    });
    assert!(found, "the JPEG's bytes are not in the PDF as they are");
}

// ---- Preflight ---------------------------------------------------------------

#[test]
fn preflight_passes_a_good_issue() {
    let fx = Fixture::new("basic");
    // The generated cover photo is 1600 px wide: too few for a full-bleed
    // cover, so the fixture's cover goes without one here.
    fx.edit("issue.toml", |t| {
        t.replace("photo = \"photos/p1.jpg\"\n", "")
    });
    let (code, json) = preflight_json(&fx);
    assert_eq!(code, Some(0), "{json:#}");
    assert_eq!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["level"] == "error")
            .count(),
        0
    );
    let out = folio()
        .arg("preflight")
        .arg(fx.manifest())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("preflight: 0 errors"));
}

#[test]
fn preflight_finds_a_low_resolution_photo() {
    let fx = Fixture::new("basic");
    std::fs::copy(
        fixture_images().join("low-res.jpg"),
        fx.path("photos/p3.jpg"),
    )
    .unwrap();
    let (code, json) = preflight_json(&fx);
    assert_eq!(code, Some(1));
    let found = findings(&json, "image-resolution");
    let low = found
        .iter()
        .find(|f| {
            f["file"]
                .as_str()
                .is_some_and(|p| p.ends_with("photos/p3.jpg"))
        })
        .unwrap_or_else(|| panic!("{json:#}"));
    assert_eq!(low["level"], "error");
    assert!(low["message"].as_str().unwrap().contains("150 × 100 px"));
    // compile still writes the PDF, prints every finding in full, as
    // `folio preflight` does, and counts them in its summary line.
    let out = fx.compile();
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("preflight: 2 errors") || err.contains("preflight: 1 error"),
        "{err}"
    );
    let finding = err
        .lines()
        .find(|l| {
            l.starts_with("error: ") && l.contains("150 × 100 px") && l.contains("photos/p3.jpg")
        })
        .unwrap_or_else(|| panic!("the finding is not printed in full:\n{err}"));
    assert!(finding.ends_with("(image-resolution)"), "{finding}");
    let good = std::fs::read(fx.pdf()).unwrap();

    // --strict (or `[print] strict = true`) makes it fail, after writing.
    std::fs::remove_file(fx.pdf()).unwrap();
    let out = fx.compile_with(&["--strict"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the build is strict"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(fx.pdf()).unwrap(), good);
    fx.edit("issue.toml", |t| {
        t.replace("[cover]", "[print]\nstrict = true\n\n[cover]")
    });
    let out = fx.compile();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the build is strict"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_cmyk_jpeg_is_refused_with_a_clear_message() {
    let fx = Fixture::new("basic");
    std::fs::copy(fixture_images().join("cmyk.jpg"), fx.path("photos/p3.jpg")).unwrap();
    let out = fx.compile();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("CMYK JPEG") && err.contains("issue.toml:36:8"),
        "{err}"
    );
    assert!(!fx.pdf().exists());
}

#[test]
fn preflight_finds_a_missing_glyph() {
    let fx = Fixture::new("basic");
    fx.edit("articles/two.md", |t| {
        format!("{t}\n\n文字\u{10FFFD}文字\n")
    });
    let (code, json) = preflight_json(&fx);
    assert_eq!(code, Some(1));
    let found = findings(&json, "missing-glyph");
    assert_eq!(found.len(), 1, "{json:#}");
    assert_eq!(found[0]["level"], "error");
}

#[test]
fn preflight_finds_text_near_the_trim() {
    let fx = Fixture::new("basic");
    fx.trusted_article(
        // 1 mm from the trim, wherever the layout puts the article.
        "#context { let p = here().position(); place(top + left, dx: 1mm - p.x, dy: 20mm)[边缘文字] }\n正文。\n",
    );
    let (_, json) = preflight_json(&fx);
    let found = findings(&json, "safe-zone");
    assert!(
        found
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("边缘文字")),
        "{json:#}"
    );
}

// ---- Screen edition --------------------------------------------------------------

#[test]
fn screen_edition_is_light_and_has_no_bleed() {
    let fx = Fixture::new("basic");
    // Big photos, so that there is something to downsample.
    for (i, name) in ["p1.jpg", "p2.jpg", "p3.jpg", "p4.jpg"].iter().enumerate() {
        write_photo(&fx.path("photos").join(name), 3000, 2250, i as u8);
    }
    assert_success(&fx.compile());
    let out = fx.compile_with(&["--edition", "screen"]);
    assert_success(&out);
    let screen = fx.path("issue-screen.pdf");
    let print_size = std::fs::metadata(fx.pdf()).unwrap().len();
    let screen_size = std::fs::metadata(&screen).unwrap().len();
    assert!(
        screen_size * 2 < print_size,
        "screen {screen_size} vs print {print_size}"
    );
    // No bleed: MediaBox is the A4 trim.
    for (media, _, _) in boxes(&screen) {
        assert_close(media.unwrap(), [0.0, 0.0, 210.0 * MM, 297.0 * MM]);
    }
    // Every image at most 150 ppi at its placed size (pdfimages reports it).
    let (ppis, list) = image_ppis(&screen);
    for (xppi, yppi) in &ppis {
        assert!(
            *xppi <= 152.0 && *yppi <= 152.0,
            "{xppi} × {yppi} ppi\n{list}"
        );
    }
    assert!(ppis.len() >= 4, "{list}");
    // Outline (bookmarks) and a linked 目录.
    let doc = Document::load(&screen).unwrap();
    assert!(doc.catalog().unwrap().has(b"Outlines"));
    let links = doc.objects.values().filter(|o| {
        o.as_dict()
            .is_ok_and(|d| d.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Link"))
    });
    assert!(links.count() >= 3, "the 目录 entries link to their pages");
}

#[test]
fn exif_orientation_is_honoured() {
    // Stored 300 × 200 with EXIF orientation 6 (rotate 90°): a portrait photo.
    let fx = Fixture::new("basic");
    std::fs::copy(
        fixture_images().join("exif-rotated.jpg"),
        fx.path("photos/p3.jpg"),
    )
    .unwrap();
    let (_, json) = preflight_json(&fx);
    let f = findings(&json, "image-resolution")
        .into_iter()
        .find(|f| {
            f["file"]
                .as_str()
                .is_some_and(|p| p.ends_with("photos/p3.jpg"))
        })
        .unwrap_or_else(|| panic!("{json:#}"));
    assert!(
        f["message"].as_str().unwrap().contains("200 × 300 px"),
        "{f}"
    );
    // The screen edition re-encodes it upright (no EXIF left to honour).
    let out = fx.compile_with(&["--edition", "screen"]);
    assert_success(&out);
}

#[test]
fn sample_issue_passes_preflight_and_qpdf() {
    let out = folio()
        .arg("preflight")
        .arg(repo().join("issue.toml"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}\n{}", stderr(&out));
    assert!(report.contains("preflight: 0 errors"), "{report}");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("sample.pdf");
    assert_success(
        &folio()
            .arg("compile")
            .arg(repo().join("issue.toml"))
            .arg("-o")
            .arg(&pdf)
            .output()
            .unwrap(),
    );
    let qpdf = Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output()
        .expect("qpdf must be installed for the tests");
    assert!(
        qpdf.status.success(),
        "{}",
        String::from_utf8_lossy(&qpdf.stdout)
    );
    let info = Command::new("pdfinfo")
        .args(["-box", "-f", "1", "-l", "999"])
        .arg(&pdf)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let pages = Document::load(&pdf).unwrap().get_pages().len();
    for key in ["MediaBox:", "BleedBox:", "TrimBox:"] {
        assert_eq!(info.matches(key).count(), pages, "{key} on every page");
    }
}

#[test]
fn preflight_finds_a_background_that_stops_at_the_trim() {
    let fx = Fixture::new("basic");
    fx.trusted_article(
        // A colour field whose left edge is exactly the trim.
        "#context { let p = here().position(); place(top + left, dx: -p.x, dy: 30mm, rect(width: 40mm, height: 20mm, fill: red)) }\n正文。\n",
    );
    let (_, json) = preflight_json(&fx);
    assert_eq!(findings(&json, "bleed").len(), 1, "{json:#}");
    // Run into the bleed and the warning goes.
    fx.edit("articles/trusted.typ", |t| {
        t.replace("dx: -p.x,", "dx: -p.x - 3mm,")
            .replace("width: 40mm", "width: 43mm")
    });
    let (_, json) = preflight_json(&fx);
    assert_eq!(findings(&json, "bleed").len(), 0, "{json:#}");
}

/// The layout sees small proxies of the JPEG photos; the print PDF carries
/// the photo files themselves, byte for byte, at their own size.
#[test]
fn print_pdf_carries_the_photo_files_byte_for_byte() {
    let fx = Fixture::new("basic");
    let out = fx.compile();
    assert_success(&out);
    let photos: Vec<Vec<u8>> = std::fs::read_dir(fx.path("photos"))
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .filter(|b| b.starts_with(&[0xFF, 0xD8]))
        .collect();
    let doc = Document::load(fx.pdf()).unwrap();
    let mut jpegs = 0;
    for object in doc.objects.values() {
        let Ok(stream) = object.as_stream() else {
            continue;
        };
        let is_jpeg = stream
            .dict
            .get(b"Filter")
            .is_ok_and(|f| f.as_name().is_ok_and(|n| n == b"DCTDecode"));
        if !is_jpeg {
            continue;
        }
        jpegs += 1;
        let file = photos
            .iter()
            .find(|p| **p == stream.content)
            .unwrap_or_else(|| {
                panic!(
                    "an image stream of {} bytes is no photo file",
                    stream.content.len()
                )
            });
        let img = image::load_from_memory(file).unwrap();
        let int = |k: &[u8]| stream.dict.get(k).unwrap().as_i64().unwrap();
        assert_eq!(
            (int(b"Width"), int(b"Height")),
            (i64::from(img.width()), i64::from(img.height()))
        );
    }
    assert!(jpegs >= 4, "{jpegs} JPEG streams");
    // The proxies are kept for the next compile.
    let cached = std::fs::read_dir(fx.path(".folio/proxies"))
        .unwrap()
        .count();
    assert!(cached >= 4, "{cached} proxies cached");
    // A second compile from the cache gives the same bytes.
    let first = std::fs::read(fx.pdf()).unwrap();
    assert_success(&fx.compile());
    assert_eq!(std::fs::read(fx.pdf()).unwrap(), first);
}
