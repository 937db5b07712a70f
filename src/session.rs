//! The pipeline, run once per compile: manifest → checked model → content →
//! world → laid-out document. Shared by every command (compile, watch,
//! preview, …); the world and its fonts outlive a single run, so a rebuild
//! is incremental.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use typst::diag::SourceDiagnostic;
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;

use std::collections::HashMap;

use crate::content;
use crate::document;
use crate::error::{Diag, Error, Printer};
use crate::manifest;
use crate::model::{self, Issue, Resources};
use crate::prefetch::Prefetcher;
use crate::screen;
use crate::world::{self, FolioWorld, FontOptions};

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
    pub folio_warnings: Vec<Diag>,
    pub typst_warnings: Vec<SourceDiagnostic>,
    pub timings: Timings,
}

impl Compiled {
    pub fn warning_count(&self) -> usize {
        self.folio_warnings.len() + self.typst_warnings.len()
    }
}

/// Settings from the command line that win over the manifest.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--marks`: print crop marks and the slug line.
    pub marks: bool,
    /// `--standard x-4`: the PDF is to be PDF/X-4.
    pub pdfx: bool,
    /// `--edition`: the print PDF or the light screen PDF.
    pub edition: Edition,
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

impl Overrides {
    fn apply(&self, issue: &mut Issue) {
        if self.marks {
            issue.print.marks = true;
        }
        issue.print.pdfx = self.pdfx;
        if self.edition == Edition::Screen {
            issue.print.bleed_mm = 0.0;
            issue.print.marks = false;
            issue.print.binding = model::Binding::None;
        }
    }
}

/// Long-lived state of a command: resources, fonts and the world.
pub struct Session {
    pub resources: Resources,
    pub overrides: Overrides,
    fonts: Option<FontStore>,
    world: Option<FolioWorld>,
    prefetch: Prefetcher,
}

impl Session {
    /// Finds folio's resources and discovers the fonts (once).
    pub fn new(font_opts: &FontOptions) -> Result<Self, Error> {
        let resources = Resources::find()?;
        let mut opts = font_opts.clone();
        opts.bundled = Some(resources.fonts.clone());
        let fonts = world::discover_fonts(&opts);
        Ok(Self {
            resources,
            overrides: Overrides::default(),
            fonts: Some(fonts),
            world: None,
            prefetch: Prefetcher::default(),
        })
    }

    /// The world of the last run, for printing its diagnostics.
    pub fn world(&self) -> Option<&FolioWorld> {
        self.world.as_ref()
    }

    /// The real files the last run read through the world (for watching).
    pub fn dependencies(&mut self) -> Vec<PathBuf> {
        self.world
            .as_mut()
            .map(FolioWorld::dependencies)
            .unwrap_or_default()
    }

    /// The fonts a compile uses.
    pub fn fonts(&self) -> &FontStore {
        match (&self.world, &self.fonts) {
            (Some(w), _) => w.fonts(),
            (None, Some(f)) => f,
            (None, None) => unreachable!("fonts live in the session or its world"),
        }
    }

    /// Runs the pipeline once.
    pub fn compile_once(&mut self, manifest_path: &Path) -> Result<Compiled, Error> {
        let mut timings = Timings::default();
        let mut t = Instant::now();
        let loaded = manifest::load(manifest_path)?;
        timings.lap("manifest", &mut t);
        let mut issue = model::check(&loaded, &self.resources)?;
        self.overrides.apply(&mut issue);
        timings.lap("check", &mut t);
        let converted = content::convert(&issue)?;
        let data = serde_json::to_vec(&converted.data).expect("issue data serialises");
        timings.lap("content", &mut t);

        let world = match self.world.take() {
            Some(w) => w,
            None => FolioWorld::new(
                self.fonts.take().expect("fonts"),
                &self.resources.library(),
                &issue.layout_dir,
                &issue.root,
            ),
        };
        let world = self.world.insert(world);
        world.update(&issue.layout_dir, &issue.root, data, issue.meta.date)?;
        let mut folio_warnings = issue.warnings.clone();
        folio_warnings.extend(converted.warnings);
        folio_warnings.extend(document::check_glyphs(&issue, world.fonts().book()));
        timings.lap("world", &mut t);

        world.replace_files(HashMap::new());
        // Photos are decoded on a spare core while the layout runs.
        let _prefetch = self.prefetch.start(&converted.data, &issue.root);
        let (mut document, mut typst_warnings) = document::layout(world)?;
        timings.lap("layout", &mut t);
        if self.overrides.edition == Edition::Screen {
            let light = screen::downsample(&issue, &document)?;
            timings.lap("downsample", &mut t);
            if !light.is_empty() {
                world.replace_files(light);
                (document, typst_warnings) = document::layout(world)?;
                timings.lap("relayout", &mut t);
            }
        }
        Ok(Compiled {
            issue,
            document,
            folio_warnings,
            typst_warnings,
            timings,
        })
    }

    /// Prints a run's warnings.
    pub fn print_warnings(&self, printer: &Printer, compiled: &Compiled) {
        for d in &compiled.folio_warnings {
            printer.diag(d);
        }
        if let Some(world) = &self.world {
            printer.typst(world, compiled.typst_warnings.iter());
        }
    }

    /// Prints an error of the last run.
    pub fn print_error(&self, printer: &Printer, err: &Error) {
        printer.error(err, self.world.as_ref().map(|w| w as _));
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
