//! One module per subcommand. Each returns its error; `main` prints it,
//! once, against the session's world if a build got that far.

pub mod compile;
pub mod convert;
pub mod fonts;
pub mod init;
pub mod layouts;
pub mod preflight;
pub mod preview;
pub mod watch;

use crate::build::Session;
use crate::cli::{self, Cli, Command};
use crate::error::{Error, Printer};

/// Runs the command. A command that builds leaves its session in `slot`,
/// so that an error can be printed with the source lines Typst knows.
pub fn run(cli: &Cli, printer: &Printer, slot: &mut Option<Session>) -> Result<(), Error> {
    let common = &cli.common;
    match &cli.command {
        Command::Compile(args) => compile::run(args, common, printer, slot),
        Command::Preflight(args) => preflight::run(args, common, printer, slot),
        Command::Watch(args) => watch::run(args, common, printer, slot),
        Command::Preview(args) => preview::run(args, common, printer, slot),
        Command::Init(args) => init::run(args),
        Command::Fonts(args) => fonts::run(args, common, printer),
        Command::Convert(args) => convert::run(args, printer),
        Command::Layouts(args) => layouts::run(args, common),
        Command::Completions(args) => {
            cli::write_completions(args.shell, &mut std::io::stdout().lock())
        }
        Command::Man(args) => {
            let pages = cli::write_man_pages(&args.dir)?;
            eprintln!(
                "folio: wrote {} manual pages to {}",
                pages.len(),
                crate::error::display_path(&args.dir)
            );
            Ok(())
        }
    }
}
