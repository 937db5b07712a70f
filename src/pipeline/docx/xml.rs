//! XML parts: parsing with limits, element helpers, and the relationships
//! that name a part's pictures, links and notes.

use super::*;

pub(super) fn parse<'t>(text: &'t str, part: &str) -> Result<Document<'t>, DocxError> {
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: 4_000_000,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, opts).map_err(|e| DocxError::Damaged(format!("{part}: {e}")))
}

pub(super) trait NodeExt<'a, 'i> {
    fn has_tag_name_local(&self, name: &str) -> bool;
    /// An attribute by its local name, whatever its namespace.
    fn attr(&self, name: &str) -> Option<&'a str>;
    fn child(&self, name: &str) -> Option<Node<'a, 'i>>;
    /// The `w:val` of a child element.
    fn val_of(&self, child: &str) -> Option<&'a str>;
    /// A toggle property (`<w:b/>`, `<w:b w:val="0"/>`).
    fn toggle(&self, child: &str) -> Option<bool>;
}

impl<'a, 'i: 'a> NodeExt<'a, 'i> for Node<'a, 'i> {
    fn has_tag_name_local(&self, name: &str) -> bool {
        self.is_element() && self.tag_name().name() == name
    }

    fn attr(&self, name: &str) -> Option<&'a str> {
        self.attributes()
            .find(|a| a.name() == name)
            .map(|a| a.value())
    }

    fn child(&self, name: &str) -> Option<Node<'a, 'i>> {
        self.children().find(|c| c.has_tag_name_local(name))
    }

    fn val_of(&self, child: &str) -> Option<&'a str> {
        self.child(child).and_then(|c| c.attr("val"))
    }

    fn toggle(&self, child: &str) -> Option<bool> {
        self.child(child).map(|c| {
            !matches!(
                c.attr("val").map(str::to_ascii_lowercase).as_deref(),
                Some("0" | "false" | "off" | "none")
            )
        })
    }
}

/// The main part's relationships: pictures, links, notes, styles.
#[derive(Default)]
pub(super) struct Rels {
    /// id → (type, target as a part name or an external URL, external)
    pub(super) map: HashMap<String, (String, String, bool)>,
}

impl Rels {
    pub(super) fn parse(text: &str, part: &str, dir: &str) -> Result<Self, DocxError> {
        let doc = parse(text, part)?;
        let mut map = HashMap::new();
        for n in doc
            .root_element()
            .children()
            .filter(|n| n.has_tag_name_local("Relationship"))
        {
            let (Some(id), Some(ty), Some(target)) = (
                n.attribute("Id"),
                n.attribute("Type"),
                n.attribute("Target"),
            ) else {
                continue;
            };
            let external = n.attribute("TargetMode") == Some("External");
            let target = if external {
                target.to_string()
            } else {
                resolve_part(dir, target)
            };
            map.insert(id.to_string(), (ty.to_string(), target, external));
        }
        Ok(Self { map })
    }

    pub(super) fn by_type(&self, suffix: &str) -> Option<String> {
        let mut found: Vec<&(String, String, bool)> = self
            .map
            .values()
            .filter(|(t, _, ext)| t.ends_with(suffix) && !ext)
            .collect();
        found.sort_by(|a, b| a.1.cmp(&b.1));
        found.first().map(|(_, target, _)| target.clone())
    }

    pub(super) fn get(&self, id: &str) -> Option<&(String, String, bool)> {
        self.map.get(id)
    }
}

/// A relationship target relative to the folder `dir` of the main part.
pub(super) fn resolve_part(dir: &str, target: &str) -> String {
    let joined = if let Some(abs) = target.strip_prefix('/') {
        abs.to_string()
    } else {
        format!("{dir}{target}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}
