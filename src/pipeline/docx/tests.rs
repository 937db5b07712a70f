//! The reader's unit tests.

use super::*;

#[test]
fn picture_sizes_follow_exif_orientation() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/images/exif-rotated.jpg"
    );
    let bytes = std::fs::read(path).unwrap();
    // Stored 300 × 200, EXIF orientation 6 (turn 90°).
    assert_eq!(picture_size(&bytes), Ok((200, 300)));
    assert_eq!(picture_size(&png_header_only(7, 5)), Ok((7, 5)));
}

fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend(w.to_be_bytes());
    png.extend(h.to_be_bytes());
    png
}

/// A document.xml inside a minimal package.
fn package(body: &str) -> Vec<u8> {
    let doc = format!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    zip::stored_zip(&[("word/document.xml", doc.as_bytes())])
}

fn text_of(blocks: &[Block]) -> String {
    let mut blocks = blocks.to_vec();
    let mut out = String::new();
    crate::pipeline::tree::visit_inlines_mut(&mut blocks, &mut |i| {
        if let Inline::Text { text } = i {
            out.push_str(text);
        }
    });
    out
}

/// Pseudo-random well-formed trees of WordprocessingML elements, in
/// places Word would not put them: the reader returns an article or an
/// error, never panics.
#[test]
fn random_element_trees_never_panic() {
    const WRAP: &[(&str, &str)] = &[
        ("<w:p>", "</w:p>"),
        ("<w:r>", "</w:r>"),
        ("<w:tbl>", "</w:tbl>"),
        ("<w:tr>", "</w:tr>"),
        ("<w:tc>", "</w:tc>"),
        ("<w:hyperlink r:id=\"x\">", "</w:hyperlink>"),
        ("<w:ins>", "</w:ins>"),
        ("<w:txbxContent>", "</w:txbxContent>"),
        ("<w:sdt><w:sdtContent>", "</w:sdtContent></w:sdt>"),
        ("<w:drawing>", "</w:drawing>"),
        (
            "<mc:AlternateContent><mc:Choice>",
            "</mc:Choice></mc:AlternateContent>",
        ),
    ];
    const LEAF: &[&str] = &[
        "<w:t>文字</w:t>",
        "<w:t>图为</w:t>",
        "<w:t>　　</w:t>",
        "<w:t>第一支行 徐国龙</w:t>",
        "<w:br/>",
        "<w:br w:type=\"page\"/>",
        "<w:del><w:r><w:delText>删</w:delText></w:r></w:del>",
        "<w:pPr><w:numPr><w:ilvl w:val=\"7\"/><w:numId w:val=\"3\"/></w:numPr></w:pPr>",
        "<w:pPr><w:numPr><w:ilvl w:val=\"-1\"/></w:numPr></w:pPr>",
        "<w:pPr><w:outlineLvl w:val=\"250\"/></w:pPr>",
        "<w:pPr><w:pStyle w:val=\"Caption\"/></w:pPr>",
        "<a:blip r:embed=\"none\"/>",
        "<w:footnoteReference w:id=\"9\"/>",
        "<w:sym w:char=\"F0FF\"/>",
        "<w:sym w:char=\"ZZ\"/>",
        "<w:rPr><w:b/><w:u w:val=\"none\"/><w:sz w:val=\"99999999999\"/></w:rPr>",
        "<w:tcPr><w:gridSpan w:val=\"100000\"/><w:vMerge/></w:tcPr>",
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    fn tree(next: &mut dyn FnMut() -> usize, depth: usize, out: &mut String) {
        for _ in 0..next() % 4 + 1 {
            if depth < 7 && !next().is_multiple_of(3) {
                let (open, close) = WRAP[next() % WRAP.len()];
                out.push_str(open);
                tree(next, depth + 1, out);
                out.push_str(close);
            } else {
                out.push_str(LEAF[next() % LEAF.len()]);
            }
        }
    }
    let mut read_ok = 0;
    for _ in 0..2000 {
        let mut body = String::new();
        tree(&mut next, 0, &mut body);
        let doc = format!(
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="r" xmlns:a="a" xmlns:mc="mc"><w:body>{body}</w:body></w:document>"#
        );
        let zip = zip::stored_zip(&[("word/document.xml", doc.as_bytes())]);
        if let Ok(a) = read(&zip, "/v") {
            serde_json::to_string(&a.blocks).unwrap();
            read_ok += 1;
        }
    }
    // Most trees are read (an error only for nesting past the limits).
    assert!(read_ok > 1000, "{read_ok} of 2000 read");
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let deep = |open: &str, close: &str, n: usize| {
        format!(
            "<w:p>{}<w:r><w:t>x</w:t></w:r>{}</w:p>",
            open.repeat(n),
            close.repeat(n)
        )
    };
    for doc in [
        deep("<w:smartTag>", "</w:smartTag>", 5000),
        deep("<w:hyperlink>", "</w:hyperlink>", 5000),
        format!(
            "{}{}",
            "<w:tbl><w:tr><w:tc>".repeat(500),
            "</w:tc></w:tr></w:tbl>".repeat(500)
        ),
    ] {
        assert!(matches!(
            read(&package(&doc), "/v"),
            Err(DocxError::Damaged(_))
        ));
    }
    // A few levels are fine.
    let a = read(&package(&deep("<w:smartTag>", "</w:smartTag>", 5)), "/v").unwrap();
    assert_eq!(text_of(&a.blocks), "x");
}

#[test]
fn a_note_that_calls_itself_is_refused() {
    let doc = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:footnoteReference w:id="1"/></w:r></w:p></w:body></w:document>"#;
    let notes = r#"<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="1"><w:p><w:r><w:footnoteReference w:id="1"/></w:r></w:p></w:footnote></w:footnotes>"#;
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>"#;
    let zip = zip::stored_zip(&[
        ("word/document.xml", doc.as_bytes()),
        ("word/footnotes.xml", notes.as_bytes()),
        ("word/_rels/document.xml.rels", rels.as_bytes()),
    ]);
    assert!(matches!(read(&zip, "/v"), Err(DocxError::Damaged(_))));
}

#[test]
fn soft_breaks_join_chinese_without_a_space() {
    let doc = "<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t></w:r></w:p><w:p><w:r><w:t>word</w:t><w:br/><w:t>two</w:t></w:r></w:p>";
    let a = read(&package(doc), "/v").unwrap();
    assert_eq!(text_of(&a.blocks), "第一行第二行word two");
}

#[test]
fn numbering_goes_on_across_paragraphs_and_restarts_below() {
    let num = r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/></w:lvl></w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#;
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/></Relationships>"#;
    let item = |lvl: u8, t: &str| {
        format!(
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="5"/></w:numPr></w:pPr><w:r><w:t>{t}</w:t></w:r></w:p>"#
        )
    };
    let body = [
        item(0, "甲"),
        item(1, "甲一"),
        item(1, "甲二"),
        item(0, "乙"),
        "<w:p><w:r><w:t>中间的段落</w:t></w:r></w:p>".to_string(),
        item(0, "丙"),
        item(1, "丙一"),
    ]
    .concat();
    let doc = format!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let zip = zip::stored_zip(&[
        ("word/document.xml", doc.as_bytes()),
        ("word/numbering.xml", num.as_bytes()),
        ("word/_rels/document.xml.rels", rels.as_bytes()),
    ]);
    let a = read(&zip, "/v").unwrap();
    let starts: Vec<(u64, usize)> = a
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::List { start, items, .. } => Some((*start, items.len())),
            _ => None,
        })
        .collect();
    assert_eq!(starts, vec![(1, 2), (3, 1)]);
    // The sublist under 丙 starts again at 1.
    let Block::List { items, .. } = &a.blocks[2] else {
        panic!()
    };
    assert!(matches!(items[0][1], Block::List { start: 1, .. }));
}

#[test]
fn bylines() {
    let b = |s: &str| parse_byline(s);
    let some = |a: Option<&str>, u: Option<&str>| Some((a.map(String::from), u.map(String::from)));
    assert_eq!(b("第一支行 徐国龙"), some(Some("徐国龙"), Some("第一支行")));
    assert_eq!(b("（供稿：华南支行）"), some(None, Some("华南支行")));
    assert_eq!(
        b("(供稿:新塘支行 刘森华)"),
        some(Some("刘森华"), Some("新塘支行"))
    );
    assert_eq!(b("文/张三"), some(Some("张三"), None));
    assert_eq!(b("作者：李四"), some(Some("李四"), None));
    assert_eq!(b("客户对网点的工作表示感谢。"), None);
    assert_eq!(b("活动取得圆满成功"), None);
    assert_eq!(b("华南支行"), None);
}

#[test]
fn captions() {
    assert!(reads_as_caption("图为芳村支行开展反诈宣传活动"));
    assert!(reads_as_caption("图1 志愿者在网点门口发放宣传资料"));
    assert!(reads_as_caption("图：动员会"));
    assert!(!reads_as_caption("图书馆里的读书会"));
    assert!(!reads_as_caption("工作人员向居民讲解防范电信诈骗的知识。"));
}

#[test]
fn style_names() {
    assert_eq!(role_of_name("heading 1"), Some(Role::Heading(1)));
    assert_eq!(role_of_name("Heading 7"), Some(Role::Heading(6)));
    assert_eq!(role_of_name("标题 2"), Some(Role::Heading(2)));
    assert_eq!(role_of_name("标题"), Some(Role::Title));
    assert_eq!(role_of_name("Title"), Some(Role::Title));
    assert_eq!(role_of_name("题注"), Some(Role::Caption));
    assert_eq!(role_of_name("Normal"), None);
}

#[test]
fn part_paths() {
    assert_eq!(
        resolve_part("word/", "media/image1.png"),
        "word/media/image1.png"
    );
    assert_eq!(resolve_part("word/", "../media/a.png"), "media/a.png");
    assert_eq!(
        resolve_part("word/", "/word/media/a.png"),
        "word/media/a.png"
    );
}

#[test]
fn kinds_of_broken_files() {
    assert!(matches!(read(b"hello", "/v"), Err(DocxError::NotZip)));
    assert!(matches!(read(b"{\\rtf1 hello}", "/v"), Err(DocxError::Rtf)));
    let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    cfb.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
    assert!(matches!(read(&cfb, "/v"), Err(DocxError::BinaryDoc)));
    cfb.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
    assert!(matches!(read(&cfb, "/v"), Err(DocxError::Encrypted)));
}
