//! The `folio` command line. The pipeline lives in the library
//! (`src/lib.rs`); here the arguments are parsed, the command runs, and an
//! error that ends it is printed, once, with its exit code.

use clap::Parser;

use folio::cli::Cli;
use folio::cmd;
use folio::error::Printer;

fn main() {
    let cli = Cli::parse();
    let printer = Printer::new(cli.common.diagnostic_format.into());
    let mut session = None;
    if let Err(err) = cmd::run(&cli, &printer, &mut session) {
        let world = session.as_ref().and_then(|s| s.world());
        printer.error(&err, world.map(|w| w as _));
        std::process::exit(err.exit_code());
    }
}
