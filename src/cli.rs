//! The command line (clap, derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use typst_kit::diagnostics::DiagnosticFormat;
use typst_pdf::{PdfStandard, PdfStandards};

use crate::error::Error;
use crate::world::FontOptions;

/// folio compiles a magazine issue (issue.toml, Markdown articles, photos)
/// into a print-ready PDF.
#[derive(Debug, Parser)]
#[command(name = "folio", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lay out the issue and write its PDF.
    Compile(CompileArgs),
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Also search this folder for fonts (repeatable).
    #[arg(long = "font-path", value_name = "DIR", global = true)]
    pub font_paths: Vec<PathBuf>,
    /// Also use the fonts installed on this system (the output then depends
    /// on the machine).
    #[arg(long, global = true)]
    pub system_fonts: bool,
    /// How errors and warnings are shown.
    #[arg(long, value_enum, default_value = "human", global = true)]
    pub diagnostic_format: DiagFormat,
}

impl CommonArgs {
    pub fn font_options(&self) -> FontOptions {
        FontOptions {
            bundled: None,
            extra: self.font_paths.clone(),
            system: self.system_fonts,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiagFormat {
    /// With the source line underlined.
    Human,
    /// One line per diagnostic: file:line:col: message.
    Short,
}

impl From<DiagFormat> for DiagnosticFormat {
    fn from(f: DiagFormat) -> Self {
        match f {
            DiagFormat::Human => DiagnosticFormat::Human,
            DiagFormat::Short => DiagnosticFormat::Short,
        }
    }
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The issue's manifest.
    #[arg(default_value = "issue.toml")]
    pub issue: PathBuf,
    /// Where to write the PDF [default: the manifest's name with .pdf]
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: Option<PathBuf>,
    /// PDF standard to conform to (repeatable), e.g. a-2b.
    #[arg(long = "standard", value_enum)]
    pub standards: Vec<Standard>,
    /// Print the time of each phase.
    #[arg(long)]
    pub timings: bool,
}

/// PDF standards that typst-pdf enforces.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Standard {
    #[value(name = "1.7")]
    V1_7,
    #[value(name = "2.0")]
    V2_0,
    #[value(name = "a-1b")]
    A1b,
    #[value(name = "a-2b")]
    A2b,
    #[value(name = "a-2u")]
    A2u,
    #[value(name = "a-3b")]
    A3b,
    #[value(name = "a-3u")]
    A3u,
    #[value(name = "a-4")]
    A4,
}

impl CompileArgs {
    pub fn standards(&self) -> Result<PdfStandards, Error> {
        let list: Vec<PdfStandard> = self
            .standards
            .iter()
            .map(|s| match s {
                Standard::V1_7 => PdfStandard::V_1_7,
                Standard::V2_0 => PdfStandard::V_2_0,
                Standard::A1b => PdfStandard::A_1b,
                Standard::A2b => PdfStandard::A_2b,
                Standard::A2u => PdfStandard::A_2u,
                Standard::A3b => PdfStandard::A_3b,
                Standard::A3u => PdfStandard::A_3u,
                Standard::A4 => PdfStandard::A_4,
            })
            .collect();
        PdfStandards::new(&list).map_err(|e| Error::Usage(e.message().to_string()))
    }
}
