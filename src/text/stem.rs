//! Stage 3: light stemming of Arabic words.
//!
//! Arabic attaches conjunctions, prepositions and the article to the front of
//! a word (و ف ب ك ل ال) and pronouns and inflections to its end, so "والعقوبات"
//! and "عقوبات" are one word to a reader but two strings to a hash. A light
//! stemmer strips those affixes without trying to find the root; it is what
//! Arabic retrieval and classification systems usually use (Larkey et al.'s
//! "light10"). Snowball's Arabic stemmer is available as an alternative.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Which stemmer to run on word tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum StemmerKind {
    /// Keep words as they are.
    None,
    /// Clitic and affix stripping ("light10" with و/ف and the ال family),
    /// never leaving fewer than `min_stem` characters.
    Light {
        /// Minimum characters a stem keeps.
        min_stem: usize,
    },
    /// Snowball's Arabic stemmer (from `rust-stemmers`).
    Snowball,
}

impl Default for StemmerKind {
    fn default() -> Self {
        StemmerKind::DEFAULT
    }
}

impl StemmerKind {
    /// The light stemmer keeping at least 2 characters.
    pub const DEFAULT: StemmerKind = StemmerKind::Light { min_stem: 2 };
}

/// A ready-to-use stemmer.
///
/// ```
/// use nabra::text::{Stemmer, StemmerKind};
/// let s = Stemmer::new(StemmerKind::default());
/// assert_eq!(s.stem("والعقوبات"), "عقوب");
/// assert_eq!(s.stem("بالصين"), "صين");
/// assert_eq!(s.stem("iran"), "iran"); // non-Arabic words pass through
/// ```
pub struct Stemmer {
    kind: StemmerKind,
    snowball: Option<rust_stemmers::Stemmer>,
}

impl std::fmt::Debug for Stemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stemmer").field("kind", &self.kind).finish()
    }
}

const ARTICLES: [&str; 6] = ["وال", "بال", "كال", "فال", "لل", "ال"];
const SUFFIXES: [&str; 10] = ["ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي"];

impl Stemmer {
    /// Builds the stemmer.
    pub fn new(kind: StemmerKind) -> Stemmer {
        let snowball = matches!(kind, StemmerKind::Snowball)
            .then(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::Arabic));
        Stemmer { kind, snowball }
    }

    /// The configured kind.
    pub fn kind(&self) -> StemmerKind {
        self.kind
    }

    /// Stems one word. Words without Arabic letters are returned unchanged.
    pub fn stem<'a>(&self, word: &'a str) -> Cow<'a, str> {
        match self.kind {
            StemmerKind::None => Cow::Borrowed(word),
            StemmerKind::Light { min_stem } => Cow::Borrowed(light_stem(word, min_stem)),
            StemmerKind::Snowball => match &self.snowball {
                Some(s) if is_arabic(word) => s.stem(word),
                _ => Cow::Borrowed(word),
            },
        }
    }
}

fn is_arabic(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// The light stemmer on one (normalized) word; returns a subslice.
pub(crate) fn light_stem(word: &str, min_stem: usize) -> &str {
    if !is_arabic(word) {
        return word;
    }
    let mut w = word;
    let mut n = w.chars().count();
    let min = min_stem.max(1);
    // و / ف conjunction, only on longer words (وزير, فرنسا start with these letters)
    if n >= min + 2 && (w.starts_with('و') || w.starts_with('ف')) {
        let rest = &w[2..];
        // only strip when what follows still looks like a word start, not a doubled letter
        if !rest.starts_with('و') {
            w = rest;
            n -= 1;
        }
    }
    // every affix is Arabic letters, two bytes each, at most three letters:
    // compare packed integers instead of byte strings
    for (a, len) in ARTICLE_KEYS {
        let ac = len / 2;
        if n >= ac + min && w.len() >= len && pack(&w.as_bytes()[..len]) == a {
            w = &w[len..];
            n -= ac;
            break;
        }
    }
    for (s, len) in SUFFIX_KEYS {
        let sc = len / 2;
        if n >= sc + min && w.len() >= len && pack(&w.as_bytes()[w.len() - len..]) == s {
            w = &w[..w.len() - len];
            n -= sc;
        }
    }
    w
}

/// Up to 8 bytes as one integer.
#[inline]
const fn pack(b: &[u8]) -> u64 {
    let mut k = 0u64;
    let mut i = 0;
    while i < b.len() && i < 8 {
        k = (k << 8) | b[i] as u64;
        i += 1;
    }
    k
}

const fn keys<const N: usize>(affixes: [&str; N]) -> [(u64, usize); N] {
    let mut out = [(0u64, 0usize); N];
    let mut i = 0;
    while i < N {
        out[i] = (pack(affixes[i].as_bytes()), affixes[i].len());
        i += 1;
    }
    out
}

const ARTICLE_KEYS: [(u64, usize); ARTICLES.len()] = keys(ARTICLES);
const SUFFIX_KEYS: [(u64, usize); SUFFIXES.len()] = keys(SUFFIXES);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn light_stemming_strips_clitics_and_suffixes() {
        let s = Stemmer::new(StemmerKind::default());
        assert_eq!(s.stem("الولايات"), "ولا");
        assert_eq!(s.stem("للتعاون"), "تعا"); // "ون" is also a plural suffix
        assert_eq!(s.stem("للعلاقات"), "علاق");
        assert_eq!(s.stem("ومواجهه"), "مواجه");
        assert_eq!(s.stem("لا"), "لا");
        assert_eq!(s.stem("ال"), "ال");
    }

    #[test]
    fn min_stem_is_respected() {
        for w in ["والي", "فالان", "بالها", "ولها"] {
            let st = light_stem(w, 3);
            assert!(
                st.chars().count() >= 3.min(w.chars().count()),
                "{w} -> {st}"
            );
        }
    }

    #[test]
    fn snowball_runs() {
        let s = Stemmer::new(StemmerKind::Snowball);
        assert!(s.stem("والمعلمون").chars().count() < "والمعلمون".chars().count());
        assert_eq!(s.stem("nato"), "nato");
    }
}
