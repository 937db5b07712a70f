//! Paragraph and character styles (what a heading is), list numbering,
//! and footnote and endnote bodies.

use super::*;

/// A paragraph or character style, as far as folio uses it.
#[derive(Debug, Default, Clone)]
pub(super) struct Style {
    pub(super) name: String,
    pub(super) based_on: Option<String>,
    pub(super) outline: Option<u8>,
    pub(super) num: Option<(String, Option<u8>)>,
    pub(super) bold: Option<bool>,
    pub(super) italic: Option<bool>,
    pub(super) underline: Option<bool>,
    pub(super) strike: Option<bool>,
    pub(super) size: Option<u32>,
}

/// What a paragraph style makes of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Body,
    Title,
    Heading(u8),
    Caption,
}

pub(super) struct Styles {
    pub(super) map: HashMap<String, Style>,
    pub(super) default_para: Option<String>,
    /// The body text's size in half-points.
    pub(super) body_size: u32,
}

impl Styles {
    pub(super) fn new(doc: Option<&Document>) -> Self {
        let mut map = HashMap::new();
        let mut default_para = None;
        let mut doc_size = None;
        if let Some(doc) = doc {
            let root = doc.root_element();
            doc_size = root
                .child("docDefaults")
                .and_then(|d| d.child("rPrDefault"))
                .and_then(|d| d.child("rPr"))
                .and_then(|r| r.val_of("sz"))
                .and_then(|v| v.parse().ok());
            for s in root.children().filter(|n| n.has_tag_name_local("style")) {
                let Some(id) = s.attr("styleId") else {
                    continue;
                };
                let ppr = s.child("pPr");
                let rpr = s.child("rPr");
                let style = Style {
                    name: s.val_of("name").unwrap_or(id).to_string(),
                    based_on: s.val_of("basedOn").map(str::to_string),
                    outline: ppr
                        .and_then(|p| p.val_of("outlineLvl"))
                        .and_then(|v| v.parse().ok()),
                    num: ppr.and_then(|p| p.child("numPr")).map(|n| {
                        (
                            n.val_of("numId").unwrap_or("0").to_string(),
                            n.val_of("ilvl").and_then(|v| v.parse().ok()),
                        )
                    }),
                    bold: rpr.and_then(|r| r.toggle("b")),
                    italic: rpr.and_then(|r| r.toggle("i")),
                    underline: rpr.and_then(|r| r.toggle("u")),
                    strike: rpr.and_then(|r| r.toggle("strike")),
                    size: rpr
                        .and_then(|r| r.val_of("sz"))
                        .and_then(|v| v.parse().ok()),
                };
                if s.attr("type") == Some("paragraph")
                    && s.attr("default").is_some_and(|v| v == "1" || v == "true")
                {
                    default_para = Some(id.to_string());
                }
                map.insert(id.to_string(), style);
            }
        }
        let mut styles = Self {
            map,
            default_para,
            body_size: 21,
        };
        styles.body_size = styles
            .default_para
            .clone()
            .and_then(|id| styles.find(&id, |s| s.size))
            .or(doc_size)
            .unwrap_or(21);
        styles
    }

    /// The first value `f` gives along the style's `basedOn` chain.
    pub(super) fn find<T>(&self, id: &str, f: impl Fn(&Style) -> Option<T>) -> Option<T> {
        let mut id = id.to_string();
        for _ in 0..20 {
            let s = self.map.get(&id)?;
            if let Some(v) = f(s) {
                return Some(v);
            }
            id = s.based_on.clone()?;
        }
        None
    }

    /// A paragraph's role from its style (None: the default style).
    pub(super) fn role(&self, id: Option<&str>) -> Role {
        let Some(id) = id.or(self.default_para.as_deref()) else {
            return Role::Body;
        };
        let by_name = self.find(id, |s| role_of_name(&s.name));
        if let Some(role) = by_name {
            return role;
        }
        match self.find(id, |s| s.outline) {
            Some(l) if l < 9 => Role::Heading((l + 1).min(6)),
            _ => Role::Body,
        }
    }
}

/// The role a style's name gives: Word stores its built-in names in English
/// (`heading 1`, `Title`, `caption`) whatever the language of the program;
/// other writers store localised names (`标题 1`, `题注`).
pub(super) fn role_of_name(name: &str) -> Option<Role> {
    let lower = name.trim().to_lowercase();
    for prefix in ["heading", "标题"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let rest = rest.trim();
            if rest.is_empty() && prefix == "标题" {
                return Some(Role::Title);
            }
            if let Ok(n @ 1..=9) = rest.parse::<u8>() {
                return Some(Role::Heading(n.min(6)));
            }
        }
    }
    match lower.as_str() {
        "title" => Some(Role::Title),
        "caption" | "题注" => Some(Role::Caption),
        _ => None,
    }
}

/// List definitions: numId → per level (ordered, start).
pub(super) struct Numbering {
    pub(super) nums: HashMap<String, Vec<(bool, u64)>>,
}

impl Numbering {
    pub(super) fn new(doc: Option<&Document>) -> Self {
        let mut nums = HashMap::new();
        let Some(doc) = doc else {
            return Self { nums };
        };
        let root = doc.root_element();
        let levels = |n: Node| -> Vec<(u8, bool, u64)> {
            n.children()
                .filter(|l| l.has_tag_name_local("lvl"))
                .map(|l| {
                    let ilvl = l.attr("ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                    let fmt = l.val_of("numFmt").unwrap_or("decimal");
                    let start = l.val_of("start").and_then(|v| v.parse().ok()).unwrap_or(1);
                    (ilvl, !matches!(fmt, "bullet" | "none"), start)
                })
                .collect()
        };
        let mut abstracts: HashMap<String, Vec<(u8, bool, u64)>> = HashMap::new();
        for a in root
            .children()
            .filter(|n| n.has_tag_name_local("abstractNum"))
        {
            if let Some(id) = a.attr("abstractNumId") {
                abstracts.insert(id.to_string(), levels(a));
            }
        }
        for n in root.children().filter(|n| n.has_tag_name_local("num")) {
            let Some(id) = n.attr("numId") else { continue };
            let mut lv = n
                .val_of("abstractNumId")
                .and_then(|a| abstracts.get(a))
                .cloned()
                .unwrap_or_default();
            for o in n.children().filter(|c| c.has_tag_name_local("lvlOverride")) {
                let ilvl: u8 = o.attr("ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                if let Some(start) = o.val_of("startOverride").and_then(|v| v.parse().ok()) {
                    for l in lv.iter_mut().filter(|l| l.0 == ilvl) {
                        l.2 = start;
                    }
                }
                if let Some(l) = o.child("lvl") {
                    let over = levels(o);
                    let _ = l;
                    for (oi, ord, st) in over {
                        lv.retain(|x| x.0 != oi);
                        lv.push((oi, ord, st));
                    }
                }
            }
            let mut per = vec![(true, 1); 9];
            for (ilvl, ordered, start) in lv {
                if let Some(slot) = per.get_mut(ilvl as usize) {
                    *slot = (ordered, start);
                }
            }
            nums.insert(id.to_string(), per);
        }
        Self { nums }
    }

    /// (ordered, start) of a list level; a list without a definition is a
    /// bulleted one.
    pub(super) fn level(&self, num: &str, ilvl: u8) -> (bool, u64) {
        self.nums
            .get(num)
            .and_then(|l| l.get(ilvl as usize))
            .copied()
            .unwrap_or((false, 1))
    }
}

/// The notes of footnotes.xml or endnotes.xml, by id, as their XML nodes'
/// positions (resolved when called).
pub(super) fn notes<'d>(doc: Option<&'d Document<'d>>, tag: &str) -> HashMap<String, Node<'d, 'd>> {
    let mut map = HashMap::new();
    if let Some(doc) = doc {
        for n in doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name_local(tag))
        {
            // Separators and continuation notices are not notes.
            if matches!(
                n.attr("type"),
                Some("separator" | "continuationSeparator" | "continuationNotice")
            ) {
                continue;
            }
            if let Some(id) = n.attr("id") {
                map.insert(id.to_string(), n);
            }
        }
    }
    map
}
