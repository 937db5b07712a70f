//! Reading what a paragraph is by its text: a caption under a picture, a
//! byline at the end.

/// Whether a paragraph below a picture reads as its caption: 图为…, 图1…,
/// 图：…, 图片…
pub(super) fn reads_as_caption(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    if t.chars().count() > 120 {
        return false;
    }
    let mut chars = t.chars();
    match (chars.next(), chars.next()) {
        (Some('图'), Some(c)) => {
            matches!(
                c,
                '为' | '片'
                    | '示'
                    | ':'
                    | '：'
                    | ' '
                    | '\u{3000}'
                    | '.'
                    | '．'
                    | '、'
                    | '-'
                    | '—'
                    | '（'
                    | '('
            ) || c.is_ascii_digit()
                || ('０'..='９').contains(&c)
                || "一二三四五六七八九十".contains(c)
        }
        _ => false,
    }
}

/// Reads a last paragraph as a byline: 「第一支行 徐国龙」 (unit and name),
/// 「（供稿：华南支行）」, 「供稿：华南支行 张三」, 「文/张三」, 「作者：张三」.
/// Returns (author, unit).
pub(super) fn parse_byline(text: &str) -> Option<(Option<String>, Option<String>)> {
    let t = text
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    if t.is_empty() || t.chars().count() > 30 || t.ends_with(['。', '！', '？', '；', '，']) {
        return None;
    }
    // Brackets around the whole line.
    let inner = t
        .strip_prefix(['（', '('])
        .and_then(|s| s.strip_suffix(['）', ')']))
        .unwrap_or(t)
        .trim();
    let inner = inner.trim_start_matches(['—', '-', '－']).trim();
    for key in ["供稿单位", "供稿", "来源", "作者", "撰稿", "文", "通讯员"] {
        if let Some(rest) = inner.strip_prefix(key) {
            let rest = rest.trim_start();
            if let Some(value) = rest.strip_prefix([':', '：', '/', '／']) {
                let value = value.trim();
                if value.is_empty() {
                    return None;
                }
                let (author, unit) = split_unit_name(value);
                return Some(if key.starts_with("供稿") || key == "来源" {
                    match (author, unit) {
                        (Some(a), Some(u)) => (Some(a), Some(u)),
                        (a, None) if a.is_some() => (None, Some(value.to_string())),
                        (None, u) => (None, u.or_else(|| Some(value.to_string()))),
                        other => other,
                    }
                } else {
                    match (author, unit) {
                        (None, u) => (Some(value.to_string()), u),
                        other => other,
                    }
                });
            }
        }
    }
    // 「第一支行 徐国龙」: a unit, a space, a name.
    let (author, unit) = split_unit_name(inner);
    if author.is_some() && unit.is_some() {
        return Some((author, unit));
    }
    None
}

/// Splits 「第一支行 徐国龙」 into (author, unit): a unit ends in 行, 部,
/// 中心, 室, 处, 所, 局, 公司 or 网点; a name is two to four Chinese
/// characters (several names separated by spaces or 、 are kept together).
pub(super) fn split_unit_name(s: &str) -> (Option<String>, Option<String>) {
    let is_unit = |u: &str| {
        [
            "行", "部", "中心", "室", "处", "所", "局", "公司", "网点", "团队", "班",
        ]
        .iter()
        .any(|e| u.ends_with(e))
    };
    let is_name = |n: &str| {
        let c = n.chars().count();
        (2..=4).contains(&c)
            && n.chars()
                .all(|ch| ('\u{4E00}'..='\u{9FFF}').contains(&ch) || ch == '·')
    };
    let parts: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == '\u{3000}')
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [one] if is_unit(one) => (None, Some(one.to_string())),
        [one] if is_name(one) => (Some(one.to_string()), None),
        [unit @ .., last] if !unit.is_empty() && is_unit(&unit.join("")) => {
            let names: Vec<&str> = last.split('、').collect();
            if names.iter().all(|n| is_name(n)) {
                (Some(last.to_string()), Some(unit.join("")))
            } else {
                (None, None)
            }
        }
        [first, rest @ ..]
            if !rest.is_empty() && rest.iter().all(|n| is_name(n)) && is_unit(first) =>
        {
            (Some(rest.join("、")), Some(first.to_string()))
        }
        _ => (None, None),
    }
}
