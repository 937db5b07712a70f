//! The command line (clap, derive): the only module that knows clap. Each
//! subcommand's arguments are plain fields that `cmd/` reads; the options
//! of every command that builds are one [`BuildArgs`], turned into the
//! [`BuildConfig`] of the one build step here.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use typst_kit::diagnostics::DiagnosticFormat;
use typst_pdf::{PdfStandard, PdfStandards};

use crate::build::{BuildConfig, Edition};
use crate::engine::world::FontOptions;
use crate::error::Error;

/// `folio --version`: folio's version and the Typst it embeds.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (Typst ",
    env!("FOLIO_TYPST_VERSION"),
    ")"
);

const EXAMPLES: &str = "\
Examples:
  folio init my-issue                   a new issue that compiles at once
  folio compile my-issue/issue.toml     write my-issue/issue.pdf
  folio watch --serve my-issue/issue.toml
  folio preflight my-issue/issue.toml

Each command has its own help with examples: folio help compile";

/// folio compiles a magazine issue (issue.toml, Markdown articles, photos)
/// into a print-ready PDF.
#[derive(Debug, Parser)]
#[command(
    name = "folio",
    version = VERSION,
    about,
    propagate_version = true,
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lay out the issue and write its PDF.
    #[command(after_help = "\
Examples:
  folio compile                                   ./issue.toml to ./issue.pdf
  folio compile issue.toml -o proof.pdf
  folio compile issue.toml --standard x-4 --marks  for the press
  folio compile issue.toml --edition screen       a light PDF for e-mail")]
    Compile(CompileArgs),
    /// Compile the issue and check it as a print shop would.
    #[command(after_help = "\
Examples:
  folio preflight issue.toml
  folio preflight issue.toml --format json > report.json")]
    Preflight(PreflightArgs),
    /// Compile, then recompile on every change (`--serve`: live preview).
    #[command(after_help = "\
Examples:
  folio watch issue.toml
  folio watch --serve issue.toml     pages in the browser at http://127.0.0.1:3000/")]
    Watch(WatchArgs),
    /// Render pages (or spreads) as PNG files, for proofs.
    #[command(after_help = "\
Examples:
  folio preview issue.toml --pages 1-4 --ppi 96 --out proofs
  folio preview issue.toml --spreads")]
    Preview(PreviewArgs),
    /// Create a new issue folder that compiles at once.
    #[command(after_help = "\
Examples:
  folio init 2025-01        creates 2025-01/issue.toml, an article and a photo
  folio init                in the current folder")]
    Init(InitArgs),
    /// List the fonts a compile would use; install folio's fonts.
    #[command(after_help = "\
Examples:
  folio fonts --sc                          the fonts that cover simplified Chinese
  folio fonts install                       copy folio's fonts into your data folder
  folio fonts install --from unpacked/fonts")]
    Fonts(FontsArgs),
    /// Write a Word article (.docx) as Markdown and its photos.
    #[command(after_help = "\
Examples:
  folio convert articles/huanan.docx          writes articles/huanan.md, huanan-1.jpg, …
  folio convert huanan.docx -o articles       into another folder")]
    Convert(ConvertArgs),
    /// List the layouts and where each comes from; export one to start
    /// your own.
    #[command(after_help = "\
Examples:
  folio layouts
  folio layouts export default my-issue/layouts/house   then layout = \"house\"")]
    Layouts(LayoutsArgs),
    /// Print the shell completion script for bash, zsh, fish or PowerShell.
    #[command(after_help = "\
Examples:
  folio completions bash > ~/.local/share/bash-completion/completions/folio
  folio completions zsh > ~/.zfunc/_folio
  folio completions fish > ~/.config/fish/completions/folio.fish")]
    Completions(CompletionsArgs),
    /// Write the manual pages (folio.1, folio-SUBCOMMAND.1) into a folder.
    #[command(hide = true)]
    Man(ManArgs),
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
    /// A folder of layouts (one folder per layout) searched after the
    /// issue's own layouts/ and before $FOLIO_HOME and the built-in ones.
    #[arg(long, value_name = "DIR", global = true)]
    pub layout_dir: Option<PathBuf>,
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
            layout_dir: common.layout_dir.clone(),
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
            durable: true,
            incremental: false,
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
#[command(args_conflicts_with_subcommands = true)]
pub struct FontsArgs {
    #[command(subcommand)]
    pub action: Option<FontsAction>,
    /// List only the fonts that cover simplified Chinese.
    #[arg(long)]
    pub sc: bool,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The Word file (.docx).
    pub docx: PathBuf,
    /// Where to write NAME.md and the photos NAME-1.jpg, … [default: the
    /// Word file's folder]
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum FontsAction {
    /// Copy folio's fonts into your data folder (~/.local/share/folio/fonts),
    /// so that a folio installed alone finds them.
    Install {
        /// The fonts/ folder to copy from [default: the one folio finds]
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LayoutsArgs {
    #[command(subcommand)]
    pub action: Option<LayoutsAction>,
    /// Also list this issue's own layouts [default: ./issue.toml if there]
    #[arg(long, value_name = "ISSUE")]
    pub issue: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum LayoutsAction {
    /// Write a layout's files into a folder, as the start of your own.
    Export {
        /// The layout, e.g. default.
        name: String,
        /// The new layout's folder (created; existing files are never
        /// overwritten).
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The folder for the pages (created if missing).
    pub dir: PathBuf,
}

/// Writes the completion script for `shell`. A closed pipe (`| head`) is
/// not an error.
pub fn write_completions(shell: Shell, out: &mut dyn Write) -> Result<(), Error> {
    use clap_complete::Shell as S;
    let shell = match shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "folio", &mut buf);
    match out.write_all(&buf).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::plain(format!(
            "cannot write the completion script: {e}"
        ))),
        _ => Ok(()),
    }
}

/// Writes `folio.1` and one page per visible subcommand
/// (`folio-compile.1`, …) into `dir`; returns the files written.
pub fn write_man_pages(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the folder", e))?;
    let mut cmd = Cli::command();
    cmd.build();
    let mut pages = vec![("folio".to_string(), cmd.clone())];
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        // clap names are `&'static str` without its `string` feature; the
        // few bytes live until the process ends.
        let name: &'static str = Box::leak(format!("folio-{}", sub.get_name()).into_boxed_str());
        pages.push((name.to_string(), sub.clone().name(name).version(VERSION)));
    }
    let mut written = Vec::new();
    for (name, page) in pages {
        let mut buf = Vec::new();
        clap_mangen::Man::new(page)
            .date("")
            .render(&mut buf)
            .map_err(|e| Error::plain(format!("cannot write the manual page {name}.1: {e}")))?;
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, buf).map_err(|e| Error::io(&path, "cannot write", e))?;
        written.push(path);
    }
    Ok(written)
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
