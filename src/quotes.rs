//! Quote extraction from Arabic news text (first stage of article scoring).
//!
//! Direct quotes are the words inside quote marks (“…” "…" «…» „…“ ‹…›);
//! indirect quotes are the clause reported after a speech verb with إن/أن,
//! a colon or قائلاً. Spans are byte ranges in the ORIGINAL text.
//!
//! Quote marks also wrap names of conferences, agreements and agencies
//! (مؤتمر "الأمن الإقليمي"); a quoted span counts as speech only when it is
//! long (four words or more) or its sentence has a speech verb before it.

use crate::text::{Normalizer, TokenKind};
use std::ops::Range;

/// Direct (in quote marks) or indirect (reported) speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteKind {
    /// Words inside quote marks.
    Direct,
    /// Reported speech after a speech verb.
    Indirect,
}

/// One quote: its kind and byte span in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Direct or indirect.
    pub kind: QuoteKind,
    /// Byte range of the quoted words in the original text.
    pub span: Range<usize>,
}

/// Speech-verb stems (normalized, without و/ف and person prefixes/suffixes
/// handled by [`is_speech_verb`]).
const SPEECH_VERBS: [&str; 27] = [
    "قال",
    "اكد",
    "اوضح",
    "اشار",
    "لفت",
    "دعا",
    "اعتبر",
    "راي",
    "اضاف",
    "تابع",
    "صرح",
    "شدد",
    "حذر",
    "اعلن",
    "نفي",
    "طالب",
    "وصف",
    "اتهم",
    "انتقد",
    "اعرب",
    "ذكر",
    "افاد",
    "اكدت",
    "قالت",
    "اعتبرت",
    "اضافت",
    "تابعت",
];

/// Present-tense forms (normalized; third person, ي/ت), plural via the ون suffix.
const PRESENT: [&str; 34] = [
    "يقول",
    "تقول",
    "يري",
    "تري",
    "يوكد",
    "توكد",
    "يضيف",
    "تضيف",
    "يشير",
    "تشير",
    "يعتبر",
    "تعتبر",
    "يدعو",
    "تدعو",
    "يوضح",
    "توضح",
    "يحذر",
    "تحذر",
    "يشدد",
    "تشدد",
    "يطالب",
    "تطالب",
    "يتهم",
    "تتهم",
    "ينتقد",
    "تنتقد",
    "يعلن",
    "تعلن",
    "ينفي",
    "تنفي",
    "يصف",
    "تصف",
    "يلفت",
    "تلفت",
];

/// Is this normalized word a form of a speech verb (past or present,
/// masculine or feminine, singular or plural, with و/ف)?
///
/// ```
/// use nabra::quotes::is_speech_verb;
/// assert!(is_speech_verb("واضاف"));
/// assert!(is_speech_verb("يوكد"));
/// assert!(is_speech_verb("قالت"));
/// assert!(!is_speech_verb("قائمه"));
/// ```
pub fn is_speech_verb(word: &str) -> bool {
    let w = word
        .strip_prefix('و')
        .or_else(|| word.strip_prefix('ف'))
        .unwrap_or(word);
    let candidates = [
        w,
        w.strip_suffix('ت').unwrap_or(w),
        w.strip_suffix("وا").unwrap_or(w),
        w.strip_suffix("ون").unwrap_or(w),
    ];
    candidates
        .iter()
        .any(|c| SPEECH_VERBS.contains(c) || PRESENT.contains(c))
        || matches!(
            w,
            "قائلا"
                | "قايلا"
                | "مضيفا"
                | "موكدا"
                | "معتبرا"
                | "مشيرا"
                | "داعيا"
                | "محذرا"
                | "لافتا"
                | "مشددا"
        )
}

/// Finds quotes in `text`, ordered by start.
///
/// ```
/// use nabra::quotes::{find_quotes, QuoteKind};
/// let text = "وقال الوزير إن «التعاون مستمر مع الجميع». وأضاف أن الحكومة لن تتراجع.";
/// let q = find_quotes(text);
/// assert_eq!(q[0].kind, QuoteKind::Direct);
/// assert_eq!(&text[q[0].span.clone()], "التعاون مستمر مع الجميع");
/// assert_eq!(&text[q[1].span.clone()], "الحكومة لن تتراجع");
/// ```
pub fn find_quotes(text: &str) -> Vec<Quote> {
    let norm = Normalizer::default().normalize(text);
    let ns = norm.as_str();
    let mut out = Vec::new();
    for sentence in sentences(ns) {
        let s = &ns[sentence.clone()];
        let toks = crate::text::tokenize(s);
        let verb_at = toks
            .iter()
            .position(|t| t.kind == TokenKind::Word && is_speech_verb(t.text(s)));
        // direct quotes
        let mut direct: Vec<Range<usize>> = Vec::new();
        for r in quoted_spans(s) {
            let words = s[r.clone()].split_whitespace().count();
            let verb_before = verb_at.is_some_and(|v| toks[v].end <= r.start);
            let after_colon = s[..r.start]
                .trim_end()
                .trim_end_matches(['«', '"', '“', '„', '‹'])
                .trim_end()
                .ends_with(':');
            if words >= 4 || verb_before || after_colon {
                direct.push(r);
            }
        }
        // indirect: speech verb, then ان / :
        if let Some(v) = verb_at {
            let mut start = None;
            for t in &toks[v + 1..toks.len().min(v + 25)] {
                let w = t.text(s);
                if t.kind == TokenKind::Word && matches!(w, "ان" | "بان" | "وان") {
                    start = Some(t.end);
                    break;
                }
                if t.kind == TokenKind::Punct && w == ":" {
                    start = Some(t.end);
                    break;
                }
            }
            if let Some(st) = start {
                let body = &s[st..];
                let lead = body.len() - body.trim_start().len();
                let st = st + lead;
                let mut en = s.trim_end().trim_end_matches(['.', '،', '؛']).len();
                if en > st {
                    // a clause that is only a direct quote is reported as direct
                    let inner = s[st..en].trim_matches(|c: char| "«»\"“”„‹› ".contains(c));
                    let covered = direct.iter().any(|d| s[d.clone()].trim() == inner.trim());
                    if !covered {
                        while en > st && s[..en].ends_with(char::is_whitespace) {
                            en -= 1;
                        }
                        out.push((
                            QuoteKind::Indirect,
                            sentence.start + st..sentence.start + en,
                        ));
                    }
                }
            }
        }
        for d in direct {
            out.push((
                QuoteKind::Direct,
                sentence.start + d.start..sentence.start + d.end,
            ));
        }
    }
    let mut quotes: Vec<Quote> = out
        .into_iter()
        .map(|(kind, r)| Quote {
            kind,
            span: norm.original_range(r),
        })
        .filter(|q| !q.span.is_empty())
        .collect();
    quotes.sort_by_key(|q| (q.span.start, q.span.end));
    quotes
}

/// Sentence ranges: split at . ! ؟ ? and newlines, but not inside quote marks.
fn sentences(s: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    let mut straight = false;
    for (i, c) in s.char_indices() {
        match c {
            '«' | '“' | '„' | '‹' => depth += 1,
            '»' | '”' | '›' => depth = (depth - 1).max(0),
            '"' => straight = !straight,
            '\n' => {
                // paragraphs end sentences and reset unbalanced marks
                if start < i {
                    out.push(start..i);
                }
                start = i + 1;
                depth = 0;
                straight = false;
            }
            '.' if s[i + 1..].starts_with(|n: char| n.is_ascii_digit()) => {}
            '.' | '!' | '؟' | '?' if depth == 0 && !straight => {
                out.push(start..i + c.len_utf8());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if start < s.len() {
        out.push(start..s.len());
    }
    out.retain(|r| !s[r.clone()].trim().is_empty());
    out
}

/// Content ranges of quote-mark pairs in `s` (outermost only); unclosed
/// marks are ignored.
fn quoted_spans(s: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut open: Option<(usize, char)> = None;
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        let closer = match c {
            '«' => Some('»'),
            '“' => Some('”'),
            '„' => Some('“'),
            '‹' => Some('›'),
            '"' => Some('"'),
            _ => None,
        };
        match open {
            Some((st, want)) if c == want => {
                if depth == 0 {
                    let r = st..i;
                    if !s[r.clone()].trim().is_empty() {
                        out.push(r);
                    }
                    open = None;
                } else {
                    depth -= 1;
                }
            }
            Some((_, want)) if closer == Some(want) && c != '"' => depth += 1,
            Some(_) => {}
            None => {
                if closer.is_some() {
                    open = Some((i + c.len_utf8(), closer.unwrap_or('"')));
                    depth = 0;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_quote_marks_are_not_speech() {
        let text = "وعقد مؤتمر \"الأمن الإقليمي\" في دوشنبه أمس.";
        assert!(find_quotes(text).is_empty());
    }

    #[test]
    fn unbalanced_marks_lose_no_text_and_do_not_panic() {
        for t in ["«بلا إغلاق", "قال: \"", "»", "“a„b”", "قال إن"] {
            for q in find_quotes(t) {
                assert!(t.is_char_boundary(q.span.start) && t.is_char_boundary(q.span.end));
            }
        }
    }
}
