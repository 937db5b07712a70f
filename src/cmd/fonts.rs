//! `folio fonts`: the fonts a compile would use, with family, style, weight,
//! file and whether each covers simplified Chinese.

use std::any::Any;
use std::io::Write;
use std::path::{Path, PathBuf};

use typst::text::{Font, FontInfo, FontStyle};
use typst_kit::fonts::{FontPath, FontStore};

use crate::build::{BuildConfig, Session};
use crate::cli::{CommonArgs, FontsAction, FontsArgs};
use crate::engine::world::MappedFont;
use crate::error::{Error, Printer, display_path};
use crate::export::output;
use crate::pipeline::resources::{self, Resources};

/// Common characters, several only in their simplified forms (这 们 国 说
/// 时 发 会 为 对 经 门 书 长 东 车 马): a font that has them all can set a
/// simplified-Chinese text.
pub const SIMPLIFIED_SAMPLE: &str =
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年发会对经门书长东车马";

/// Whether a font covers every character of [`SIMPLIFIED_SAMPLE`].
pub fn covers_simplified(info: &FontInfo) -> bool {
    SIMPLIFIED_SAMPLE
        .chars()
        .all(|c| info.coverage.contains(c as u32))
}

/// One line of the listing.
struct Row {
    family: String,
    style: String,
    sc: bool,
    file: String,
}

pub fn run(args: &FontsArgs, common: &CommonArgs, printer: &Printer) -> Result<(), Error> {
    if let Some(FontsAction::Install { from }) = &args.action {
        return install(from.as_deref(), common);
    }
    let config = BuildConfig {
        fonts: common.font_options(),
        ..BuildConfig::default()
    };
    let session = Session::new(config, printer.clone())?;
    list(session.fonts(), args);
    Ok(())
}

fn list(store: &FontStore, args: &FontsArgs) {
    let book = store.book();
    let mut rows = Vec::new();
    let mut i = 0;
    while let Some(info) = book.info(i) {
        let source: Option<&dyn Any> = store.source(i).map(|s| s as &dyn Any);
        let file = match source {
            Some(s) => {
                let file = s
                    .downcast_ref::<MappedFont>()
                    .map(|m| (&m.path, m.index))
                    .or_else(|| s.downcast_ref::<FontPath>().map(|p| (&p.path, p.index)));
                match (file, s.downcast_ref::<Font>()) {
                    (Some((path, index)), _) if index > 0 => {
                        format!("{} (face {index})", display_path(path))
                    }
                    (Some((path, _)), _) => display_path(path),
                    (None, Some(_)) => "(built into folio)".into(),
                    (None, None) => "(unknown source)".into(),
                }
            }
            None => "(unknown source)".into(),
        };
        let sc = covers_simplified(info);
        i += 1;
        if args.sc && !sc {
            continue;
        }
        let style = match info.variant.style {
            FontStyle::Normal => "normal",
            FontStyle::Italic => "italic",
            FontStyle::Oblique => "oblique",
        };
        rows.push(Row {
            family: info.family.clone(),
            style: format!("{style} {}", info.variant.weight.to_number()),
            sc,
            file,
        });
    }
    rows.sort_by(|a, b| a.family.cmp(&b.family).then(a.style.cmp(&b.style)));

    let fw = rows
        .iter()
        .map(|r| r.family.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let sw = rows.iter().map(|r| r.style.len()).max().unwrap_or(0).max(5);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{:<fw$}  {:<sw$}  {:<3}  FILE",
        "FAMILY", "STYLE", "SC"
    );
    for r in &rows {
        let pad = fw - r.family.chars().count();
        let _ = writeln!(
            out,
            "{}{}  {:<sw$}  {:<3}  {}",
            r.family,
            " ".repeat(pad),
            r.style,
            if r.sc { "yes" } else { "no" },
            r.file
        );
    }
    let families: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.family.as_str()).collect();
    let sc_families: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.sc)
        .map(|r| r.family.as_str())
        .collect();
    let _ = out.flush();
    eprintln!(
        "folio: {} fonts in {} families; {} families cover simplified Chinese",
        rows.len(),
        families.len(),
        sc_families.len()
    );
}

/// `folio fonts install`: copies folio's fonts (and their licence and
/// README) from `from`, or from the fonts folder folio finds, into the
/// user's data folder, where an installed folio finds them without the
/// archive or the source tree. Files already there with the same bytes
/// are left alone.
fn install(from: Option<&Path>, common: &CommonArgs) -> Result<(), Error> {
    let data = resources::user_data_dir().ok_or_else(|| {
        Error::plain("cannot tell where your data folder is (HOME is not set)")
            .with_hint("set FOLIO_HOME to a folder and copy the fonts/ folder into it")
    })?;
    let target = data.join("fonts");
    let source = match from {
        Some(dir) => dir
            .canonicalize()
            .map_err(|e| Error::io(dir, "cannot read the fonts folder", e))?,
        None => {
            let res = Resources::find(common.layout_dir.as_deref())?;
            res.fonts()?.to_path_buf()
        }
    };
    if target.canonicalize().is_ok_and(|t| t == source) {
        eprintln!(
            "folio: the fonts are already installed in {}",
            display_path(&target)
        );
        return Ok(());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&source)
        .map_err(|e| Error::io(&source, "cannot read the fonts folder", e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            resources::is_font_file(p)
                || (p.is_file() && (name.starts_with("LICENSE") || name == "README.md"))
        })
        .collect();
    files.sort();
    let fonts = files.iter().filter(|p| resources::is_font_file(p)).count();
    if fonts == 0 {
        return Err(Error::file(&source, "holds no font files (.otf, .ttf)")
            .with_hint("give the fonts/ folder of folio's release archive or source checkout"));
    }
    std::fs::create_dir_all(&target)
        .map_err(|e| Error::io(&target, "cannot create the folder", e))?;
    let mut bytes_total = 0u64;
    for file in &files {
        let bytes = std::fs::read(file).map_err(|e| Error::io(file, "cannot read", e))?;
        bytes_total += bytes.len() as u64;
        let dest = target.join(file.file_name().expect("a file name"));
        if std::fs::read(&dest).is_ok_and(|old| old == bytes) {
            continue;
        }
        output::write_atomic(&dest, &bytes)?;
    }
    eprintln!(
        "folio: installed {fonts} fonts ({:.0} MB) from {} into {}",
        bytes_total as f64 / 1_000_000.0,
        display_path(&source),
        display_path(&target)
    );
    Ok(())
}
