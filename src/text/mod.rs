//! The text pipeline: normalize → tokenize → stem → mark negation → find the
//! target.
//!
//! Each stage is a small module with one job; [`TextPipeline`] runs them in
//! order and fills one [`Analysis`], the type every later stage (features,
//! article analysis) reads. Offsets in an `Analysis` index its normalized
//! text; [`Normalizer::normalize`] maps them back to the original.

mod negation;
mod normalize;
mod stem;
mod target;
mod tokenize;

pub use negation::{is_negator, mark_negation};
pub use normalize::{NormalizeOptions, NormalizedText, Normalizer};
pub use stem::{Stemmer, StemmerKind};
pub(crate) use target::CLITICS;
pub use target::{Target, TargetMatcher};
pub(crate) use tokenize::is_word_char;
pub use tokenize::{Token, TokenKind, tokenize, tokenize_into};

use serde::{Deserialize, Serialize};

/// Settings of the text pipeline; stored in every model so prediction
/// processes text exactly as training did.
///
/// ```
/// let opts = nabra::text::TextOptions::default();
/// assert_eq!(opts.negation_window, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TextOptions {
    /// Normalization rules.
    pub normalize: NormalizeOptions,
    /// Stemmer for word tokens.
    pub stemmer: StemmerKind,
    /// How many words after a negator are marked negated (0 = off).
    pub negation_window: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions::DEFAULT
    }
}

impl TextOptions {
    /// The default settings.
    pub const DEFAULT: TextOptions = TextOptions {
        normalize: NormalizeOptions::DEFAULT,
        stemmer: StemmerKind::DEFAULT,
        negation_window: 3,
    };
}

/// Runs the text stages in order.
///
/// ```
/// use nabra::text::{TextOptions, TextPipeline, TargetMatcher};
/// use nabra::Target;
/// let p = TextPipeline::new(TextOptions::default());
/// let target = TargetMatcher::new(&Target::text("واشنطن"), p.normalizer());
/// let a = p.analyze("لا نثق بواشنطن", Some(&target));
/// assert_eq!(a.mentions(), &[(2, 3)]);
/// assert!(a.is_negated(1));
/// assert_eq!(a.term(1), Some("نثق"));
/// ```
#[derive(Debug)]
pub struct TextPipeline {
    options: TextOptions,
    normalizer: Normalizer,
    stemmer: Stemmer,
}

impl TextPipeline {
    /// Builds the pipeline.
    pub fn new(options: TextOptions) -> TextPipeline {
        TextPipeline {
            options,
            normalizer: Normalizer::new(options.normalize),
            stemmer: Stemmer::new(options.stemmer),
        }
    }

    /// The settings.
    pub fn options(&self) -> &TextOptions {
        &self.options
    }

    /// The normalizer stage (to compile targets or map offsets).
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// Analyzes `text` into a fresh [`Analysis`].
    pub fn analyze(&self, text: &str, target: Option<&TargetMatcher>) -> Analysis {
        let mut a = Analysis::default();
        self.analyze_into(text, target, &mut a);
        a
    }

    /// Analyzes `text` into `out`, reusing its buffers.
    pub fn analyze_into(&self, text: &str, target: Option<&TargetMatcher>, out: &mut Analysis) {
        self.normalizer.normalize_into(text, &mut out.text);
        tokenize_into(&out.text, &mut out.tokens);
        out.stem_buf.clear();
        out.terms.clear();
        for t in &out.tokens {
            let s = t.text(&out.text);
            let start = out.stem_buf.len() as u32;
            let keep = match t.kind {
                TokenKind::Word => {
                    out.stem_buf.push_str(&self.stemmer.stem(s));
                    true
                }
                TokenKind::Number => {
                    out.stem_buf.push_str("<num>");
                    true
                }
                TokenKind::Url => {
                    out.stem_buf.push_str("<url>");
                    true
                }
                TokenKind::Mention => {
                    out.stem_buf.push_str("<user>");
                    true
                }
                TokenKind::Hashtag => {
                    out.stem_buf.push_str(s.trim_start_matches('#'));
                    true
                }
                TokenKind::Emoji => {
                    out.stem_buf.push_str(s);
                    true
                }
                TokenKind::Punct => false,
            };
            out.terms
                .push(keep.then_some((start, out.stem_buf.len() as u32)));
        }
        mark_negation(
            &out.text,
            &out.tokens,
            self.options.negation_window,
            &mut out.negated,
        );
        out.mentions.clear();
        if let Some(m) = target {
            out.mentions = m.find(&out.text, &out.tokens);
        }
    }
}

/// The result of the text pipeline for one text: normalized text, tokens,
/// their terms (stems or placeholders), negation marks and target mentions.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    text: String,
    tokens: Vec<Token>,
    stem_buf: String,
    terms: Vec<Option<(u32, u32)>>,
    negated: Vec<bool>,
    mentions: Vec<(usize, usize)>,
}

impl Analysis {
    /// The normalized text the token offsets point into.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The tokens.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The term of token `i` (its stem, or `<num>`, `<url>`, `<user>`, the
    /// hashtag without `#`, the emoji), or `None` for punctuation.
    pub fn term(&self, i: usize) -> Option<&str> {
        let (s, e) = (*self.terms.get(i)?)?;
        self.stem_buf.get(s as usize..e as usize)
    }

    /// Is token `i` inside a negation scope?
    pub fn is_negated(&self, i: usize) -> bool {
        self.negated.get(i).copied().unwrap_or(false)
    }

    /// Target mentions as token index ranges (start, end exclusive).
    pub fn mentions(&self) -> &[(usize, usize)] {
        &self.mentions
    }
}
