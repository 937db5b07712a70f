//! `folio fonts`: the fonts a compile would use, with family, style, weight,
//! file and whether each covers simplified Chinese.

use std::any::Any;
use std::io::Write;

use typst::text::{Font, FontInfo, FontStyle};
use typst_kit::fonts::{FontPath, FontStore};

use crate::build::{BuildConfig, Session};
use crate::cli::{CommonArgs, FontsArgs};
use crate::error::{Error, Printer, display_path};

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
            Some(s) => match (s.downcast_ref::<FontPath>(), s.downcast_ref::<Font>()) {
                (Some(p), _) if p.index > 0 => {
                    format!("{} (face {})", display_path(&p.path), p.index)
                }
                (Some(p), _) => display_path(&p.path),
                (None, Some(_)) => "(built into folio)".into(),
                (None, None) => "(unknown source)".into(),
            },
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
