//! Build script: compiles folio's own layouts into the binary and records
//! the Typst version for `folio --version`.
//!
//! Every file below `layouts/` becomes one entry of a table in
//! `$OUT_DIR/builtin_layouts.rs`: `(folder, path inside it, bytes)`, sorted
//! by folder and path so that the table (and the binary) does not depend on
//! the order in which the file system lists them. `src/engine/builtin.rs`
//! includes the table.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));

    let layouts = root.join("layouts");
    println!("cargo:rerun-if-changed=layouts");
    let mut files = Vec::new();
    collect(&layouts, &layouts, &mut files);
    // By folder, then path: the order of the table does not depend on the
    // order in which the file system lists the files.
    files.sort_by(|a, b| a.split_once('/').cmp(&b.split_once('/')));
    let mut table = String::from(
        "/// folio's own layouts: (folder, path inside it, contents).\n\
         pub static FILES: &[(&str, &str, &[u8])] = &[\n",
    );
    for rel in &files {
        let (folder, inner) = rel.split_once('/').expect("a file inside a layout folder");
        let abs = layouts.join(rel);
        writeln!(
            table,
            "    ({folder:?}, {inner:?}, include_bytes!({:?})),",
            abs.to_str().expect("layout paths are UTF-8")
        )
        .unwrap();
    }
    table.push_str("];\n");
    std::fs::write(out.join("builtin_layouts.rs"), table).expect("write the layout table");

    // `folio --version` names the Typst it embeds: the version of the
    // `typst` package in Cargo.lock.
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let typst = lock
        .split("[[package]]")
        .find_map(|p| {
            let mut lines = p.lines().map(str::trim);
            lines.find(|l| *l == "name = \"typst\"")?;
            let v = lines.find(|l| l.starts_with("version = "))?;
            Some(
                v.trim_start_matches("version = ")
                    .trim_matches('"')
                    .to_string(),
            )
        })
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=FOLIO_TYPST_VERSION={typst}");
}

/// Every regular file below `dir`, as a path relative to `base` with `/`.
/// Hidden files (editor back-ups, `.DS_Store`) are left out.
fn collect(base: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect(base, &path, out);
        } else if kind.is_file() {
            let rel = path.strip_prefix(base).expect("below the base");
            let parts: Vec<&str> = rel
                .components()
                .map(|c| c.as_os_str().to_str().expect("UTF-8"))
                .collect();
            // Files directly in layouts/ (a README) belong to no layout.
            if parts.len() >= 2 {
                out.push(parts.join("/"));
            }
        }
    }
}
