//! `folio compile`: the issue to its print PDF.

use std::time::Instant;

use crate::cli::{CommonArgs, CompileArgs, EditionArg};
use crate::error::{Error, Printer, display_path};
use crate::inspect;
use crate::model::Binding;
use crate::output;
use crate::pdf;
use crate::preflight;
use crate::session::{self, Edition, Session};

pub fn run(args: &CompileArgs, common: &CommonArgs, printer: &Printer) -> Result<(), Error> {
    let start = Instant::now();
    let mut session = Session::new(&common.font_options())?;
    session.overrides.marks = args.marks;
    session.overrides.pdfx = args.pdfx()?;
    session.overrides.edition = match args.edition {
        EditionArg::Print => Edition::Print,
        EditionArg::Screen => Edition::Screen,
    };
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
    let out = args.output.clone().unwrap_or_else(|| match args.edition {
        EditionArg::Print => session::default_output(&manifest, "pdf"),
        EditionArg::Screen => {
            let stem = manifest.file_stem().unwrap_or_default().to_string_lossy();
            manifest.with_file_name(format!("{stem}-screen.pdf"))
        }
    });
    let mut compiled = session.compile_once(&manifest)?;
    session.print_warnings(printer, &compiled);
    output::check_not_input(&out, &compiled.issue.inputs)?;

    let t = Instant::now();
    let bytes = pdf::export_with(
        &compiled.document,
        &compiled.issue,
        args.standards()?,
        args.pdfx()?,
    )?;
    compiled.timings.add("pdf", t.elapsed());
    let t = Instant::now();
    output::write_atomic(&out, &bytes)?;
    compiled.timings.add("write", t.elapsed());
    if let Some(path) = &args.dump_layout {
        inspect::write_layout(&compiled.document, path)?;
    }
    if let Some(dir) = &args.dump_png {
        inspect::write_pngs(&compiled.document, dir)?;
    }

    // Preflight is about print; the screen edition has no bleed or boxes.
    let t = Instant::now();
    let summary = match args.edition {
        EditionArg::Print => {
            let report = preflight::check(
                &compiled.issue,
                &compiled.document,
                &bytes,
                &preflight::Options::default(),
            );
            format!("; {}", report.summary())
        }
        EditionArg::Screen => String::new(),
    };
    compiled.timings.add("preflight", t.elapsed());

    let pages = compiled.document.pages().len();
    let blanks = match compiled.issue.print.binding {
        Binding::Saddle => preflight::blank_pages(&compiled.document),
        _ => 0,
    };
    let blank_note = match blanks {
        0 => String::new(),
        1 => ", 1 blank page added for saddle stitching".into(),
        n => format!(", {n} blank pages added for saddle stitching"),
    };
    let warnings = compiled.warning_count();
    let warn_note = match warnings {
        0 => String::new(),
        1 => ", 1 warning".into(),
        n => format!(", {n} warnings"),
    };
    eprintln!(
        "folio: wrote {} ({pages} pages{blank_note}, {:.1} MB) in {:.2} s{warn_note}{}",
        display_path(&out),
        bytes.len() as f64 / 1_000_000.0,
        start.elapsed().as_secs_f64(),
        summary,
    );
    if args.timings {
        compiled.timings.print();
    }
    Ok(())
}
