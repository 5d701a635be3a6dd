//! Stage 2: splitting (normalized) text into tokens with byte offsets.
//!
//! News and tweets mix Arabic and Latin words, numbers, Arabic punctuation
//! (، ؛ ؟ « »), URLs, @mentions, #hashtags and emoji. Each becomes one token
//! whose offsets point into the text it was cut from, so spans survive every
//! later stage.

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A run of letters (Arabic, Latin or other scripts), possibly with digits.
    Word,
    /// A run of digits, with inner `.`/`,` separators (e.g. `3.5`, `1,200`).
    Number,
    /// `http://…`, `https://…` or `www.…` up to the next space.
    Url,
    /// `@name`.
    Mention,
    /// `#tag` (Arabic hashtags join words with `_`).
    Hashtag,
    /// One emoji or pictographic symbol.
    Emoji,
    /// Any other single non-space character, e.g. `،` `؟` `«` `.`.
    Punct,
}

/// One token: a kind and a byte range into the tokenized text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What kind of token.
    pub kind: TokenKind,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Token {
    /// The byte range of the token.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// The token's text in `source` (the string that was tokenized).
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

/// Splits text into [`Token`]s.
///
/// ```
/// use nabra::text::{tokenize, TokenKind};
/// let text = "قال: «لا ندعم» #موقعة_الجمل @user https://t.co/x 😀";
/// let kinds: Vec<TokenKind> = tokenize(text).iter().map(|t| t.kind).collect();
/// assert_eq!(kinds, [
///     TokenKind::Word, TokenKind::Punct, TokenKind::Punct, TokenKind::Word,
///     TokenKind::Word, TokenKind::Punct, TokenKind::Hashtag, TokenKind::Mention,
///     TokenKind::Url, TokenKind::Emoji,
/// ]);
/// ```
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5 + 1);
    tokenize_into(text, &mut out);
    out
}

/// Like [`tokenize`], appending to `out` (cleared first) to reuse its allocation.
pub fn tokenize_into(text: &str, out: &mut Vec<Token>) {
    out.clear();
    let bytes = text.as_bytes();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let rest = &bytes[start..];
        let kind;
        let mut end = start + c.len_utf8();
        if (c == 'h' && (rest.starts_with(b"http://") || rest.starts_with(b"https://")))
            || (c == 'w' && rest.starts_with(b"www."))
        {
            kind = TokenKind::Url;
            while let Some(&(i, n)) = chars.peek() {
                if n.is_whitespace() {
                    break;
                }
                end = i + n.len_utf8();
                chars.next();
            }
        } else if (c == '@' || c == '#')
            && chars
                .peek()
                .is_some_and(|&(_, n)| is_word_char(n) || n == '_')
        {
            kind = if c == '@' {
                TokenKind::Mention
            } else {
                TokenKind::Hashtag
            };
            while let Some(&(i, n)) = chars.peek() {
                if !(is_word_char(n) || n == '_') {
                    break;
                }
                end = i + n.len_utf8();
                chars.next();
            }
        } else if is_arabic_letter(c) {
            // an Arabic letter (most tokens): skip the Unicode numeric lookup
            kind = TokenKind::Word;
            take_word(&mut chars, &mut end);
        } else if c.is_numeric() {
            kind = TokenKind::Number;
            while let Some(&(i, n)) = chars.peek() {
                let separator = matches!(n, '.' | ',' | '٫' | '٬')
                    && text[i + n.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_numeric);
                if !(n.is_numeric() || separator) {
                    break;
                }
                end = i + n.len_utf8();
                chars.next();
            }
            // digits glued to letters ("19كوفيد") stay one word
            if chars.peek().is_some_and(|&(_, n)| is_word_char(n)) {
                take_word(&mut chars, &mut end);
                out.push(Token {
                    kind: TokenKind::Word,
                    start,
                    end,
                });
                continue;
            }
        } else if is_word_char(c) {
            kind = TokenKind::Word;
            take_word(&mut chars, &mut end);
        } else if is_emoji(c) {
            kind = TokenKind::Emoji;
            // absorb variation selectors, skin tones and ZWJ sequences
            while let Some(&(i, n)) = chars.peek() {
                if matches!(
                    n as u32,
                    0xFE0E | 0xFE0F | 0x1F3FB..=0x1F3FF | 0x200D | 0x20E3
                ) {
                    end = i + n.len_utf8();
                    chars.next();
                    if n == '\u{200D}' {
                        if let Some(&(j, m)) = chars.peek() {
                            if is_emoji(m) {
                                end = j + m.len_utf8();
                                chars.next();
                            }
                        }
                    }
                } else {
                    break;
                }
            }
        } else {
            kind = TokenKind::Punct;
        }
        out.push(Token { kind, start, end });
    }
}

fn take_word(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, end: &mut usize) {
    while let Some(&(i, n)) = chars.peek() {
        if !is_word_char(n) {
            break;
        }
        *end = i + n.len_utf8();
        chars.next();
    }
}

/// The basic Arabic letters (hamza through yeh, without tatweel).
#[inline]
fn is_arabic_letter(c: char) -> bool {
    matches!(c as u32, 0x0621..=0x063A | 0x0641..=0x064A)
}

/// Letters, digits and combining marks (Arabic harakat survive when
/// normalization keeps them).
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // Arabic letters and digits without the general Unicode table walk
    if is_arabic_letter(c)
        || matches!(c as u32, 0x0660..=0x0669 | 0x066E..=0x06D3 | 0x06F0..=0x06FF)
    {
        return true;
    }
    c.is_alphanumeric() || matches!(c as u32, 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x0640)
}

#[inline]
fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2190..=0x21FF
            | 0x2300..=0x23FF | 0x3030 | 0x303D | 0x3297 | 0x3299 | 0x00A9 | 0x00AE | 0x2122)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        tokenize(s).iter().map(|t| t.text(s)).collect()
    }

    #[test]
    fn arabic_and_punctuation() {
        assert_eq!(
            texts("قال الوزير، إن «الحل» ممكن؟"),
            ["قال", "الوزير", "،", "إن", "«", "الحل", "»", "ممكن", "؟"]
        );
    }

    #[test]
    fn numbers_urls_tags() {
        assert_eq!(
            texts("ارتفع 3.5% و1,200 www.x.com/a #وسم_عربي @ab_c"),
            [
                "ارتفع",
                "3.5",
                "%",
                "و1",
                ",",
                "200",
                "www.x.com/a",
                "#وسم_عربي",
                "@ab_c"
            ]
        );
    }

    #[test]
    fn emoji_sequences_are_one_token() {
        let s = "👍🏽 ❤️ 👨‍👩‍👧";
        let t = tokenize(s);
        assert!(t.iter().all(|t| t.kind == TokenKind::Emoji));
        assert_eq!(t.len(), 3, "{:?}", texts(s));
    }

    #[test]
    fn lone_marks_do_not_panic() {
        for s in ["#", "@", "#@", "http", "1.", ".1", "\u{200D}"] {
            let toks = tokenize(s);
            for t in toks {
                assert!(s.is_char_boundary(t.start) && s.is_char_boundary(t.end));
            }
        }
    }
}
