//! folio: a compiler for printed magazine issues.
//!
//! Data flows one way: [`manifest`] (raw serde structs) → [`model`] (the
//! checked issue, paths confined) → [`content`] (Markdown to layout data) →
//! [`world`] (files, fonts, fixed date) → [`document`] (Typst layout) →
//! [`pdf`] → [`output`] (atomic write). [`session`] runs the stages; each
//! subcommand lives in [`cmd`].

mod cli;
mod cmd;
mod content;
mod document;
mod error;
mod manifest;
mod model;
mod output;
mod pdf;
mod session;
mod world;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::Printer;

fn main() {
    let cli = Cli::parse();
    let printer = Printer::new(cli.common.diagnostic_format.into());
    let result = match &cli.command {
        Command::Compile(args) => cmd::compile::run(args, &cli.common, &printer),
    };
    // Each command has printed its error; only the exit code is left.
    if let Err(err) = result {
        std::process::exit(err.exit_code());
    }
}
