//! `folio layouts`: the layouts an issue can choose, with where each comes
//! from; `folio layouts export NAME DIR` writes one out as the start of a
//! designer's own.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{CommonArgs, LayoutsAction, LayoutsArgs};
use crate::error::{Error, display_path};
use crate::export::output;
use crate::pipeline::resources::{self, LayoutFiles, Origin, Resources};

pub fn run(args: &LayoutsArgs, common: &CommonArgs) -> Result<(), Error> {
    let res = Resources::find(common.layout_dir.as_deref())?;
    match &args.action {
        None => list(&res, args.issue.as_deref()),
        Some(LayoutsAction::Export { name, dir }) => export(&res, name, dir),
    }
}

/// The issue folder whose own layouts count: `--issue`'s, else the
/// current folder if it holds an `issue.toml`.
fn issue_root(issue: Option<&Path>) -> Result<Option<PathBuf>, Error> {
    match issue {
        Some(manifest) => {
            let canonical = manifest
                .canonicalize()
                .map_err(|e| Error::io(manifest, "cannot find the manifest", e))?;
            Ok(canonical.parent().map(Path::to_path_buf))
        }
        None if Path::new("issue.toml").is_file() => Ok(std::env::current_dir().ok()),
        None => Ok(None),
    }
}

fn list(res: &Resources, issue: Option<&Path>) -> Result<(), Error> {
    let root = issue_root(issue)?;
    let entries = res.all_layouts(root.as_deref());
    let width = entries
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(0)
        .max(6);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{:<width$}  FROM", "LAYOUT");
    for e in &entries {
        let from = match &e.files {
            LayoutFiles::Builtin(_) => Origin::Builtin.describe().to_string(),
            LayoutFiles::Dir(d) => format!("{} ({})", display_path(d), e.origin.describe()),
        };
        let overrides = if e.hides.is_empty() {
            String::new()
        } else {
            let list: Vec<&str> = e.hides.iter().map(|o| o.describe()).collect();
            format!("; overrides the one from: {}", list.join(", "))
        };
        let _ = writeln!(out, "{:<width$}  {from}{overrides}", e.name);
    }
    let library = res.library.describe();
    let _ = writeln!(out, "\nlibrary /_folio/: {library}");
    Ok(())
}

fn export(res: &Resources, name: &str, dir: &Path) -> Result<(), Error> {
    let Some((_, files)) = res.layout(None, name) else {
        let known = res.layout_names(None);
        return Err(Error::Usage(format!(
            "there is no layout named `{name}`; layouts available: {}",
            known.join(", ")
        )));
    };
    let contents: Vec<(PathBuf, Vec<u8>)> = match &files {
        LayoutFiles::Builtin(folder) => resources::builtin_files(folder)
            .map(|(p, b)| (PathBuf::from(p), b.to_vec()))
            .collect(),
        LayoutFiles::Dir(d) => read_tree(d)?,
    };
    if dir.exists() && !dir.is_dir() {
        return Err(Error::file(
            dir,
            "cannot export a layout here: it is a file",
        ));
    }
    if let Some((existing, _)) = contents.iter().find(|(p, _)| dir.join(p).exists()) {
        return Err(Error::file(
            &dir.join(existing),
            "already exists; folio layouts export never overwrites a file",
        )
        .with_hint("choose a new folder"));
    }
    for (rel, bytes) in &contents {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(parent, "cannot create the folder", e))?;
        }
        output::write_atomic(&path, bytes)?;
    }
    let folder = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(name)
        .to_string();
    eprintln!(
        "folio: wrote the layout `{name}` ({} files, from {}) to {}",
        contents.len(),
        files.describe(),
        display_path(dir)
    );
    eprintln!(
        "next:  put the folder in an issue's layouts/ (or use --layout-dir) and set layout = \"{folder}\" in issue.toml"
    );
    Ok(())
}

/// Every file below a layout folder (hidden files left out), by relative
/// path, sorted.
fn read_tree(root: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, Error> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| Error::io(&d, "cannot read the layout", e))?;
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.is_file() {
                let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, "cannot read", e))?;
                let rel = path
                    .strip_prefix(root)
                    .expect("below the root")
                    .to_path_buf();
                out.push((rel, bytes));
            }
        }
    }
    out.sort();
    Ok(out)
}
