//! `folio compile`: the issue to its print (or screen) PDF.

use std::path::PathBuf;
use std::time::Instant;

use crate::build::{self, Session};
use crate::check::inspect;
use crate::cli::{CommonArgs, CompileArgs, EditionArg};
use crate::error::{Error, Printer};

pub fn run(
    args: &CompileArgs,
    common: &CommonArgs,
    printer: &Printer,
    slot: &mut Option<Session>,
) -> Result<(), Error> {
    let start = Instant::now();
    let config = args.build.config(common)?;
    let session = slot.insert(Session::new(config, printer.clone())?);
    let out = args.output.clone().unwrap_or_else(|| default_output(args));
    let built = session.build(&args.issue, Some(&out), &mut |_| {})?;
    if let Some(path) = &args.dump_layout {
        inspect::write_layout(&built.compiled.document, path)?;
    }
    if let Some(dir) = &args.dump_png {
        inspect::write_pngs(&built.compiled.document, dir)?;
    }
    let strict = session.report_preflight(&built);
    let time = format!("{:.2} s", start.elapsed().as_secs_f64());
    eprintln!("{}", built.summary("wrote", &time));
    if args.timings {
        built.compiled.timings.print();
    }
    strict
}

/// `NAME.pdf` beside the manifest, `NAME-screen.pdf` for the screen edition.
fn default_output(args: &CompileArgs) -> PathBuf {
    let manifest = &args.issue;
    match args.build.edition {
        EditionArg::Print => build::default_output(manifest, "pdf"),
        EditionArg::Screen => {
            let stem = manifest.file_stem().unwrap_or_default().to_string_lossy();
            manifest.with_file_name(format!("{stem}-screen.pdf"))
        }
    }
}
