//! Stage 5: finding mentions of the stance target.
//!
//! A stance is always toward someone. When the target's name appears in the
//! text, its mentions are located (tolerating attached clitics: "لواشنطن",
//! "وبالولايات المتحدة") so the feature stage can replace them with a
//! placeholder and learn target-independent cues such as "مواجهة `<T>`".

use super::normalize::Normalizer;
use super::tokenize::{Token, TokenKind, tokenize};

/// A stance target: a canonical key (used to condition features on the
/// target) and the surface forms that name it in text.
///
/// ```
/// use nabra::Target;
/// let t = Target::text("الولايات المتحدة");
/// assert_eq!(t.key(), "الولايات المتحدة");
/// let t = Target::with_aliases("USA", ["أمريكا", "واشنطن", "الولايات المتحدة"]);
/// assert_eq!(t.aliases().len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    key: String,
    aliases: Vec<String>,
}

impl Target {
    /// A target given as text: the text is both its key and its one surface form.
    pub fn text(text: impl Into<String>) -> Target {
        let text = text.into();
        let text = text.trim().to_string();
        Target {
            aliases: vec![text.clone()],
            key: text,
        }
    }

    /// A target with a canonical key (e.g. an actor id) and surface forms.
    pub fn with_aliases<I, S>(key: impl Into<String>, aliases: I) -> Target
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Target {
            key: key.into(),
            aliases: aliases.into_iter().map(Into::into).collect(),
        }
    }

    /// The canonical key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The surface forms.
    pub fn aliases(&self) -> &[String] {
        &self.aliases
    }
}

/// Prefixes that attach to a name (conjunctions, prepositions, the article
/// and their combinations): tolerated in front of targets and actor aliases.
pub(crate) const CLITICS: [&str; 17] = [
    "و", "ف", "ب", "ك", "ل", "وب", "ول", "وك", "فب", "فل", "فك", "ال", "وال", "بال", "فال", "كال",
    "لل",
];

/// Compiled surface forms of a [`Target`], ready to match normalized tokens.
#[derive(Debug, Clone)]
pub struct TargetMatcher {
    /// Each form as a sequence of "cores": words with a leading ال removed.
    forms: Vec<Vec<String>>,
}

impl TargetMatcher {
    /// Compiles `target`'s surface forms with the same normalizer as the text.
    pub fn new(target: &Target, normalizer: &Normalizer) -> TargetMatcher {
        let mut forms = Vec::new();
        let mut buf = String::new();
        for alias in target.aliases() {
            normalizer.normalize_into(alias, &mut buf);
            let words: Vec<String> = tokenize(&buf)
                .iter()
                .filter(|t| t.kind == TokenKind::Word)
                .map(|t| core(t.text(&buf)).to_string())
                .filter(|w| !w.is_empty())
                .collect();
            if !words.is_empty() && !forms.contains(&words) {
                forms.push(words);
            }
        }
        // longest forms first so "الولايات المتحدة" wins over a one-word alias
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        TargetMatcher { forms }
    }

    /// True when the target has no matchable surface form (e.g. an English
    /// topic name for Arabic text).
    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// Finds mentions in `tokens` of `text`; returns token index ranges
    /// (start, end exclusive), non-overlapping, in order.
    ///
    /// ```
    /// use nabra::text::{tokenize, Normalizer, TargetMatcher};
    /// use nabra::Target;
    /// let n = Normalizer::default();
    /// let m = TargetMatcher::new(&Target::text("الولايات المتحدة"), &n);
    /// let mut text = String::new();
    /// n.normalize_into("ندين موقف بالولايات المتحدة ولواشنطن", &mut text);
    /// let toks = tokenize(&text);
    /// assert_eq!(m.find(&text, &toks), vec![(2, 4)]);
    /// ```
    pub fn find(&self, text: &str, tokens: &[Token]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        if self.forms.is_empty() {
            return out;
        }
        let mut i = 0;
        'outer: while i < tokens.len() {
            for form in &self.forms {
                let n = form.len();
                if i + n <= tokens.len()
                    && form.iter().enumerate().all(|(j, w)| {
                        let t = &tokens[i + j];
                        t.kind == TokenKind::Word && word_matches(t.text(text), w, j == 0)
                    })
                {
                    out.push((i, i + n));
                    i += n;
                    continue 'outer;
                }
            }
            i += 1;
        }
        out
    }
}

/// A word without its leading article.
fn core(word: &str) -> &str {
    match word.strip_prefix("ال") {
        Some(rest) if rest.chars().count() >= 2 => rest,
        _ => word,
    }
}

/// Does `token` spell `core`, possibly with an article or (for the first word
/// of a form) a clitic prefix?
fn word_matches(token: &str, core_word: &str, first: bool) -> bool {
    if token == core_word {
        return true;
    }
    let Some(prefix) = token.strip_suffix(core_word) else {
        return false;
    };
    if first {
        CLITICS.contains(&prefix)
    } else {
        prefix == "ال"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(target: &Target, s: &str) -> Vec<String> {
        let n = Normalizer::default();
        let m = TargetMatcher::new(target, &n);
        let mut text = String::new();
        n.normalize_into(s, &mut text);
        let toks = tokenize(&text);
        m.find(&text, &toks)
            .into_iter()
            .map(|(a, b)| text[toks[a].start..toks[b - 1].end].to_string())
            .collect()
    }

    #[test]
    fn clitics_tolerated() {
        let t = Target::text("واشنطن");
        assert_eq!(
            find(&t, "قال لواشنطن وبواشنطن إن واشنطنية"),
            ["لواشنطن", "وبواشنطن"]
        );
        let t = Target::text("إيران");
        assert_eq!(find(&t, "التعاون مع إيران ولإيران"), ["ايران", "ولايران"]);
    }

    #[test]
    fn longest_alias_wins() {
        let t = Target::with_aliases("USA", ["الولايات", "الولايات المتحدة"]);
        assert_eq!(find(&t, "في الولايات المتحدة"), ["الولايات المتحده"]);
    }

    #[test]
    fn no_forms_no_matches() {
        let t = Target::text("Covid Vaccine");
        assert!(find(&t, "اللقاح آمن").is_empty());
        let n = Normalizer::default();
        assert!(TargetMatcher::new(&Target::text("  "), &n).is_empty());
    }
}
