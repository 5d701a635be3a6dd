//! Stage 4: negation scope marking.
//!
//! "لا ندعم" (we do not support) and "ندعم" (we support) share every word but
//! one, and bag-of-words features see them as nearly the same. Marking the
//! words that follow a negator, up to the next punctuation or a small window,
//! gives the classifier separate features for negated words.

use super::tokenize::{Token, TokenKind};

/// Negators, in normalized spelling (ى→ي, أ→ا), with the conjunction
/// prefixes و/ف that often attach to them.
const NEGATORS: [&str; 28] = [
    "لا",
    "لم",
    "لن",
    "ليس",
    "ليست",
    "لست",
    "لسنا",
    "ليسوا",
    "لستم",
    "غير",
    "عدم",
    "ما",
    "ولا",
    "ولم",
    "ولن",
    "وليس",
    "وليست",
    "ولسنا",
    "وما",
    "وغير",
    "وعدم",
    "فلا",
    "فلم",
    "فلن",
    "فليس",
    "بدون",
    "دون",
    "بلا",
];

/// Is this (normalized) word a negator?
///
/// ```
/// assert!(nabra::text::is_negator("لن"));
/// assert!(nabra::text::is_negator("ولم"));
/// assert!(!nabra::text::is_negator("لندن"));
/// ```
pub fn is_negator(word: &str) -> bool {
    is_negator_bytes(word.as_bytes())
}

/// All negators are at most 10 bytes: compare packed integers, not strings.
#[inline]
fn is_negator_bytes(word: &[u8]) -> bool {
    word.len() <= 10 && NEGATOR_KEYS.contains(&pack(word))
}

/// A string of at most 15 bytes as one integer (bytes, then the length), so
/// equal keys mean equal strings.
const fn pack(b: &[u8]) -> u128 {
    let mut k = b.len() as u128;
    let mut i = 0;
    while i < b.len() && i < 15 {
        k |= (b[i] as u128) << (8 * (i + 1));
        i += 1;
    }
    k
}

const NEGATOR_KEYS: [u128; NEGATORS.len()] = {
    let mut keys = [0u128; NEGATORS.len()];
    let mut i = 0;
    while i < NEGATORS.len() {
        keys[i] = pack(NEGATORS[i].as_bytes());
        i += 1;
    }
    keys
};

/// Marks `negated[i] = true` for up to `window` word-like tokens after each
/// negator in `tokens`, stopping at punctuation. `text` is the tokenized text.
/// A `window` of 0 marks nothing.
///
/// ```
/// use nabra::text::{mark_negation, tokenize};
/// let text = "لا ندعم الحرب، بل السلام";
/// let toks = tokenize(text);
/// let mut neg = Vec::new();
/// mark_negation(text, &toks, 3, &mut neg);
/// let marked: Vec<&str> = toks.iter().zip(&neg).filter(|(_, n)| **n).map(|(t, _)| t.text(text)).collect();
/// assert_eq!(marked, ["ندعم", "الحرب"]);
/// ```
pub fn mark_negation(text: &str, tokens: &[Token], window: usize, negated: &mut Vec<bool>) {
    negated.clear();
    negated.resize(tokens.len(), false);
    if window == 0 {
        return;
    }
    let mut left = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::Punct | TokenKind::Url => left = 0,
            _ => {
                let bytes = text.as_bytes().get(t.start..t.end).unwrap_or_default();
                if is_negator_bytes(bytes) {
                    left = window;
                } else if left > 0 {
                    negated[i] = true;
                    left -= 1;
                }
            }
        }
    }
}
