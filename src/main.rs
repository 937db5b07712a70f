//! The `folio` command line. The pipeline lives in the library
//! (`src/lib.rs`): modules are declared there, not here.

use clap::Parser;

use folio::cli::{Cli, Command};
use folio::error::Printer;
use folio::{cmd, deadline};

fn main() {
    let cli = Cli::parse();
    let printer = Printer::new(cli.common.diagnostic_format.into());
    let result = match &cli.command {
        Command::Compile(args) => deadline::run(args.timeout, &printer, || {
            cmd::compile::run(args, &cli.common, &printer)
        }),
        Command::Preflight(args) => cmd::preflight::run(args, &cli.common, &printer),
        Command::Watch(args) => cmd::watch::run(args, &cli.common, &printer),
        Command::Preview(args) => cmd::preview::run(args, &cli.common, &printer),
        Command::Init(args) => cmd::init::run(args, &cli.common, &printer),
        Command::Fonts(args) => cmd::fonts::run(args, &cli.common, &printer),
    };
    // Each command has printed its error; only the exit code is left.
    if let Err(err) = result {
        std::process::exit(err.exit_code());
    }
}
