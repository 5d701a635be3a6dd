//! Speaker attribution for quotes found by [`crate::quotes::find_quotes`].
//!
//! News Arabic names the speaker next to the speech verb: "قال \[title\]،
//! \[name\]، إن …", "«…»، قال \[name\]", "وقال \[name\] في بيان: «…»", "أما
//! \[body\] فقالت …", "وفقاً لـ\[source\]، فإن …", "نقلت الوكالة عن \[source\]
//! قوله …". The rules, in order, for each quote:
//!
//! 1. the nearest speech verb before the quote in its sentence, and the
//!    subject written after it (a participle such as "مضيفاً" or a relative
//!    "التي أشارت" passes to the verb before it; a subject-first clause "أما
//!    الوزارة فقالت" is read before the verb);
//! 2. else a speech verb right after the quote ("«…»، قال X");
//! 3. else the subject of the sentence's main verb ("ودعا X إلى «…»");
//! 4. a verb without a subject ("وأضاف أن") carries the speaker over from the
//!    previous quote, preferring one of the verb's gender ("وأضافت").
//!
//! A subject phrase is split at commas into a title ("وزير الخارجية
//! الروسي"), a personal name ("سيرغي لافروف") and circumstances ("في بيان").
//! A title without a name ("المسؤول الروسي", "الوزير") refers to the most
//! recent person introduced earlier — in any sentence, speech or not — whose
//! title shares its words; an unnamed spokesperson stands for the body
//! ("متحدث باسم وزارة الدفاع" → "وزارة الدفاع"). Speakers are finally
//! canonicalized to the fullest form of the name used in the article.
//!
//! Everything runs on one normalization and one tokenization of the article;
//! work per quote is bounded by its sentence, so time is linear in the text.

use crate::quotes::{
    Quote, is_complementizer, is_speech_noun, is_speech_participle, is_speech_verb, quoted_spans,
    sentences,
};
use crate::text::{Normalizer, Token, TokenKind, tokenize};

/// Words that open a circumstance, not a name ("في بيان", "خلال مؤتمر").
const CIRCUMSTANCE_STARTS: [&str; 30] = [
    "خلال",
    "عقب",
    "بعد",
    "قبل",
    "امام",
    "عبر",
    "مساء",
    "صباح",
    "ظهر",
    "اليوم",
    "امس",
    "غدا",
    "للصحفيين",
    "لصحفيين",
    "لوكاله",
    "لصحيفه",
    "لقناه",
    "لتلفزيون",
    "للتلفزيون",
    "لاذاعه",
    "للاذاعه",
    "للاناضول",
    "حسب",
    "بحسب",
    "وفقا",
    "ردا",
    "تعليقا",
    "فيها",
    "فيه",
    "الليله",
];

/// Nouns of the occasion of speech ("في بيان", "في مؤتمر صحفي"): "في"
/// followed by one of them ends a subject.
const OCCASIONS: [&str; 34] = [
    "بيان",
    "بيانه",
    "بيانها",
    "تصريح",
    "تصريحات",
    "تصريحه",
    "تصريحها",
    "موتمر",
    "كلمه",
    "كلمته",
    "كلمتها",
    "حديث",
    "حديثه",
    "حديثها",
    "مقابله",
    "منشور",
    "تغريده",
    "تدوينه",
    "رساله",
    "احاطه",
    "احاطته",
    "احاطتها",
    "اتصال",
    "لقاء",
    "لقايه",
    "جلسه",
    "اجتماع",
    "ختام",
    "افتتاح",
    "مداخله",
    "ندوه",
    "حوار",
    "تعليق",
    "خطاب",
];

/// Days and times written with the article ("قال لافروف الاثنين").
const TIME_WORDS: [&str; 9] = [
    "الاحد",
    "الاثنين",
    "الثلاثاء",
    "الاربعاء",
    "الخميس",
    "الجمعه",
    "السبت",
    "اليوم",
    "الليله",
];

/// Function words that never belong to a name.
const FUNCTION_WORDS: [&str; 56] = [
    "في",
    "من",
    "الي",
    "علي",
    "عن",
    "مع",
    "لدي",
    "حول",
    "ان",
    "انه",
    "انها",
    "بان",
    "حيث",
    "التي",
    "الذي",
    "الذين",
    "كما",
    "او",
    "ثم",
    "بل",
    "لكن",
    "لكنه",
    "قد",
    "لقد",
    "ما",
    "لا",
    "لم",
    "لن",
    "هو",
    "هي",
    "نحو",
    "منذ",
    "حتي",
    "بين",
    "ضد",
    "دون",
    "عند",
    "ايضا",
    "كذلك",
    "بشكل",
    "شريطه",
    "اذ",
    "اذا",
    "بعدما",
    "فيما",
    "بينما",
    "و",
    "ف",
    "جميع",
    "كل",
    "بعض",
    "كافه",
    "مختلف",
    "عدد",
    "ايا",
    "اي",
];

/// Head words of titles of persons (normalized, without the article).
const PERSON_TITLES: [&str; 70] = [
    "وزير",
    "وزيره",
    "رييس",
    "رييسه",
    "نايب",
    "نايبه",
    "مندوب",
    "مندوبه",
    "سفير",
    "سفيره",
    "مساعد",
    "مساعده",
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
    "ناطق",
    "ناطقه",
    "زعيم",
    "مسوول",
    "مسووله",
    "منسق",
    "منسقه",
    "مبعوث",
    "مبعوثه",
    "سكرتير",
    "محافظ",
    "نظير",
    "نظيره",
    "نظيرها",
    "قيادي",
    "قياديه",
    "دبلوماسي",
    "دبلوماسيه",
    "محلل",
    "محلله",
    "باحث",
    "باحثه",
    "خبير",
    "خبيره",
    "مصدر",
    "مفوض",
    "مفوضه",
    "وكيل",
    "مراسل",
    "حاكم",
    "ملك",
    "امير",
    "نواب",
    "عميد",
    "لواء",
    "عقيد",
    "فريق",
    "دكتور",
    "شيخ",
    "سيد",
    "سيده",
    "مهندس",
    "رييسا",
    "نايبا",
    "رجل",
    "موفد",
    "مراقب",
];

/// Head words of bodies and other construct nouns of titles (normalized,
/// without the article): they take a genitive ("حكومة طالبان").
const BODY_WORDS: [&str; 57] = [
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
    "رياسه",
    "مكتب",
    "مركز",
    "معهد",
    "قوات",
    "جيش",
    "شركه",
    "ايتلاف",
    "تحالف",
    "جبهه",
    "برلمان",
    "شوون",
    "لشوون",
    "باسم",
    "ادارة",
    "اداره",
    "دايره",
    "مفوضيه",
    "امانه",
    "محكمه",
    "بنك",
    "صندوق",
    "اتحاد",
    "جامعه",
    "منصه",
    "دوله",
    "سلطات",
    "مصلحه",
    "خارجيه",
    "داخليه",
    "دفاع",
    "ماليه",
    "عدل",
    "كبير",
    "امناء",
    "استاذ",
    "استاذه",
    "عمداء",
    "مكتبه",
    "هيئه",
    "امم",
    "دول",
    "بيت",
];

/// Prepositions that continue a title ("المبعوث الأممي إلى ليبيا",
/// "مندوب الكويت لدى أوبك", "النائب عن كتلة …").
const TITLE_PREPOSITIONS: [&str; 5] = ["الي", "لدي", "عن", "في", "باسم"];

/// Nouns of reports that stand before their source ("بحسب بيان صادر عن …").
const REPORT_NOUNS: [&str; 10] = [
    "بيان",
    "بيانات",
    "تقرير",
    "تقارير",
    "معلومات",
    "ارقام",
    "احصاءات",
    "تصريحات",
    "وثيقه",
    "رساله",
];

/// Titles matching any person; their other words decide ("المسؤول الروسي").
const GENERIC_TITLES: [&str; 5] = ["مسوول", "دبلوماسي", "مصدر", "رجل", "قيادي"];

/// Words inside compound names, after which an article word still belongs
/// to the name ("عبد الحميد", "ولد الشيخ", "نور الله").
const NAME_PARTICLES: [&str; 12] = [
    "عبد", "ولد", "بن", "ابن", "ابو", "ام", "بنت", "نور", "عز", "سيف", "شمس", "صلاح",
];

/// Ranks written before a name ("العميد حسن الطيب").
const RANKS: [&str; 10] = [
    "عميد",
    "لواء",
    "عقيد",
    "فريق",
    "دكتور",
    "شيخ",
    "سيد",
    "سيده",
    "مهندس",
    "جنرال",
];

/// How far (in tokens) attribution looks back from a quote, and how many
/// earlier persons a title reference considers: bounds that keep the work
/// per quote constant.
const MAX_REACH: usize = 80;
const MAX_CANDIDATES: usize = 60;

/// Grammatical gender of a speech verb or title, when it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Masc,
    Fem,
    Unknown,
}

/// A person or body that can be referred to later: where it was named, its
/// speaker string, the stems of its title words, and its gender.
#[derive(Debug, Clone)]
struct Entity {
    pos: usize,
    speaker: String,
    intro: Vec<String>,
    gender: Gender,
    person: bool,
}

/// What a subject phrase names.
#[derive(Debug, Clone, PartialEq)]
enum Subject {
    /// A personal name (token range) with its title tokens.
    Person {
        name: (usize, usize),
        title: Vec<usize>,
    },
    /// A title or body without a name (its word tokens).
    Title(Vec<usize>),
    /// Nothing: the verb carries its subject over.
    Empty,
}

/// The tokenized, normalized article.
struct Doc<'a> {
    text: &'a str,
    normalizer: Normalizer,
    norm: &'a crate::text::NormalizedText,
    toks: Vec<Token>,
    /// Sentence index of each token.
    sent: Vec<usize>,
    /// Token range of each sentence.
    bounds: Vec<(usize, usize)>,
    /// For tokens inside quote marks (marks included): the token range of
    /// the quoted span with its marks, and whether it is a found quote.
    quoted: Vec<Option<(usize, usize, bool)>>,
}

impl<'a> Doc<'a> {
    fn new(
        text: &'a str,
        normalizer: &Normalizer,
        norm: &'a crate::text::NormalizedText,
        quotes: &[Quote],
    ) -> Doc<'a> {
        let ns = norm.as_str();
        let toks = tokenize(ns);
        let first_from = |off: usize| toks.partition_point(|t| t.start < off);
        let mut sent = vec![0; toks.len()];
        let mut bounds = Vec::new();
        let mut quoted = vec![None; toks.len()];
        // original offsets of the found quotes, to tell speech from names
        let mut speech: Vec<(usize, usize)> =
            quotes.iter().map(|q| (q.span.start, q.span.end)).collect();
        speech.sort_unstable();
        for r in sentences(ns) {
            let (a, b) = (first_from(r.start), first_from(r.end));
            for slot in sent.iter_mut().take(b).skip(a) {
                *slot = bounds.len();
            }
            bounds.push((a, b));
            for q in quoted_spans(&ns[r.clone()]) {
                let (qs, qe) = (r.start + q.start, r.start + q.end);
                // the opening mark ends at qs, the closing one starts at qe
                let mut qa = first_from(qs);
                if qa > a && toks[qa - 1].end == qs {
                    qa -= 1;
                }
                let mut qb = first_from(qe);
                if qb < b && toks[qb].start == qe {
                    qb += 1;
                }
                let o = norm.original_range(qs..qe);
                let k = speech.partition_point(|&(_, e)| e <= o.start);
                let is_speech = speech[k..]
                    .iter()
                    .take_while(|&&(s, _)| s < o.end)
                    .any(|&(s, e)| s < o.end && o.start < e);
                for slot in quoted.iter_mut().take(qb).skip(qa) {
                    *slot = Some((qa, qb, is_speech));
                }
            }
        }
        // tokens between sentences (blank lines) belong to the previous one
        for i in 1..sent.len() {
            if bounds.get(sent[i]).is_none_or(|&(a, b)| i < a || i >= b) {
                sent[i] = sent[i - 1];
            }
        }
        Doc {
            text,
            normalizer: *normalizer,
            norm,
            toks,
            sent,
            bounds,
            quoted,
        }
    }

    fn w(&self, i: usize) -> &str {
        self.toks[i].text(self.norm.as_str())
    }

    fn is_word(&self, i: usize) -> bool {
        self.toks[i].kind == TokenKind::Word
    }

    fn is_comma(&self, i: usize) -> bool {
        self.toks[i].kind == TokenKind::Punct && matches!(self.w(i), "،" | ",")
    }

    /// A speech verb, participle or speech noun outside quote marks.
    fn is_speech(&self, i: usize) -> bool {
        self.is_word(i)
            && self.quoted[i].is_none()
            && (is_speech_verb(self.w(i)) || is_speech_noun(self.w(i)))
    }

    /// The original text of tokens a..b (normalized token indices).
    fn original(&self, a: usize, b: usize) -> String {
        if a >= b {
            return String::new();
        }
        let r = self
            .norm
            .original_range(self.toks[a].start..self.toks[b - 1].end);
        self.text[r].to_string()
    }

    /// The original text of these word tokens, joined by spaces.
    fn original_words(&self, idx: &[usize]) -> String {
        idx.iter()
            .map(|&i| self.original(i, i + 1))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// First token of the sentence of token `i`.
    fn sentence_start(&self, i: usize) -> usize {
        self.bounds.get(self.sent[i]).map_or(0, |&(a, _)| a.min(i))
    }

    /// One past the last token of the sentence of token `i`.
    fn sentence_end(&self, i: usize) -> usize {
        self.bounds
            .get(self.sent[i])
            .map_or(self.toks.len(), |&(_, b)| b.max(i + 1))
    }

    /// The subject region after token `v`: up to إن/أن, a colon, a speech
    /// quote, another speech word, `limit` or the sentence end.
    fn region_after(&self, v: usize, limit: usize) -> (usize, usize) {
        let end = self.sentence_end(v).min(limit).min(v + 40);
        let mut j = v + 1;
        while j < end {
            let w = self.w(j);
            match self.quoted[j] {
                Some((_, _, true)) => break,
                Some((_, b, false)) => {
                    j = b;
                    continue;
                }
                None => {}
            }
            if self.is_word(j) {
                if is_complementizer(w) || w == "فان" || w == "فقالت" || self.is_speech(j) {
                    break;
                }
            } else if matches!(w, ":" | "." | "؛" | "!" | "؟") {
                break;
            }
            j += 1;
        }
        (v + 1, j.min(end))
    }

    /// Parses a subject region into a name, a title or nothing.
    fn parse(&self, a: usize, b: usize) -> Subject {
        // segments between commas
        let mut segs: Vec<(usize, usize)> = Vec::new();
        let mut s = a;
        for j in a..b {
            if self.is_comma(j) && self.quoted[j].is_none() {
                segs.push((s, j));
                s = j + 1;
            }
        }
        segs.push((s, b));
        let mut title: Vec<usize> = Vec::new();
        let mut name: Option<(usize, usize)> = None;
        let mut appositive = false;
        for (k, &(sa, sb)) in segs.iter().enumerate() {
            let words: Vec<usize> = (sa..sb)
                .filter(|&j| self.is_word(j) || self.quoted[j].is_some())
                .collect();
            if words.is_empty() {
                if k == 0 {
                    continue;
                }
                break;
            }
            let first = self.w(words[0]);
            if k > 0 && self.opens_circumstance(words[0]) {
                break;
            }
            // a bare name first ("ودعا شمخاني، روسيا، …") keeps its place
            let bare_first = name.is_some() && title.is_empty();
            if k > 0 && !appositive && !bare_first {
                if let Some(n) = self.pure_name(&words) {
                    // an appositive name wins over a name guessed inside the title
                    if let Some((na, nb)) = name.take() {
                        title.extend((na..nb).filter(|&j| self.is_word(j)));
                    }
                    name = Some(n);
                    title.extend(words.iter().copied().filter(|&j| j < n.0));
                    appositive = true;
                    continue;
                }
            }
            if k > 0 {
                // an appositive title after the name ("…، أمين مجلس الأمن")
                let f = strip_article(strip_wa(first));
                if name.is_some() && (is_title_word(f) || is_article_word(first)) {
                    let (t, _, _) = self.title_then_name(&words, false);
                    title.extend(t);
                    continue;
                }
                break;
            }
            let (t, n, cut) = self.title_then_name(&words, true);
            title.extend(t);
            if n.is_some() {
                name = n;
            }
            if cut && name.is_none() {
                // a circumstance inside the first segment ends the subject
                // unless a bare name follows after a comma
                if segs.len() > 1 {
                    continue;
                }
                break;
            }
        }
        while title
            .last()
            .is_some_and(|&j| TITLE_PREPOSITIONS.contains(&self.w(j)) || self.w(j) == "من")
        {
            title.pop();
        }
        // a title with no title word is a surname or body and its object
        // ("وحمّل الساعدي الجانب التركي …"): keep the first word
        if name.is_none()
            && title.len() > 1
            && !title.iter().any(|&j| {
                let b = strip_article(strip_wa(self.w(j)));
                is_title_word(b) || RANKS.contains(&b) || self.quoted[j].is_some()
            })
        {
            title.truncate(1);
        }
        match name {
            Some(n) => Subject::Person { name: n, title },
            None if !title.is_empty() => Subject::Title(title),
            None => Subject::Empty,
        }
    }

    /// Does the word at `i` open a circumstance ("في بيان", "خلال", "اليوم")?
    fn opens_circumstance(&self, i: usize) -> bool {
        let w = strip_wa(self.w(i));
        CIRCUMSTANCE_STARTS.contains(&w)
            || TIME_WORDS.contains(&w)
            || (w == "في" && self.next_word(i).is_some_and(|n| is_occasion(self.w(n))))
    }

    fn next_word(&self, i: usize) -> Option<usize> {
        (i + 1..self.toks.len().min(i + 3)).find(|&j| self.is_word(j))
    }

    /// A segment that is only a personal name ("سيرغي لافروف"), possibly
    /// after a rank ("العميد حسن الطيب").
    fn pure_name(&self, words: &[usize]) -> Option<(usize, usize)> {
        let skip = words
            .iter()
            .take_while(|&&j| RANKS.contains(&strip_article(self.w(j))))
            .count();
        let words = &words[skip..];
        if words.is_empty() || words.len() > 5 {
            return None;
        }
        if !(self.name_start_ok(words[0])
            || self.w(words[0]) == "علي"
            || (words.len() >= 2
                && self.w(words[0]).starts_with("ال")
                && !is_title_word(strip_article(self.w(words[0])))
                && !TIME_WORDS.contains(&self.w(words[0]))
                && self.name_start_ok(words[1])))
        {
            return None;
        }
        if words[1..].iter().all(|&j| {
            self.name_word_ok(j)
                || self.w(j) == "علي"
                || is_article_word(self.w(j)) && !TIME_WORDS.contains(&self.w(j))
        }) {
            Some((words[0], words[words.len() - 1] + 1))
        } else {
            None
        }
    }

    /// Can the article word at `k` continue a name after `prev`, the
    /// `len`-th word of it ("خالد الهاجري", "عبد الحميد", "ولد الشيخ"),
    /// rather than start the verb's object ("وانغ لي العقوبات")?
    fn surname_ok(&self, prev: usize, k: usize, len: usize) -> bool {
        let w = self.w(k);
        w.starts_with("ال")
            && w.chars().count() >= 4
            && !FUNCTION_WORDS.contains(&w)
            && !TIME_WORDS.contains(&w)
            && (len == 1 || NAME_PARTICLES.contains(&self.w(prev)))
    }

    /// An article-looking word that starts a name ("ألكسندر", "إلنور"): not
    /// an adjective or title, and followed by a name word.
    fn alef_lam_name(&self, words: &[usize], i: usize) -> bool {
        let w = self.w(words[i]);
        w.starts_with("ال")
            && self.quoted[words[i]].is_none()
            && !["ي", "يه", "ه", "ين", "ون", "ات", "يا"]
                .iter()
                .any(|s| w.ends_with(s))
            && !is_title_word(strip_article(w))
            && !RANKS.contains(&strip_article(w))
            && !TIME_WORDS.contains(&w)
            && words.get(i + 1).is_some_and(|&n| self.name_start_ok(n))
    }

    /// Can the word at `i` start a personal name?
    fn name_start_ok(&self, i: usize) -> bool {
        let w = self.w(i);
        self.quoted[i].is_none()
            && self.is_word(i)
            && !is_article_word(w)
            && self.name_word_ok(i)
            && !is_title_word(strip_article(strip_wa(w)))
    }

    /// Can the word at `i` continue a personal name?
    fn name_word_ok(&self, i: usize) -> bool {
        let w = self.w(i);
        self.quoted[i].is_none()
            && self.is_word(i)
            && w.chars().count() >= 2
            && !is_article_word(w)
            && !w.chars().any(|c| c.is_ascii_digit())
            && !FUNCTION_WORDS.contains(&w)
            && !CIRCUMSTANCE_STARTS.contains(&w)
            && !TIME_WORDS.contains(&w)
            && !is_occasion(w)
            && !is_speech_verb(w)
            && !is_speech_noun(w)
            && !is_title_word(strip_wa(w))
    }

    /// Reads a title ("وزير الخارجية الروسي") and the name after it, if any,
    /// from the words of one segment. Returns (title tokens, name, whether a
    /// circumstance or another word cut the segment).
    fn title_then_name(
        &self,
        words: &[usize],
        allow_name: bool,
    ) -> (Vec<usize>, Option<(usize, usize)>, bool) {
        let mut title = Vec::new();
        // construct: the next word is a genitive, not a name
        let mut construct = false;
        // an indefinite title followed by adjectives ("مصدر دبلوماسي أوروبي")
        let mut indefinite = false;
        let mut i = 0;
        while i < words.len() {
            let j = words[i];
            let w = self.w(j);
            if let Some((_, b, _)) = self.quoted[j] {
                // a name in quote marks belongs to the title
                title.push(j);
                construct = false;
                while i < words.len() && words[i] < b {
                    i += 1;
                }
                continue;
            }
            if i > 0 && self.opens_circumstance(j) {
                return (title, None, true);
            }
            let bare = strip_article(strip_wa(w));
            if construct {
                title.push(j);
                construct = is_title_word(bare) && !is_article_word(w);
                i += 1;
                continue;
            }
            if TITLE_PREPOSITIONS.contains(&w) && !title.is_empty() {
                // "عن" continues a title only right after a title word
                // ("النائب عن"), not after a complete one ("الوزير … عن أمله")
                let prev = strip_article(strip_wa(self.w(*title.last().unwrap_or(&j))));
                if w != "عن" || is_title_word(prev) {
                    title.push(j);
                    construct = true;
                    i += 1;
                    continue;
                }
                return (title, None, true);
            }
            if is_title_word(bare) || (RANKS.contains(&bare) && is_article_word(w)) {
                if title.is_empty() {
                    indefinite = !is_article_word(w) && is_indefinite_head(bare);
                }
                title.push(j);
                construct = !is_article_word(w) && !indefinite;
                i += 1;
                continue;
            }
            if w.starts_with("بال") && !matches!(w, "بالنيابه" | "بالوكاله") {
                // "رحبت السفارة … بالاتفاق": the verb's object
                return (title, None, true);
            }
            if is_article_word(w)
                && !TIME_WORDS.contains(&w)
                && !(allow_name && !title.is_empty() && self.alef_lam_name(words, i))
            {
                title.push(j);
                i += 1;
                continue;
            }
            if indefinite && (w.ends_with('ي') || w.ends_with("يه")) {
                title.push(j);
                i += 1;
                continue;
            }
            // "لحركة حماس", "لدراسات الطاقة", "وأمن الطاقة", "غير الحكومية":
            // a genitive or a conjunct of the title, before an article word
            let next_article = words
                .get(i + 1)
                .is_some_and(|&k| is_article_word(self.w(k)) && self.quoted[k].is_none());
            let l_rest = w.strip_prefix('ل').filter(|r| r.chars().count() >= 3);
            if !title.is_empty()
                && (l_rest.is_some_and(is_title_word)
                    || ((l_rest.is_some() || w.starts_with('و') || w == "غير") && next_article))
            {
                title.push(j);
                construct = l_rest.is_some_and(is_title_word);
                i += 1;
                continue;
            }
            let ali = w == "علي"
                && title.last().is_some_and(|&k| self.w(k).ends_with('ي'))
                && words.get(i + 1).is_some_and(|&k| self.name_start_ok(k));
            let alef_lam = self.alef_lam_name(words, i);
            let titled = title.iter().any(|&k| {
                let b = strip_article(strip_wa(self.w(k)));
                is_title_word(b) || RANKS.contains(&b) || self.quoted[k].is_some()
            });
            if !title.is_empty() && !titled {
                return (title, None, true);
            }
            if !allow_name || indefinite || !(self.name_start_ok(j) || ali || alef_lam) {
                return (title, None, true);
            }
            // the name: up to four words
            let mut e = i + 1;
            while e < words.len() && e - i < 4 {
                let k = words[e];
                let ok = self.name_word_ok(k)
                    || (self.w(k) == "علي" && matches!(self.w(words[e - 1]), "بن" | "ابن"))
                    || self.surname_ok(words[e - 1], k, e - i);
                if !ok || self.opens_circumstance(k) {
                    break;
                }
                e += 1;
            }
            let cut = e < words.len();
            return (title, Some((j, words[e - 1] + 1)), cut);
        }
        (title, None, false)
    }

    /// The nearest speech word before token `q` in its sentence, at or after `from`.
    fn speech_before(&self, from: usize, q: usize) -> Option<usize> {
        (from.max(q.saturating_sub(MAX_REACH))..q)
            .rev()
            .find(|&j| self.is_speech(j))
    }

    /// Where the main clause of the sentence starting at `s0` starts, past
    /// leading adverbials ("من جهته،", "وفي بكين،", "في المقابل،").
    fn clause_start(&self, s0: usize, limit: usize) -> usize {
        let mut start = s0;
        // a dateline: "كابل - …"
        if let Some(d) = (s0..limit.min(s0 + 4)).find(|&j| {
            self.toks[j].kind == TokenKind::Punct && matches!(self.w(j), "-" | "–" | "—")
        }) {
            start = d + 1;
        }
        for _ in 0..2 {
            let comma = (start..limit.min(start + 7)).find(|&j| self.is_comma(j));
            let Some(c) = comma else { break };
            let words: Vec<usize> = (start..c).filter(|&j| self.is_word(j)).collect();
            let Some(&f) = words.first() else { break };
            let first = self.w(f);
            let last = self.w(*words.last().unwrap_or(&f));
            let adverbial = matches!(
                first
                    .strip_prefix('و')
                    .filter(|r| r.len() >= 2)
                    .unwrap_or(first),
                "في" | "من"
                    | "بدوره"
                    | "بدورها"
                    | "على"
                    | "علي"
                    | "كما"
                    | "اما"
                    | "ومن"
                    | "لكن"
            ) || first.starts_with("بدور")
                || ((last.ends_with('ه') || last.ends_with("ها")) && words.len() <= 2);
            if !adverbial || words.len() > 4 {
                break;
            }
            start = c + 1;
        }
        start
    }

    /// The subject of the main clause of the sentence holding token `q`,
    /// read from before `q`.
    fn main_subject(&self, q: usize) -> Option<(Subject, usize)> {
        let s0 = self.sentence_start(q);
        let c = self.clause_start(s0, q);
        let v = (c..q).find(|&j| self.is_word(j) && self.quoted[j].is_none())?;
        let w = self.w(v);
        if matches!(w, "اما" | "واما") {
            // "أما X فقالت": the subject lies between أما and the ف-verb
            let stop = (q + 1).min(v + 25).min(self.toks.len());
            let f = (v + 1..stop)
                .find(|&j| {
                    self.is_word(j) && self.w(j).starts_with('ف') && is_speech_verb(self.w(j))
                })
                .or_else(|| {
                    (v + 1..stop).find(|&j| {
                        self.is_word(j)
                            && self.w(j).starts_with('ف')
                            && self.w(j).chars().count() > 3
                    })
                })?;
            return Some((self.parse(v + 1, f), v));
        }
        if is_source_word(w) {
            return self.source_subject(v, q).map(|s| (s, v));
        }
        if is_article_word(w) || self.quoted[v].is_some() {
            return None;
        }
        let (a, b) = self.region_after(v, q);
        Some((self.parse(a, b), v))
    }

    /// "وفقاً لـX" / "بحسب X" / "لما ذكرته X": the source after token `v`.
    fn source_subject(&self, v: usize, q: usize) -> Option<Subject> {
        let (a, b) = self.region_after(v, q);
        let mut a = (a..b).find(|&j| self.is_word(j))?;
        // "لما ذكرته وكالة …"
        if matches!(self.w(a), "لما" | "ما") {
            let verb = (a + 1..b).find(|&j| self.is_word(j))?;
            if is_speech_verb(self.w(verb)) {
                let (ra, rb) = self.region_after(verb, q);
                return Some(self.parse(ra, rb));
            }
        }
        // "بحسب بيان صادر عن الوزارة"
        let bare = self.w(a).strip_prefix('ل').unwrap_or(self.w(a));
        if REPORT_NOUNS.contains(&bare) {
            a += 1;
            while a < b && (!self.is_word(a) || matches!(self.w(a), "صادر" | "صادره" | "عن"))
            {
                a += 1;
            }
        }
        Some(self.parse(a, b))
    }
}

fn is_source_word(w: &str) -> bool {
    let w = w
        .strip_prefix('و')
        .filter(|r| r.chars().count() > 2)
        .unwrap_or(w);
    matches!(w, "وفقا" | "بحسب" | "حسب" | "طبقا" | "استنادا" | "نقلا")
}

fn is_occasion(w: &str) -> bool {
    OCCASIONS.contains(&w) || w.strip_prefix('ب').is_some_and(|r| OCCASIONS.contains(&r))
}

/// و stripped when what remains is a word of its own ("ونظيره" → "نظيره").
fn strip_wa(w: &str) -> &str {
    match w.strip_prefix('و') {
        Some(r)
            if r.chars().count() >= 3
                && (is_title_word(strip_article(r)) || r.starts_with("ال")) =>
        {
            r
        }
        _ => w,
    }
}

/// The word without its article (ال, لل, بال).
fn strip_article(w: &str) -> &str {
    for p in ["بال", "وال", "فال", "كال", "لل", "ال"] {
        if let Some(r) = w.strip_prefix(p) {
            if r.chars().count() >= 2 {
                return r;
            }
        }
    }
    w
}

/// Does the word carry the article (ال, لل, بال …)?
fn is_article_word(w: &str) -> bool {
    strip_article(w).len() < w.len()
}

fn is_title_word(bare: &str) -> bool {
    PERSON_TITLES.contains(&bare) || BODY_WORDS.contains(&bare)
}

fn is_person_title(bare: &str) -> bool {
    PERSON_TITLES.contains(&bare)
}

/// Titles written indefinite with adjectives ("مسؤول أمريكي", "مصدر دبلوماسي").
fn is_indefinite_head(bare: &str) -> bool {
    matches!(
        bare,
        "مسوول"
            | "مسووله"
            | "مصدر"
            | "دبلوماسي"
            | "متحدث"
            | "متحدثه"
            | "قيادي"
            | "خبير"
            | "مراقب"
    )
}

/// A light stem for matching title words: no article, no nisba or feminine
/// ending ("الروسي", "روسيا" → "روس"; "للأمن", "الأمني" → "امن").
fn stem(w: &str) -> String {
    let w = strip_article(strip_wa(w));
    let mut s = w;
    for suf in ["يين", "يون", "يه", "يا", "ي", "ه", "ا"] {
        if let Some(r) = s.strip_suffix(suf) {
            if r.chars().count() >= 3 {
                s = r;
                break;
            }
        }
    }
    s.to_string()
}

/// Gender shown by a speech word.
fn gender_of(w: &str) -> Gender {
    let w = w
        .strip_prefix('و')
        .or_else(|| w.strip_prefix('ف'))
        .unwrap_or(w);
    if is_speech_participle(w) {
        return if w.ends_with('ه') {
            Gender::Fem
        } else {
            Gender::Masc
        };
    }
    if w.ends_with('ت') || w.ends_with("ته") || w.ends_with("تها") || w.ends_with("ها") {
        Gender::Fem
    } else if w.starts_with('ي') {
        Gender::Masc
    } else if w.starts_with('ت') && !w.starts_with("تاب") {
        Gender::Fem
    } else {
        Gender::Masc
    }
}

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
    Attributor::new(&Normalizer::default()).attribute(text, quotes)
}

/// Speaker attribution with a reusable normalizer (see [`attribute`]).
///
/// ```
/// use nabra::{quotes::find_quotes, speakers::Attributor};
/// let a = Attributor::new(&nabra::text::Normalizer::default());
/// let text = "التقى وزير الخارجية الروسي سيرغي لافروف نظيره التركي. \
///             وقال المسؤول الروسي إن «المحادثات كانت بناءة».";
/// let s = a.attribute(text, &find_quotes(text));
/// assert_eq!(s, [Some("سيرغي لافروف".to_string())]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Attributor {
    normalizer: Normalizer,
}

impl Attributor {
    /// An attributor using `normalizer` (speakers are matched after it).
    pub fn new(normalizer: &Normalizer) -> Attributor {
        Attributor {
            normalizer: *normalizer,
        }
    }

    /// The speaker of each quote of `text` (same order), or `None`.
    pub fn attribute(&self, text: &str, quotes: &[Quote]) -> Vec<Option<String>> {
        let norm = self.normalizer.normalize(text);
        self.attribute_normalized(text, &norm, quotes)
    }

    /// Like [`Attributor::attribute`] with `text` already normalized by this
    /// attributor's normalizer, so one normalization serves every stage.
    ///
    /// ```
    /// use nabra::{quotes::find_quotes, speakers::Attributor, text::Normalizer};
    /// let text = "وقال وزير الخارجية، أحمد سالم، إن الحوار ضروري.";
    /// let n = Normalizer::default();
    /// let a = Attributor::new(&n);
    /// let q = find_quotes(text);
    /// assert_eq!(a.attribute_normalized(text, &n.normalize(text), &q), a.attribute(text, &q));
    /// ```
    pub fn attribute_normalized(
        &self,
        text: &str,
        norm: &crate::text::NormalizedText,
        quotes: &[Quote],
    ) -> Vec<Option<String>> {
        let doc = Doc::new(text, &self.normalizer, norm, quotes);
        let index = person_index(&doc);
        let mut history: Vec<Entity> = Vec::new(); // speakers of earlier quotes, in order
        let mut out: Vec<Option<String>> = Vec::with_capacity(quotes.len());
        let mut order: Vec<usize> = (0..quotes.len()).collect();
        order.sort_by_key(|&i| quotes[i].span.start);
        let mut results: Vec<Option<String>> = vec![None; quotes.len()];
        for qi in order {
            let q = &quotes[qi];
            let qa = doc
                .toks
                .partition_point(|t| doc.norm.original_range(t.range()).end <= q.span.start);
            if qa >= doc.toks.len() {
                continue;
            }
            let r = self.speaker_of(&doc, &index, &mut history, q, qa);
            results[qi] = r;
        }
        out.extend(results);
        canonicalize(&doc, &index, out)
    }

    fn speaker_of(
        &self,
        doc: &Doc,
        index: &[Entity],
        history: &mut Vec<Entity>,
        q: &Quote,
        qa0: usize,
    ) -> Option<String> {
        // the first token of the quote, and its opening mark when it has one
        let qa = match doc.quoted[qa0] {
            Some((a, _, _)) => a.min(qa0),
            None => qa0,
        };
        let s0 = doc.sentence_start(qa);
        let mut gender = Gender::Unknown;
        let mut found: Option<(Subject, usize)> = None;
        let mut carry = false;
        // 1. the nearest speech word before the quote
        let mut v = doc.speech_before(s0, qa);
        while let Some(vi) = v {
            let w = doc.w(vi);
            if gender == Gender::Unknown {
                gender = gender_of(w);
            }
            if is_speech_noun(w) {
                // "نقلت الوكالة عن X قوله": X
                if let Some(an) = (s0..vi).rev().take(20).find(|&j| doc.w(j) == "عن") {
                    found = Some((doc.parse(an + 1, vi), vi));
                }
                break;
            }
            let relative = (s0..vi)
                .rev()
                .find(|&j| doc.is_word(j))
                .is_some_and(|j| matches!(doc.w(j), "التي" | "الذي"));
            if is_participle(w) || relative {
                v = doc
                    .speech_before(s0, vi)
                    .filter(|&p| !is_participle(doc.w(p)));
                if v.is_none() {
                    found = doc.main_subject(vi);
                }
                continue;
            }
            let (a, b) = doc.region_after(vi, qa);
            let sub = doc.parse(a, b);
            if sub != Subject::Empty {
                found = Some((sub, vi));
            } else if let Some(m) = doc.main_subject(vi).filter(|(_, p)| *p < vi) {
                // "أما الوزارة فقالت"
                found = Some(m);
            } else {
                carry = true;
            }
            break;
        }
        // 2. a speech verb right after the quote ("«…»، قال X")
        if found.is_none() && !carry && v.is_none() {
            let end_tok = doc
                .toks
                .partition_point(|t| doc.norm.original_range(t.range()).start < q.span.end);
            let after = (end_tok..doc.toks.len().min(end_tok + 5))
                .take_while(|&j| doc.sent[j] == doc.sent[qa])
                .find(|&j| doc.is_word(j));
            match after {
                Some(j) if doc.is_speech(j) => {
                    gender = gender_of(doc.w(j));
                    let (a, b) = doc.region_after(j, usize::MAX);
                    let sub = doc.parse(a, b);
                    if sub == Subject::Empty {
                        carry = true;
                    } else {
                        found = Some((sub, j));
                    }
                }
                _ => {
                    // 3. the subject of the main verb ("ودعا X إلى «…»")
                    found = doc.main_subject(qa).filter(|(s, _)| *s != Subject::Empty);
                    carry = found.is_none();
                }
            }
        }
        let _ = carry;
        match found {
            Some((sub, pos)) => {
                let e = resolve(doc, index, history, sub, pos, gender);
                let speaker = e.as_ref().map(|e| e.speaker.clone());
                if let Some(e) = e {
                    history.push(e);
                }
                speaker.or_else(|| carry_over(history, gender))
            }
            None => carry_over(history, gender),
        }
    }
}

fn strip_wf(w: &str) -> &str {
    w.strip_prefix('و')
        .or_else(|| w.strip_prefix('ف'))
        .unwrap_or(w)
}

/// A speech participle, with or without و ("واصفاً" keeps its own و).
fn is_participle(w: &str) -> bool {
    is_speech_participle(w) || is_speech_participle(strip_wf(w))
}

/// The speaker of the latest earlier quote, of the verb's gender if one of
/// the last few has it.
fn carry_over(history: &[Entity], gender: Gender) -> Option<String> {
    let last = history.last()?;
    if gender != Gender::Unknown && last.gender != gender && last.gender != Gender::Unknown {
        if let Some(e) = history.iter().rev().take(4).find(|e| e.gender == gender) {
            return Some(e.speaker.clone());
        }
    }
    Some(last.speaker.clone())
}

/// Turns a parsed subject into an entity: a named person, a title resolved
/// to an earlier person, or a body.
fn resolve(
    doc: &Doc,
    index: &[Entity],
    history: &[Entity],
    sub: Subject,
    pos: usize,
    verb_gender: Gender,
) -> Option<Entity> {
    // "وفقاً لعبد الحميد": the ل of the source word is attached to the name
    let first = match &sub {
        Subject::Person { name, .. } => Some(name.0),
        Subject::Title(t) => t.first().copied(),
        Subject::Empty => None,
    };
    let lam = first.is_some_and(|f| {
        doc.w(f).starts_with('ل')
            && (0..f)
                .rev()
                .find(|&j| doc.is_word(j))
                .is_some_and(|j| is_source_word(doc.w(j)))
    });
    let mut e = resolve_subject(doc, index, history, sub, pos, verb_gender)?;
    if lam {
        e.speaker = drop_lam(&e.speaker);
    }
    Some(e)
}

/// Is the name at `name` (token range) the last words of a person named
/// earlier?
fn known_name(doc: &Doc, index: &[Entity], history: &[Entity], name: (usize, usize)) -> bool {
    let words: Vec<&str> = (name.0..name.1)
        .filter(|&j| doc.is_word(j))
        .map(|j| doc.w(j))
        .collect();
    let mut buf = String::new();
    let before = index.partition_point(|e| e.pos < name.0);
    let recent_index = &index[before.saturating_sub(MAX_CANDIDATES)..before];
    let recent_history = &history[history.len().saturating_sub(MAX_CANDIDATES)..];
    recent_index.iter().chain(recent_history.iter()).any(|e| {
        if e.pos == name.0 {
            return false; // itself
        }
        doc.normalizer.normalize_into(&e.speaker, &mut buf);
        let k: Vec<&str> = buf.split_whitespace().collect();
        k.len() >= words.len() && k[k.len() - words.len()..] == words[..]
    })
}

/// "لعبد الحميد" → "عبد الحميد", "للمنظمة" → "المنظمة".
fn drop_lam(s: &str) -> String {
    let mut chars = s.chars();
    chars.next();
    let rest: String = chars
        .as_str()
        .trim_start_matches(|c: char| ('\u{64B}'..='\u{65F}').contains(&c))
        .to_string();
    if rest.starts_with('ل') {
        format!("ا{rest}")
    } else {
        rest
    }
}

fn resolve_subject(
    doc: &Doc,
    index: &[Entity],
    history: &[Entity],
    sub: Subject,
    pos: usize,
    verb_gender: Gender,
) -> Option<Entity> {
    match sub {
        Subject::Empty => None,
        Subject::Person { name, title }
            if short_definite(doc, &title, name)
                && !known_name(doc, index, history, name)
                && refer_strict(&stems(doc, &title), index, history, pos).is_some() =>
        {
            // "واتهم الوزير الكونغولي رواندا …": a definite title that refers
            // to a known person, followed by the verb's object
            let intro = stems(doc, &title);
            match refer_strict(&intro, index, history, pos) {
                Some(e) => Some(Entity { pos, ..e.clone() }),
                None => Some(Entity {
                    pos,
                    speaker: doc.original(name.0, name.1),
                    intro,
                    gender: verb_gender,
                    person: true,
                }),
            }
        }
        Subject::Person { name, title } => Some(Entity {
            pos,
            speaker: doc.original(name.0, name.1),
            intro: title.iter().map(|&j| stem(doc.w(j))).collect(),
            gender: verb_gender,
            person: true,
        }),
        Subject::Title(t) => {
            let words: Vec<&str> = t.iter().map(|&j| doc.w(j)).collect();
            let head = strip_article(strip_wa(words[0]));
            let title_gender = if head.ends_with('ه') {
                Gender::Fem
            } else {
                verb_gender
            };
            let intro: Vec<String> = words.iter().map(|w| stem(w)).collect();
            if is_person_title(head) {
                if let Some(e) = refer(&intro, index, history, pos) {
                    return Some(Entity { pos, ..e.clone() });
                }
                // an unnamed spokesperson stands for the body
                if matches!(head, "متحدث" | "متحدثه" | "ناطق" | "ناطقه")
                    && !is_article_word(words[0])
                {
                    if let Some(k) = words.iter().position(|w| *w == "باسم") {
                        if k + 1 < t.len() {
                            return Some(Entity {
                                pos,
                                speaker: doc.original_words(&t[k + 1..]),
                                intro,
                                gender: title_gender,
                                person: true,
                            });
                        }
                    }
                }
            }
            let speaker = doc.original_words(&t);
            Some(Entity {
                pos,
                speaker,
                intro,
                gender: title_gender,
                person: is_person_title(head),
            })
        }
    }
}

/// Stems of title tokens.
fn stems(doc: &Doc, title: &[usize]) -> Vec<String> {
    title.iter().map(|&j| stem(doc.w(j))).collect()
}

/// A short definite title right before the name ("الوزير الكونغولي X"):
/// article words only, a person title first, no comma before the name.
fn short_definite(doc: &Doc, title: &[usize], name: (usize, usize)) -> bool {
    !title.is_empty()
        && title.len() <= 3
        && title.iter().all(|&j| doc.w(j).starts_with("ال"))
        && is_person_title(strip_article(doc.w(title[0])))
        && title.last().is_some_and(|&l| l + 1 == name.0)
}

/// Like [`refer`], but only a match of the head and all other title words.
fn refer_strict<'e>(
    title: &[String],
    index: &'e [Entity],
    history: &'e [Entity],
    pos: usize,
) -> Option<&'e Entity> {
    refer_with(title, index, history, pos, true)
}

/// The person a title refers to: the latest earlier one (in the index or
/// among quoted speakers) whose title has the head word of `title` (any,
/// for generic heads such as "المسؤول") and all its other words; failing
/// that, for a specific head, the latest one with the head word.
fn refer<'e>(
    title: &[String],
    index: &'e [Entity],
    history: &'e [Entity],
    pos: usize,
) -> Option<&'e Entity> {
    refer_with(title, index, history, pos, false)
}

fn refer_with<'e>(
    title: &[String],
    index: &'e [Entity],
    history: &'e [Entity],
    pos: usize,
    strict: bool,
) -> Option<&'e Entity> {
    let skip = ["عن", "في", "باسم", "الي", "لدي", "من"];
    let words: Vec<&str> = title
        .iter()
        .map(String::as_str)
        .filter(|w| !skip.contains(w))
        .collect();
    let (&head, mods) = words.split_first()?;
    let generic = GENERIC_TITLES.iter().any(|g| stem(g) == head);
    let groups: [&[&str]; 3] = [
        &["ناطق", "متحدث"],
        &["نايب", "نواب", "برلمان"],
        &["مبعوث", "موفد"],
    ];
    let in_group = |g: &[&str], w: &str| g.iter().any(|x| stem(x) == w);
    let same = |a: &str, b: &str| a == b || groups.iter().any(|g| in_group(g, a) && in_group(g, b));
    let head_ok = |e: &Entity| generic || e.intro.iter().any(|i| same(head, i));
    // "الكردي" ~ "الكردستاني": a modifier may be the start of a title word
    let mods_ok = |e: &Entity| {
        mods.iter().all(|m| {
            e.intro
                .iter()
                .any(|i| i == m || (m.chars().count() >= 3 && i.starts_with(m)))
        })
    };
    let before = index.partition_point(|e| e.pos < pos);
    let recent_index = &index[before.saturating_sub(MAX_CANDIDATES)..before];
    let recent_history = &history[history.len().saturating_sub(MAX_CANDIDATES)..];
    let cands = || {
        recent_index
            .iter()
            .chain(recent_history.iter())
            .filter(|e| e.pos < pos && e.person && !e.intro.is_empty())
    };
    let latest = |f: &dyn Fn(&Entity) -> bool| cands().filter(|e| f(e)).max_by_key(|e| e.pos);
    if let Some(e) = latest(&|e| head_ok(e) && mods_ok(e)) {
        return Some(e);
    }
    if generic || strict {
        return None;
    }
    latest(&|e| head_ok(e) && !e.intro.is_empty())
}

/// Persons introduced anywhere in the article with a title and a name
/// ("التقى أمين مجلس الأمن الروسي نيكولاي باتروشيف"), with appositive
/// titles after the name ("…، أمين مجلس الأمن الروسي،").
fn person_index(doc: &Doc) -> Vec<Entity> {
    let mut out: Vec<Entity> = Vec::new();
    let n = doc.toks.len();
    let mut i = 0;
    while i < n {
        if !doc.is_word(i) || doc.quoted[i].is_some() {
            i += 1;
            continue;
        }
        let bare = strip_article(strip_wa(doc.w(i)));
        let bare = bare
            .strip_prefix('ب')
            .filter(|r| is_person_title(r))
            .unwrap_or(bare);
        if !is_person_title(bare) {
            i += 1;
            continue;
        }
        let end = doc.sentence_end(i).min(i + 30);
        let mut j = i;
        while j < end {
            let w = doc.w(j);
            if matches!(doc.quoted[j], Some((_, _, true)))
                || (doc.is_word(j) && (is_complementizer(w) || (j > i && doc.is_speech(j))))
                || matches!(w, ":" | "." | "؛")
            {
                break;
            }
            j += 1;
        }
        // the phrase up to the first comma after a name, or the next comma pair
        let sub = doc.parse(i, j);
        match sub {
            Subject::Person { name, title }
                if short_definite(doc, &title, name)
                    && !known_name(doc, &out, &[], name)
                    && refer_strict(&stems(doc, &title), &out, &[], name.0).is_some() =>
            {
                // a definite title for a known person, then an object
                i = name.0.max(i + 1);
            }
            Subject::Person { name, title } if !title.is_empty() => {
                out.push(Entity {
                    pos: name.0,
                    speaker: doc.original(name.0, name.1),
                    intro: title.iter().map(|&k| stem(doc.w(k))).collect(),
                    gender: Gender::Unknown,
                    person: true,
                });
                i = name.1.max(i + 1);
            }
            Subject::Title(t) => {
                // an appositive title right after a name: "X، أمين …"
                let before = (i.saturating_sub(3)..i)
                    .rev()
                    .find(|&k| doc.is_word(k) || doc.is_comma(k));
                if let Some(c) = before.filter(|&k| doc.is_comma(k)) {
                    let last = (c.saturating_sub(3)..c).rev().find(|&k| doc.is_word(k));
                    if let Some(p) = out.last_mut() {
                        if last.is_some_and(|l| p.pos <= l && l <= p.pos + 5) {
                            p.intro.extend(t.iter().map(|&k| stem(doc.w(k))));
                        }
                    }
                }
                i = t.last().map_or(i + 1, |&k| k + 1).max(i + 1);
            }
            _ => i += 1,
        }
    }
    out
}

/// Maps each speaker to the fullest form of its name in the article: a
/// longer known name ending with the same words ("لافروف" → "سيرغي
/// لافروف"), or a longer speaker containing all its words.
fn canonicalize(doc: &Doc, index: &[Entity], speakers: Vec<Option<String>>) -> Vec<Option<String>> {
    let n = doc.normalizer;
    let norm = |s: &str| {
        let mut b = String::new();
        n.normalize_into(s, &mut b);
        b
    };
    // distinct names only, each speaker looked up once
    let mut seen = std::collections::HashSet::new();
    let known: Vec<(String, Vec<String>)> = index
        .iter()
        .map(|e| e.speaker.clone())
        .chain(speakers.iter().flatten().cloned())
        .filter(|s| seen.insert(s.clone()))
        .map(|s| {
            let ns = norm(&s);
            let words = ns.split_whitespace().map(str::to_string).collect();
            (s, words)
        })
        .collect();
    // names introduced with a title: the surest forms
    let mut seen_titled = std::collections::HashSet::new();
    let titled: Vec<Vec<String>> = index
        .iter()
        .filter(|e| seen_titled.insert(e.speaker.clone()))
        .map(|e| {
            norm(&e.speaker)
                .split_whitespace()
                .map(str::to_string)
                .collect()
        })
        .collect();
    let mut memo: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let ends_with = |k: &[String], w: &[&str]| {
        k.len() >= w.len() && k[k.len() - w.len()..].iter().zip(w).all(|(a, b)| a == b)
    };
    let canonical = |s: String| -> String {
        let ns = norm(&s);
        let words: Vec<&str> = ns.split_whitespace().collect();
        let is_name = words
            .first()
            .is_some_and(|w| !is_article_word(w) && !is_title_word(w));
        let longest = |f: &dyn Fn(&[String]) -> bool| {
            known
                .iter()
                .filter(|(_, k)| f(k))
                .max_by_key(|(o, k)| (k.len(), o.len()))
                .map(|(o, _)| o.clone())
        };
        if !is_name {
            return longest(&|k| {
                k.len() > words.len() && words.iter().all(|w| k.iter().any(|o| o == w))
            })
            .unwrap_or(s);
        }
        if let Some(k) = longest(&|k| k.len() > words.len() && ends_with(k, &words)) {
            return k;
        }
        if titled
            .iter()
            .any(|k| k.len() == words.len() && ends_with(k, &words))
        {
            return s;
        }
        // a one-word name that starts a longer one ("بارك" → "بارك جي هون")
        if words.len() == 1 {
            if let Some(k) = longest(&|k| k.len() > 1 && k[0] == words[0]) {
                return k;
            }
        }
        // a name read with the verb's object ("غريغوريان بعمل")
        for m in (1..words.len()).rev() {
            if let Some(k) = longest(&|k| ends_with(k, &words[..m])) {
                return k;
            }
        }
        s
    };
    speakers
        .into_iter()
        .map(|s| {
            s.map(|s| {
                if let Some(c) = memo.get(&s) {
                    return c.clone();
                }
                let c = canonical(s.clone());
                memo.insert(s, c.clone());
                c
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quotes::find_quotes;

    fn speakers(text: &str) -> Vec<Option<String>> {
        attribute(text, &find_quotes(text))
    }

    #[test]
    fn title_comma_name_and_quote_before_verb() {
        let t = "«لن نقبل بذلك أبداً»، قال المتحدث باسم الخارجية، كريم سالم، في بيان. وأضاف أن الحوار مستمر.";
        assert_eq!(speakers(t), vec![Some("كريم سالم".to_string()); 2]);
    }

    #[test]
    fn subject_first_body_and_source() {
        let t = "أما وزارة الخارجية المصرية فقالت، في بيان، إن الاتفاق خطوة مهمة. \
                 وبحسب مصدر دبلوماسي أوروبي تحدث للصحفيين، فإن المفاوضات ستستأنف قريباً.";
        let s = speakers(t);
        assert_eq!(s[0].as_deref(), Some("وزارة الخارجية المصرية"));
        assert_eq!(s[1].as_deref(), Some("مصدر دبلوماسي أوروبي"));
    }

    #[test]
    fn feminine_carry_over_and_title_reference() {
        let t = "قالت المتحدثة باسم الحكومة، ليلى حسن، إن الوضع مستقر. \
                 وقال وزير الدفاع خالد عمر إن الجيش جاهز. وأضافت أن المساعدات ستصل.";
        let s = speakers(t);
        assert_eq!(s[2].as_deref(), Some("ليلى حسن"));
    }

    #[test]
    fn no_panic_on_odd_input() {
        for t in [
            "",
            "«",
            "قال",
            "قال: «",
            "»، قال",
            "وأضاف أن",
            "أما فقالت إن «x»",
            "، ، قال ،إن",
        ] {
            let _ = speakers(t);
        }
    }
}
