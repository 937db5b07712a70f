//! The one build step every command shares (typst-cli's `compile_once`):
//! manifest → checked model → content → world → laid-out document
//! ([`Session::compile_once`]), then the PDF, its atomic write and the
//! preflight ([`Session::build`]), with the same [`BuildConfig`] (standard,
//! edition, marks, time limit) whichever command asked. The world and its
//! fonts outlive a single run, so a rebuild is incremental.

pub mod deadline;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use typst::diag::SourceDiagnostic;
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::{PdfStandard, PdfStandards};

use std::sync::Arc;

use crate::check::glyphs;
use crate::check::preflight;
use crate::engine::document;
use crate::engine::memory;
use crate::engine::prefetch::Prefetcher;
use crate::engine::proxy::{self, Proxies, Proxy};
use crate::engine::world::{self, FolioWorld, FontOptions};
use crate::error::display_path;
use crate::error::{Diag, Error, Printer};
use crate::export::screen;
use crate::export::{output, pdf};
use crate::pipeline::content;
use crate::pipeline::manifest;
use crate::pipeline::model::{self, Issue, Resources};

/// Time spent in each phase of a run.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub phases: Vec<(&'static str, Duration)>,
}

impl Timings {
    fn lap(&mut self, name: &'static str, since: &mut Instant) {
        let now = Instant::now();
        self.phases.push((name, now - *since));
        *since = now;
    }

    pub fn add(&mut self, name: &'static str, d: Duration) {
        self.phases.push((name, d));
    }

    pub fn print(&self) {
        for (name, d) in &self.phases {
            eprintln!("  {name:<10} {:>8.1} ms", d.as_secs_f64() * 1000.0);
        }
    }
}

/// A successful run.
pub struct Compiled {
    pub issue: Issue,
    pub document: PagedDocument,
    /// The photos the layout saw as proxies; their originals go into the
    /// print PDF.
    pub proxies: Vec<Arc<Proxy>>,
    pub folio_warnings: Vec<Diag>,
    pub typst_warnings: Vec<SourceDiagnostic>,
    pub timings: Timings,
}

impl Compiled {
    pub fn warning_count(&self) -> usize {
        let infos = self
            .folio_warnings
            .iter()
            .filter(|d| d.severity == crate::error::Severity::Info)
            .count();
        self.folio_warnings.len() - infos + self.typst_warnings.len()
    }
}

/// How to build, from the command line; the same for every command that
/// builds (compile, watch, preview, preflight). Settings here win over the
/// manifest's.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// Where fonts come from.
    pub fonts: FontOptions,
    /// `--layout-dir`: a folder of layouts searched after the issue's own.
    pub layout_dir: Option<PathBuf>,
    /// `--marks`: print crop marks and the slug line.
    pub marks: bool,
    /// The PDF standards typst-pdf enforces (PDF/X-4 asks for PDF/A-2b,
    /// whose rules it shares, see [`BuildConfig::pdfx`]).
    pub standards: Vec<PdfStandard>,
    /// `--standard x-4`: the PDF is made PDF/X-4 after export.
    pub pdfx: bool,
    /// `--edition`: the print PDF or the light screen PDF.
    pub edition: Edition,
    /// `--timeout`: the longest a layout may run.
    pub timeout: Duration,
    /// `--strict`: preflight errors fail the build.
    pub strict: bool,
    /// Text must keep this distance from the trim (preflight), in mm.
    pub safe_mm: f64,
    /// Run the preflight after export (`watch` skips it to stay fast).
    pub preflight: bool,
    /// Flush the written PDF to disk before returning (`watch` skips it:
    /// the write stays atomic, and the next save writes it again).
    pub durable: bool,
    /// The issue is rebuilt after each save (`watch`): the layout is told,
    /// and may keep more of its work from one build to the next.
    pub incremental: bool,
}

impl Default for BuildConfig {
    fn default() -> Self {
        Self {
            fonts: FontOptions::default(),
            layout_dir: None,
            marks: false,
            standards: Vec::new(),
            pdfx: false,
            edition: Edition::Print,
            timeout: Duration::from_secs(300),
            strict: false,
            safe_mm: 4.0,
            preflight: true,
            durable: true,
            incremental: false,
        }
    }
}

/// Which PDF to make.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Edition {
    /// For the print shop: bleed, boxes, photos untouched.
    #[default]
    Print,
    /// For e-mail and WeChat: no bleed or marks, photos at 150 ppi.
    Screen,
}

impl BuildConfig {
    fn apply(&self, issue: &mut Issue) {
        if self.marks {
            issue.print.marks = true;
        }
        issue.print.pdfx = self.pdfx;
        issue.print.incremental = self.incremental;
        if self.edition == Edition::Screen {
            issue.print.bleed_mm = 0.0;
            issue.print.marks = false;
            issue.print.binding = model::Binding::None;
            issue.print.screen = true;
        }
        if self.strict {
            issue.print.strict = true;
        }
    }

    fn pdf_standards(&self) -> Result<PdfStandards, Error> {
        PdfStandards::new(&self.standards).map_err(|e| Error::Usage(e.message().to_string()))
    }
}

/// A built PDF: the run, the file's bytes and where they went, and the
/// preflight report (print edition only).
pub struct Built {
    pub compiled: Compiled,
    pub pdf: Vec<u8>,
    pub out: Option<PathBuf>,
    pub preflight: Option<preflight::Report>,
}

impl Built {
    /// The one summary line of a build, e.g. `wrote issue.pdf (24 pages,
    /// 11.3 MB) in 1.02 s; preflight: 0 errors, 0 warnings`.
    pub fn summary(&self, verb: &str, time: &str) -> String {
        let c = &self.compiled;
        let pages = c.document.pages().len();
        let blanks = match c.issue.print.binding {
            model::Binding::Saddle => preflight::blank_pages(&c.document),
            _ => 0,
        };
        let blank_note = match blanks {
            0 => String::new(),
            1 => ", 1 blank page added for saddle stitching".into(),
            n => format!(", {n} blank pages added for saddle stitching"),
        };
        let warn_note = match c.warning_count() {
            0 => String::new(),
            1 => ", 1 warning".into(),
            n => format!(", {n} warnings"),
        };
        let target = self
            .out
            .as_deref()
            .map(display_path)
            .unwrap_or_else(|| "the PDF (not written)".into());
        let preflight = self
            .preflight
            .as_ref()
            .map(|r| format!("; {}", r.summary()))
            .unwrap_or_default();
        format!(
            "folio: {verb} {target} ({pages} pages{blank_note}, {:.1} MB) in {time}{warn_note}{preflight}",
            self.pdf.len() as f64 / 1_000_000.0,
        )
    }
}

/// Long-lived state of a command: resources, fonts and the world.
pub struct Session {
    pub resources: Resources,
    pub config: BuildConfig,
    printer: Printer,
    /// The fonts, discovered once; moved into the world by the first run.
    fonts: FontsOrWorld,
    prefetch: Prefetcher,
    proxies: Proxies,
}

/// Where the fonts are: alone before the first run, in the world after.
enum FontsOrWorld {
    Fonts(FontStore),
    World(Box<FolioWorld>),
    /// Only while the first world is being made.
    Moving,
}

impl Session {
    /// Finds folio's resources and discovers the fonts (once).
    pub fn new(config: BuildConfig, printer: Printer) -> Result<Self, Error> {
        let resources = Resources::find(config.layout_dir.as_deref())?;
        let mut opts = config.fonts.clone();
        opts.bundled = Some(resources.fonts()?.to_path_buf());
        let fonts = world::discover_fonts(&opts);
        Ok(Self {
            resources,
            config,
            printer,
            fonts: FontsOrWorld::Fonts(fonts),
            prefetch: Prefetcher::default(),
            proxies: Proxies::default(),
        })
    }

    /// The world of the last run, for printing its diagnostics.
    pub fn world(&self) -> Option<&FolioWorld> {
        match &self.fonts {
            FontsOrWorld::World(w) => Some(w),
            _ => None,
        }
    }

    /// The real files the last run read through the world (for watching).
    pub fn dependencies(&mut self) -> Vec<PathBuf> {
        match &mut self.fonts {
            FontsOrWorld::World(w) => w.dependencies(),
            _ => Vec::new(),
        }
    }

    /// The fonts a compile uses.
    pub fn fonts(&self) -> &FontStore {
        match &self.fonts {
            FontsOrWorld::Fonts(f) => f,
            FontsOrWorld::World(w) => w.fonts(),
            FontsOrWorld::Moving => panic!("the fonts are being moved into the world"),
        }
    }

    /// Runs the pipeline once.
    pub fn compile_once(&mut self, manifest_path: &Path) -> Result<Compiled, Error> {
        let mut timings = Timings::default();
        let mut t = Instant::now();
        let loaded = manifest::load(manifest_path)?;
        timings.lap("manifest", &mut t);
        let mut issue = model::check(&loaded, &self.resources)?;
        self.config.apply(&mut issue);
        timings.lap("check", &mut t);
        let converted = content::convert(&issue)?;
        // The photos Markdown places are inputs too (preflight names them,
        // the screen edition resamples them, `-o` may not overwrite them).
        for p in &converted.photos {
            if !issue.inputs.contains(p) {
                issue.inputs.push(p.clone());
            }
        }
        let data = converted.to_json();
        timings.lap("content", &mut t);

        if let FontsOrWorld::Fonts(_) = &self.fonts
            && let FontsOrWorld::Fonts(fonts) =
                std::mem::replace(&mut self.fonts, FontsOrWorld::Moving)
        {
            self.fonts = FontsOrWorld::World(Box::new(FolioWorld::new(
                fonts,
                &self.resources.library,
                &issue.layout,
                &issue.root,
            )));
        }
        let FontsOrWorld::World(world) = &mut self.fonts else {
            unreachable!("the world was made above")
        };
        world.update(&issue.layout, &issue.root, data, issue.meta.date)?;
        world.set_memory_files(&converted.memory);
        let mut folio_warnings = issue.warnings.clone();
        folio_warnings.extend(converted.warnings);
        folio_warnings.extend(glyphs::check_glyphs(&issue, world.fonts().book()));
        timings.lap("world", &mut t);

        // The print edition lays out JPEG photos as proxies; the screen
        // edition resamples the photos it places, from the originals.
        let proxies = match self.config.edition {
            Edition::Print => self
                .proxies
                .prepare(&converted.photos, &issue.root.join(proxy::CACHE_DIR)),
            Edition::Screen => Vec::new(),
        };
        timings.lap("proxies", &mut t);
        world.replace_files(
            proxies
                .iter()
                .map(|p| (p.path.clone(), p.bytes.clone()))
                .collect(),
        );
        // Photos without a proxy are decoded on a spare core while the
        // layout runs.
        let rest: Vec<PathBuf> = converted
            .photos
            .iter()
            .filter(|path| !proxies.iter().any(|p| p.path == **path))
            .cloned()
            .collect();
        let _prefetch = self.prefetch.start(&rest);
        let limit = self.config.timeout;
        let (mut document, mut typst_warnings) =
            deadline::run(limit, &self.printer, || document::layout(world))?;
        timings.lap("layout", &mut t);
        if self.config.edition == Edition::Screen {
            let light = screen::downsample(&issue, &document)?;
            timings.lap("downsample", &mut t);
            if !light.is_empty() {
                world.replace_files(light);
                (document, typst_warnings) =
                    deadline::run(limit, &self.printer, || document::layout(world))?;
                timings.lap("relayout", &mut t);
            }
        }
        Ok(Compiled {
            issue,
            document,
            proxies,
            folio_warnings,
            typst_warnings,
            timings,
        })
    }

    /// Prints a run's warnings.
    pub fn print_warnings(&self, compiled: &Compiled) {
        for d in &compiled.folio_warnings {
            self.printer.diag(d);
        }
        if let Some(world) = self.world() {
            self.printer.typst(world, compiled.typst_warnings.iter());
        }
    }

    /// Prints an error of the last run that does not end the command (a
    /// broken save in `watch`); errors that end it are printed by `main`.
    pub fn print_error(&self, err: &Error) {
        self.printer.error(err, self.world().map(|w| w as _));
    }

    /// The whole build: lays out the issue ([`Session::compile_once`]),
    /// prints its warnings, calls `laid_out` (the live preview shows the
    /// pages while the PDF is made), exports the PDF as the configuration
    /// says, writes it atomically to `out` (if given), and runs the
    /// preflight on the print edition, printing every finding. With
    /// `--strict` (or `[print] strict`), preflight errors fail the build
    /// after the PDF is written.
    pub fn build(
        &mut self,
        manifest_path: &Path,
        out: Option<&Path>,
        laid_out: &mut dyn FnMut(&mut Compiled),
    ) -> Result<Built, Error> {
        let mut compiled = self.compile_once(manifest_path)?;
        self.print_warnings(&compiled);
        if let Some(out) = out {
            output::check_not_input(out, &compiled.issue.inputs)?;
        }
        laid_out(&mut compiled);
        // A one-shot build of a long document lays out no more: its
        // memoised layout work is dropped while the PDF is made (waited for
        // when `_releasing` drops). Not for an issue of ordinary length,
        // where it costs more time than the memory is worth (see
        // `memory::RELEASE_FROM_PAGES`).
        let long = compiled.document.pages().len() >= memory::RELEASE_FROM_PAGES;
        let _releasing = (!self.config.incremental && long).then(memory::release_caches);

        let t = Instant::now();
        let standards = self.config.pdf_standards()?;
        let pdf = pdf::export_with(
            &compiled.document,
            &compiled.issue,
            standards,
            self.config.pdfx,
            &compiled.proxies,
        )?;
        compiled.timings.add("pdf", t.elapsed());
        if let Some(out) = out {
            let t = Instant::now();
            output::write_atomic_as(out, &pdf, self.config.durable)?;
            compiled.timings.add("write", t.elapsed());
        }

        // Preflight is about print; the screen edition has no bleed or boxes.
        let preflight = match self.config.edition {
            Edition::Print if self.config.preflight => {
                let t = Instant::now();
                let options = preflight::Options {
                    safe_mm: self.config.safe_mm,
                    proxies: compiled.proxies.clone(),
                };
                let report = preflight::check(&compiled.issue, &compiled.document, &pdf, &options);
                compiled.timings.add("preflight", t.elapsed());
                Some(report)
            }
            _ => None,
        };
        Ok(Built {
            compiled,
            pdf,
            out: out.map(Path::to_path_buf),
            preflight,
        })
    }

    /// Prints every finding of a build's preflight, as `folio preflight`
    /// does, and fails a strict build that has errors.
    pub fn report_preflight(&self, built: &Built) -> Result<(), Error> {
        let Some(report) = &built.preflight else {
            return Ok(());
        };
        let findings = report.findings_human();
        if !findings.is_empty() {
            eprint!("{findings}");
        }
        if built.compiled.issue.print.strict && report.has_errors() {
            return Err(Error::plain(format!(
                "{}; the build is strict, so this counts as a failure (the PDF was written)",
                report.summary()
            ))
            .with_hint(
                "fix the errors above, or drop --strict / `[print] strict = true` to only warn",
            ));
        }
        Ok(())
    }
}

/// The default output path: the manifest's stem beside it.
pub fn default_output(manifest: &Path, ext: &str) -> PathBuf {
    let stem = manifest
        .file_stem()
        .map(|s| s.to_os_string())
        .unwrap_or_else(|| "issue".into());
    let mut name = stem;
    name.push(".");
    name.push(ext);
    manifest.with_file_name(name)
}
