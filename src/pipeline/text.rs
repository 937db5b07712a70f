//! Text clean-up shared by every article reader: which characters are
//! Chinese, which are dropped, and the typographic corrections editors
//! expect of pasted text.

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

fn is_han_or_cjk_punct(c: char) -> bool {
    is_cjk(c) && !matches!(c, '‘' | '’')
}

/// Applies the typographic clean-up that editors expect of pasted text:
/// half-width `,;:!?()` typed between Chinese characters become their
/// full-width forms (with the spaces around them dropped), when `fullwidth`
/// is on. Everything else is kept as it is.
pub fn typeset_text(s: &str, fullwidth: bool) -> String {
    if !fullwidth || !s.contains([',', ';', ':', '!', '?', '(', ')']) {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let prev_sig = |i: usize| chars[..i].iter().rev().find(|c| **c != ' ').copied();
    let next_sig = |i: usize| chars[i + 1..].iter().find(|c| **c != ' ').copied();
    let cjk = |c: Option<char>| c.is_some_and(is_han_or_cjk_punct);
    let mut out = String::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let full = match c {
            // Between Chinese text on either side (`98.6%,按照`, `App,然后`).
            ',' | ';' | ':' | '!' | '?' if cjk(prev_sig(i)) || cjk(next_sig(i)) => {
                // Keep "3:4" and "1,000" as they are.
                let digits = prev_sig(i).is_some_and(|p| p.is_ascii_digit())
                    && next_sig(i).is_some_and(|n| n.is_ascii_digit());
                (!digits).then(|| fullwidth_of(c))
            }
            '(' if cjk(prev_sig(i)) || cjk(next_sig(i)) => Some('（'),
            ')' if cjk(prev_sig(i)) || cjk(next_sig(i)) => Some('）'),
            _ => None,
        };
        match full {
            Some(f) => {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push(f);
                i += 1;
                while i < chars.len() && chars[i] == ' ' {
                    i += 1;
                }
            }
            None => {
                out.push(c);
                i += 1;
            }
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
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halfwidth_punctuation_between_han_becomes_fullwidth() {
        assert_eq!(typeset_text("客户,暖心服务", true), "客户，暖心服务");
        assert_eq!(typeset_text("辉煌( 第一支行 )", true), "辉煌（第一支行）");
        assert_eq!(typeset_text("10日,分行", true), "10日，分行");
        assert_eq!(typeset_text("时间 12:30, ok", true), "时间 12:30, ok");
        assert_eq!(typeset_text("a, b (c)", true), "a, b (c)");
        assert_eq!(typeset_text("客户,暖心", false), "客户,暖心");
    }

    #[test]
    fn halfwidth_punctuation_next_to_chinese_on_one_side() {
        // The sample issue's cases, and text after figures or Latin words.
        assert_eq!(typeset_text("银行”!", true), "银行”！");
        assert_eq!(typeset_text("号所言:“做最", true), "号所言：“做最");
        assert_eq!(
            typeset_text("方案》(工银办〔2023〕252号)工作", true),
            "方案》（工银办〔2023〕252号）工作"
        );
        assert_eq!(typeset_text("的网点,2023年", true), "的网点，2023年");
        assert_eq!(typeset_text("提升到98.6%,按照", true), "提升到98.6%，按照");
        assert_eq!(typeset_text("ICBC App,然后", true), "ICBC App，然后");
        assert_eq!(typeset_text("1,000元", true), "1,000元");
        assert_eq!(
            typeset_text("见 http://icbc.com.cn 网站", true),
            "见 http://icbc.com.cn 网站"
        );
    }
}
