//! `folio init`: scaffolds a new issue folder that compiles at once: a
//! manifest with a comment on every key, one section with one article, and
//! a placeholder photo that folio draws itself.

use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use typst_kit::datetime::Time;

use crate::cli::InitArgs;
use crate::error::{Error, display_path};
use crate::export::output;

/// Where the scaffold's files go, relative to the issue folder.
const MANIFEST: &str = "issue.toml";
const ARTICLE: &str = "articles/01-welcome.md";
const PHOTO: &str = "photos/placeholder.jpg";

/// Placeholder photo size: 3:2, enough for a lead as wide as the page with
/// its bleed (216 mm) at 300 ppi.
const PHOTO_SIZE: (u32, u32) = (2560, 1707);

pub fn run(args: &InitArgs) -> Result<(), Error> {
    scaffold(&args.dir)
}

fn scaffold(dir: &Path) -> Result<(), Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::file(
            dir,
            "cannot create an issue here: it is a file",
        ));
    }
    let files = [MANIFEST, ARTICLE, PHOTO].map(|f| dir.join(f));
    if let Some(existing) = files.iter().find(|f| f.exists()) {
        return Err(Error::file(
            existing,
            "already exists; folio init never overwrites a file",
        )
        .with_hint("choose an empty folder: folio init NEW-FOLDER"));
    }
    let today = Time::system().today(None);
    let (year, month, day) = today
        .and_then(|d| Some((d.year()?, d.month()?, d.day()?)))
        .unwrap_or((2025, 1, 1));

    for sub in ["articles", "photos"] {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, "cannot create the folder", e))?;
    }
    output::write_atomic(&files[2], &placeholder_photo()?)?;
    output::write_atomic(&files[1], article().as_bytes())?;
    output::write_atomic(&files[0], manifest(year, month, day).as_bytes())?;

    let shown = display_path(dir);
    let manifest_path = display_path(&files[0]);
    eprintln!(
        "folio: created {MANIFEST}, {ARTICLE} and {PHOTO} in {}",
        if shown.is_empty() || shown == "." {
            "this folder".to_string()
        } else {
            shown
        }
    );
    eprintln!("next:  folio compile {manifest_path}");
    eprintln!("       folio watch --serve {manifest_path}   (a live preview while you edit)");
    Ok(())
}

/// The manifest: every key with a comment; optional keys that the scaffold
/// does not use are shown commented out.
fn manifest(year: i32, month: u8, day: u8) -> String {
    format!(
        r##"# issue.toml: one issue of a magazine. `folio compile` lays it out as a
# print-ready A4 PDF; `folio watch --serve` shows the pages while you edit.
# Every key is described in docs/manifest.md. Paths are relative to this file.

# The layout (design) to use: folio's own "default", or layouts/NAME/ in
# this folder.
layout = "default"

[issue]
# The magazine's name: on the cover, in the running heads, the PDF's title.
magazine = "新刊"
# A line under the name on the cover and the back cover.
subtitle = "编辑部内部刊物"
# The issue's number as printed.
number = "{year}年第1期"
# Publication date; also the PDF's date, so the same files give the same PDF.
date = {year:04}-{month:02}-{day:02}
# Who publishes the issue: on the cover, and the PDF's author.
publisher = "新刊编辑部"
# Language of the text (ISO 639): line breaking, hyphenation, punctuation.
language = "zh"
# Region (ISO 3166): "cn" places punctuation the simplified-Chinese way.
region = "cn"

[cover]
# The big name on the cover (default: the magazine's name).
masthead = "新刊"
# Lines set on the cover.
slogans = ["用心做好每一期", "欢迎投稿"]
# A full-bleed cover photo, JPEG or PNG, ideally 2551 × 3579 pixels or more
# (without one the cover is a field of the brand colour):
# photo = "photos/cover.jpg"
# The photographer, credited beside the cover photo:
# photo_credit = "摄影：某某"

[contents]
# Heading of the contents page.
title = "目录"
# The line set beside the heading.
subtitle = "CONTENTS"

[design]
# The magazine's colour: cover band, section dividers, page numbers.
brand_color = "#1f5f8b"
# The issue's accent: section numerals and rules.
accent_color = "#d9a441"
# Text columns of articles, 1 or 2 (an article may choose its own).
columns = 2
# Font families for body text and for headings, in order of preference
# (`folio fonts` lists the fonts installed for folio):
# body_font = ["Noto Serif CJK SC"]
# heading_font = ["Noto Sans CJK SC"]

[typography]
# Set , ; : ! ? ( ) typed between Chinese characters as full-width ，；：！？（）.
fullwidth_punctuation = true

[print]
# Bleed on each side of the A4 trim, in millimetres (ask your print shop).
bleed_mm = 3

# The table of contents, in order: one [[section]] per section.
[[section]]
# The section's title: in the contents, on its divider, in running heads.
title = "本期专题"
# An English line under the title.
english = "Feature"
# Whether the section opens with a full-page divider.
divider = true

# The pieces of the section, in reading order: one [[section.article]] each.
[[section.article]]
# The title as set on the article's opening page.
title = "欢迎使用 folio"
# The label above the title.
kicker = "编辑手记"
# The author and their unit, set as a byline under the title.
author = "编辑部"
unit = "新刊编辑部"
# The text, in Markdown: paragraphs, ## subheads, **bold**, lists, footnotes.
# A Word file works too (body = "articles/x.docx", photos pasted in).
body = "{ARTICLE}"
# The photo above the text, and its caption.
lead = {{ file = "{PHOTO}", caption = "占位照片：换成你自己的照片" }}
# More photos after the text: add [[section.article.figure]] tables with
# file and caption; a piece with [[section.article.photo]] tables and no
# body is a photo gallery.

[back_cover]
# A closing line.
closing = "感谢阅读！"
# A call for submissions, and where to send them.
call = "欢迎投稿，分享你身边的故事。"
contact = "编辑部邮箱：editor@example.com"
# Who publishes the issue.
publisher = "新刊编辑部"
# Further lines: printing, circulation, credits.
colophon = ["内部资料 免费交流"]
"##
    )
}

fn article() -> &'static str {
    r#"这是新刊的第一篇文章。每篇文章是一个 Markdown 文件，文字就是文字：
一段话写成一段，段与段之间空一行。folio 会按照版式排好标题、署名、照片和页码，
并在目录里写上真实的页码。

## 怎样开始

打开 issue.toml，改掉刊名、期号和日期；再把这篇文章换成你自己的稿件，
把占位照片换成真实的照片。每改一处，运行 **folio compile** 就能得到新的 PDF；
运行 *folio watch --serve* 则可以一边修改，一边在浏览器里看到新的版面。

## 增加文章

在 issue.toml 里为每篇文章加一个 [[section.article]]，写上标题和正文文件；
为新的栏目加一个 [[section]]。文章的顺序就是目录的顺序。

- 小标题用两个井号开头。
- 列表用短横线开头。
- 注释写成脚注[^1]。

[^1]: 脚注排在页面底部。
"#
}

/// A neutral placeholder photo: a soft gradient crossed by the diagonals
/// that mark a picture box in a layout sketch.
fn placeholder_photo() -> Result<Vec<u8>, Error> {
    let (w, h) = PHOTO_SIZE;
    let img = RgbImage::from_fn(w, h, |x, y| {
        let fx = x as f32 / w as f32;
        let fy = y as f32 / h as f32;
        // Distance to either diagonal, in pixels.
        let d1 = (fy * w as f32 - fx * w as f32).abs();
        let d2 = ((1.0 - fy) * w as f32 - fx * w as f32).abs();
        let line = d1.min(d2) < 3.0 || x < 6 || y < 6 || x >= w - 6 || y >= h - 6;
        if line {
            Rgb([150, 170, 190])
        } else {
            let base = 205.0 + 35.0 * (1.0 - fy) - 15.0 * fx;
            Rgb([
                (base - 12.0) as u8,
                (base - 4.0).min(255.0) as u8,
                (base + 6.0).min(255.0) as u8,
            ])
        }
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .map_err(|e| Error::plain(format!("cannot draw the placeholder photo: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaffold_manifest_parses() {
        let text = manifest(2025, 3, 9);
        crate::pipeline::manifest::parse(&text).expect("the scaffold's manifest parses");
        assert!(text.contains("date = 2025-03-09"));
    }
}
