//! Text clean-up shared by every article reader: which characters are
//! Chinese, which are dropped, and the typographic corrections editors
//! expect of pasted text, in article bodies and titles alike.
//!
//! Text is data: these passes change characters, never structure. They run
//! over a paragraph's whole run of inline text at once (emphasis and links
//! split the text into pieces, code spans and line breaks sit between
//! them), so that a bracket pair or a number and its unit are seen whole
//! even when emphasis falls between them.
//!
//! Always applied (invisible, or whitespace only):
//! - an ASCII space between two Chinese characters (Han or Chinese
//!   punctuation) is removed; between Han and Latin it stays (the layout
//!   spaces CJK and Latin);
//! - a WORD JOINER (U+2060) binds a number to its unit (`6万元`, `11月`),
//!   and a NO-BREAK SPACE to a Latin unit after a space (`60 MB`);
//! - a run of Latin letters, digits or symbols long enough to outrun a
//!   column gets break opportunities: a ZERO WIDTH SPACE after the
//!   separators of addresses (`/ . - _ ? & = #`), between groups of four
//!   digits, and a SOFT HYPHEN every few letters of an over-long word (a
//!   hyphen is printed where the line breaks there).
//!
//! With `fullwidth` (the manifest's `typography.fullwidth_punctuation`):
//! - half-width `,;:!?` typed next to Chinese become full width;
//! - a bracket pair `( )` becomes `（ ）` as a pair, when its content is
//!   Chinese or both its outer neighbours are, never inside a Latin word,
//!   a number or an address, and never one bracket alone;
//! - a single dash or hyphen between Chinese words becomes the 破折号 `——`;
//! - `-- 名字` at the start of a line (an attribution after a quotation)
//!   becomes `——名字` (Latin text keeps what it typed).

use crate::pipeline::tree::{Block, Inline};

/// Whether a character is dropped from the text: the control characters
/// (U+0000–U+001F and U+007F–U+009F) other than tab and line feed. Text
/// pasted from Word or WeChat carries them (vertical tabs, form feeds,
/// bells); they have no printed form.
pub fn is_dropped(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Whether a character belongs to CJK text, so that no space separates it
/// from its neighbour when a line is broken in the source.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{2FDF}'   // radicals
        | '\u{3000}'..='\u{303F}' // CJK punctuation
        | '\u{3040}'..='\u{30FF}' // kana
        | '\u{3100}'..='\u{31BF}' // bopomofo
        | '\u{3400}'..='\u{4DBF}' // extension A
        | '\u{4E00}'..='\u{9FFF}' // unified ideographs
        | '\u{F900}'..='\u{FAFF}' // compatibility ideographs
        | '\u{FE30}'..='\u{FE4F}' // compatibility forms
        | '\u{FF00}'..='\u{FFEF}' // full-width forms
        | '\u{20000}'..='\u{3FFFF}'
        | '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

/// Typesets every text of an article's blocks: each paragraph, heading
/// and table cell as one run (so that emphasis inside a bracket pair or
/// between a number and its unit does not hide one from the other), and
/// figure captions.
pub fn typeset_blocks(blocks: &mut [Block], fullwidth: bool) {
    for b in blocks {
        match b {
            Block::Par { body } | Block::Heading { body, .. } | Block::Attribution { body } => {
                typeset_inlines(body, fullwidth)
            }
            Block::Quote { body } => typeset_blocks(body, fullwidth),
            Block::List { items, .. } => {
                for item in items {
                    typeset_blocks(item, fullwidth);
                }
            }
            Block::Table(t) => {
                for cell in t.header.iter_mut().chain(t.rows.iter_mut().flatten()) {
                    typeset_inlines(cell, fullwidth);
                }
            }
            Block::Figure(f) => {
                if let Some(c) = &mut f.caption {
                    *c = typeset_text(c, fullwidth);
                }
            }
            Block::CodeBlock { .. } | Block::Rule => {}
        }
    }
}

/// Typesets one run of inlines; footnotes are runs of their own.
fn typeset_inlines(inlines: &mut [Inline], fullwidth: bool) {
    let mut pieces = Vec::new();
    let mut notes = Vec::new();
    collect(inlines, &mut pieces, &mut notes);
    typeset_run(&mut pieces, fullwidth);
    drop(pieces);
    for n in notes {
        typeset_blocks(n, fullwidth);
    }
}

fn collect<'a>(
    inlines: &'a mut [Inline],
    pieces: &mut Vec<Piece<'a>>,
    notes: &mut Vec<&'a mut Vec<Block>>,
) {
    for i in inlines {
        match i {
            Inline::Text { text } => pieces.push(Piece::Text(text)),
            Inline::Emph { body }
            | Inline::Strong { body }
            | Inline::Strike { body }
            | Inline::Link { body, .. } => collect(body, pieces, notes),
            Inline::Code { .. } => pieces.push(Piece::Opaque),
            Inline::Linebreak => pieces.push(Piece::Break),
            Inline::Footnote { body } => {
                pieces.push(Piece::Opaque);
                notes.push(body);
            }
        }
    }
}

/// One piece of a run of inline text.
pub enum Piece<'a> {
    /// Text that the passes may change.
    Text(&'a mut String),
    /// Something printed between the texts that is not text to change (a
    /// code span, a footnote mark): seen as a Latin letter.
    Opaque,
    /// A line break: seen as the start of a line.
    Break,
}

const WORD_JOINER: char = '\u{2060}';
const ZWSP: char = '\u{200B}';
const SHY: char = '\u{AD}';
/// Stands for an opaque piece in the character sequence.
const OBJECT: char = '\u{FFFC}';

/// A run longer than this (in characters, without break opportunities)
/// gets break opportunities.
pub const LONG_RUN: usize = 24;
/// Digits are grouped by this many.
const DIGIT_GROUP: usize = 4;
/// Over-long words get a soft hyphen every this many letters.
const WORD_PART: usize = 8;

/// Whether a character is a Han ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3FFFF}'
        | '〇')
}

/// Whether a character is Chinese punctuation, or a kana or bopomofo.
fn is_cjk_mark(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{3100}'..='\u{31BF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}')
}

/// Punctuation that both Chinese and Latin text use: Chinese when its other
/// neighbour is.
fn is_shared(c: char) -> bool {
    matches!(c, '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Whether a character is a unit that a number may not be parted from.
fn is_unit(c: char) -> bool {
    matches!(
        c,
        '年' | '月'
            | '日'
            | '号'
            | '时'
            | '分'
            | '秒'
            | '点'
            | '天'
            | '周'
            | '期'
            | '届'
            | '季'
            | '岁'
            | '万'
            | '亿'
            | '千'
            | '百'
            | '元'
            | '角'
            | '个'
            | '人'
            | '名'
            | '位'
            | '次'
            | '家'
            | '项'
            | '件'
            | '台'
            | '条'
            | '笔'
            | '户'
            | '倍'
            | '张'
            | '支'
            | '所'
            | '座'
            | '米'
            | '克'
            | '吨'
            | '亩'
            | '层'
            | '楼'
            | '页'
            | '章'
            | '节'
            | '类'
            | '种'
            | '批'
            | '轮'
            | '场'
            | '例'
            | '份'
            | '套'
            | '辆'
            | '间'
            | '小'
            | '公'
            | '平'
    )
}

/// Units that follow a magnitude (`万元`, `亿人`, `小时`, `公里`).
fn is_second_unit(first: char, c: char) -> bool {
    match first {
        '万' | '亿' | '千' | '百' => is_unit(c) && !matches!(c, '万' | '亿' | '千' | '百'),
        '小' => c == '时',
        '公' => matches!(c, '里' | '斤' | '顷' | '分'),
        '平' => c == '方',
        _ => false,
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// The sequence the passes work on: each character with the piece it came
/// from.
type Seq = Vec<(char, usize)>;

/// Typesets one string (a title, a caption).
pub fn typeset_text(s: &str, fullwidth: bool) -> String {
    let mut t = s.to_string();
    typeset_run(&mut [Piece::Text(&mut t)], fullwidth);
    t
}

/// Typesets a run of inline text in place.
pub fn typeset_run(pieces: &mut [Piece<'_>], fullwidth: bool) {
    let mut seq: Seq = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        match p {
            Piece::Text(s) => seq.extend(s.chars().map(|c| (c, i))),
            Piece::Opaque => seq.push((OBJECT, i)),
            Piece::Break => seq.push(('\n', i)),
        }
    }
    let before: Vec<char> = seq.iter().map(|(c, _)| *c).collect();
    seq = remove_spaces(seq);
    if fullwidth {
        seq = attribution(seq);
        seq = dashes(seq);
        seq = punctuation(seq);
        seq = brackets(seq);
    }
    seq = units(seq);
    seq = long_runs(seq);
    if seq.iter().map(|(c, _)| *c).eq(before.iter().copied()) {
        return;
    }
    let mut texts: Vec<Option<String>> = pieces
        .iter()
        .map(|p| matches!(p, Piece::Text(_)).then(String::new))
        .collect();
    for (c, i) in seq {
        if let Some(Some(t)) = texts.get_mut(i) {
            t.push(c);
        }
    }
    for (p, t) in pieces.iter_mut().zip(texts) {
        if let (Piece::Text(s), Some(t)) = (p, t) {
            **s = t;
        }
    }
}

/// Whether the character at `i` reads as Chinese; shared punctuation does
/// when the neighbour on its far side (`dir` −1 or +1) does.
fn chinese_at(seq: &Seq, i: usize, dir: isize) -> bool {
    let c = seq[i].0;
    if is_han(c) || is_cjk_mark(c) {
        return true;
    }
    if is_shared(c) {
        let mut j = i as isize + dir;
        while j >= 0 && (j as usize) < seq.len() {
            let d = seq[j as usize].0;
            if is_shared(d) {
                j += dir;
                continue;
            }
            return is_han(d) || is_cjk_mark(d);
        }
    }
    false
}

/// The index of the nearest character before `i` that is not a space.
fn prev_sig(seq: &Seq, i: usize) -> Option<usize> {
    (0..i).rev().find(|&j| !is_space(seq[j].0))
}

/// The index of the nearest character after `i` that is not a space.
fn next_sig(seq: &Seq, i: usize) -> Option<usize> {
    (i + 1..seq.len()).find(|&j| !is_space(seq[j].0))
}

/// Marks the characters that belong to an address (a URL, an e-mail
/// address, `www.…`): nothing in them is converted.
fn address_mask(seq: &Seq) -> Vec<bool> {
    let mut mask = vec![false; seq.len()];
    let mut i = 0;
    while i < seq.len() {
        let token_char = |c: char| {
            !c.is_whitespace()
                && !is_han(c)
                && !is_cjk_mark(c)
                && c != OBJECT
                && c != '“'
                && c != '”'
        };
        if !token_char(seq[i].0) {
            i += 1;
            continue;
        }
        let start = i;
        while i < seq.len() && token_char(seq[i].0) {
            i += 1;
        }
        let token: String = seq[start..i].iter().map(|(c, _)| *c).collect();
        let lower = token.to_ascii_lowercase();
        let is_address = lower.contains("://")
            || lower.contains("www.")
            || lower.starts_with("mailto:")
            || (lower.contains('@') && lower.contains('.'));
        if is_address {
            // A trailing `,` `.` `)` is punctuation of the sentence.
            let mut end = i;
            while end > start && matches!(seq[end - 1].0, ',' | '.' | ';' | ':' | '!' | '?' | ')') {
                end -= 1;
            }
            mask[start..end].iter_mut().for_each(|m| *m = true);
        }
    }
    mask
}

/// Removes runs of ASCII spaces between two Chinese characters.
fn remove_spaces(seq: Seq) -> Seq {
    let mut out = Vec::with_capacity(seq.len());
    let mut i = 0;
    while i < seq.len() {
        if !is_space(seq[i].0) {
            out.push(seq[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < seq.len() && is_space(seq[i].0) {
            i += 1;
        }
        let between =
            start > 0 && i < seq.len() && chinese_at(&seq, start - 1, -1) && chinese_at(&seq, i, 1);
        if !between {
            out.extend_from_slice(&seq[start..i]);
        }
    }
    out
}

/// `-- 名字` at the start of a line becomes `——名字`.
fn attribution(seq: Seq) -> Seq {
    let mut out: Seq = Vec::with_capacity(seq.len());
    let mut i = 0;
    while i < seq.len() {
        let line_start = out
            .iter()
            .rev()
            .find(|(c, _)| !is_space(*c))
            .is_none_or(|(c, _)| *c == '\n');
        if line_start && seq[i].0 == '-' && seq.get(i + 1).is_some_and(|c| c.0 == '-') {
            let mut j = i + 2;
            while j < seq.len() && is_space(seq[j].0) {
                j += 1;
            }
            let named = seq
                .get(j)
                .is_some_and(|(c, _)| c.is_alphanumeric() && *c != '-');
            if named {
                // Only before a Chinese name: Latin text keeps what it typed.
                if is_han(seq[j].0) {
                    let tag = seq[i].1;
                    out.extend([('—', tag), ('—', tag)]);
                    i = j;
                    continue;
                }
            }
        }
        out.push(seq[i]);
        i += 1;
    }
    out
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '―' | '－' | '‒')
}

/// A dash or hyphen between Chinese words becomes the 破折号 `——`.
fn dashes(seq: Seq) -> Seq {
    let mask = address_mask(&seq);
    let mut out = Vec::with_capacity(seq.len());
    let mut i = 0;
    while i < seq.len() {
        if !is_dash(seq[i].0) || mask[i] {
            out.push(seq[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < seq.len() && is_dash(seq[i].0) {
            i += 1;
        }
        let run: String = seq[start..i].iter().map(|(c, _)| *c).collect();
        let known = matches!(
            run.as_str(),
            "-" | "--" | "–" | "—" | "――" | "―" | "－" | "——"
        );
        let before = prev_sig(&seq, start);
        let after = next_sig(&seq, i - 1);
        let han = |j: Option<usize>| j.is_some_and(|j| is_han(seq[j].0));
        let cjk_around = |j: Option<usize>, dir| j.is_some_and(|j| chinese_at(&seq, j, dir));
        // Between Han, or Han and Chinese punctuation (`网点—“…`).
        let between =
            (han(before) && cjk_around(after, 1)) || (cjk_around(before, -1) && han(after));
        if known && between {
            // Drop the spaces typed around it.
            while out
                .last()
                .is_some_and(|(c, _): &(char, usize)| is_space(*c))
            {
                out.pop();
            }
            let tag = seq[start].1;
            out.extend([('—', tag), ('—', tag)]);
            while i < seq.len() && is_space(seq[i].0) {
                i += 1;
            }
        } else {
            out.extend_from_slice(&seq[start..i]);
        }
    }
    out
}

fn fullwidth_of(c: char) -> char {
    match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '!' => '！',
        '?' => '？',
        '(' => '（',
        ')' => '）',
        other => other,
    }
}

/// Replaces `seq[i]` by a full-width character, dropping the spaces around it.
fn push_fullwidth(out: &mut Seq, seq: &Seq, i: &mut usize, c: char) {
    while out.last().is_some_and(|(c, _)| is_space(*c)) {
        out.pop();
    }
    out.push((c, seq[*i].1));
    *i += 1;
    while *i < seq.len() && is_space(seq[*i].0) {
        *i += 1;
    }
}

/// Half-width `,;:!?` next to Chinese become full width.
fn punctuation(seq: Seq) -> Seq {
    let mask = address_mask(&seq);
    let mut out = Vec::with_capacity(seq.len());
    let mut i = 0;
    while i < seq.len() {
        let c = seq[i].0;
        if matches!(c, ',' | ';' | ':' | '!' | '?') && !mask[i] {
            let prev = prev_sig(&seq, i);
            let next = next_sig(&seq, i);
            let chinese = prev.is_some_and(|p| chinese_at(&seq, p, -1))
                || next.is_some_and(|n| chinese_at(&seq, n, 1));
            // Keep "3:4" and "1,000" as they are.
            let digits = prev.is_some_and(|p| is_digit(seq[p].0))
                && next.is_some_and(|n| is_digit(seq[n].0));
            if chinese && !digits {
                push_fullwidth(&mut out, &seq, &mut i, fullwidth_of(c));
                continue;
            }
        }
        out.push(seq[i]);
        i += 1;
    }
    out
}

fn is_latin_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_han(c) && !is_cjk_mark(c) || c == '_'
}

/// Bracket pairs next to or around Chinese become full width, as a pair.
fn brackets(seq: Seq) -> Seq {
    let mask = address_mask(&seq);
    let mut stack = Vec::new();
    let mut convert = vec![false; seq.len()];
    for i in 0..seq.len() {
        match seq[i].0 {
            '(' => stack.push(i),
            ')' => {
                let Some(open) = stack.pop() else { continue };
                if mask[open] || mask[i] {
                    continue;
                }
                let content = &seq[open + 1..i];
                let han_inside = content.iter().any(|(c, _)| is_han(*c));
                let before = prev_sig(&seq, open);
                let after = next_sig(&seq, i);
                let chinese_outside = before.is_some_and(|b| chinese_at(&seq, b, -1))
                    && after.is_some_and(|a| chinese_at(&seq, a, 1));
                // `f(x)`, `a(中)b`: inside a Latin word or a number.
                let glued = |j: Option<usize>| {
                    j.and_then(|j| seq.get(j))
                        .is_some_and(|(c, _)| is_latin_word_char(*c))
                };
                let in_word = glued(open.checked_sub(1)) && glued(Some(i + 1));
                let latin_call = glued(open.checked_sub(1)) && !han_inside;
                if (han_inside || chinese_outside) && !in_word && !latin_call {
                    convert[open] = true;
                    convert[i] = true;
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(seq.len());
    let mut i = 0;
    while i < seq.len() {
        if convert[i] {
            let c = fullwidth_of(seq[i].0);
            push_fullwidth(&mut out, &seq, &mut i, c);
        } else {
            out.push(seq[i]);
            i += 1;
        }
    }
    out
}

/// Latin units written after a number and a space (`60 MB`, `5 km`).
const LATIN_UNITS: &[&str] = &[
    "B", "KB", "kB", "MB", "GB", "TB", "PB", "Kb", "Mb", "Gb", "Mbps", "Gbps", "km", "m", "cm",
    "mm", "kg", "g", "mg", "t", "L", "ml", "mL", "s", "ms", "min", "h", "Hz", "kHz", "MHz", "GHz",
    "W", "kW", "kWh", "V", "A", "mA", "mAh", "dpi", "ppi", "pt", "px", "°C", "℃", "%",
];

/// Whether `seq[i..]` starts with a Latin unit that ends there (no letter
/// after it).
fn latin_unit_at(seq: &Seq, i: usize) -> bool {
    LATIN_UNITS.iter().any(|u| {
        let n = u.chars().count();
        seq.len() >= i + n
            && seq[i..i + n].iter().map(|(c, _)| *c).eq(u.chars())
            && seq.get(i + n).is_none_or(|(c, _)| !c.is_alphabetic())
    })
}

/// A WORD JOINER between a number and its unit; a NO-BREAK SPACE for the
/// space between a number and a Latin unit (`60 MB` never breaks).
/// (Only in a run with Chinese in it: Latin text is left as typed.)
fn units(seq: Seq) -> Seq {
    let mut out: Seq = Vec::with_capacity(seq.len() + 4);
    let chinese = seq.iter().any(|(c, _)| is_cjk(*c));
    for i in 0..seq.len() {
        let (c, tag) = seq[i];
        if chinese && c == ' ' && i > 0 && is_digit(seq[i - 1].0) && latin_unit_at(&seq, i + 1) {
            out.push(('\u{a0}', tag));
            continue;
        }
        if i > 0 {
            let p = seq[i - 1].0;
            let glue = (is_digit(p) && is_unit(c))
                || (i > 1 && is_digit(seq[i - 2].0) && is_second_unit(p, c));
            if glue {
                out.push((WORD_JOINER, seq[i - 1].1));
            }
        }
        out.push((c, tag));
    }
    out
}

fn is_break_char(c: char) -> bool {
    c.is_whitespace() || matches!(c, ZWSP | SHY | '\n' | OBJECT)
}

/// Separators of addresses and reference numbers, after which a line may
/// break.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '/' | '.' | '-' | '_' | '?' | '&' | '=' | '#' | '\\' | '|' | ',' | ';' | ':' | '~' | '+'
    )
}

/// Break opportunities in runs too long for a column.
fn long_runs(seq: Seq) -> Seq {
    let run_char = |c: char| !is_break_char(c) && !is_han(c) && !is_cjk_mark(c);
    let mut out = Vec::with_capacity(seq.len());
    let mut i = 0;
    while i < seq.len() {
        if !run_char(seq[i].0) {
            out.push(seq[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < seq.len() && run_char(seq[i].0) {
            i += 1;
        }
        let run = &seq[start..i];
        if run.len() <= LONG_RUN {
            out.extend_from_slice(run);
            continue;
        }
        break_run(run, &mut out);
    }
    out
}

/// Inserts break opportunities into one long run.
fn break_run(run: &[(char, usize)], out: &mut Seq) {
    // Parts between separators.
    let mut part_start = 0;
    let mut k = 0;
    while k <= run.len() {
        let at_sep = k < run.len() && is_separator(run[k].0);
        if k == run.len() || at_sep {
            break_part(&run[part_start..k], out);
            if at_sep {
                // The whole run of separators (`://`), then a break.
                let mut m = k;
                while m < run.len() && is_separator(run[m].0) {
                    out.push(run[m]);
                    m += 1;
                }
                if m < run.len() {
                    out.push((ZWSP, run[m - 1].1));
                }
                k = m;
                part_start = m;
                continue;
            }
        }
        k += 1;
    }
}

/// Breaks one part (no separators) of a long run: digits in groups, words
/// with soft hyphens, anything else with zero-width spaces.
fn break_part(part: &[(char, usize)], out: &mut Seq) {
    if part.len() <= LONG_RUN / 2 {
        out.extend_from_slice(part);
        return;
    }
    let all_digits = part.iter().all(|(c, _)| is_digit(*c));
    let letters = part.iter().all(|(c, _)| c.is_alphabetic());
    let (step, mark) = if all_digits {
        (DIGIT_GROUP, ZWSP)
    } else if letters {
        (WORD_PART, SHY)
    } else {
        (WORD_PART, ZWSP)
    };
    for (n, item) in part.iter().enumerate() {
        // Keep at least half a step together at the end.
        if n > 0 && n % step == 0 && part.len() - n >= step / 2 {
            // No break inside a combining sequence.
            if !is_combining(item.0) {
                out.push((mark, part[n - 1].1));
            }
        }
        out.push(*item);
    }
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
        || ('\u{1F3FB}'..='\u{1F3FF}').contains(&c)
        || ('\u{E0020}'..='\u{E007F}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tw(s: &str) -> String {
        typeset_text(s, true)
    }

    fn visible(s: &str) -> String {
        s.chars()
            .filter(|c| !matches!(*c, WORD_JOINER | ZWSP | SHY))
            .collect()
    }

    #[test]
    fn halfwidth_punctuation_between_han_becomes_fullwidth() {
        assert_eq!(tw("客户,暖心服务"), "客户，暖心服务");
        assert_eq!(tw("辉煌( 第一支行 )"), "辉煌（第一支行）");
        assert_eq!(visible(&tw("10日,分行")), "10日，分行");
        assert_eq!(tw("时间 12:30, ok"), "时间 12:30, ok");
        assert_eq!(tw("a, b (c)"), "a, b (c)");
        assert_eq!(typeset_text("客户,暖心", false), "客户,暖心");
    }

    #[test]
    fn halfwidth_punctuation_next_to_chinese_on_one_side() {
        assert_eq!(tw("银行”!"), "银行”！");
        assert_eq!(tw("号所言:“做最"), "号所言：“做最");
        assert_eq!(
            visible(&tw("方案》(工银办〔2023〕252号)工作")),
            "方案》（工银办〔2023〕252号）工作"
        );
        assert_eq!(visible(&tw("的网点,2023年")), "的网点，2023年");
        assert_eq!(tw("提升到98.6%,按照"), "提升到98.6%，按照");
        assert_eq!(tw("ICBC App,然后"), "ICBC App，然后");
        assert_eq!(tw("1,000元"), "1,000\u{2060}元");
        assert_eq!(
            tw("见 http://icbc.com.cn 网站"),
            "见 http://icbc.com.cn 网站"
        );
    }

    #[test]
    fn brackets_convert_as_a_pair_or_not_at_all() {
        assert_eq!(
            tw("调用 structuredClone() 函数"),
            "调用 structuredClone() 函数"
        );
        assert_eq!(tw("用structuredClone()复制"), "用structuredClone()复制");
        assert_eq!(tw("函数 f(x) 的值"), "函数 f(x) 的值");
        assert_eq!(tw("见第(3)条"), "见第（3）条");
        assert_eq!(tw("北京(Beijing)是首都"), "北京（Beijing）是首都");
        assert_eq!(tw("手机银行App(新版)"), "手机银行App（新版）");
        // Unpaired: neither converted.
        assert_eq!(tw("一是(服务"), "一是(服务");
        assert_eq!(tw("服务)二是"), "服务)二是");
        // Inside an address.
        assert_eq!(
            visible(&tw("见 https://en.wikipedia.org/wiki/Bank_(finance) 网页")),
            "见 https://en.wikipedia.org/wiki/Bank_(finance) 网页"
        );
    }

    #[test]
    fn a_pair_split_by_emphasis_is_seen_whole() {
        let mut a = "客户(".to_string();
        let mut b = "重点".to_string();
        let mut c = ")说".to_string();
        typeset_run(
            &mut [
                Piece::Text(&mut a),
                Piece::Text(&mut b),
                Piece::Text(&mut c),
            ],
            true,
        );
        assert_eq!(
            (a.as_str(), b.as_str(), c.as_str()),
            ("客户（", "重点", "）说")
        );
        let mut a = "调用 foo(".to_string();
        let mut c = ") 即可".to_string();
        typeset_run(
            &mut [Piece::Text(&mut a), Piece::Opaque, Piece::Text(&mut c)],
            true,
        );
        assert_eq!((a.as_str(), c.as_str()), ("调用 foo(", ") 即可"));
    }

    #[test]
    fn spaces_between_chinese_are_removed() {
        assert_eq!(tw("避免柜台堵塞。 此外"), "避免柜台堵塞。此外");
        assert_eq!(tw("服务 网点"), "服务网点");
        assert_eq!(tw("使用 App 办理"), "使用 App 办理");
        assert_eq!(tw("“你好” “世界”"), "“你好”“世界”");
        assert_eq!(tw("“hello” “world”"), "“hello” “world”");
        assert_eq!(typeset_text("服务  网点", false), "服务网点");
    }

    #[test]
    fn dashes_between_chinese_words() {
        assert_eq!(tw("支行—网点"), "支行——网点");
        assert_eq!(tw("支行-网点"), "支行——网点");
        assert_eq!(tw("支行 — 网点"), "支行——网点");
        assert_eq!(tw("支行——网点"), "支行——网点");
        assert_eq!(tw("2023-2024年"), "2023-2024\u{2060}年");
        assert_eq!(tw("COVID-19疫情"), "COVID-19疫情");
        assert_eq!(tw("well—known"), "well—known");
        assert_eq!(typeset_text("支行—网点", false), "支行—网点");
    }

    #[test]
    fn attribution_after_a_quotation() {
        assert_eq!(tw("-- 鲁迅"), "——鲁迅");
        assert_eq!(tw("--鲁迅"), "——鲁迅");
        assert_eq!(tw("-- Lu Xun"), "-- Lu Xun");
        let mut a = "路漫漫其修远兮".to_string();
        let mut b = "-- 屈原".to_string();
        typeset_run(
            &mut [Piece::Text(&mut a), Piece::Break, Piece::Text(&mut b)],
            true,
        );
        assert_eq!(b, "——屈原");
        // Not at a line start.
        assert_eq!(tw("a -- b"), "a -- b");
    }

    #[test]
    fn numbers_keep_their_units() {
        assert_eq!(
            tw("2023年11月3日起"),
            "2023\u{2060}年11\u{2060}月3\u{2060}日起"
        );
        assert_eq!(tw("诈骗6万元"), "诈骗6\u{2060}万\u{2060}元");
        assert_eq!(tw("98.6%"), "98.6%");
        assert_eq!(tw("共12个网点"), "共12\u{2060}个网点");
        assert_eq!(tw("3小时"), "3\u{2060}小\u{2060}时");
        assert_eq!(tw("年月"), "年月");
        assert_eq!(tw("每月 60 MB"), "每月 60\u{a0}MB");
        assert_eq!(tw("1 GB 空间"), "1\u{a0}GB 空间");
        assert_eq!(tw("全程 5 km"), "全程 5\u{a0}km");
        assert_eq!(tw("5 km"), "5 km");
        // Not a unit: a word that starts like one, or no number before.
        assert_eq!(tw("3 Markdown"), "3 Markdown");
        assert_eq!(tw("共 5 人"), "共 5 人");
        assert_eq!(tw("A MB"), "A MB");
    }

    #[test]
    fn long_runs_get_break_opportunities() {
        let url = "https://example.com/a/very/long/path/to/some/page?query=1&other=2";
        let t = tw(url);
        assert_eq!(visible(&t), url);
        assert!(t.contains("example.\u{200B}com/\u{200B}a"), "{t:?}");
        assert!(!t.contains(":\u{200B}/"), "{t:?}");
        let word = "a".repeat(60);
        let t = tw(&word);
        assert_eq!(visible(&t), word);
        assert_eq!(t.matches(SHY).count(), 7);
        let num = "1".repeat(75);
        let t = tw(&num);
        assert_eq!(visible(&t), num);
        assert!(t.matches(ZWSP).count() >= 17);
        // Short runs are untouched.
        assert_eq!(tw("internationalization"), "internationalization");
    }

    proptest::proptest! {
        /// Latin-only text is byte-identical with the Chinese clean-up on,
        /// as long as no run outgrows a column; longer runs only gain
        /// invisible break opportunities.
        #[test]
        fn latin_only_runs_are_byte_identical(
            words in proptest::collection::vec("[a-zA-Z0-9#$*_`~()<>@=+!|{}/;:,.'\"&%^?\\[\\]-]{1,24}", 1..12),
            long in "[a-zA-Z0-9/.:?&=_-]{25,80}",
        ) {
            let s = words.join(" ");
            proptest::prop_assert_eq!(typeset_text(&s, true), s.clone());
            proptest::prop_assert_eq!(visible(&typeset_text(&long, true)), long);
        }
    }

    #[test]
    fn latin_only_text_is_unchanged() {
        for s in [
            "structuredClone() returns a deep copy (see MDN).",
            "a, b; c: d! e? (f) [g] -- h - i — j",
            "x(y)z, f(a, b)",
        ] {
            assert_eq!(tw(s), s);
        }
    }
}
