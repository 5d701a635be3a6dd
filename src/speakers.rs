//! Speaker attribution for quotes found by [`crate::quotes::find_quotes`].
//!
//! News Arabic names the speaker next to the speech verb: "قال [title]،
//! [name]، إن …", "…"، قال [name]", "وقال [name] في بيان: «…»". When the verb
//! has no subject ("وأضاف أن …") the speaker carries over from the previous
//! quote; a bare title ("الوزير", "المسؤول الروسي") is resolved to the most
//! recent speaker whose introduction shares its words. Speakers are
//! canonicalized to the fullest form used in the article.

use crate::quotes::{is_speech_verb, Quote};
use crate::text::{Normalizer, TokenKind};

/// Words that open a circumstance, not a name ("في بيان", "خلال مؤتمر").
const NOT_NAME_STARTS: [&str; 21] = [
    "في",
    "خلال",
    "لدي",
    "عبر",
    "امام",
    "عقب",
    "بعد",
    "قبل",
    "مساء",
    "صباح",
    "اليوم",
    "امس",
    "لوكاله",
    "للصحفيين",
    "حسب",
    "لصحيفه",
    "لقناه",
    "لتلفزيون",
    "بحسب",
    "فيها",
    "فيه",
];

/// Words of titles and functions (normalized), which precede a name.
const TITLE_WORDS: [&str; 45] = [
    "وزير",
    "وزيره",
    "رييس",
    "رييسه",
    "نايب",
    "نايبه",
    "باسم",
    "مندوب",
    "مندوبه",
    "سفير",
    "سفيره",
    "مساعد",
    "مستشار",
    "مستشاره",
    "عضو",
    "قايد",
    "امين",
    "مدير",
    "مديره",
    "ممثل",
    "ممثله",
    "متحدث",
    "متحدثه",
    "زعيم",
    "مسوول",
    "مسووله",
    "منسق",
    "مبعوث",
    "سكرتير",
    "محافظ",
    "وزاره",
    "هييه",
    "بعثه",
    "منظمه",
    "حكومه",
    "حركه",
    "جماعه",
    "حزب",
    "مجلس",
    "لجنه",
    "كتله",
    "وكاله",
    "سفاره",
    "قياده",
    "لدي",
];

/// Ranks written with the article before a name ("العميد حسن الطيب").
const RANKS: [&str; 9] = [
    "العميد",
    "اللواء",
    "الفريق",
    "العقيد",
    "الدكتور",
    "الشيخ",
    "السيد",
    "السيده",
    "المهندس",
];

/// The speaker of each quote (same order), or `None` when none is found.
///
/// ```
/// use nabra::{quotes::find_quotes, speakers::attribute};
/// let text = "قال وزير الخارجية، أحمد سالم، إن الحوار ضروري. وأضاف أن الحل سياسي. \
///             وقال الوزير سالم: «لن نتراجع عن موقفنا».";
/// let q = find_quotes(text);
/// let s = attribute(text, &q);
/// assert_eq!(s, vec![Some("أحمد سالم".to_string()); 3]);
/// ```
pub fn attribute(text: &str, quotes: &[Quote]) -> Vec<Option<String>> {
    let n = Normalizer::default();
    let norm = |s: &str| {
        let mut b = String::new();
        n.normalize_into(s, &mut b);
        b
    };
    // (speaker as written, normalized introduction phrase)
    let mut history: Vec<(String, String)> = Vec::new();
    let mut out = Vec::with_capacity(quotes.len());
    for q in quotes {
        let (s_start, s_end) = sentence_bounds(text, q.span.start, q.span.end);
        let before = &text[s_start..q.span.start];
        let after = &text[q.span.end..s_end];
        let found = phrase_after_verb(before, true).or_else(|| phrase_after_verb(after, false));
        let speaker = match found {
            Some(phrase) if !phrase.trim().is_empty() => {
                let (name, intro) = name_in(&phrase);
                let nname = norm(&name);
                let first = nname.split_whitespace().next().unwrap_or("");
                let is_title = first.starts_with("ال") || TITLE_WORDS.contains(&first);
                if name.is_empty() {
                    match history.last() {
                        Some((s, _)) => s.clone(),
                        None => {
                            out.push(None);
                            continue;
                        }
                    }
                } else if is_title {
                    // a title: the latest earlier speaker sharing a word with it
                    let words: Vec<String> = norm(&name).split_whitespace().map(strip_al).collect();
                    history
                        .iter()
                        .rev()
                        .find(|(_, intro)| {
                            words
                                .iter()
                                .any(|w| w.chars().count() > 2 && intro.contains(w.as_str()))
                        })
                        .map(|(s, _)| s.clone())
                        .or_else(|| name_after_title(&norm(&text[..q.span.start]), &nname))
                        .unwrap_or_else(|| {
                            history.push((name.clone(), norm(&intro)));
                            name
                        })
                } else {
                    history.push((name.clone(), norm(&intro)));
                    name
                }
            }
            // a verb without a subject (or no verb): carry over
            _ => match history.last() {
                Some((s, _)) => s.clone(),
                None => {
                    out.push(None);
                    continue;
                }
            },
        };
        out.push(Some(speaker));
    }
    let ntext = norm(text);
    canonicalize(out, &norm)
        .into_iter()
        .map(|s| s.map(|s| fuller_name(&ntext, &norm(&s)).unwrap_or(s)))
        .collect()
}

/// The personal name written right after an earlier occurrence of `title`
/// in `before` ("… وزير الخارجية الصومالي عبد الرحمن ورسمي …"), normalized.
fn name_after_title(before: &str, title: &str) -> Option<String> {
    if title.is_empty() {
        return None;
    }
    let at = before.find(title)?;
    let rest = before[at + title.len()..].trim_start_matches([' ', '،', ',']);
    let mut words = Vec::new();
    for w in rest.split_whitespace() {
        let w = w.trim_end_matches(['،', ',', '.', ':']);
        if words.is_empty() && RANKS.contains(&w) {
            continue;
        }
        if w.is_empty()
            || TITLE_WORDS.contains(&w)
            || NOT_NAME_STARTS.contains(&w)
            || is_speech_verb(w)
            || matches!(w, "ان" | "الي" | "من" | "و")
            || (words.is_empty() && w.starts_with("ال"))
        {
            break;
        }
        words.push(w);
        if words.len() == 3
            || rest
                .split_whitespace()
                .next()
                .is_some_and(|f| f.ends_with(['،', ',', '.', ':']))
                && words.len() == 1
        {
            break;
        }
    }
    (!words.is_empty()).then(|| words.join(" "))
}

/// A fuller form of a one-word name found in the text: the one or two
/// name-like words written before it ("بيانكي" → "لورنزو بيانكي").
fn fuller_name(text: &str, name: &str) -> Option<String> {
    if name.split_whitespace().count() != 1 {
        return None;
    }
    let toks: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || "،,.:؛«»\"“”".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    for i in 1..toks.len() {
        if toks[i] != name {
            continue;
        }
        let mut start = i;
        while start > 0 && i - start < 2 {
            let w = toks[start - 1];
            if w.starts_with("ال")
                || TITLE_WORDS.contains(&w)
                || RANKS.contains(&w)
                || NOT_NAME_STARTS.contains(&w)
                || is_speech_verb(w)
                || w.chars().count() < 2
            {
                break;
            }
            start -= 1;
        }
        if start < i {
            return Some(toks[start..=i].join(" "));
        }
    }
    None
}

fn strip_al(w: &str) -> String {
    w.strip_prefix("ال").unwrap_or(w).to_string()
}

/// The sentence (between . ! ؟ or newlines outside quotes) around a span.
fn sentence_bounds(text: &str, start: usize, end: usize) -> (usize, usize) {
    let is_end = |c: char| matches!(c, '.' | '!' | '؟' | '?' | '\n');
    let s = text[..start].rfind(is_end).map_or(0, |i| i + 1);
    let e = text[end..].find(is_end).map_or(text.len(), |i| end + i);
    (s, e)
}

/// The words between the last speech verb in `part` and the إن/أن/colon (or
/// the end); `before` says whether `part` precedes the quote.
fn phrase_after_verb(part: &str, before: bool) -> Option<String> {
    let n = Normalizer::default().normalize(part);
    let s = n.as_str();
    let toks = crate::text::tokenize(s);
    let verbs: Vec<usize> = toks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind == TokenKind::Word && is_speech_verb(t.text(s)))
        .map(|(i, _)| i)
        .collect();
    let v = if before {
        *verbs.last()?
    } else {
        *verbs.first()?
    };
    let start = toks.get(v + 1)?.start;
    let mut end = s.len();
    for t in &toks[v + 1..] {
        let w = t.text(s);
        let stop = matches!(
            w,
            "ان" | "بان" | ":" | "«" | "\"" | "“" | "الي" | "من" | "قائلا"
        ) || (!before && matches!(w, "." | "،"));
        if stop {
            end = t.start;
            break;
        }
    }
    let r = n.original_range(start..end);
    Some(part[r].trim().trim_matches(['،', ',', ' ']).to_string())
}

/// Splits an introduction phrase into (speaker, whole phrase). The speaker
/// is the personal name in it when there is one ("وزير الطاقة الأذربيجاني
/// رشاد قاسموف" → "رشاد قاسموف"), else the title or body ("المتحدث باسم
/// الخارجية", "وزارة الخارجية العمانية"). Circumstances ("في بيان") are cut.
fn name_in(phrase: &str) -> (String, String) {
    let n = Normalizer::default();
    let nz = |w: &str| {
        let mut b = String::new();
        n.normalize_into(w, &mut b);
        b
    };
    let mut best = String::new();
    let mut title = String::new();
    for seg in phrase
        .split(['،', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let words: Vec<&str> = seg.split_whitespace().collect();
        let cut = words
            .iter()
            .position(|w| NOT_NAME_STARTS.contains(&nz(w).as_str()))
            .unwrap_or(words.len());
        let words = &words[..cut];
        if words.is_empty() {
            continue;
        }
        // a name starts at the first word that is neither a title word, a
        // rank, nor an article-word of the title ("الطاقة", "الروسي")
        let mut saw_title = false;
        let mut name_start = None;
        for (i, w) in words.iter().enumerate() {
            let z = nz(w);
            if TITLE_WORDS.contains(&z.as_str())
                || z.starts_with("ال")
                || z.starts_with("وال")
                || RANKS.contains(&z.as_str())
            {
                saw_title |= !RANKS.contains(&z.as_str());
                continue;
            }
            if i == 0 || saw_title || RANKS.contains(&nz(words[i - 1]).as_str()) {
                name_start = Some(i);
            }
            break;
        }
        match name_start {
            Some(i) => best = words[i..].join(" "),
            None if title.is_empty() => title = words.join(" "),
            None => {}
        }
    }
    let speaker = if best.is_empty() { title } else { best };
    (speaker, phrase.to_string())
}

/// Maps each speaker to the fullest form used for it in the article: a
/// speaker whose words are all contained in a longer speaker's words.
fn canonicalize(
    speakers: Vec<Option<String>>,
    norm: &dyn Fn(&str) -> String,
) -> Vec<Option<String>> {
    let all: Vec<String> = speakers.iter().flatten().cloned().collect();
    speakers
        .into_iter()
        .map(|s| {
            s.map(|s| {
                let ns = norm(&s);
                let words: Vec<&str> = ns.split_whitespace().collect();
                all.iter()
                    .filter(|o| {
                        let no = norm(o);
                        let ow: Vec<&str> = no.split_whitespace().collect();
                        ow.len() > words.len() && words.iter().all(|w| ow.contains(w))
                    })
                    .max_by_key(|o| o.len())
                    .cloned()
                    .unwrap_or(s)
            })
        })
        .collect()
}
