//! `folio compile`: the issue to its print PDF.

use std::time::Instant;

use crate::cli::{CommonArgs, CompileArgs};
use crate::error::{Error, Printer, display_path};
use crate::output;
use crate::pdf;
use crate::session::{self, Session};

pub fn run(args: &CompileArgs, common: &CommonArgs, printer: &Printer) -> Result<(), Error> {
    let start = Instant::now();
    let mut session = Session::new(&common.font_options())?;
    let result = build(&mut session, args, printer, start);
    if let Err(err) = &result {
        session.print_error(printer, err);
    }
    result
}

fn build(
    session: &mut Session,
    args: &CompileArgs,
    printer: &Printer,
    start: Instant,
) -> Result<(), Error> {
    let manifest = args.issue.clone();
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| session::default_output(&manifest, "pdf"));
    let mut compiled = session.compile_once(&manifest)?;
    session.print_warnings(printer, &compiled);
    output::check_not_input(&out, &compiled.issue.inputs)?;

    let t = Instant::now();
    let bytes = pdf::export(&compiled.document, &compiled.issue, args.standards()?)?;
    compiled.timings.add("pdf", t.elapsed());
    let t = Instant::now();
    output::write_atomic(&out, &bytes)?;
    compiled.timings.add("write", t.elapsed());

    let pages = compiled.document.pages().len();
    let warnings = compiled.warning_count();
    let warn_note = match warnings {
        0 => String::new(),
        1 => ", 1 warning".into(),
        n => format!(", {n} warnings"),
    };
    eprintln!(
        "folio: wrote {} ({pages} pages, {:.1} MB) in {:.2} s{warn_note}",
        display_path(&out),
        bytes.len() as f64 / 1_000_000.0,
        start.elapsed().as_secs_f64()
    );
    if args.timings {
        compiled.timings.print();
    }
    Ok(())
}
