//! Stage 4: the Typst world.
//!
//! One [`FolioWorld`] holds the standard library, the fonts (discovered once),
//! the file store and the fixed date. It is kept alive across rebuilds: a
//! rebuild swaps in the new issue data and resets the file store, so Typst's
//! memoisation makes the recompile incremental.
//!
//! The layout sees one virtual project:
//! - `/…` is the layout (`/main.typ` is the entry point): a folder, or one
//!   of the layouts built into folio, served from memory;
//! - `/_issue/…` is the issue folder (photos, trusted `.typ` articles);
//!   the pictures of a Word article are served from memory under the
//!   article's path (`/_issue/articles/x.docx/word/media/image1.png`);
//! - `/_folio/issue.json` is the issue data produced by the content stage;
//! - `/_folio/…` is folio's Typst library for layouts (`layouts/_folio/`:
//!   crop marks, saddle-stitch blanks), shared by every layout; built into
//!   folio unless `$FOLIO_HOME` or the checkout folio runs from has one.
//!
//! Every real path is confined: a file (or symlink) outside the layout and
//! issue folders is never read. Typst packages are not available.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::datetime::Time;
use typst_kit::diagnostics::DiagnosticWorld;
use typst_kit::files::{FileLoader, FileStore};
use typst_kit::fonts::{FontPath, FontSource, FontStore};

use crate::engine::filecache::ByteCache;
use crate::error::{Error, display_path};
use crate::pipeline::content;
use crate::pipeline::model::{Date, ISSUE_VDIR};
use crate::pipeline::photo;
use crate::pipeline::resources::{self, LayoutFiles};

/// The largest file the layout (or a trusted article) may read, in bytes.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Where the issue data appears to the layout.
pub const DATA_VPATH: &str = "/_folio/issue.json";
/// Where folio's Typst library for layouts appears.
pub const LIBRARY_VDIR: &str = "/_folio";

/// Which fonts a world may use.
#[derive(Debug, Clone, Default)]
pub struct FontOptions {
    /// folio's own `fonts/` folder.
    pub bundled: Option<PathBuf>,
    /// Extra folders given with `--font-path`.
    pub extra: Vec<PathBuf>,
    /// Also use the system's fonts.
    pub system: bool,
}

/// Discovers fonts once: folio's `fonts/`, extra folders, optionally the
/// system's, then Typst's embedded fonts.
pub fn discover_fonts(opts: &FontOptions) -> FontStore {
    let mut store = FontStore::new();
    for dir in opts.bundled.iter().chain(&opts.extra) {
        store.extend(scan_sorted(dir));
    }
    if opts.system {
        store.extend(typst_kit::fonts::system());
    }
    store.extend(typst_kit::fonts::embedded());
    store
}

/// A file served from memory.
struct MemoryFile {
    bytes: Bytes,
    /// The real file it comes from (a dependency for watching).
    source: PathBuf,
    /// The name that stands for it (see [`crate::engine::frames::memory_photos`]).
    name: PathBuf,
}

/// The fonts in a folder, in the order of their paths: the font book then
/// does not depend on the order in which the file system lists the files
/// (which differs between file systems, and so between the source tree and
/// an unpacked release archive).
fn scan_sorted(dir: &Path) -> Vec<(MappedFont, FontInfo)> {
    let mut fonts: Vec<_> = typst_kit::fonts::scan(dir).collect();
    fonts.sort_by(|a, b| (&a.0.path, a.0.index).cmp(&(&b.0.path, b.0.index)));
    fonts
        .into_iter()
        .map(|(FontPath { path, index }, info)| (MappedFont { path, index }, info))
        .collect()
}

/// A font file mapped into memory rather than read into a buffer: the five
/// CJK fonts are 15 to 25 MB each, and reading them cost a copy of about
/// 100 MB on every cold compile (about 0.1 s of the sample's).
///
/// Typst hashes a font by all its bytes, which reads every page of the map
/// in; the hash is computed once and kept with the bytes. So the font is
/// hashed as it is loaded and the map's pages are then given back to the
/// kernel: only the pages the layout and the PDF's subsetting read later
/// (the tables, the outlines of the glyphs used) come back.
pub struct MappedFont {
    pub path: PathBuf,
    pub index: u32,
}

/// A shared font map, as the bytes of a [`Font`].
struct SharedMap(std::sync::Arc<memmap2::Mmap>);

impl AsRef<[u8]> for SharedMap {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl FontSource for MappedFont {
    fn load(&self) -> Option<Font> {
        let file = std::fs::File::open(&self.path).ok()?;
        // SAFETY: the map is only read. These are folio's own font files
        // (and those of --font-path), which nothing writes while folio runs;
        // a font replaced by a new file (as installers do) leaves the map on
        // the old one. A file cut short in place while mapped would end the
        // process (SIGBUS), as it would for fontdb, which maps them too.
        let map = std::sync::Arc::new(unsafe { memmap2::Mmap::map(&file) }.ok()?);
        let font = Font::new(Bytes::new(SharedMap(map.clone())), self.index)?;
        // Typst's hash of the bytes (cached in them from now on).
        typst::utils::hash128(font.data());
        // SAFETY: `Mmap::map` maps the file shared and read-only, so
        // MADV_DONTNEED only unmaps its pages from this process: the next
        // read maps them again from the file (the kernel's page cache), with
        // the same bytes, for the reason above. (On a private or writable map
        // it would throw away changes or read zeros; this map is neither.)
        // Failing to advise costs only memory.
        #[cfg(unix)]
        let _ = unsafe { map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
        Some(font)
    }
}

/// Loads files for the virtual project, confined to its folders.
pub struct Loader {
    layout: LayoutFiles,
    issue: PathBuf,
    library: LayoutFiles,
    data: Bytes,
    /// Files served with other bytes than on disk (the screen edition's
    /// downsampled photos), by canonical path.
    replaced: HashMap<PathBuf, Bytes>,
    /// Files that exist only in memory (the pictures of Word articles), by
    /// virtual path.
    memory: HashMap<String, MemoryFile>,
    /// Large files (photos) kept between runs while they are unchanged.
    kept: ByteCache,
}

/// Where a virtual path's bytes come from.
enum Place<'a> {
    /// The issue data made by the content stage.
    Data,
    /// A file built into folio: (folder, path inside it).
    Builtin(&'static str, String),
    /// A real file, which must stay inside `root`.
    Disk { path: PathBuf, root: &'a Path },
}

impl Loader {
    fn place(&self, vpath: &VirtualPath) -> FileResult<Place<'_>> {
        let p = vpath.get_with_slash();
        if p == DATA_VPATH {
            return Ok(Place::Data);
        }
        // A photo served from memory (converted, or renamed to what it is)
        // stands for its file in the issue folder.
        let issue_rel = photo::memory_source(p)
            .or_else(|| p.strip_prefix(ISSUE_VDIR).filter(|r| r.starts_with('/')));
        let (files, rest) = if let Some(rest) = issue_rel {
            let rel = VirtualPath::new(rest).map_err(|_| FileError::AccessDenied)?;
            let path = rel
                .realize(&self.issue)
                .map_err(|_| FileError::AccessDenied)?;
            return Ok(Place::Disk {
                path,
                root: &self.issue,
            });
        } else if let Some(rest) = p.strip_prefix(LIBRARY_VDIR).filter(|r| r.starts_with('/')) {
            (&self.library, rest)
        } else {
            (&self.layout, p)
        };
        let rel = VirtualPath::new(rest).map_err(|_| FileError::AccessDenied)?;
        match files {
            LayoutFiles::Dir(root) => {
                let path = rel.realize(root).map_err(|_| FileError::AccessDenied)?;
                Ok(Place::Disk { path, root })
            }
            LayoutFiles::Builtin(folder) => {
                Ok(Place::Builtin(folder, rel.get_without_slash().to_string()))
            }
        }
    }

    /// The real path of a virtual one, or `None` for the generated data and
    /// the files built into folio.
    pub fn realize(&self, vpath: &VirtualPath) -> FileResult<Option<PathBuf>> {
        // A file in memory depends on the file it was read from.
        if let Some(m) = self.memory.get(vpath.get_with_slash()) {
            return Ok(Some(m.source.clone()));
        }
        Ok(match self.place(vpath)? {
            Place::Disk { path, .. } => Some(path),
            Place::Data | Place::Builtin(..) => None,
        })
    }

    /// How a file is named in messages.
    fn name(&self, vpath: &VirtualPath) -> String {
        match self.place(vpath) {
            Ok(Place::Disk { path, .. }) => display_path(&path),
            Ok(Place::Data) => "issue data (made from issue.toml)".into(),
            Ok(Place::Builtin(folder, path)) => {
                format!("layouts/{folder}/{path} (built into folio)")
            }
            Err(_) => vpath.get_with_slash().to_string(),
        }
    }
}

impl FileLoader for Loader {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        if !matches!(id.root(), VirtualRoot::Project) {
            return Err(FileError::Other(Some(
                "folio layouts cannot use Typst packages; copy the code into the layout folder"
                    .into(),
            )));
        }
        let vpath = id.vpath();
        if let Some(m) = self.memory.get(vpath.get_with_slash()) {
            // The screen edition replaces it by its name.
            return Ok(self.replaced.get(&m.name).unwrap_or(&m.bytes).clone());
        }
        let (path, root) = match self.place(vpath)? {
            Place::Data => return Ok(self.data.clone()),
            Place::Builtin(folder, path) => {
                return resources::builtin_file(folder, &path)
                    .map(Bytes::new)
                    .ok_or_else(|| FileError::NotFound(PathBuf::from(vpath.get_with_slash())));
            }
            Place::Disk { path, root } => (path, root),
        };
        // Follow symlinks, then check that the file is still inside.
        let canonical = path
            .canonicalize()
            .map_err(|e| FileError::from_io(e, &path))?;
        if !canonical.starts_with(root) {
            return Err(FileError::Other(Some(
                "it leads outside the issue and layout folders (through a symbolic link); folio reads only inside them".into(),
            )));
        }
        if canonical.is_dir() {
            return Err(FileError::IsDirectory);
        }
        // A pipe or a device would block or never end; a huge file would
        // exhaust memory.
        let meta = canonical
            .metadata()
            .map_err(|e| FileError::from_io(e, &path))?;
        if !meta.is_file() {
            return Err(FileError::Other(Some(
                "not a regular file (a pipe, socket or device); folio reads only files".into(),
            )));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(FileError::Other(Some(
                format!(
                    "the file is {} bytes; folio reads files of at most {MAX_FILE_BYTES} bytes",
                    meta.len()
                )
                .into(),
            )));
        }
        if let Some(bytes) = self.replaced.get(&canonical) {
            return Ok(bytes.clone());
        }
        if photo::memory_source(vpath.get_with_slash()).is_some()
            && let Some(bytes) = photo::cached(&canonical).and_then(|c| c.converted)
        {
            return Ok(bytes);
        }
        self.kept
            .read(&canonical, &meta)
            .map_err(|e| FileError::from_io(e, &path))
    }
}

/// The world in which an issue is laid out.
pub struct FolioWorld {
    library: LazyHash<Library>,
    fonts: FontStore,
    files: FileStore<Loader>,
    main: FileId,
    time: Time,
}

impl FolioWorld {
    /// Creates a world for a layout, the library and an issue folder.
    pub fn new(
        fonts: FontStore,
        library: &LayoutFiles,
        layout: &LayoutFiles,
        issue: &Path,
    ) -> Self {
        let loader = Loader {
            layout: layout.clone(),
            issue: issue.to_path_buf(),
            library: library.clone(),
            data: Bytes::new(Vec::new()),
            replaced: HashMap::new(),
            memory: HashMap::new(),
            kept: ByteCache::default(),
        };
        Self {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            files: FileStore::new(loader),
            main: project_id("/main.typ"),
            time: Time::system(),
        }
    }

    /// Prepares the next compile: new folders, data and date. Files are
    /// reloaded on demand; unchanged sources are reused incrementally.
    pub fn update(
        &mut self,
        layout: &LayoutFiles,
        issue: &Path,
        data: Vec<u8>,
        date: Date,
    ) -> Result<(), Error> {
        let loader = self.files.loader_mut();
        loader.layout = layout.clone();
        loader.issue = issue.to_path_buf();
        loader.data = Bytes::new(data);
        self.files.reset();
        self.time = Time::fixed(fixed_datetime(date)?).map_err(|e| Error::plain(e.to_string()))?;
        Ok(())
    }

    /// Serves these files (canonical paths) with other bytes from now on;
    /// the next compile sees them.
    pub fn replace_files(&mut self, replaced: HashMap<PathBuf, Bytes>) {
        self.files.loader_mut().replaced = replaced;
        self.files.reset();
    }

    /// Serves these files from memory from the next compile on: the
    /// pictures of Word articles, which are never unpacked to disk.
    pub fn set_memory_files(&mut self, files: &[content::MemoryFile]) {
        self.files.loader_mut().memory = files
            .iter()
            .map(|f| {
                let file = MemoryFile {
                    bytes: Bytes::new(f.bytes.clone()),
                    source: f.source.clone(),
                    name: f.name.clone(),
                };
                (f.vpath.clone(), file)
            })
            .collect();
        self.files.reset();
    }

    /// The fonts of this world.
    pub fn fonts(&self) -> &FontStore {
        &self.fonts
    }

    /// The real files Typst read during the last compile (for watching).
    pub fn dependencies(&mut self) -> Vec<PathBuf> {
        let (loader, ids) = self.files.dependencies();
        let mut paths: Vec<PathBuf> = ids
            .filter_map(|id| loader.realize(id.vpath()).ok().flatten())
            .collect();
        paths.sort();
        paths
    }
}

fn project_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a valid path"),
    )
    .intern()
}

impl World for FolioWorld {
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

    fn today(&self, offset: Option<Duration>) -> Option<Datetime> {
        self.time.today(offset)
    }
}

impl DiagnosticWorld for FolioWorld {
    fn name(&self, id: FileId) -> String {
        self.files.loader().name(id.vpath())
    }
}

/// The one fixed date of a build, for the layout's `datetime.today()` (the
/// world's clock) and the PDF's dates alike: `SOURCE_DATE_EPOCH` when set
/// (as reproducible-build tools expect), else the issue's date at midnight
/// UTC. The same input therefore always gives the same bytes.
pub fn fixed_datetime(date: Date) -> Result<Datetime, Error> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => {
            let bad = || {
                Error::Usage(format!(
                    "SOURCE_DATE_EPOCH must be a number of seconds, not `{s}`"
                ))
            };
            let secs: i64 = s.trim().parse().map_err(|_| bad())?;
            let utc = time::OffsetDateTime::from_unix_timestamp(secs).map_err(|_| bad())?;
            Ok(Datetime::Datetime(time::PrimitiveDateTime::new(
                utc.date(),
                utc.time(),
            )))
        }
        Err(_) => {
            Datetime::from_ymd_hms(date.year, date.month, date.day, 0, 0, 0).ok_or_else(|| {
                Error::plain(format!(
                    "{}-{}-{} is not a valid date",
                    date.year, date.month, date.day
                ))
            })
        }
    }
}
