//! The command line (clap, derive): the only module that knows clap. Each
//! subcommand's arguments are plain fields that `cmd/` reads; the options
//! of every command that builds are one [`BuildArgs`], turned into the
//! [`BuildConfig`] of the one build step here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use typst_kit::diagnostics::DiagnosticFormat;
use typst_pdf::{PdfStandard, PdfStandards};

use crate::build::{BuildConfig, Edition};
use crate::engine::world::FontOptions;
use crate::error::Error;

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
    /// Compile the issue and check it as a print shop would.
    Preflight(PreflightArgs),
    /// Compile, then recompile on every change (`--serve`: live preview).
    Watch(WatchArgs),
    /// Render pages (or spreads) as PNG files, for proofs.
    Preview(PreviewArgs),
    /// Create a new issue folder that compiles at once.
    Init(InitArgs),
    /// List the fonts a compile would use.
    Fonts(FontsArgs),
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

/// PDF standards that typst-pdf enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
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
    /// PDF/X-4 for the press: CMYK output intent (FOGRA39), written by
    /// post-processing typst-pdf's output. Cannot be combined with PDF/A.
    #[value(name = "x-4")]
    X4,
}

/// How to build: the same options on every command that builds.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// PDF standard to conform to (repeatable), e.g. a-2b, or x-4 for the
    /// press.
    #[arg(long = "standard", value_enum)]
    pub standards: Vec<Standard>,
    /// Add trim marks and a slug line outside the bleed (the MediaBox grows;
    /// TrimBox and BleedBox stay).
    #[arg(long)]
    pub marks: bool,
    /// Which PDF: `print` (bleed, boxes, photos untouched) or `screen` (no
    /// bleed, photos at 150 ppi, for e-mail and WeChat; `compile` writes it
    /// as NAME-screen.pdf unless -o is given).
    #[arg(long, value_enum, default_value = "print")]
    pub edition: EditionArg,
    /// Stop with an error when a layout takes longer than this many
    /// seconds (a trusted .typ article or a layout that never ends).
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// Make preflight errors fail the command (exit 1) after the PDF is
    /// written; `[print] strict = true` in the manifest does the same.
    #[arg(long)]
    pub strict: bool,
}

impl BuildArgs {
    /// The build step's configuration. The one place where the standards
    /// are checked against each other.
    pub fn config(&self, common: &CommonArgs) -> Result<BuildConfig, Error> {
        let x = self.standards.contains(&Standard::X4);
        let a = self.standards.iter().any(|s| {
            matches!(
                s,
                Standard::A1b
                    | Standard::A2b
                    | Standard::A2u
                    | Standard::A3b
                    | Standard::A3u
                    | Standard::A4
            )
        });
        if x && a {
            return Err(Error::Usage(
                "PDF/X-4 and PDF/A cannot be combined: each needs its own output intent".into(),
            ));
        }
        // For PDF/X-4, typst-pdf enforces PDF/A-2b, whose rules
        // (device-independent colour, embedded fonts, XMP) PDF/X-4 shares;
        // post-processing then swaps the output intent.
        let standards: Vec<PdfStandard> = self
            .standards
            .iter()
            .map(|s| match s {
                Standard::X4 => PdfStandard::A_2b,
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
        // Refuse a combination typst-pdf refuses now, before any work.
        PdfStandards::new(&standards).map_err(|e| Error::Usage(e.message().to_string()))?;
        Ok(BuildConfig {
            fonts: common.font_options(),
            marks: self.marks,
            standards,
            pdfx: x,
            edition: match self.edition {
                EditionArg::Print => Edition::Print,
                EditionArg::Screen => Edition::Screen,
            },
            timeout: std::time::Duration::from_secs(self.timeout),
            strict: self.strict,
            safe_mm: 4.0,
            preflight: true,
        })
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
    #[command(flatten)]
    pub build: BuildArgs,
    /// Print the time of each phase.
    #[arg(long)]
    pub timings: bool,
    /// Debug: write every page's text lines and item boxes as JSON
    /// (src/check/inspect.rs; used by the design tests).
    #[arg(long, hide = true, value_name = "FILE.json")]
    pub dump_layout: Option<PathBuf>,
    /// Debug: render every page to DIR/page-NNN.png at 36 ppi with
    /// typst-render (src/check/inspect.rs; used by the visual regression
    /// tests).
    #[arg(long, hide = true, value_name = "DIR")]
    pub dump_png: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PreflightArgs {
    /// The issue's manifest.
    #[arg(default_value = "issue.toml")]
    pub issue: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ReportFormat,
    /// Text must keep this distance from the trim, in millimetres.
    #[arg(long, value_name = "MM", default_value_t = 4.0)]
    pub safe_mm: f64,
    #[command(flatten)]
    pub build: BuildArgs,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The issue's manifest.
    #[arg(default_value = "issue.toml")]
    pub issue: PathBuf,
    /// Where to write the PDF [default: the manifest's name with .pdf]
    #[arg(short, long, value_name = "OUT.pdf")]
    pub output: Option<PathBuf>,
    /// Serve a live preview of the pages on http://127.0.0.1.
    #[arg(long)]
    pub serve: bool,
    /// The preview's port [default: the first free one of 3000–3005]
    #[arg(long, requires = "serve")]
    pub port: Option<u16>,
    /// Resolution of the preview's page images, in pixels per inch.
    #[arg(long, default_value_t = 96.0, requires = "serve", value_parser = parse_ppi)]
    pub ppi: f64,
    #[command(flatten)]
    pub build: BuildArgs,
    /// Print the time of each phase of every build.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The issue's manifest.
    #[arg(default_value = "issue.toml")]
    pub issue: PathBuf,
    /// Which pages, e.g. `1-4`, `2,5,9-12`, `20-` [default: all]
    #[arg(long, value_name = "RANGES")]
    pub pages: Option<String>,
    /// Resolution in pixels per inch.
    #[arg(long, default_value_t = 96.0, value_parser = parse_ppi)]
    pub ppi: f64,
    /// Folder for the PNG files [default: ISSUE-preview beside the manifest]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Facing pages side by side (the cover alone), one file per spread.
    #[arg(long)]
    pub spreads: bool,
    #[command(flatten)]
    pub build: BuildArgs,
    /// Print the time of each phase.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder of the new issue (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct FontsArgs {
    /// List only the fonts that cover simplified Chinese.
    #[arg(long)]
    pub sc: bool,
}

/// The resolutions folio renders at, for previews and the live preview.
pub const PPI_RANGE: std::ops::RangeInclusive<f64> = 9.0..=1200.0;

/// Parses a resolution in pixels per inch, within [`PPI_RANGE`].
fn parse_ppi(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if !PPI_RANGE.contains(&v) {
        return Err(format!(
            "choose a resolution between {} and {} ppi",
            PPI_RANGE.start(),
            PPI_RANGE.end()
        ));
    }
    Ok(v)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    /// One line per finding.
    Human,
    /// A JSON document for scripts.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EditionArg {
    Print,
    Screen,
}
