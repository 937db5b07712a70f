//! `folio convert x.docx [-o DIR]`: a Word article as Markdown, for editors
//! who go on in Markdown. Writes `DIR/x.md` and the pictures as
//! `DIR/x-1.jpg`, `DIR/x-2.png`, … (named after the article, in reading
//! order), and prints the manifest keys the file supplies. Compiling the
//! Markdown with those keys gives the same pages as compiling the .docx.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::cli::ConvertArgs;
use crate::error::{Diag, Error, Location, Printer, display_path};
use crate::pipeline::docx;
use crate::pipeline::to_markdown::to_markdown;
use crate::pipeline::tree::visit_figures;

pub fn run(args: &ConvertArgs, printer: &Printer) -> Result<(), Error> {
    let path = &args.docx;
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, "cannot read the Word file", e))?
        .len();
    let fail = |e: docx::DocxError| Error::file(path, e.to_string()).with_hint(e.hint());
    if size > docx::MAX_DOCX_BYTES {
        return Err(fail(docx::DocxError::TooLarge(size)));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read the Word file", e))?;
    let article = docx::read(&bytes, "/docx").map_err(fail)?;
    for w in &article.warnings {
        printer.diag(&Diag::warning(Some(Location::file(path)), w.clone()));
    }

    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "article".into());
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
    };

    // The pictures in reading order, each named once.
    let mut names: HashMap<String, String> = HashMap::new();
    let mut files: Vec<(PathBuf, &[u8])> = Vec::new();
    visit_figures(&article.blocks, &mut |f| {
        if names.contains_key(&f.src) {
            return;
        }
        if let Some(p) = article.pictures.iter().find(|p| p.src == f.src) {
            let name = format!("{stem}-{}.{}", names.len() + 1, p.ext);
            files.push((dir.join(&name), &p.bytes));
            names.insert(f.src.clone(), name);
        }
    });
    let md = to_markdown(&article.blocks, &|src| {
        names.get(src).cloned().unwrap_or_default()
    });
    let md_path = dir.join(format!("{stem}.md"));
    files.insert(0, (md_path.clone(), md.as_bytes()));

    if let Some((taken, _)) = files.iter().find(|(p, _)| p.exists()) {
        return Err(Error::file(
            taken,
            "the file exists; folio convert does not overwrite files",
        )
        .with_hint("remove it, or write elsewhere with -o DIR"));
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "cannot create the folder", e))?;
    for (p, data) in &files {
        std::fs::write(p, data).map_err(|e| Error::io(p, "cannot write", e))?;
    }
    eprintln!(
        "folio: wrote {} and {} photo(s)",
        display_path(&md_path),
        files.len() - 1
    );
    // The keys for the manifest: what the file supplied.
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    println!("[[section.article]]");
    match &article.title {
        Some(t) => println!("title = {}", quote(t)),
        None => println!("title = \"\"  # the Word file has no title: write it here"),
    }
    if let Some(a) = &article.author {
        println!("author = {}", quote(a));
    }
    if let Some(u) = &article.unit {
        println!("unit = {}", quote(u));
    }
    println!("body = {}", quote(&display_path(&md_path)));
    Ok(())
}
