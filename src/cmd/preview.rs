//! `folio preview`: pages as PNG files (typst-render), single or as spreads,
//! for proofs to send round.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::build::{self, Session};
use crate::cli::{CommonArgs, PreviewArgs};
use crate::error::{Error, Printer, display_path};
use crate::export::output;
use crate::export::raster::{self, Raster};

/// Parses `1-4,7,10-` into sorted 1-based page numbers within `1..=count`.
pub fn parse_pages(spec: &str, count: usize) -> Result<Vec<usize>, Error> {
    let bad = |part: &str| {
        Error::Usage(format!(
            "--pages: `{part}` is not a page or a range like 1-4, 7 or 10-"
        ))
    };
    let mut pages = std::collections::BTreeSet::new();
    for part in spec.split(',').map(str::trim) {
        let number = |s: &str| -> Result<usize, Error> {
            match s.trim().parse::<usize>() {
                Ok(n) if n >= 1 => Ok(n),
                _ => Err(bad(part)),
            }
        };
        let (from, to) = match part.split_once('-') {
            Some((a, b)) => {
                let from = if a.trim().is_empty() { 1 } else { number(a)? };
                if b.trim().is_empty() {
                    (from, count)
                } else {
                    let to = number(b)?;
                    if to < from {
                        return Err(bad(part));
                    }
                    (from, to)
                }
            }
            None => {
                let n = number(part)?;
                (n, n)
            }
        };
        pages.extend(from..=to.min(count));
    }
    if pages.is_empty() {
        return Err(Error::Usage(format!(
            "--pages {spec} selects no page; the issue has {count} pages"
        )));
    }
    Ok(pages.into_iter().collect())
}

pub fn run(
    args: &PreviewArgs,
    common: &CommonArgs,
    printer: &Printer,
    slot: &mut Option<Session>,
) -> Result<(), Error> {
    let start = Instant::now();
    let config = args.build.config(common)?;
    let session = slot.insert(Session::new(config, printer.clone())?);
    let out_dir = args.out.clone().unwrap_or_else(|| {
        let stem = build::default_output(&args.issue, "pdf");
        let stem = stem.file_stem().unwrap_or_default().to_string_lossy();
        args.issue.with_file_name(format!("{stem}-preview"))
    });
    let mut compiled = session.compile_once(&args.issue)?;
    session.print_warnings(&compiled);
    let pages = compiled.document.pages();
    let count = pages.len();
    let wanted = match &args.pages {
        Some(spec) => parse_pages(spec, count)?,
        None => (1..=count).collect(),
    };
    if out_dir.exists() && !out_dir.is_dir() {
        return Err(Error::file(
            &out_dir,
            "--out must be a folder, this is a file",
        ));
    }
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| Error::io(&out_dir, "cannot create the preview folder", e))?;
    let digits = count.to_string().len().max(2);

    // The files to write: one per page, or one per spread that shows a
    // wanted page.
    let jobs: Vec<(String, Vec<usize>)> = if args.spreads {
        raster::spreads(count)
            .into_iter()
            .filter(|s| s.iter().any(|i| wanted.contains(&(i + 1))))
            .map(|s| {
                let names: Vec<String> = s.iter().map(|i| format!("{:0digits$}", i + 1)).collect();
                (format!("spread-{}.png", names.join("-")), s)
            })
            .collect()
    } else {
        wanted
            .iter()
            .map(|p| (format!("page-{p:0digits$}.png"), vec![p - 1]))
            .collect()
    };

    let t = Instant::now();
    let ppi = args.ppi;
    let results = raster::par_map(&jobs, |(name, indices)| -> Result<PathBuf, Error> {
        let rasters: Vec<Raster> = indices
            .iter()
            .map(|&i| raster::render(&pages[i], ppi))
            .collect();
        let image = match rasters.as_slice() {
            [single] => single,
            [verso, recto] => &raster::side_by_side(verso, recto),
            _ => unreachable!("a spread has one or two pages"),
        };
        let path = out_dir.join(name);
        output::check_not_input(&path, &compiled.issue.inputs)?;
        output::write_atomic(&path, &image.png(false)?)?;
        Ok(path)
    });
    let written = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    compiled.timings.add("render", t.elapsed());

    let what = if args.spreads { "spread" } else { "page" };
    let plural = if written.len() == 1 { "" } else { "s" };
    eprintln!(
        "folio: wrote {} {what}{plural} to {} ({}{}) in {:.2} s",
        written.len(),
        display_dir(&out_dir),
        file_name(&written[0]),
        if written.len() > 1 {
            format!(" … {}", file_name(&written[written.len() - 1]))
        } else {
            String::new()
        },
        start.elapsed().as_secs_f64()
    );
    if args.timings {
        compiled.timings.print();
    }
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn display_dir(p: &Path) -> String {
    let mut s = display_path(p);
    if !s.ends_with('/') {
        s.push('/');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::parse_pages;

    #[test]
    fn page_ranges() {
        assert_eq!(parse_pages("1-4", 25).unwrap(), vec![1, 2, 3, 4]);
        assert_eq!(parse_pages("2, 5,9-10", 25).unwrap(), vec![2, 5, 9, 10]);
        assert_eq!(parse_pages("23-", 25).unwrap(), vec![23, 24, 25]);
        assert_eq!(parse_pages("-2", 25).unwrap(), vec![1, 2]);
        assert_eq!(
            parse_pages("20-40", 25).unwrap(),
            (20..=25).collect::<Vec<_>>()
        );
        assert!(parse_pages("30-", 25).is_err());
        assert!(parse_pages("0", 25).is_err());
        assert!(parse_pages("4-1", 25).is_err());
        assert!(parse_pages("a", 25).is_err());
        assert!(parse_pages("26", 25).is_err());
    }
}
