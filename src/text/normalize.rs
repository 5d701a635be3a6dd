//! Stage 1: Arabic orthographic normalization, with a map back to the original.
//!
//! Arabic text reaches us in many spellings of the same word: with or without
//! diacritics, with hamza on alef or not, with final ى or ي, stretched with
//! tatweel, typed in presentation-form code points, with Persian look-alike
//! letters or Arabic-Indic digits. Folding these makes two spellings of one word
//! one feature. Every rule can be switched off in [`NormalizeOptions`].
//!
//! [`Normalizer::normalize`] also records, for every byte of the normalized
//! text, the byte range of the original character it came from, so any span
//! found later (a token, a quote, an actor mention) can be reported in the
//! original text. [`Normalizer::normalize_into`] skips that map for the hot
//! feature-extraction path.

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Which normalization rules run. All are on by default.
///
/// ```
/// use nabra::text::{NormalizeOptions, Normalizer};
/// let opts = NormalizeOptions { taa_marbuta: false, ..NormalizeOptions::default() };
/// assert_eq!(Normalizer::new(opts).normalize("مدرسة").as_str(), "مدرسة");
/// assert_eq!(Normalizer::default().normalize("مدرسة").as_str(), "مدرسه");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NormalizeOptions {
    /// Remove harakat, tanween, shadda, sukun (U+064B–U+065F), dagger alef
    /// (U+0670) and Quranic annotation marks (U+0610–U+061A, U+06D6–U+06ED).
    pub diacritics: bool,
    /// Remove tatweel (U+0640).
    pub tatweel: bool,
    /// أ إ آ ٱ → ا.
    pub alef: bool,
    /// ى → ي.
    pub alef_maqsura: bool,
    /// ؤ → و and ئ → ي.
    pub hamza_carriers: bool,
    /// ة → ه.
    pub taa_marbuta: bool,
    /// Persian/Urdu look-alikes: ک → ك, ی → ي, ہ ە → ه.
    pub persian: bool,
    /// Arabic-Indic (U+0660–U+0669) and Extended (U+06F0–U+06F9) digits → ASCII.
    pub digits: bool,
    /// Presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFF, including lam-alef
    /// ligatures) → base letters.
    pub presentation_forms: bool,
    /// Remove bidi and zero-width controls (U+200B–U+200F, U+202A–U+202E,
    /// U+2060–U+2069, U+061C, U+FEFF, U+00AD).
    pub controls: bool,
    /// Lowercase Latin (and other cased) letters.
    pub lowercase: bool,
    /// Shorten runs of three or more of the same Arabic letter to two
    /// (elongation for emphasis in informal text: "رااااائع" → "راائع").
    pub elongation: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions::DEFAULT
    }
}

impl NormalizeOptions {
    /// Every rule on.
    pub const DEFAULT: NormalizeOptions = NormalizeOptions {
        diacritics: true,
        tatweel: true,
        alef: true,
        alef_maqsura: true,
        hamza_carriers: true,
        taa_marbuta: true,
        persian: true,
        digits: true,
        presentation_forms: true,
        controls: true,
        lowercase: true,
        elongation: true,
    };
}

/// Applies [`NormalizeOptions`] to text.
///
/// ```
/// use nabra::text::Normalizer;
/// let n = Normalizer::default();
/// let original = "أَمْرِيكــا ١٢";
/// let out = n.normalize(original);
/// assert_eq!(out.as_str(), "امريكا 12");
/// // "12" maps back to the Arabic-Indic digits in the original.
/// let start = out.as_str().find("12").unwrap();
/// assert_eq!(&original[out.original_range(start..start + 2)], "١٢");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Normalizer {
    options: NormalizeOptions,
    /// What each character of the Arabic block U+0600–U+06FF becomes under
    /// `options` (0 = removed): most of the text, in one table lookup.
    arabic: [u16; 256],
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer::new(NormalizeOptions::DEFAULT)
    }
}

/// Normalized text that remembers where each of its bytes came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedText {
    text: String,
    /// For every byte of `text`: the byte range of the original character.
    origin: Vec<(usize, usize)>,
    original_len: usize,
}

impl NormalizedText {
    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Length in bytes of the original text.
    pub fn original_len(&self) -> usize {
        self.original_len
    }

    /// Maps a byte range of the normalized text to the byte range of the
    /// original text that produced it. The result always lies on char
    /// boundaries of the original. Out-of-range input is clamped.
    pub fn original_range(&self, range: Range<usize>) -> Range<usize> {
        let len = self.text.len();
        let (s, e) = (range.start.min(len), range.end.min(len));
        if s >= e {
            let at = if s < len {
                self.origin[s].0
            } else {
                self.origin.last().map_or(0, |o| o.1)
            };
            return at..at;
        }
        self.origin[s].0..self.origin[e - 1].1
    }

    /// The original byte offset of the character that produced normalized byte `i`.
    pub fn original_offset(&self, i: usize) -> usize {
        self.original_range(i..i + 1).start
    }
}

impl Normalizer {
    /// A normalizer with the given rules.
    pub fn new(options: NormalizeOptions) -> Normalizer {
        let mut n = Normalizer {
            options,
            arabic: [0; 256],
        };
        for (i, slot) in n.arabic.iter_mut().enumerate() {
            let c =
                char::from_u32(0x0600 + i as u32).expect("the Arabic block is all scalar values");
            let mut out = 0;
            map_rule(&options, c, &mut |m| out = m as u16);
            *slot = out;
        }
        n
    }

    /// The rules in force.
    pub fn options(&self) -> &NormalizeOptions {
        &self.options
    }

    /// Normalizes `text`, keeping a map back to the original byte offsets.
    pub fn normalize(&self, text: &str) -> NormalizedText {
        let mut out = String::with_capacity(text.len());
        let mut origin = Vec::with_capacity(text.len());
        for (i, c) in text.char_indices() {
            let span = (i, i + c.len_utf8());
            let before = out.len();
            let mut dropped_repeat = false;
            self.map_char(c, &mut |m| {
                if self.options.elongation && is_third_repeat(&out, m) {
                    dropped_repeat = true;
                    return;
                }
                out.push(m);
                for _ in 0..m.len_utf8() {
                    origin.push(span);
                }
            });
            // A removed mark (haraka, tatweel) or repeated letter belongs to the
            // letter before it: widen that letter's span so original spans keep
            // their diacritics.
            if out.len() == before && (dropped_repeat || is_mark(c)) {
                if let Some(&(start, _)) = origin.last() {
                    for o in origin.iter_mut().rev().take_while(|o| o.0 == start) {
                        o.1 = span.1;
                    }
                }
            }
        }
        NormalizedText {
            text: out,
            origin,
            original_len: text.len(),
        }
    }

    /// Normalizes `text` into `out` (cleared first) without the offset map.
    ///
    /// ```
    /// let mut buf = String::new();
    /// nabra::text::Normalizer::default().normalize_into("إيرانيّة", &mut buf);
    /// assert_eq!(buf, "ايرانيه");
    /// ```
    pub fn normalize_into(&self, text: &str, out: &mut String) {
        out.clear();
        out.reserve(text.len());
        let lower = self.options.lowercase;
        let elongation = self.options.elongation;
        for c in text.chars() {
            let cp = c as u32;
            if cp < 0x80 {
                out.push(if lower { c.to_ascii_lowercase() } else { c });
            } else if (0x0600..0x0700).contains(&cp) {
                // the common case, without going through map_char's closure
                if let Some(m) = self.map_arabic(c) {
                    if !(elongation && is_third_repeat(out, m)) {
                        out.push(m);
                    }
                }
            } else {
                self.map_char(c, &mut |m| {
                    if !(elongation && is_third_repeat(out, m)) {
                        out.push(m);
                    }
                });
            }
        }
    }

    #[inline]
    fn map_char(&self, c: char, emit: &mut impl FnMut(char)) {
        let o = &self.options;
        let cp = c as u32;
        if o.presentation_forms
            && ((0xFB50..=0xFDFF).contains(&cp) || (0xFE70..=0xFEFE).contains(&cp))
        {
            unicode_normalization::char::decompose_compatible(c, |d| self.map_base(d, emit));
            return;
        }
        self.map_base(c, emit);
    }

    /// What `c`, a character of the Arabic block, becomes (`None`: removed).
    #[inline(always)]
    fn map_arabic(&self, c: char) -> Option<char> {
        let m = self.arabic[(c as u32).wrapping_sub(0x0600) as usize & 0xFF];
        (m != 0).then(|| char::from_u32(u32::from(m)).unwrap_or(c))
    }

    /// Every rule except presentation-form decomposition.
    #[inline]
    fn map_base(&self, c: char, emit: &mut impl FnMut(char)) {
        let cp = c as u32;
        if (0x0600..0x0700).contains(&cp) {
            if let Some(m) = self.map_arabic(c) {
                emit(m);
            }
            return;
        }
        map_rule(&self.options, c, emit);
    }
}

/// The per-character rules (presentation forms aside), for any character:
/// [`Normalizer::new`] tabulates them for the Arabic block.
fn map_rule(o: &NormalizeOptions, c: char, emit: &mut impl FnMut(char)) {
    let cp = c as u32;
    if c.is_ascii() {
        emit(if o.lowercase {
            c.to_ascii_lowercase()
        } else {
            c
        });
        return;
    }
    let mapped = match cp {
        0x064B..=0x065F | 0x0670 | 0x0610..=0x061A | 0x06D6..=0x06ED if o.diacritics => None,
        0x0640 if o.tatweel => None,
        0x0622 | 0x0623 | 0x0625 | 0x0671..=0x0673 if o.alef => Some('ا'),
        0x0649 if o.alef_maqsura => Some('ي'),
        0x0624 if o.hamza_carriers => Some('و'),
        0x0626 if o.hamza_carriers => Some('ي'),
        0x0629 if o.taa_marbuta => Some('ه'),
        0x06A9 if o.persian => Some('ك'),
        0x06CC if o.persian => Some('ي'),
        0x06C1 | 0x06D5 if o.persian => Some('ه'),
        0x0660..=0x0669 if o.digits => char::from_u32(cp - 0x0660 + u32::from(b'0')),
        0x06F0..=0x06F9 if o.digits => char::from_u32(cp - 0x06F0 + u32::from(b'0')),
        0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0x061C | 0xFEFF | 0x00AD
            if o.controls =>
        {
            None
        }
        _ => {
            if o.lowercase && c.is_uppercase() {
                c.to_lowercase().for_each(&mut *emit);
                return;
            }
            Some(c)
        }
    };
    if let Some(m) = mapped {
        emit(m);
    }
}

/// Would `m` be the third same Arabic letter in a row ("رااائع")?
#[inline]
fn is_third_repeat(out: &str, m: char) -> bool {
    if !('\u{0621}'..='\u{064A}').contains(&m) {
        return false;
    }
    // two-byte letters: compare bytes instead of decoding chars backwards
    let mut buf = [0u8; 4];
    let b = m.encode_utf8(&mut buf).as_bytes();
    out.as_bytes().ends_with(&[b[0], b[1], b[0], b[1]])
}

/// Combining marks and tatweel: parts of the letter before them.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x064B..=0x065F | 0x0670 | 0x0610..=0x061A | 0x06D6..=0x06ED | 0x0640)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Normalizer::default().normalize(s).as_str().to_string()
    }

    #[test]
    fn arabic_block_table_follows_the_rules() {
        let mut options = [NormalizeOptions::DEFAULT; 3];
        options[1].diacritics = false;
        options[1].taa_marbuta = false;
        options[2] = NormalizeOptions {
            alef: false,
            digits: false,
            persian: false,
            tatweel: false,
            ..NormalizeOptions::DEFAULT
        };
        for o in options {
            let n = Normalizer::new(o);
            for cp in 0x0600..0x0700 {
                let c = char::from_u32(cp).unwrap();
                let (mut table, mut rule) = (Vec::new(), Vec::new());
                n.map_base(c, &mut |m| table.push(m));
                map_rule(&o, c, &mut |m| rule.push(m));
                assert_eq!(table, rule, "U+{cp:04X} under {o:?}");
            }
        }
    }

    #[test]
    fn folds_letters_and_strips_marks() {
        assert_eq!(norm("إِنَّ"), "ان");
        assert_eq!(norm("آمن أمن إمام ٱلله"), "امن امن امام الله");
        assert_eq!(norm("مستشفى"), "مستشفي");
        assert_eq!(norm("مؤتمر رئيس"), "موتمر رييس");
        assert_eq!(norm("جميـــــل"), "جميل");
        assert_eq!(norm("کتاب ی"), "كتاب ي");
        assert_eq!(norm("۱۲۳ ٤٥"), "123 45");
        assert_eq!(norm("NATO Iran"), "nato iran");
        assert_eq!(norm("راااااائع 1000"), "راايع 1000");
    }

    #[test]
    fn presentation_forms_become_base_letters() {
        // lam-alef ligature, isolated/final forms of beh, alef
        assert_eq!(norm("\u{FEFB}"), "لا");
        assert_eq!(norm("\u{FE91}\u{FE8E}"), "با");
        assert_eq!(norm("\u{FEF7}"), "لا");
    }

    #[test]
    fn controls_removed() {
        assert_eq!(norm("a\u{200F}b\u{202B}c\u{FEFF}"), "abc");
    }

    #[test]
    fn rules_can_be_switched_off() {
        let opts = NormalizeOptions {
            alef: false,
            digits: false,
            ..Default::default()
        };
        let n = Normalizer::new(opts);
        assert_eq!(n.normalize("أ ١").as_str(), "أ ١");
    }

    #[test]
    fn offsets_map_to_original() {
        let src = "قالَ «واشنطن»";
        let n = Normalizer::default().normalize(src);
        let s = n.as_str().find("واشنطن").unwrap();
        let r = n.original_range(s..s + "واشنطن".len());
        assert_eq!(&src[r], "واشنطن");
        let r = n.original_range(0..n.as_str().find(' ').unwrap());
        assert_eq!(&src[r], "قالَ");
    }

    #[test]
    fn into_matches_offset_version() {
        let src = "Ｔｅｓｔ ﻻ أَهلاً ١٢ HELLO İ جمييييل";
        let mut buf = String::new();
        Normalizer::default().normalize_into(src, &mut buf);
        assert_eq!(buf, norm(src));
    }
}
