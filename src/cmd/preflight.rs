//! `folio preflight`: compile the issue and report what a print shop checks.

use crate::cli::{CommonArgs, PreflightArgs, ReportFormat};
use crate::error::{Error, Printer};
use crate::pdf;
use crate::preflight::{self, Options};
use crate::session::Session;

pub fn run(args: &PreflightArgs, common: &CommonArgs, printer: &Printer) -> Result<(), Error> {
    let mut session = Session::new(&common.font_options())?;
    session.overrides.marks = args.marks;
    let result = check(&mut session, args, printer);
    if let Err(err) = &result {
        session.print_error(printer, err);
    }
    result
}

fn check(session: &mut Session, args: &PreflightArgs, printer: &Printer) -> Result<(), Error> {
    let compiled = session.compile_once(&args.issue)?;
    session.print_warnings(printer, &compiled);
    let bytes = pdf::export(&compiled.document, &compiled.issue, Default::default())?;
    let report = preflight::check(
        &compiled.issue,
        &compiled.document,
        &bytes,
        &Options {
            safe_mm: args.safe_mm,
        },
    );
    match args.format {
        ReportFormat::Human => print!("{}", report.human()),
        ReportFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("the report serialises")
        ),
    }
    if report.has_errors() {
        // The findings are the message; exit 1 like any content error.
        return Err(Error::Reported);
    }
    Ok(())
}
