//! Quote extraction from Arabic news text (first stage of article scoring).
//!
//! Direct quotes are the words inside quote marks (“…” "…" «…» „…“ ‹…›);
//! indirect quotes are the clause reported after a speech verb with إن/أن,
//! a colon or قائلاً. Spans are byte ranges in the ORIGINAL text.
//!
//! Quote marks also wrap names of conferences, agreements and agencies
//! (مؤتمر "الأمن الإقليمي"); a quoted span counts as speech only when it is
//! long (four words or more) or its sentence has a speech verb before it.

pub(crate) use crate::segment::sentences;
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

impl QuoteKind {
    /// `direct` or `indirect`, as written in our outputs and gold files.
    ///
    /// ```
    /// assert_eq!(nabra::quotes::QuoteKind::Indirect.as_str(), "indirect");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteKind::Direct => "direct",
            QuoteKind::Indirect => "indirect",
        }
    }
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
const SPEECH_VERBS: [&str; 36] = [
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
    "رات",
    "نفت",
    "كتب",
    "اورد",
    "نوه",
    "كشف",
    "بينت",
    "استطرد",
    "دعت",
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
/// assert!(is_speech_verb("ووصفته"));
/// assert!(is_speech_verb("وصفته"));
/// assert!(is_speech_verb("واصفا"));
/// assert!(!is_speech_verb("قائمه"));
/// ```
pub fn is_speech_verb(word: &str) -> bool {
    // the longest form is a 7-letter stem with و/ف and a suffix
    if word.len() > 2 * 12 {
        return false;
    }
    let bare = word
        .strip_prefix('و')
        .or_else(|| word.strip_prefix('ف'))
        .unwrap_or(word);
    speech_verb_forms().contains(word) || is_speech_participle(bare) || is_speech_participle(word)
}

/// Every accepted surface form of a speech verb, built once: an optional و/ف
/// (which may also be the verb's own first letter, "وصف"), a stem from
/// [`SPEECH_VERBS`] or [`PRESENT`], and an optional ت / وا / ون suffix, or
/// ته / تها (a feminine past with an object pronoun, "وصفته") after a past
/// stem of three letters or more. One hash lookup per word replaces scanning
/// the lists, which was the hottest part of article scoring.
fn speech_verb_forms() -> &'static std::collections::HashSet<String> {
    static FORMS: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    FORMS.get_or_init(|| {
        let mut set = std::collections::HashSet::new();
        for prefix in ["", "و", "ف"] {
            for stem in SPEECH_VERBS.iter().chain(PRESENT.iter()) {
                for suffix in ["", "ت", "وا", "ون"] {
                    set.insert(format!("{prefix}{stem}{suffix}"));
                }
            }
            for stem in SPEECH_VERBS.iter().filter(|s| s.chars().count() >= 3) {
                for suffix in ["ته", "تها"] {
                    set.insert(format!("{prefix}{stem}{suffix}"));
                }
            }
        }
        set
    })
}

/// Is this normalized word (without و/ف) an adverbial participle of a speech
/// verb ("قائلاً", "مضيفةً", "معتبراً"), whose subject is that of the
/// sentence's main verb?
///
/// ```
/// use nabra::quotes::is_speech_participle;
/// assert!(is_speech_participle("معتبره"));
/// assert!(is_speech_participle("قائلا"));
/// assert!(!is_speech_participle("قال"));
/// ```
pub fn is_speech_participle(word: &str) -> bool {
    matches!(
        word,
        "قائلا"
            | "قايلا"
            | "قايله"
            | "مضيفا"
            | "مضيفه"
            | "موكدا"
            | "موكده"
            | "معتبرا"
            | "معتبره"
            | "مشيرا"
            | "مشيره"
            | "داعيا"
            | "محذرا"
            | "محذره"
            | "لافتا"
            | "مشددا"
            | "مشدده"
            | "واصفا"
            | "واصفه"
            | "معربا"
            | "معربه"
            | "نافيا"
            | "نافيه"
            | "منتقدا"
            | "مطالبا"
            | "موضحا"
            | "موضحه"
            | "متسايلا"
            | "مستدركا"
    )
}

/// Words that open reported speech after a speech verb: إن/أن with their
/// clitics and attached pronouns ("بأنه", "أنها").
pub(crate) fn is_complementizer(w: &str) -> bool {
    let w = w
        .strip_prefix('ب')
        .or_else(|| w.strip_prefix('و'))
        .unwrap_or(w);
    matches!(
        w,
        "ان" | "انه" | "انها" | "انهم" | "انهما" | "اننا" | "انني"
    )
}

/// Verbal nouns that report speech ("نقلت الوكالة عنه قوله إن").
pub(crate) fn is_speech_noun(w: &str) -> bool {
    matches!(
        w,
        "قوله" | "قولها" | "قولهم" | "تصريحه" | "تاكيده" | "تاكيدها"
    )
}

/// Indefinite plural sources whose opinions news reports are not attributed
/// quotes ("ويرى مراقبون أن …").
const GENERIC_SOURCES: [&str; 12] = [
    "مراقبون",
    "مراقبين",
    "محللون",
    "محللين",
    "خبراء",
    "مختصون",
    "متابعون",
    "تقديرات",
    "اوساط",
    "دوائر",
    "مراقبو",
    "محللو",
];

/// Nouns that introduce a name in quote marks (مؤتمر "…", كتلة "…", منصة "…"):
/// a short quoted span right after one of them is a name, not speech.
const NAMING_NOUNS: [&str; 44] = [
    "موتمر",
    "قمه",
    "منتدي",
    "منظمه",
    "منصه",
    "كتله",
    "ايتلاف",
    "حزب",
    "حركه",
    "جماعه",
    "تحالف",
    "قرار",
    "خطه",
    "اتفاق",
    "اتفاقيه",
    "مبادره",
    "عمليه",
    "مشروع",
    "برنامج",
    "وثيقه",
    "مسوده",
    "وكاله",
    "قناه",
    "صحيفه",
    "موقع",
    "شركه",
    "مجموعه",
    "قوات",
    "جبهه",
    "تيار",
    "لجنه",
    "شعار",
    "وسم",
    "حمله",
    "مناورات",
    "معاهده",
    "اعلان",
    "صيغه",
    "مسار",
    "ممر",
    "مجلس",
    "تطبيق",
    "عنوان",
    "تجمع",
];

/// Is `w` (normalized) a naming noun, with or without و/ب/ل/ال?
fn is_naming_noun(w: &str) -> bool {
    let mut w = w;
    for p in ["و", "ف", "ب", "ل", "ك"] {
        if let Some(r) = w.strip_prefix(p) {
            if NAMING_NOUNS.contains(&r) || r.starts_with("ال") || r.starts_with('ل') {
                w = r;
                break;
            }
        }
    }
    let w = w
        .strip_prefix("ال")
        .or_else(|| w.strip_prefix('ل'))
        .unwrap_or(w);
    NAMING_NOUNS.contains(&w)
}

/// Does the sentence open with "وفقاً لـ…" / "بحسب …" / "حسب …" (a source
/// whose report follows فإن)?
fn opens_with_source(words: &[&str]) -> bool {
    words.iter().take(2).any(|w| {
        let w = w
            .strip_prefix('و')
            .filter(|r| r.chars().count() > 2)
            .unwrap_or(w);
        matches!(w, "وفقا" | "بحسب" | "حسب" | "طبقا" | "استنادا")
    })
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
    find_quotes_normalized(&Normalizer::default().normalize(text))
}

/// Like [`find_quotes`] on text already normalized with the default
/// [`Normalizer`] (spans still refer to the original text), so one
/// normalization serves every stage of article analysis.
///
/// ```
/// use nabra::{quotes::{find_quotes, find_quotes_normalized}, text::Normalizer};
/// let text = "قال الوزير إن «التعاون مستمر مع الجميع».";
/// let norm = Normalizer::default().normalize(text);
/// assert_eq!(find_quotes_normalized(&norm), find_quotes(text));
/// ```
pub fn find_quotes_normalized(norm: &crate::text::NormalizedText) -> Vec<Quote> {
    let ns = norm.as_str();
    let mut out = Vec::new();
    let mut toks = Vec::new();
    for sentence in sentences(ns) {
        let s = &ns[sentence.clone()];
        crate::text::tokenize_into(s, &mut toks);
        let spans = quoted_spans(s);
        // which tokens lie inside quote marks (one sweep; spans are ordered)
        let mut inside = vec![false; toks.len()];
        let mut k = 0;
        for (flag, t) in inside.iter_mut().zip(&toks) {
            while k < spans.len() && spans[k].end < t.end {
                k += 1;
            }
            *flag = spans
                .get(k)
                .is_some_and(|r| r.start <= t.start && t.end <= r.end);
        }
        // the first speech verb outside quote marks
        let verb_at = toks.iter().zip(&inside).position(|(t, &quoted)| {
            t.kind == TokenKind::Word && !quoted && {
                let w = t.text(s);
                is_speech_verb(w) || is_speech_noun(w)
            }
        });
        // direct quotes
        let mut direct: Vec<Range<usize>> = Vec::new();
        for r in spans.iter().cloned() {
            let words = s[r.clone()].split_whitespace().count();
            let verb_before = verb_at.is_some_and(|v| toks[v].end <= r.start);
            let lead = s[..r.start]
                .trim_end_matches(['«', '"', '“', '„', '‹'])
                .trim_end();
            let after_colon = lead.ends_with(':');
            let named = words <= 6
                && lead
                    .rsplit(|c: char| c.is_whitespace())
                    .next()
                    .is_some_and(is_naming_noun);
            // a short span in a sentence without any speech verb is a name
            // or a term ("تحل محل "خطة العمل الشاملة المشتركة"")
            let long = words >= 7 || (words >= 4 && verb_at.is_some());
            if !named && (long || verb_before || after_colon) {
                direct.push(r);
            }
        }
        // indirect: speech verb, then ان / : (or "وفقاً لـ… فإن")
        let words: Vec<&str> = toks
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(s))
            .collect();
        let source_first = opens_with_source(&words);
        let scan_from = match (verb_at, source_first) {
            (Some(v), _) => Some(v),
            (None, true) => Some(0),
            (None, false) => None,
        };
        if let Some(v) = scan_from {
            let generic = toks[v + 1..]
                .iter()
                .find(|t| t.kind == TokenKind::Word)
                .is_some_and(|t| GENERIC_SOURCES.contains(&t.text(s)));
            // a participle ("مؤكدة") is speech only right before its clause
            let reach = if is_speech_participle(toks[v].text(s)) {
                5
            } else {
                25
            };
            let mut start = None;
            for t in &toks[v + 1..toks.len().min(v + reach)] {
                let w = t.text(s);
                if t.kind == TokenKind::Word
                    && (is_complementizer(w) || (source_first && w == "فان"))
                {
                    start = Some(t.end);
                    break;
                }
                if t.kind == TokenKind::Punct && w == ":" {
                    start = Some(t.end);
                    break;
                }
            }
            if let (Some(st), false) = (start, generic) {
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

/// Content ranges of quote-mark pairs in `s` (outermost only); unclosed
/// marks are ignored.
pub(crate) fn quoted_spans(s: &str) -> Vec<Range<usize>> {
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
