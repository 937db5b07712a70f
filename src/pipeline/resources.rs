//! Where folio's own files come from.
//!
//! **Layouts.** `default`, `report` and the shared library `_folio` are
//! compiled into the program (`build.rs` lists every file below `layouts/`).
//! A layout named in a manifest is taken from the first of: the issue's own
//! `layouts/NAME/`; `--layout-dir DIR`; `$FOLIO_HOME/layouts/`; the source
//! tree's `layouts/` when the program runs from a checkout's `target/` (so
//! that a designer sees layout edits without a rebuild); the built-in ones.
//!
//! **Fonts** are files (95 MB), found in the first of: `$FOLIO_HOME/fonts`;
//! `fonts/` beside the program (the unpacked release archive) or
//! `../share/folio/fonts` from it; the checkout the program runs from; the
//! user's data folder (where `folio fonts install` puts them); the source
//! tree the program was built from. Without them nothing compiles, and the
//! error says how to get them.

use std::path::{Path, PathBuf};

use crate::error::{Error, display_path};

mod table {
    include!(concat!(env!("OUT_DIR"), "/builtin_layouts.rs"));
}

/// The folder of folio's Typst library for layouts.
pub const LIBRARY: &str = "_folio";

/// A built-in file: `path` (relative, with `/`) in the built-in `folder`.
pub fn builtin_file(folder: &str, path: &str) -> Option<&'static [u8]> {
    table::FILES
        .iter()
        .find(|(f, p, _)| *f == folder && *p == path)
        .map(|(_, _, bytes)| *bytes)
}

/// The files of a built-in folder: (path inside it, contents), sorted.
pub fn builtin_files(folder: &str) -> impl Iterator<Item = (&'static str, &'static [u8])> + '_ {
    table::FILES
        .iter()
        .filter(move |(f, _, _)| *f == folder)
        .map(|(_, p, b)| (*p, *b))
}

/// The built-in layout of this name, if there is one.
pub fn builtin_layout(name: &str) -> Option<&'static str> {
    table::FILES
        .iter()
        .find(|(f, p, _)| *f == name && *p == "main.typ" && !f.starts_with('_'))
        .map(|(f, _, _)| *f)
}

/// The names of the built-in layouts, sorted.
pub fn builtin_layouts() -> Vec<&'static str> {
    let mut names: Vec<&str> = table::FILES
        .iter()
        .filter_map(|(f, _, _)| builtin_layout(f))
        .collect();
    names.dedup();
    names
}

/// Where the files of a layout (or of the library) are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutFiles {
    /// A folder on disk (canonical).
    Dir(PathBuf),
    /// Compiled into folio: the folder's name under `layouts/`.
    Builtin(&'static str),
}

impl LayoutFiles {
    /// The folder on disk, if the files are there.
    pub fn dir(&self) -> Option<&Path> {
        match self {
            LayoutFiles::Dir(d) => Some(d),
            LayoutFiles::Builtin(_) => None,
        }
    }

    /// For messages: the folder, or `layouts/NAME (built into folio)`.
    pub fn describe(&self) -> String {
        match self {
            LayoutFiles::Dir(d) => display_path(d),
            LayoutFiles::Builtin(name) => format!("layouts/{name} (built into folio)"),
        }
    }
}

/// Where a layout was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The issue's own `layouts/` folder.
    Issue,
    /// `--layout-dir DIR`.
    LayoutDir,
    /// `$FOLIO_HOME/layouts`.
    FolioHome,
    /// The source tree the program runs from.
    Checkout,
    /// Compiled into folio.
    Builtin,
}

impl Origin {
    pub fn describe(self) -> &'static str {
        match self {
            Origin::Issue => "the issue's own layouts/",
            Origin::LayoutDir => "--layout-dir",
            Origin::FolioHome => "$FOLIO_HOME/layouts",
            Origin::Checkout => "the source tree folio runs from",
            Origin::Builtin => "built into folio",
        }
    }
}

/// One layout that can be chosen, for `folio layouts`.
#[derive(Debug, Clone)]
pub struct LayoutEntry {
    pub name: String,
    pub origin: Origin,
    pub files: LayoutFiles,
    /// Where else a layout of the same name is, hidden by this one.
    pub hides: Vec<Origin>,
}

/// folio's layouts and fonts, as found for this run.
#[derive(Debug, Clone)]
pub struct Resources {
    /// Folders holding layouts, searched in this order after the issue's
    /// own and before the built-in ones.
    pub layout_dirs: Vec<(Origin, PathBuf)>,
    /// folio's Typst library for layouts (`/_folio/…`).
    pub library: LayoutFiles,
    /// folio's fonts folder, or the places looked in.
    pub fonts: Result<PathBuf, Vec<PathBuf>>,
}

impl Resources {
    /// Finds the layout folders (with `--layout-dir`, if given), the library
    /// and the fonts. Only a `--layout-dir` that is not a folder is an
    /// error here; missing fonts are an error when they are needed
    /// ([`Resources::fonts`]).
    pub fn find(layout_dir: Option<&Path>) -> Result<Self, Error> {
        let home = std::env::var_os("FOLIO_HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        let exe = std::env::current_exe().and_then(|p| p.canonicalize()).ok();
        let checkout = exe.as_deref().and_then(checkout_of);

        let mut layout_dirs = Vec::new();
        if let Some(dir) = layout_dir {
            if !dir.is_dir() {
                return Err(Error::Usage(format!(
                    "--layout-dir {}: no such folder",
                    display_path(dir)
                )));
            }
            layout_dirs.push((Origin::LayoutDir, canonical(dir)));
        }
        if let Some(home) = &home {
            let d = home.join("layouts");
            if d.is_dir() {
                layout_dirs.push((Origin::FolioHome, canonical(&d)));
            }
        }
        if let Some(c) = &checkout {
            layout_dirs.push((Origin::Checkout, c.join("layouts")));
        }
        let library = layout_dirs
            .iter()
            .filter(|(o, _)| *o != Origin::LayoutDir)
            .map(|(_, d)| d.join(LIBRARY))
            .find(|d| d.is_dir())
            .map(LayoutFiles::Dir)
            .unwrap_or(LayoutFiles::Builtin(LIBRARY));

        let mut font_dirs = Vec::new();
        if let Some(home) = &home {
            font_dirs.push(home.join("fonts"));
        }
        if let Some(dir) = exe.as_deref().and_then(Path::parent) {
            font_dirs.push(dir.join("fonts"));
            if let Some(prefix) = dir.parent() {
                font_dirs.push(prefix.join("share/folio/fonts"));
            }
        }
        if let Some(c) = &checkout {
            font_dirs.push(c.join("fonts"));
        }
        if let Some(data) = user_data_dir() {
            font_dirs.push(data.join("fonts"));
        }
        font_dirs.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts"));
        font_dirs.dedup();
        let fonts = match font_dirs.iter().find(|d| has_fonts(d)) {
            Some(d) => Ok(canonical(d)),
            None => Err(font_dirs),
        };
        Ok(Self {
            layout_dirs,
            library,
            fonts,
        })
    }

    /// folio's fonts folder, or an error that says how to get the fonts.
    pub fn fonts(&self) -> Result<&Path, Error> {
        match &self.fonts {
            Ok(d) => Ok(d),
            Err(looked) => Err(missing_fonts(looked)),
        }
    }

    /// The layout `name`: the issue's own (below `issue_root`) first, then
    /// the layout folders in order, then the built-in one.
    pub fn layout(&self, issue_root: Option<&Path>, name: &str) -> Option<(Origin, LayoutFiles)> {
        self.candidates(issue_root, name).into_iter().next()
    }

    /// Every place that has a layout `name`, in the order of precedence.
    fn candidates(&self, issue_root: Option<&Path>, name: &str) -> Vec<(Origin, LayoutFiles)> {
        let mut found = Vec::new();
        let own = issue_root.map(|r| (Origin::Issue, r.join("layouts")));
        for (origin, dir) in own.iter().chain(&self.layout_dirs) {
            let d = dir.join(name);
            if d.join("main.typ").is_file() {
                // Not canonical: the caller checks where a symlink leads.
                found.push((*origin, LayoutFiles::Dir(d)));
            }
        }
        if let Some(b) = builtin_layout(name) {
            found.push((Origin::Builtin, LayoutFiles::Builtin(b)));
        }
        found
    }

    /// The names of every layout that can be chosen, sorted.
    pub fn layout_names(&self, issue_root: Option<&Path>) -> Vec<String> {
        self.all_layouts(issue_root)
            .into_iter()
            .map(|e| e.name)
            .collect()
    }

    /// Every layout that can be chosen, with where it comes from and which
    /// layouts of the same name it hides.
    pub fn all_layouts(&self, issue_root: Option<&Path>) -> Vec<LayoutEntry> {
        let own = issue_root.map(|r| r.join("layouts"));
        let mut names: Vec<String> = builtin_layouts().iter().map(|s| s.to_string()).collect();
        for dir in own.iter().chain(self.layout_dirs.iter().map(|(_, d)| d)) {
            names.extend(layouts_in(dir));
        }
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter_map(|name| {
                let mut all = self.candidates(issue_root, &name).into_iter();
                let (origin, files) = all.next()?;
                Some(LayoutEntry {
                    name,
                    origin,
                    files,
                    hides: all.map(|(o, _)| o).collect(),
                })
            })
            .collect()
    }
}

/// The layouts (folders with a `main.typ`, not starting with `_`) in `dir`.
fn layouts_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("main.typ").is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| !n.starts_with('_'))
        .collect()
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// The source tree a program in `target/…/` belongs to: the nearest of its
/// parent folders (up to four up) with folio's `Cargo.toml`, `layouts/`
/// and `fonts/`.
fn checkout_of(exe: &Path) -> Option<PathBuf> {
    exe.ancestors().skip(1).take(4).find_map(|d| {
        let ours = d.join("Cargo.toml").is_file()
            && d.join("layouts").join(LIBRARY).is_dir()
            && d.join("fonts").is_dir()
            && d.join("target").is_dir();
        ours.then(|| d.to_path_buf())
    })
}

/// Whether a folder holds at least one font file.
fn has_fonts(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| is_font_file(&e.path()))
}

/// Whether a path names a font file (by its extension).
pub fn is_font_file(path: &Path) -> bool {
    path.is_file()
        && path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["otf", "ttf", "otc", "ttc"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        })
}

/// folio's folder in the user's data folder: `$XDG_DATA_HOME/folio` or
/// `~/.local/share/folio` (Linux and other Unix systems),
/// `~/Library/Application Support/folio` (macOS), `%APPDATA%\folio`
/// (Windows).
pub fn user_data_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        Some(var("APPDATA")?.join("folio"))
    } else if cfg!(target_os = "macos") {
        Some(var("HOME")?.join("Library/Application Support/folio"))
    } else {
        xdg_data_dir(var("XDG_DATA_HOME"), var("HOME"))
    }
}

/// The XDG rule: `$XDG_DATA_HOME/folio` if that is an absolute path, else
/// `$HOME/.local/share/folio`.
fn xdg_data_dir(xdg: Option<PathBuf>, home: Option<PathBuf>) -> Option<PathBuf> {
    match xdg {
        Some(p) if p.is_absolute() => Some(p.join("folio")),
        _ => Some(home?.join(".local/share/folio")),
    }
}

fn missing_fonts(looked: &[PathBuf]) -> Error {
    let places: Vec<String> = looked.iter().map(|p| display_path(p)).collect();
    let version = env!("CARGO_PKG_VERSION");
    Error::plain(format!(
        "cannot find folio's fonts; looked in: {}",
        places.join(", ")
    ))
    .with_hint(format!(
        "the fonts come with folio's release archive: unpack folio-{version}-x86_64-linux.tar.gz and keep its fonts/ folder beside the folio program"
    ))
    .with_hint(
        "or copy them into your data folder once, from the archive or a source checkout: folio fonts install --from PATH/TO/fonts",
    )
    .with_hint("or set FOLIO_HOME to a folder that holds fonts/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table holds exactly the files below `layouts/`, byte for byte.
    #[test]
    fn the_built_in_layouts_are_the_ones_in_the_tree() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("layouts");
        let mut on_disk = Vec::new();
        fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') || name.ends_with('~') {
                    continue;
                }
                if p.is_dir() {
                    walk(&p, base, out);
                } else if p.parent() != Some(base) {
                    out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
                }
            }
        }
        walk(&root, &root, &mut on_disk);
        on_disk.sort();
        let mut table: Vec<String> = table::FILES
            .iter()
            .map(|(f, p, _)| format!("{f}/{p}"))
            .collect();
        table.sort();
        assert_eq!(table, on_disk);
        for (folder, path, bytes) in table::FILES {
            let disk = std::fs::read(root.join(folder).join(path)).unwrap();
            assert!(disk == *bytes, "{folder}/{path} differs from the tree");
        }
        assert_eq!(builtin_layouts(), layouts_sorted(&root));
        assert!(builtin_file(LIBRARY, "prepress.typ").is_some());
        assert!(builtin_file("default", "no-such-file.typ").is_none());
        assert_eq!(builtin_layout(LIBRARY), None);
    }

    fn layouts_sorted(root: &Path) -> Vec<&'static str> {
        let mut names = layouts_in(root);
        names.sort();
        names
            .into_iter()
            .map(|n| builtin_layout(&n).expect("a built-in layout"))
            .collect()
    }

    #[test]
    fn data_folder_follows_xdg() {
        let p = |s: &str| Some(PathBuf::from(s));
        assert_eq!(xdg_data_dir(p("/data"), p("/home/a")), p("/data/folio"));
        assert_eq!(
            xdg_data_dir(p("relative"), p("/home/a")),
            p("/home/a/.local/share/folio")
        );
        assert_eq!(
            xdg_data_dir(None, p("/home/a")),
            p("/home/a/.local/share/folio")
        );
        assert_eq!(xdg_data_dir(None, None), None);
    }

    #[test]
    fn missing_fonts_say_how_to_get_them() {
        let e = missing_fonts(&[PathBuf::from("/nowhere/fonts")]);
        let text = format!("{e:?}");
        assert!(text.contains("/nowhere/fonts"), "{text}");
        assert!(text.contains("folio fonts install"), "{text}");
        assert!(text.contains("x86_64-linux.tar.gz"), "{text}");
    }
}
