//! Stage 6b: what the print shop needs beyond what typst-pdf writes.
//!
//! typst-pdf writes MediaBox = trim + bleed and a TrimBox. Here every page
//! also gets a BleedBox (= trim + bleed); with crop marks the MediaBox grows
//! by [`MARKS_MM`] on each side so that the marks and slug line the layout
//! drew outside the bleed become visible, while TrimBox and BleedBox stay.

use std::sync::Arc;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use crate::engine::proxy::{self, Proxy};
use crate::error::Error;

/// How far the MediaBox reaches beyond the bleed when marks are printed, in
/// millimetres. `layouts/_folio/prepress.typ` draws within this area.
pub const MARKS_MM: f64 = 12.0;

const PT_PER_MM: f64 = 72.0 / 25.4;

/// What to do to the PDF.
#[derive(Debug, Clone, Default)]
pub struct Finish {
    /// Add TrimBox and BleedBox (the print edition).
    pub boxes: bool,
    pub marks: bool,
    /// Make the file PDF/X-4 (the PDF must have been written as PDF/A-2b).
    pub pdfx: bool,
    /// Photos laid out as proxies: their originals replace the proxies'
    /// image streams.
    pub proxies: Vec<Arc<Proxy>>,
}

impl Finish {
    /// Whether there is anything to do.
    pub fn is_needed(&self) -> bool {
        self.boxes || self.marks || self.pdfx || !self.proxies.is_empty()
    }
}

/// The CMYK output condition of PDF/X files: FOGRA39 (ISO 12647-2:2004
/// coated paper), as a profile built reproducibly from the FOGRA39L
/// characterisation data (see icc/README.md).
pub const OUTPUT_PROFILE: &[u8] = include_bytes!("../../icc/FOGRA39L-folio.icc");
pub const OUTPUT_CONDITION: &str = "FOGRA39";
pub const OUTPUT_CONDITION_INFO: &str =
    "Coated FOGRA39 (ISO 12647-2:2004), profile built by folio with ArgyllCMS";

/// Reads a rectangle of a page, looking through the page tree's parents.
pub fn page_box(doc: &Document, page: ObjectId, key: &[u8]) -> Option<[f64; 4]> {
    let mut id = page;
    for _ in 0..32 {
        let dict = doc.get_dictionary(id).ok()?;
        if let Ok(obj) = dict.get(key) {
            let obj = match obj {
                Object::Reference(r) => doc.get_object(*r).ok()?,
                o => o,
            };
            let arr = obj.as_array().ok()?;
            if arr.len() != 4 {
                return None;
            }
            let mut out = [0.0; 4];
            for (o, v) in out.iter_mut().zip(arr) {
                *o = match v {
                    Object::Integer(i) => *i as f64,
                    Object::Real(r) => f64::from(*r),
                    _ => return None,
                };
            }
            return Some(out);
        }
        id = dict.get(b"Parent").and_then(Object::as_reference).ok()?;
    }
    None
}

fn rect(r: [f64; 4]) -> Object {
    Object::Array(
        r.iter()
            .map(|v| Object::Real((*v * 1000.0).round() as f32 / 1000.0))
            .collect(),
    )
}

/// Adds the boxes (and marks area) to every page.
pub fn finish(pdf: Vec<u8>, opts: &Finish) -> Result<Vec<u8>, Error> {
    let mut doc = Document::load_mem(&pdf)
        .map_err(|e| Error::plain(format!("cannot post-process the PDF typst-pdf wrote: {e}")))?;
    proxy::swap_into(&mut doc, &opts.proxies);
    let left = proxy::proxies_left(&doc);
    if left > 0 {
        return Err(Error::plain(format!(
            "{left} photos would go to the print PDF as the small copies folio lays out with"
        ))
        .with_hint("this is a bug in folio; please report it with the photos"));
    }
    let pages: Vec<ObjectId> = if opts.boxes || opts.marks {
        doc.get_pages().into_values().collect()
    } else {
        Vec::new()
    };
    for id in pages {
        let media = page_box(&doc, id, b"MediaBox")
            .ok_or_else(|| Error::plain("a page of the PDF has no MediaBox"))?;
        let dict = doc
            .get_dictionary_mut(id)
            .map_err(|e| Error::plain(format!("a page of the PDF cannot be read: {e}")))?;
        if !dict.has(b"TrimBox") {
            dict.set("TrimBox", rect(media));
        }
        dict.set("BleedBox", rect(media));
        if opts.marks {
            let m = MARKS_MM * PT_PER_MM;
            let grown = [media[0] - m, media[1] - m, media[2] + m, media[3] + m];
            dict.set("MediaBox", rect(grown));
            dict.set("CropBox", rect(grown));
        }
    }
    if opts.pdfx {
        make_pdfx(&mut doc)?;
    }
    let mut out = Vec::with_capacity(pdf.len() + 4096);
    doc.save_to(&mut out)
        .map_err(|e| Error::plain(format!("cannot write the PDF: {e}")))?;
    Ok(out)
}

/// Removes `/Suspects false` from the catalog's MarkInfo dictionary, in
/// place: the key is overwritten with spaces, so no byte offset (and no
/// cross-reference entry) changes.
///
/// typst-pdf (through krilla) writes `/MarkInfo <</Marked true /Suspects
/// false>>`. That is valid PDF, but poppler (`Catalog::getMarkInfo`)
/// accepts a boolean there only when it is true and prints "Syntax Error:
/// Suspects object is wrong type (boolean)" for `false`, in pdfinfo,
/// pdftoppm, pdftotext and every CUPS filter built on it. `false` is the
/// key's default (ISO 32000-1, table 321), so leaving it out says the same;
/// PDF/UA asks only that it is not true. Returns whether anything changed.
pub fn quiet_mark_info(pdf: &mut [u8]) -> bool {
    let Some(catalog) = catalog_span(pdf) else {
        return false;
    };
    let body = &pdf[catalog.clone()];
    let Some(start) = find(body, b"/MarkInfo") else {
        return false;
    };
    let Some(open) = find(&body[start..], b"<<").map(|i| start + i) else {
        return false;
    };
    let Some(close) = find(&body[open..], b">>").map(|i| open + i) else {
        return false;
    };
    let Some(at) = find(&body[open..close], b"/Suspects").map(|i| open + i) else {
        return false;
    };
    // The value: `false` after optional white space, then a delimiter.
    let mut end = at + b"/Suspects".len();
    while end < close && body[end].is_ascii_whitespace() {
        end += 1;
    }
    if !body[end..close].starts_with(b"false") {
        return false;
    }
    end += b"false".len();
    if end < close && !(body[end].is_ascii_whitespace() || body[end] == b'/') {
        return false;
    }
    let from = catalog.start + at;
    pdf[from..catalog.start + end].fill(b' ');
    true
}

/// The byte range of the document catalog object (`N G obj … endobj`),
/// found through the last trailer's `/Root` reference.
fn catalog_span(pdf: &[u8]) -> Option<std::ops::Range<usize>> {
    let trailer = rfind(pdf, b"trailer")?;
    let root = find(&pdf[trailer..], b"/Root")? + trailer + b"/Root".len();
    let mut words = pdf[root..]
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty());
    let num = std::str::from_utf8(words.next()?).ok()?;
    let gen_r = words.next()?;
    let generation = std::str::from_utf8(gen_r).ok()?;
    num.parse::<u32>().ok()?;
    generation.parse::<u16>().ok()?;
    let header = format!("{num} {generation} obj");
    // The object's header at the start of a line.
    let mut from = 0;
    let start = loop {
        let i = find(&pdf[from..], header.as_bytes())? + from;
        if i == 0 || matches!(pdf[i - 1], b'\n' | b'\r') {
            break i;
        }
        from = i + 1;
    };
    let end = find(&pdf[start..], b"endobj")? + start;
    Some(start..end)
}

// memchr's substring search: comparing every window of typst-pdf's output
// (2.4 MB for the sample) took 11 ms of each build.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}

fn text(s: &str) -> Object {
    Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
}

/// Turns a PDF/A-2b file from typst-pdf into PDF/X-4: the output intent
/// becomes the CMYK press condition, the XMP and the Info dictionary claim
/// PDF/X-4 and say the file is not trapped.
fn make_pdfx(doc: &mut Document) -> Result<(), Error> {
    let bad = |what: &str| Error::plain(format!("cannot make PDF/X: {what}"));
    let mut icc = Dictionary::new();
    icc.set("N", Object::Integer(4));
    let mut profile = Stream::new(icc, OUTPUT_PROFILE.to_vec());
    let _ = profile.compress();
    let profile_id = doc.add_object(profile);
    let mut intent = Dictionary::new();
    intent.set("Type", Object::Name(b"OutputIntent".to_vec()));
    intent.set("S", Object::Name(b"GTS_PDFX".to_vec()));
    intent.set("OutputConditionIdentifier", text(OUTPUT_CONDITION));
    intent.set("OutputCondition", text(OUTPUT_CONDITION_INFO));
    intent.set("RegistryName", text("http://www.color.org"));
    intent.set("Info", text(OUTPUT_CONDITION_INFO));
    intent.set("DestOutputProfile", Object::Reference(profile_id));
    let intent_id = doc.add_object(intent);

    let catalog = doc.catalog_mut().map_err(|_| bad("no catalog"))?;
    catalog.set(
        "OutputIntents",
        Object::Array(vec![Object::Reference(intent_id)]),
    );
    let metadata = catalog
        .get(b"Metadata")
        .and_then(Object::as_reference)
        .map_err(|_| bad("no XMP metadata (the file was not written as PDF/A-2b)"))?;

    // XMP: PDF/X-4 instead of PDF/A-2b.
    let stream = doc
        .get_object_mut(metadata)
        .and_then(Object::as_stream_mut)
        .map_err(|_| bad("the XMP metadata is not a stream"))?;
    let _ = stream.decompress();
    let xmp = String::from_utf8(stream.content.clone()).map_err(|_| bad("the XMP is not UTF-8"))?;
    stream.set_plain_content(
        pdfx_xmp(&xmp)
            .ok_or_else(|| bad("unexpected XMP"))?
            .into_bytes(),
    );

    // Info dictionary.
    let info_id = match doc.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => id,
        Err(_) => {
            let id = doc.add_object(Dictionary::new());
            doc.trailer.set("Info", Object::Reference(id));
            id
        }
    };
    let info = doc
        .get_object_mut(info_id)
        .and_then(Object::as_dict_mut)
        .map_err(|_| bad("the Info dictionary cannot be read"))?;
    info.set("GTS_PDFXVersion", text("PDF/X-4"));
    info.set("Trapped", Object::Name(b"False".to_vec()));
    Ok(())
}

/// The XMP packet with the PDF/A identification replaced by PDF/X-4's and
/// the keys PDF/X-4 requires added.
fn pdfx_xmp(xmp: &str) -> Option<String> {
    let mut x = xmp.to_string();
    for tag in ["pdfaid:part", "pdfaid:conformance", "pdfaid:amd"] {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        while let Some(start) = x.find(&open) {
            let end = x[start..].find(&close)? + start + close.len();
            x.replace_range(start..end, "");
        }
    }
    let desc = x.find("<rdf:Description ")?;
    x.insert_str(
        desc + "<rdf:Description ".len(),
        "xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\" ",
    );
    let mut add = String::from("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>");
    if !x.contains("<pdf:Trapped>") {
        add.push_str("<pdf:Trapped>False</pdf:Trapped>");
    }
    if !x.contains("<xmpMM:VersionID>") {
        add.push_str("<xmpMM:VersionID>1</xmpMM:VersionID>");
    }
    if !x.contains("<xmpMM:RenditionClass>") {
        add.push_str("<xmpMM:RenditionClass>default</xmpMM:RenditionClass>");
    }
    let end = x.find("</rdf:Description>")?;
    x.insert_str(end, &add);
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suspects_false_is_blanked_in_the_catalog_only() {
        let pdf = b"%PDF-1.7\n1 0 obj\n<</Title(/MarkInfo<</Suspects false>>)>>\nendobj\n\
            2 0 obj\n<</Type/Catalog/MarkInfo<</Marked true/Suspects false>>/Lang(zh)>>\nendobj\n\
            xref\n0 3\ntrailer\n<</Size 3/Root 2 0 R/Info 1 0 R>>\nstartxref\n0\n%%EOF";
        let mut out = pdf.to_vec();
        assert!(quiet_mark_info(&mut out));
        assert_eq!(out.len(), pdf.len());
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("/MarkInfo<</Marked true               >>/Lang(zh)"),
            "{text}"
        );
        // The Info dictionary's string is left alone.
        assert!(text.contains("(/MarkInfo<</Suspects false>>)"), "{text}");
        // Nothing to do the second time, nor for `true`.
        let mut again = text.into_bytes();
        assert!(!quiet_mark_info(&mut again));
        let mut truthy = String::from_utf8(pdf.to_vec())
            .unwrap()
            .replace("Marked true/Suspects false", "Marked true/Suspects true ")
            .into_bytes();
        assert!(!quiet_mark_info(&mut truthy));
    }

    #[test]
    fn xmp_claims_pdfx_instead_of_pdfa() {
        let xmp = r#"<x:xmpmeta><rdf:RDF><rdf:Description rdf:about="" xmlns:pdf="p"><pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance><xmpMM:RenditionClass>proof</xmpMM:RenditionClass></rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let out = pdfx_xmp(xmp).unwrap();
        assert!(!out.contains("pdfaid:part"));
        assert!(out.contains("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>"));
        assert!(out.contains("<pdf:Trapped>False</pdf:Trapped>"));
        assert!(out.contains("<xmpMM:VersionID>1</xmpMM:VersionID>"));
        assert!(out.contains("xmlns:pdfxid="));
    }

    #[test]
    fn the_output_profile_is_a_cmyk_output_profile() {
        // ICC header: device class at 12..16, colour space at 16..20.
        assert_eq!(&OUTPUT_PROFILE[12..16], b"prtr");
        assert_eq!(&OUTPUT_PROFILE[16..20], b"CMYK");
        assert_eq!(&OUTPUT_PROFILE[20..24], b"Lab ");
    }
}
