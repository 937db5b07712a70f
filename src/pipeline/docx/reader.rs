//! The document body, read into blocks: paragraphs, headings, lists,
//! tables, pictures with their captions, text boxes.

use super::*;

/// A paragraph, read.
pub(super) struct Para {
    pub(super) role: Role,
    /// (numId, level) when the paragraph is a list item.
    pub(super) list: Option<(String, u8)>,
    pub(super) inlines: Inlines,
    /// Indexes into the pictures, in order.
    pub(super) pictures: Vec<usize>,
    /// The paragraphs of text boxes anchored in it.
    pub(super) boxes: Vec<Block>,
    /// The largest text size set directly, in half-points.
    pub(super) size: Option<u32>,
}

/// A body element, before lists and captions are assembled.
pub(super) enum Elem {
    Para(Para),
    Table(Block, Vec<usize>),
}

pub(super) struct Reader<'a, 'd> {
    pub(super) archive: &'a zip::Archive<'a>,
    pub(super) budget: Budget,
    pub(super) rels: &'a Rels,
    pub(super) styles: &'a Styles,
    pub(super) numbering: &'a Numbering,
    pub(super) footnotes: HashMap<String, Node<'d, 'd>>,
    pub(super) endnotes: HashMap<String, Node<'d, 'd>>,
    pub(super) vbase: String,
    pub(super) pictures: Vec<Picture>,
    pub(super) by_part: HashMap<String, usize>,
    pub(super) dropped: BTreeSet<Dropped>,
    pub(super) skipped_pictures: Vec<String>,
    /// The last number given at each level of each list (`w:numId`).
    pub(super) counters: HashMap<String, Vec<u64>>,
    pub(super) depth: usize,
}

impl<'d> Reader<'_, 'd> {
    /// The paragraphs and tables of a container (the body, a cell, a note,
    /// a text box), in order.
    pub(super) fn block_elems(&mut self, parent: Node) -> Result<Vec<Elem>, DocxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return Err(DocxError::Damaged(format!(
                "tables, text boxes or notes are nested more than {MAX_DEPTH} levels deep"
            )));
        }
        let mut out = Vec::new();
        for n in parent.children().filter(Node::is_element) {
            match n.tag_name().name() {
                "p" => out.push(Elem::Para(self.paragraph(n)?)),
                "tbl" => out.push(self.table(n)?),
                "sdt" => {
                    if let Some(c) = n.child("sdtContent") {
                        out.extend(self.block_elems(c)?);
                    }
                }
                "customXml" | "ins" | "moveTo" => out.extend(self.block_elems(n)?),
                "del" | "moveFrom" => {
                    self.dropped.insert(Dropped::TrackedChanges);
                }
                "AlternateContent" => {
                    if let Some(c) = n.child("Choice").or_else(|| n.child("Fallback")) {
                        out.extend(self.block_elems(c)?);
                    }
                }
                _ => {}
            }
        }
        self.depth -= 1;
        Ok(out)
    }

    pub(super) fn paragraph(&mut self, p: Node) -> Result<Para, DocxError> {
        let ppr = p.child("pPr");
        let style = ppr.and_then(|x| x.val_of("pStyle"));
        let mut role = self.styles.role(style);
        if let Some(l) = ppr
            .and_then(|x| x.val_of("outlineLvl"))
            .and_then(|v| v.parse::<u8>().ok())
            && l < 9
            && role == Role::Body
        {
            role = Role::Heading((l + 1).min(6));
        }
        if let Some(ppr) = ppr {
            if ppr.toggle("pageBreakBefore") == Some(true) {
                self.dropped.insert(Dropped::PageBreaks);
            }
            if ppr
                .val_of("jc")
                .is_some_and(|j| !matches!(j, "left" | "start" | "both" | "distribute"))
            {
                self.dropped.insert(Dropped::Formatting);
            }
        }
        let direct = ppr.and_then(|x| x.child("numPr")).map(|n| {
            (
                n.val_of("numId").unwrap_or("0").to_string(),
                n.val_of("ilvl").and_then(|v| v.parse().ok()),
            )
        });
        let from_style = style.and_then(|s| self.styles.find(s, |st| st.num.clone()));
        let list = match direct.or(from_style) {
            Some((num, ilvl)) if num != "0" && !matches!(role, Role::Heading(_) | Role::Title) => {
                Some((num, ilvl.unwrap_or(0).min(8)))
            }
            _ => None,
        };
        let mut para = Para {
            role,
            list,
            inlines: Inlines::default(),
            pictures: Vec::new(),
            boxes: Vec::new(),
            size: None,
        };
        // Size from a non-heading paragraph style counts as "set larger".
        if role == Role::Body
            && let Some(s) = style
        {
            para.size = self.styles.find(s, |st| st.size);
        }
        self.inline_children(p, Fmt::default(), &mut para, None)?;
        Ok(para)
    }

    /// Walks the inline content of a paragraph (or of a link inside it).
    pub(super) fn inline_children(
        &mut self,
        parent: Node,
        fmt: Fmt,
        para: &mut Para,
        link: Option<&mut Inlines>,
    ) -> Result<(), DocxError> {
        // Smart tags, fields and content controls nest; so may a hostile file.
        self.depth += 1;
        if self.depth > MAX_DEPTH * 4 {
            self.depth -= 1;
            return Err(DocxError::Damaged(format!(
                "the text is nested more than {} levels deep",
                MAX_DEPTH * 4
            )));
        }
        let result = self.inline_children_at(parent, fmt, para, link);
        self.depth -= 1;
        result
    }

    pub(super) fn inline_children_at(
        &mut self,
        parent: Node,
        fmt: Fmt,
        para: &mut Para,
        mut link: Option<&mut Inlines>,
    ) -> Result<(), DocxError> {
        for n in parent.children().filter(Node::is_element) {
            match n.tag_name().name() {
                "r" => self.run(n, fmt, para, link.as_deref_mut())?,
                "hyperlink" => {
                    let url = n
                        .attr("id")
                        .and_then(|id| self.rels.get(id))
                        .filter(|(_, _, ext)| *ext)
                        .map(|(_, t, _)| t.clone())
                        .filter(|u| crate::pipeline::markdown::is_safe_link(u));
                    match (url, link.is_some()) {
                        (Some(url), false) => {
                            let mut inner = Inlines {
                                last: para.inlines.last,
                                pending_soft: std::mem::take(&mut para.inlines.pending_soft),
                                ..Inlines::default()
                            };
                            self.inline_children(n, fmt, para, Some(&mut inner))?;
                            let (body, _) = inner.finish_keep();
                            if !body.is_empty() {
                                para.inlines.inline(Inline::Link { url, body });
                            }
                        }
                        _ => self.inline_children(n, fmt, para, link.as_deref_mut())?,
                    }
                }
                "ins" | "moveTo" => {
                    self.dropped.insert(Dropped::TrackedChanges);
                    self.inline_children(n, fmt, para, link.as_deref_mut())?;
                }
                "del" | "moveFrom" => {
                    self.dropped.insert(Dropped::TrackedChanges);
                }
                "smartTag" | "customXml" | "fldSimple" | "bdo" | "dir" => {
                    self.inline_children(n, fmt, para, link.as_deref_mut())?
                }
                "sdt" => {
                    if let Some(c) = n.child("sdtContent") {
                        self.inline_children(c, fmt, para, link.as_deref_mut())?;
                    }
                }
                "AlternateContent" => {
                    if let Some(c) = n.child("Choice").or_else(|| n.child("Fallback")) {
                        self.inline_children(c, fmt, para, link.as_deref_mut())?;
                    }
                }
                "commentRangeStart" | "commentRangeEnd" => {
                    self.dropped.insert(Dropped::Comments);
                }
                "oMath" | "oMathPara" => {
                    self.dropped.insert(Dropped::Equations);
                }
                "pPr" if n.child("rPr").is_some_and(has_formatting) => {
                    self.dropped.insert(Dropped::Formatting);
                }
                _ => {}
            }
        }
        Ok(())
    }

    pub(super) fn run(
        &mut self,
        r: Node,
        fmt: Fmt,
        para: &mut Para,
        mut link: Option<&mut Inlines>,
    ) -> Result<(), DocxError> {
        let mut fmt = fmt;
        if let Some(rpr) = r.child("rPr") {
            let cstyle = rpr.val_of("rStyle");
            let from_style =
                |f: fn(&Style) -> Option<bool>| cstyle.and_then(|s| self.styles.find(s, f));
            let name_is = |names: &[&str]| {
                cstyle
                    .and_then(|s| self.styles.map.get(s))
                    .is_some_and(|st| names.contains(&st.name.to_lowercase().as_str()))
            };
            let bold = rpr
                .toggle("b")
                .or_else(|| from_style(|s| s.bold))
                .unwrap_or(false)
                || name_is(&["strong", "要点"]);
            let italic = rpr
                .toggle("i")
                .or_else(|| from_style(|s| s.italic))
                .unwrap_or(false)
                || name_is(&["emphasis", "强调"]);
            let underline = rpr
                .child("u")
                .map(|u| u.attr("val") != Some("none"))
                .or_else(|| from_style(|s| s.underline))
                .unwrap_or(false);
            let strike = rpr
                .toggle("strike")
                .or_else(|| rpr.toggle("dstrike"))
                .or_else(|| from_style(|s| s.strike))
                .unwrap_or(false);
            fmt.strong |= bold;
            // Links are underlined by Word's Hyperlink style: not emphasis.
            fmt.emph |= italic || (underline && link.is_none());
            fmt.strike |= strike;
            if has_formatting(rpr) {
                self.dropped.insert(Dropped::Formatting);
            }
            if let Some(sz) = rpr.val_of("sz").and_then(|v| v.parse::<u32>().ok())
                && r.children().any(|c| {
                    c.has_tag_name_local("t") && c.text().is_some_and(|t| !t.trim().is_empty())
                })
            {
                para.size = Some(para.size.map_or(sz, |s| s.max(sz)));
            }
            if rpr.toggle("vanish") == Some(true) {
                return Ok(());
            }
        }
        for c in r.children().filter(Node::is_element) {
            let target: &mut Inlines = match link.as_deref_mut() {
                Some(l) => l,
                None => &mut para.inlines,
            };
            match c.tag_name().name() {
                "t" => target.text(fmt, c.text().unwrap_or("")),
                "tab" | "ptab" => target.text(fmt, " "),
                "noBreakHyphen" => target.text(fmt, "-"),
                "sym" => {
                    if let Some(ch) = c
                        .attr("char")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32)
                    {
                        // Symbol fonts map to the private use area.
                        let ch = match ch as u32 {
                            0xF000..=0xF0FF => char::from_u32(ch as u32 - 0xF000).unwrap_or(ch),
                            _ => ch,
                        };
                        if !ch.is_control() {
                            target.text(fmt, &ch.to_string());
                        }
                    }
                }
                "br" => match c.attr("type") {
                    Some("page") => {
                        self.dropped.insert(Dropped::PageBreaks);
                    }
                    Some("column") => {}
                    _ => target.soft_break(),
                },
                "cr" => target.soft_break(),
                "footnoteReference" | "endnoteReference" => {
                    let foot = c.tag_name().name() == "footnoteReference";
                    let id = c.attr("id").unwrap_or("");
                    let node = if foot {
                        self.footnotes.get(id).copied()
                    } else {
                        self.endnotes.get(id).copied()
                    };
                    if let Some(node) = node {
                        let elems = self.block_elems(node)?;
                        let (mut body, _, _) = self.assemble(elems, false)?;
                        // The figures of a note have no place in it.
                        body.retain(|b| !matches!(b, Block::Figure(_)));
                        let target: &mut Inlines = match link.as_deref_mut() {
                            Some(l) => l,
                            None => &mut para.inlines,
                        };
                        if !body.is_empty() {
                            target.inline(Inline::Footnote { body });
                        }
                    }
                }
                "drawing" => self.drawing(c, para)?,
                "pict" | "object" => self.vml(c, para)?,
                "AlternateContent" => {
                    if let Some(ch) = c.child("Choice").or_else(|| c.child("Fallback")) {
                        for d in ch.children().filter(Node::is_element) {
                            match d.tag_name().name() {
                                "drawing" => self.drawing(d, para)?,
                                "pict" | "object" => self.vml(d, para)?,
                                _ => {}
                            }
                        }
                    }
                }
                "commentReference" => {
                    self.dropped.insert(Dropped::Comments);
                }
                "delText" | "instrText" | "delInstrText" => {}
                _ => {}
            }
        }
        Ok(())
    }

    /// The text boxes in a DrawingML or VML object: their paragraphs, in
    /// place (a box nested in another box is read with its parent), with
    /// one warning for the article.
    pub(super) fn text_boxes(&mut self, object: Node, para: &mut Para) -> Result<(), DocxError> {
        let mut found_box = false;
        for tb in object
            .descendants()
            .filter(|n| n.has_tag_name_local("txbxContent"))
        {
            if tb
                .ancestors()
                .skip(1)
                .any(|a| a.has_tag_name_local("txbxContent"))
            {
                continue;
            }
            found_box = true;
            let elems = self.block_elems(tb)?;
            let (blocks, _, _) = self.assemble(elems, false)?;
            para.boxes.extend(blocks);
        }
        if found_box {
            self.dropped.insert(Dropped::TextBoxes);
        }
        Ok(())
    }

    /// A DrawingML object: a picture, a text box, a group of them.
    pub(super) fn drawing(&mut self, d: Node, para: &mut Para) -> Result<(), DocxError> {
        self.text_boxes(d, para)?;
        for blip in d.descendants().filter(|n| n.has_tag_name_local("blip")) {
            if blip
                .ancestors()
                .any(|a| a.has_tag_name_local("txbxContent"))
            {
                continue;
            }
            match (blip.attr("embed"), blip.attr("link")) {
                (Some(id), _) => self.picture(id, para)?,
                (None, Some(_)) => {
                    self.dropped.insert(Dropped::LinkedPictures);
                }
                _ => {}
            }
        }
        if d.descendants().any(|n| n.has_tag_name_local("chart")) {
            self.dropped.insert(Dropped::Objects);
        }
        Ok(())
    }

    /// A VML object (older Word, WPS): pictures and text boxes.
    pub(super) fn vml(&mut self, v: Node, para: &mut Para) -> Result<(), DocxError> {
        self.text_boxes(v, para)?;
        if v.has_tag_name_local("object") {
            self.dropped.insert(Dropped::Objects);
            return Ok(());
        }
        for img in v
            .descendants()
            .filter(|n| n.has_tag_name_local("imagedata"))
        {
            if let Some(id) = img.attr("id") {
                self.picture(id, para)?;
            }
        }
        Ok(())
    }

    /// A picture by its relationship id: extracted once, placed each time.
    pub(super) fn picture(&mut self, rel: &str, para: &mut Para) -> Result<(), DocxError> {
        let Some((_, target, external)) = self.rels.get(rel).cloned() else {
            return Ok(());
        };
        if external {
            self.dropped.insert(Dropped::LinkedPictures);
            return Ok(());
        }
        if let Some(&i) = self.by_part.get(&target) {
            para.pictures.push(i);
            return Ok(());
        }
        let Some(bytes) = self
            .budget
            .bytes(self.archive, &target, MAX_PICTURE_BYTES)?
        else {
            return Ok(());
        };
        let Some(ext) = picture_format(&bytes) else {
            let name = target.rsplit('/').next().unwrap_or(&target).to_string();
            self.skipped_pictures.push(name);
            return Ok(());
        };
        let (width, height) = picture_size(&bytes)
            .map_err(|_| DocxError::Damaged(format!("the picture {target} cannot be read")))?;
        if width as u64 * height as u64 > MAX_PICTURE_PIXELS {
            return Err(DocxError::PictureTooLarge(target, width, height));
        }
        let i = self.pictures.len();
        self.pictures.push(Picture {
            src: format!("{}/{}", self.vbase, target),
            part: target.clone(),
            bytes: Arc::from(bytes),
            width,
            height,
            ext,
        });
        self.by_part.insert(target, i);
        para.pictures.push(i);
        Ok(())
    }

    pub(super) fn table(&mut self, t: Node) -> Result<Elem, DocxError> {
        let mut rows: Vec<Vec<Vec<Inline>>> = Vec::new();
        let mut lifted = Vec::new();
        for tr in t.children().filter(|n| n.has_tag_name_local("tr")) {
            let mut cells = Vec::new();
            for tc in tr
                .children()
                .filter(|n| n.has_tag_name_local("tc") || n.has_tag_name_local("sdt"))
            {
                let tc = if tc.has_tag_name_local("sdt") {
                    match tc.child("sdtContent").and_then(|c| c.child("tc")) {
                        Some(c) => c,
                        None => continue,
                    }
                } else {
                    tc
                };
                let span: usize = tc
                    .child("tcPr")
                    .and_then(|p| p.val_of("gridSpan"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let merged_below = tc
                    .child("tcPr")
                    .and_then(|p| p.child("vMerge"))
                    .is_some_and(|m| m.attr("val").is_none_or(|v| v == "continue"));
                let mut inlines: Vec<Inline> = Vec::new();
                if !merged_below {
                    let elems = self.block_elems(tc)?;
                    for e in elems {
                        match e {
                            Elem::Para(p) => {
                                lifted.extend(p.pictures.iter().copied());
                                let (body, indent) = p.inlines.finish();
                                if indent {
                                    self.dropped.insert(Dropped::Indents);
                                }
                                if !body.is_empty() {
                                    if !inlines.is_empty() {
                                        inlines.push(Inline::Linebreak);
                                    }
                                    inlines.extend(body);
                                }
                                for b in p.boxes {
                                    block_inlines(&b, &mut inlines);
                                }
                            }
                            Elem::Table(inner, pics) => {
                                lifted.extend(pics);
                                block_inlines(&inner, &mut inlines);
                            }
                        }
                    }
                }
                cells.push(inlines);
                for _ in 1..span {
                    cells.push(Vec::new());
                }
            }
            rows.push(cells);
        }
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        for r in &mut rows {
            r.resize(columns, Vec::new());
        }
        let mut rows = rows.into_iter();
        let header = rows.next().unwrap_or_default();
        let table = Block::Table(Table {
            columns,
            align: vec![Align::Auto; columns],
            header,
            rows: rows.collect(),
        });
        Ok(Elem::Table(table, lifted))
    }

    /// Turns elements into blocks: headings, lists, figures with their
    /// captions. At the top of the body also takes the title (a first
    /// paragraph) and the byline (a last one).
    #[allow(clippy::type_complexity)]
    pub(super) fn assemble(
        &mut self,
        elems: Vec<Elem>,
        top: bool,
    ) -> Result<
        (
            Vec<Block>,
            Option<String>,
            Option<(Option<String>, Option<String>)>,
        ),
        DocxError,
    > {
        let mut elems: Vec<Option<Elem>> = elems.into_iter().map(Some).collect();
        let is_empty = |e: &Elem| match e {
            Elem::Para(p) => p.inlines.is_blank() && p.pictures.is_empty() && p.boxes.is_empty(),
            Elem::Table(..) => false,
        };
        let mut title = None;
        let mut byline = None;
        if top {
            // The title: the first paragraph with text.
            if let Some(i) = elems
                .iter()
                .position(|e| e.as_ref().is_some_and(|e| !is_empty(e)))
                && let Some(Elem::Para(p)) = &elems[i]
                && p.pictures.is_empty()
                && p.list.is_none()
            {
                let text = p.inlines.plain().trim().to_string();
                let large = p.size.is_some_and(|s| s * 10 >= self.styles.body_size * 14);
                let short = text.chars().count() <= 60;
                if p.role == Role::Title || (large && short && p.role == Role::Body) {
                    title = Some(
                        text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
                            .to_string(),
                    );
                    elems[i] = None;
                }
            }
            // The byline: the last paragraph with text.
            if let Some(i) = elems
                .iter()
                .rposition(|e| e.as_ref().is_some_and(|e| !is_empty(e)))
                && let Some(Elem::Para(p)) = &elems[i]
                && p.pictures.is_empty()
                && p.list.is_none()
                && p.role == Role::Body
                && let Some(b) = parse_byline(&p.inlines.plain())
            {
                byline = Some(b);
                elems[i] = None;
            }
        }

        // Items: blocks, or list items waiting to be nested.
        enum Item {
            Block(Block),
            ListItem {
                num: String,
                level: u8,
                blocks: Vec<Block>,
            },
        }
        let mut items: Vec<Item> = Vec::new();
        let mut i = 0;
        while i < elems.len() {
            let Some(e) = elems[i].take() else {
                i += 1;
                continue;
            };
            i += 1;
            let p = match e {
                Elem::Table(t, pics) => {
                    items.push(Item::Block(t));
                    for pic in pics {
                        items.push(Item::Block(self.figure(pic, None)));
                    }
                    continue;
                }
                Elem::Para(p) => p,
            };
            if p.inlines.is_blank() && p.pictures.is_empty() && p.boxes.is_empty() {
                self.dropped.insert(Dropped::EmptyParagraphs);
                continue;
            }
            let role = p.role;
            let list = p.list.clone();
            let pictures = p.pictures.clone();
            let boxes = p.boxes;
            let (body, indent) = p.inlines.finish();
            if indent {
                self.dropped.insert(Dropped::Indents);
            }
            let mut blocks = Vec::new();
            if !body.is_empty() {
                blocks.push(match role {
                    Role::Heading(level) => Block::Heading { level, body },
                    _ => Block::Par { body },
                });
            }
            if !pictures.is_empty() {
                // The caption: the next paragraph with text, if it reads as one.
                let mut caption = None;
                let mut j = i;
                while j < elems.len() && elems[j].as_ref().is_some_and(&is_empty) {
                    j += 1;
                }
                if let Some(Some(Elem::Para(next))) = elems.get(j)
                    && next.pictures.is_empty()
                    && next.list.is_none()
                    && (next.role == Role::Caption || reads_as_caption(&next.inlines.plain()))
                {
                    caption = Some(next.inlines.plain().trim().to_string());
                    for e in &mut elems[i..=j] {
                        *e = None;
                    }
                    i = j + 1;
                }
                let last = pictures.len() - 1;
                for (k, pic) in pictures.into_iter().enumerate() {
                    let c = if k == last { caption.take() } else { None };
                    blocks.push(self.figure(pic, c));
                }
            }
            blocks.extend(boxes);
            match list {
                Some((num, level)) => items.push(Item::ListItem { num, level, blocks }),
                None => items.extend(blocks.into_iter().map(Item::Block)),
            }
        }

        // Nest list items.
        let mut out = Vec::new();
        let mut run: Vec<(String, u8, Vec<Block>)> = Vec::new();
        for item in items {
            match item {
                Item::ListItem { num, level, blocks } => run.push((num, level, blocks)),
                Item::Block(b) => {
                    if !run.is_empty() {
                        out.extend(self.nest(std::mem::take(&mut run)));
                    }
                    out.push(b);
                }
            }
        }
        if !run.is_empty() {
            out.extend(self.nest(run));
        }
        Ok((out, title, byline))
    }

    pub(super) fn figure(&self, pic: usize, caption: Option<String>) -> Block {
        let p = &self.pictures[pic];
        Block::Figure(Figure {
            src: p.src.clone(),
            caption,
            width: p.width,
            height: p.height,
        })
    }

    /// Builds nested lists from consecutive list paragraphs. Numbering goes
    /// on across the paragraphs between items of the same list, as in Word
    /// (1. 2., a paragraph, 3.); a deeper level starts again under each item.
    pub(super) fn nest(&mut self, run: Vec<(String, u8, Vec<Block>)>) -> Vec<Block> {
        type Open = Option<(bool, u64, Vec<Vec<Block>>)>;
        fn close(out: &mut Vec<Block>, current: &mut Open) {
            if let Some((ordered, start, items)) = current.take() {
                out.push(Block::List {
                    ordered,
                    start,
                    items,
                });
            }
        }
        let mut out = Vec::new();
        let base = run.iter().map(|r| r.1).min().unwrap_or(0);
        let mut current: Open = None;
        let mut deeper: Vec<(String, u8, Vec<Block>)> = Vec::new();
        let mut run = run.into_iter().peekable();
        loop {
            let next = run.next();
            if next.as_ref().is_none_or(|r| r.1 <= base) && !deeper.is_empty() {
                // The deeper items belong to the last item.
                let nested = self.nest(std::mem::take(&mut deeper));
                let cur = current.get_or_insert_with(|| (false, 1, Vec::new()));
                if cur.2.is_empty() {
                    cur.2.push(Vec::new());
                }
                cur.2.last_mut().expect("an item").extend(nested);
            }
            let Some((num, level, blocks)) = next else {
                break;
            };
            if level > base {
                deeper.push((num, level, blocks));
                continue;
            }
            let (ordered, first) = self.numbering.level(&num, level);
            let counters = self.counters.entry(num).or_insert_with(|| vec![0; 9]);
            let l = level as usize;
            let number = if counters[l] == 0 {
                first
            } else {
                counters[l] + 1
            };
            counters[l] = number;
            counters[l + 1..].iter_mut().for_each(|c| *c = 0);
            match &mut current {
                Some((o, _, items)) if *o == ordered => items.push(blocks),
                _ => {
                    close(&mut out, &mut current);
                    current = Some((ordered, number, vec![blocks]));
                }
            }
        }
        close(&mut out, &mut current);
        out
    }
}
