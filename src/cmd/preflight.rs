//! `folio preflight`: build the issue and report what a print shop checks.

use crate::build::{Edition, Session};
use crate::cli::{CommonArgs, PreflightArgs, ReportFormat};
use crate::error::{Error, Printer};

pub fn run(
    args: &PreflightArgs,
    common: &CommonArgs,
    printer: &Printer,
    slot: &mut Option<Session>,
) -> Result<(), Error> {
    let mut config = args.build.config(common)?;
    if config.edition == Edition::Screen {
        return Err(Error::Usage(
            "preflight checks the print edition; drop --edition screen".into(),
        ));
    }
    config.safe_mm = args.safe_mm;
    let session = slot.insert(Session::new(config, printer.clone())?);
    // The same PDF `folio compile` would write with these options, kept
    // in memory.
    let built = session.build(&args.issue, None, &mut |_| {})?;
    let report = built.preflight.expect("the print edition is preflighted");
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
