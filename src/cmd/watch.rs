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

use typst_kit::diagnostics::{self, DiagnosticFormat};
use typst_kit::watcher::Watcher;

use crate::build::{self, Built, Session};
use crate::cli::{CommonArgs, WatchArgs};
use crate::engine::filecache::Stamp;
use crate::engine::world::FolioWorld;
use crate::error::{Error, Printer, display_path};
use crate::pipeline::manifest;
use crate::serve::live::{LivePreview, Status};

pub fn run(
    args: &WatchArgs,
    common: &CommonArgs,
    printer: &Printer,
    slot: &mut Option<Session>,
) -> Result<(), Error> {
    let manifest = std::path::absolute(&args.issue)
        .map_err(|e| Error::io(&args.issue, "cannot find the manifest", e))?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| build::default_output(&args.issue, "pdf"));
    let mut config = args.build.config(common)?;
    // Preflight is for the finished issue (`folio compile`); a rebuild
    // after each save skips it to stay fast.
    config.preflight = false;
    // Each rebuild is written atomically but not flushed to disk.
    config.durable = false;
    // The layout may keep more of its work from one rebuild to the next.
    config.incremental = true;
    let session = slot.insert(Session::new(config, printer.clone())?);
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
        match rebuild(session, &args.issue, &out, live.as_mut(), start) {
            Ok(built) => {
                let verb = if first { "wrote" } else { "rebuilt" };
                let millis = format!("{:.0} ms", start.elapsed().as_secs_f64() * 1000.0);
                eprintln!("{}", built.summary(verb, &millis));
                if args.timings {
                    built.compiled.timings.print();
                }
                let issue = built.compiled.issue;
                known = issue.inputs.into_iter().collect();
                // A built-in layout has no files to watch.
                if let Some(dir) = issue.layout.dir() {
                    known.extend(layout_files(dir));
                }
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
                session.print_error(&err);
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
            replaced
                || stamp
                    .and_then(|s| s.modified)
                    .is_some_and(|m| m > started && m <= now)
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

fn stamp(path: &Path) -> Option<Stamp> {
    Stamp::of_path(path)
}

/// One rebuild: the shared build step, with the live preview shown as
/// soon as the pages are laid out (before the PDF is written).
fn rebuild(
    session: &mut Session,
    manifest: &Path,
    out: &Path,
    mut live: Option<&mut LivePreview>,
    start: Instant,
) -> Result<Built, Error> {
    session.build(manifest, Some(out), &mut |compiled| {
        if let Some(live) = live.as_mut() {
            let t = Instant::now();
            let meta = &compiled.issue.meta;
            let title = format!("{} {}", meta.magazine, meta.number);
            live.show(
                &compiled.document,
                &title,
                Status::Built {
                    millis: start.elapsed().as_secs_f64() * 1000.0,
                    warnings: compiled.warning_count(),
                },
            );
            compiled.timings.add("preview", t.elapsed());
        }
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
