//! `folio watch`: compile, then recompile on every change to the manifest,
//! an article, a photo or a layout file, with `--serve` a live preview in
//! the browser.
//!
//! One [`Session`] (and so one Typst world) lives for the whole watch:
//! after a change the world's files are reset and reloaded on demand, and
//! Typst's memoisation reuses everything the change did not touch. What to
//! watch comes from the last run: the manifest, every input the checked
//! issue lists, every file Typst read, and the layout folder's files. A
//! broken edit prints its errors and leaves the last good PDF in place; the
//! next good save recovers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::time::{Instant, SystemTime};

use clap::Args;
use typst_kit::diagnostics::{self, DiagnosticFormat};
use typst_kit::watcher::Watcher;
use typst_pdf::PdfStandards;

use crate::cli::CommonArgs;
use crate::error::{Error, Printer, display_path};
use crate::live::{LivePreview, Status};
use crate::manifest;
use crate::output;
use crate::pdf;
use crate::session::{self, Compiled, Session};
use crate::world::FolioWorld;

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
    /// Print the time of each phase of every build.
    #[arg(long)]
    pub timings: bool,
}

fn parse_ppi(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if !(18.0..=600.0).contains(&v) {
        return Err("choose a resolution between 18 and 600 ppi".into());
    }
    Ok(v)
}

pub fn run(args: &WatchArgs, common: &CommonArgs, printer: &Printer) -> Result<(), Error> {
    let result = watch(args, common, printer);
    if let Err(err) = &result {
        printer.error(err, None);
    }
    result
}

fn watch(args: &WatchArgs, common: &CommonArgs, printer: &Printer) -> Result<(), Error> {
    let manifest = std::path::absolute(&args.issue)
        .map_err(|e| Error::io(&args.issue, "cannot find the manifest", e))?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| session::default_output(&args.issue, "pdf"));
    let mut session = Session::new(&common.font_options())?;
    let mut watcher = Watcher::new(Some(std::path::absolute(&out).unwrap_or(out.clone())))
        .map_err(|e| Error::plain(format!("cannot watch files: {e}")))?;
    let mut live = match args.serve {
        true => Some(LivePreview::start(
            args.port,
            args.ppi,
            &display_path(&args.issue),
        )?),
        false => None,
    };
    eprintln!(
        "folio: watching {} (Ctrl-C to stop)",
        display_path(&args.issue)
    );
    if let Some(live) = &live {
        eprintln!("folio: preview at http://{}/", live.addr());
    }

    // What the last good run read; kept while a broken edit stops a run
    // before it knows its inputs.
    let mut known: BTreeSet<PathBuf> = BTreeSet::new();
    let mut first = true;
    loop {
        let start = Instant::now();
        let started = SystemTime::now();
        let mut before: BTreeMap<PathBuf, Option<Stamp>> =
            known.iter().map(|p| (p.clone(), stamp(p))).collect();
        before.insert(manifest.clone(), stamp(&manifest));
        match build(&mut session, args, &out, printer, live.as_mut(), start) {
            Ok(outcome) => {
                let verb = if first { "wrote" } else { "rebuilt" };
                eprintln!(
                    "folio: {verb} {} ({} pages{}) in {:.0} ms",
                    display_path(&out),
                    outcome.pages,
                    match outcome.warnings {
                        0 => String::new(),
                        1 => ", 1 warning".into(),
                        n => format!(", {n} warnings"),
                    },
                    outcome.millis
                );
                if args.timings {
                    outcome.timings.print();
                }
                known = outcome.inputs.into_iter().collect();
                known.extend(layout_files(&outcome.layout_dir));
            }
            Err(err) => {
                // The files the manifest names (one may be missing) and the
                // file the error names are watched too, so that creating
                // the missing one starts a rebuild. Their state is taken
                // now, before anything is printed that could prompt a fix.
                let mut extra = named_in_manifest(&manifest);
                if let Error::Content(diag) = &err
                    && let Some(loc) = &diag.location
                    && let Ok(path) = std::path::absolute(&loc.path)
                {
                    extra.push(path);
                }
                for path in extra {
                    before.entry(path.clone()).or_insert_with(|| stamp(&path));
                    known.insert(path);
                }
                session.print_error(printer, &err);
                if let Some(live) = live.as_mut() {
                    live.show_error(&short_text(&err, session.world()));
                }
                let kept = if out.exists() {
                    format!("{} still holds the last good build", display_path(&out))
                } else {
                    "no PDF written yet".into()
                };
                eprintln!(
                    "folio: failed after {:.0} ms; {kept}. Fix the error and save again.",
                    start.elapsed().as_secs_f64() * 1000.0
                );
            }
        }
        first = false;

        let mut watched = known.clone();
        watched.insert(manifest.clone());
        watched.extend(session.dependencies());
        watcher
            .update(watched.iter().cloned())
            .map_err(|e| Error::plain(format!("cannot watch the issue's files: {e}")))?;
        // A file saved while the build ran (a new file renamed over it, or
        // a missing file created) changed before it was watched again: look
        // at it directly (after `update`, so that a later save is seen by
        // the watcher).
        // (A modification time in the future, from another machine's
        // clock, is left to the watcher.)
        let now = SystemTime::now();
        let missed = watched.iter().any(|p| {
            let stamp = stamp(p);
            let replaced = before.get(p).is_some_and(|b| *b != stamp);
            replaced || stamp.is_some_and(|s| s.modified > started && s.modified <= now)
        });
        // Forget what older runs cached and this one did not use.
        typst::comemo::evict(10);
        if !missed {
            watcher
                .wait()
                .map_err(|e| Error::plain(format!("cannot watch the issue's files: {e}")))?;
        }
    }
}

/// The files a manifest names, if it can be read: its articles and photos.
fn named_in_manifest(path: &Path) -> Vec<PathBuf> {
    let Ok(loaded) = manifest::load(path) else {
        return Vec::new();
    };
    let m = &loaded.manifest;
    let mut names: Vec<&str> = Vec::new();
    if let Some(photo) = &m.cover.photo {
        names.push(photo.get_ref());
    }
    for article in m.sections.iter().flat_map(|s| &s.articles) {
        if let Some(body) = &article.body {
            names.push(body.get_ref());
        }
        let photos = article
            .lead
            .iter()
            .chain(&article.figures)
            .chain(&article.photos);
        names.extend(photos.map(|p| p.file.get_ref().as_str()));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    names
        .into_iter()
        .map(Path::new)
        .filter(|p| p.components().all(|c| matches!(c, Component::Normal(_))))
        .map(|p| dir.join(p))
        .collect()
}

/// What identifies a file's state: its inode, size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    inode: u64,
    len: u64,
    modified: SystemTime,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some(Stamp {
        inode,
        len: meta.len(),
        modified: meta.modified().ok()?,
    })
}

/// What a good build reports.
struct Outcome {
    pages: usize,
    warnings: usize,
    millis: f64,
    timings: session::Timings,
    inputs: Vec<PathBuf>,
    layout_dir: PathBuf,
}

fn build(
    session: &mut Session,
    args: &WatchArgs,
    out: &Path,
    printer: &Printer,
    live: Option<&mut LivePreview>,
    start: Instant,
) -> Result<Outcome, Error> {
    let mut compiled: Compiled = session.compile_once(&args.issue)?;
    session.print_warnings(printer, &compiled);
    output::check_not_input(out, &compiled.issue.inputs)?;
    let warnings = compiled.warning_count();

    // The browser first: it shows the new pages while the PDF is written.
    if let Some(live) = live {
        let t = Instant::now();
        let meta = &compiled.issue.meta;
        let title = format!("{} {}", meta.magazine, meta.number);
        live.show(
            &compiled.document,
            &title,
            Status::Built {
                millis: start.elapsed().as_secs_f64() * 1000.0,
                warnings,
            },
        );
        compiled.timings.add("preview", t.elapsed());
    }

    let t = Instant::now();
    let bytes = pdf::export(&compiled.document, &compiled.issue, PdfStandards::default())?;
    compiled.timings.add("pdf", t.elapsed());
    let t = Instant::now();
    output::write_atomic(out, &bytes)?;
    compiled.timings.add("write", t.elapsed());

    Ok(Outcome {
        pages: compiled.document.pages().len(),
        warnings,
        millis: start.elapsed().as_secs_f64() * 1000.0,
        timings: compiled.timings,
        inputs: compiled.issue.inputs,
        layout_dir: compiled.issue.layout_dir,
    })
}

/// The files of a layout folder (two levels deep), so that editing any of
/// them starts a rebuild even before Typst has read it.
fn layout_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_file() {
                files.push(entry.path());
            } else if kind.is_dir() && depth < 2 {
                dirs.push((entry.path(), depth + 1));
            }
            if files.len() > 500 {
                return files;
            }
        }
    }
    files
}

/// An error in one line per diagnostic, for the preview page's banner.
fn short_text(err: &Error, world: Option<&FolioWorld>) -> String {
    match err {
        Error::Usage(msg) => format!("error: {msg}"),
        Error::Reported => "error: see the terminal".into(),
        Error::Content(diag) => match &diag.location {
            Some(loc) => format!("{loc}: error: {}", diag.message),
            None => format!("error: {}", diag.message),
        },
        Error::Typst(diags) => {
            let Some(world) = world else {
                return diags
                    .iter()
                    .map(|d| format!("error: {}", d.message))
                    .collect::<Vec<_>>()
                    .join("\n");
            };
            let mut buf = diagnostics::termcolor::NoColor::new(Vec::new());
            let _ = diagnostics::emit(&mut buf, world, diags.iter(), DiagnosticFormat::Short);
            String::from_utf8_lossy(&buf.into_inner())
                .trim_end()
                .to_string()
        }
    }
}
