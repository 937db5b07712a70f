//! Stage 6: PDF export.
//!
//! typst-pdf writes the PDF; the options fix everything that would
//! otherwise vary between runs (identifier, creator, timestamp), so the same
//! inputs give the same bytes.

use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

use crate::error::Error;
use crate::model::Issue;
use crate::prepress::{self, Finish};

/// The timestamp written into the PDF: `SOURCE_DATE_EPOCH` when set (as
/// reproducible-build tools expect), else the issue's date at midnight UTC.
pub fn timestamp(issue: &Issue) -> Result<Timestamp, Error> {
    let datetime = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => {
            let secs: i64 = s.trim().parse().map_err(|_| {
                Error::Usage(format!(
                    "SOURCE_DATE_EPOCH must be a number of seconds, not `{s}`"
                ))
            })?;
            let days = secs.div_euclid(86_400);
            let rest = secs.rem_euclid(86_400);
            let (y, m, d) = civil_from_days(days);
            Datetime::from_ymd_hms(
                y,
                m,
                d,
                (rest / 3600) as u8,
                (rest % 3600 / 60) as u8,
                (rest % 60) as u8,
            )
        }
        Err(_) => {
            let d = issue.meta.date;
            Datetime::from_ymd_hms(d.year, d.month, d.day, 0, 0, 0)
        }
    };
    datetime
        .map(Timestamp::new_utc)
        .ok_or_else(|| Error::plain("the PDF's date is out of range"))
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (if m <= 2 { y + 1 } else { y } as i32, m, d)
}

/// Exports the laid-out document as the print PDF: typst-pdf's output with
/// the page boxes a print shop expects (see [`prepress`]).
pub fn export(
    doc: &PagedDocument,
    issue: &Issue,
    standards: PdfStandards,
) -> Result<Vec<u8>, Error> {
    export_with(doc, issue, standards, false)
}

/// Like [`export`]; with `pdfx`, the file is made PDF/X-4 (`standards` must
/// then be PDF/A-2b, see `CompileArgs::standards`).
pub fn export_with(
    doc: &PagedDocument,
    issue: &Issue,
    standards: PdfStandards,
    pdfx: bool,
) -> Result<Vec<u8>, Error> {
    let pdf = export_plain(doc, issue, standards)?;
    if issue.print.bleed_mm == 0.0 && !issue.print.marks && !pdfx {
        // The screen edition: no boxes to add.
        return Ok(pdf);
    }
    prepress::finish(
        pdf,
        &Finish {
            marks: issue.print.marks,
            pdfx,
        },
    )
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
    use super::civil_from_days;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
