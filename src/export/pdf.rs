//! Stage 6: PDF export.
//!
//! typst-pdf writes the PDF; the options fix everything that would
//! otherwise vary between runs (identifier, creator, timestamp), so the same
//! inputs give the same bytes.

use std::sync::Arc;

use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

use crate::engine::proxy::Proxy;
use crate::engine::world::fixed_datetime;
use crate::error::Error;
use crate::export::prepress::{self, Finish};
use crate::pipeline::model::Issue;

/// The timestamp written into the PDF: the build's one fixed date
/// ([`crate::engine::world::fixed_datetime`]), which the layout's
/// `datetime.today()` also sees.
pub fn timestamp(issue: &Issue) -> Result<Timestamp, Error> {
    let datetime = fixed_datetime(issue.meta.date)?;
    Ok(Timestamp::new_utc(datetime))
}

/// Exports the laid-out document: typst-pdf's output, then (see
/// [`prepress`]) the originals of proxied photos, the page boxes a print
/// shop expects, marks and PDF/X-4 where asked; with `pdfx`, `standards`
/// must be PDF/A-2b (see `BuildArgs::config`).
pub fn export_with(
    doc: &PagedDocument,
    issue: &Issue,
    standards: PdfStandards,
    pdfx: bool,
    proxies: &[Arc<Proxy>],
) -> Result<Vec<u8>, Error> {
    let mut pdf = export_plain(doc, issue, standards)?;
    prepress::quiet_mark_info(&mut pdf);
    let finish = Finish {
        // The screen edition (no bleed) has no boxes to add.
        boxes: issue.print.bleed_mm != 0.0,
        marks: issue.print.marks,
        pdfx,
        proxies: proxies.to_vec(),
    };
    if !finish.is_needed() {
        return Ok(pdf);
    }
    prepress::finish(pdf, &finish)
}

/// typst-pdf's output as it is.
pub fn export_plain(
    doc: &PagedDocument,
    issue: &Issue,
    standards: PdfStandards,
) -> Result<Vec<u8>, Error> {
    let options = PdfOptions {
        ident: Smart::Custom(format!(
            "folio/{}/{}",
            issue.meta.magazine, issue.meta.number
        )),
        creator: Smart::Custom(Some(format!("folio {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(timestamp(issue)?),
        page_ranges: None,
        standards,
        tagged: true,
        pretty: false,
    };
    typst_pdf::pdf(doc, &options).map_err(|diags| Error::Typst(diags.into_iter().collect()))
}

#[cfg(test)]
mod tests {
    use crate::engine::world::fixed_datetime;
    use crate::pipeline::model::Date;

    #[test]
    fn source_date_epoch_gives_the_date_and_time() {
        // SAFETY: the unit tests of this crate read SOURCE_DATE_EPOCH only
        // here.
        unsafe { std::env::set_var("SOURCE_DATE_EPOCH", "1700000000") };
        let d = fixed_datetime(Date {
            year: 2024,
            month: 1,
            day: 31,
        })
        .unwrap();
        unsafe { std::env::remove_var("SOURCE_DATE_EPOCH") };
        assert_eq!(
            (
                d.year(),
                d.month(),
                d.day(),
                d.hour(),
                d.minute(),
                d.second()
            ),
            (Some(2023), Some(11), Some(14), Some(22), Some(13), Some(20))
        );
    }
}
