//! The floor of folio's benchmark (`bench/run.sh`, BENCHMARKS.md): compiles
//! one plain, hand-written Typst file through the same Typst version, with
//! the same fonts folio uses (its `fonts/` folder and Typst's embedded
//! fonts), and writes the PDF. What this costs is what Typst alone costs; the
//! difference to `folio compile` on the same text is folio's own cost.
//!
//!     cargo run --release --example typst_floor -- FILE.typ OUT.pdf [--timings]
//!
//! Files are read relative to FILE's folder (images). There is no manifest,
//! no content conversion, no glyph check, no prepress and no preflight.

use std::path::{Path, PathBuf};
use std::time::Instant;

use folio::engine::world::{FontOptions, discover_fonts};
use typst::diag::{FileError, FileResult, Warned};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::files::{FileLoader, FileStore, FsRoot};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

struct Loader(FsRoot);

impl FileLoader for Loader {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        if !matches!(id.root(), VirtualRoot::Project) {
            return Err(FileError::AccessDenied);
        }
        self.0.load(id.vpath())
    }
}

struct Plain {
    library: LazyHash<Library>,
    fonts: FontStore,
    files: FileStore<Loader>,
    main: FileId,
}

impl World for Plain {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        self.files.source(id)
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }
    fn today(&self, _: Option<Duration>) -> Option<Datetime> {
        Datetime::from_ymd(2024, 1, 31)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let timings = args.iter().any(|a| a == "--timings");
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let [input, output] = files.as_slice() else {
        eprintln!("usage: typst_floor FILE.typ OUT.pdf [--timings]");
        std::process::exit(2);
    };
    let start = Instant::now();
    let input = Path::new(input.as_str())
        .canonicalize()
        .expect("the .typ file exists");
    let root = input.parent().expect("a folder").to_path_buf();
    let name = input.file_name().expect("a file name").to_string_lossy();
    let fonts = discover_fonts(&FontOptions {
        bundled: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts")),
        extra: vec![],
        system: false,
    });
    let world = Plain {
        library: LazyHash::new(Library::builder().build()),
        fonts,
        files: FileStore::new(Loader(FsRoot::new(root))),
        main: RootedPath::new(
            VirtualRoot::Project,
            VirtualPath::new(format!("/{name}")).expect("a valid path"),
        )
        .intern(),
    };
    let t_fonts = start.elapsed();

    let t = Instant::now();
    let Warned { output: doc, .. } = typst::compile::<PagedDocument>(&world);
    let doc = doc.unwrap_or_else(|errors| {
        for e in errors {
            eprintln!("error: {}", e.message);
        }
        std::process::exit(1);
    });
    let t_layout = t.elapsed();

    let t = Instant::now();
    let options = PdfOptions {
        tagged: true,
        ident: Smart::Custom("typst-floor".into()),
        ..PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&doc, &options).unwrap_or_else(|errors| {
        for e in errors {
            eprintln!("error: {}", e.message);
        }
        std::process::exit(1);
    });
    let t_pdf = t.elapsed();
    let t = Instant::now();
    std::fs::write(output.as_str(), &pdf).expect("the PDF can be written");
    let t_write = t.elapsed();

    eprintln!(
        "typst_floor: wrote {output} ({} pages, {:.1} MB) in {:.2} s",
        doc.pages().len(),
        pdf.len() as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    if timings {
        for (phase, d) in [
            ("fonts", t_fonts),
            ("layout", t_layout),
            ("pdf", t_pdf),
            ("write", t_write),
        ] {
            eprintln!("  {phase:<10} {:>8.1} ms", d.as_secs_f64() * 1000.0);
        }
    }
}
