//! Segmentation of an article into paragraphs and sentences, as byte ranges
//! of the text it is given (original or normalized: the marks it looks at
//! survive normalization). Quote extraction and speaker attribution work
//! sentence by sentence on these ranges.

use std::ops::Range;

/// Paragraph byte ranges: text between blank lines (lines with only
/// whitespace), trimmed of surrounding line breaks.
///
/// ```
/// use nabra::segment::paragraphs;
/// let t = "الفقرة الأولى.\nتتمة.\n\n  \nالفقرة الثانية.";
/// let p: Vec<&str> = paragraphs(t).into_iter().map(|r| &t[r]).collect();
/// assert_eq!(p, ["الفقرة الأولى.\nتتمة.", "الفقرة الثانية."]);
/// ```
pub fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() {
            if let Some(s) = start.take() {
                out.push(s..end);
            }
        } else {
            start.get_or_insert(pos);
            end = pos + content.len();
        }
        pos += line.len();
    }
    if let Some(s) = start {
        out.push(s..end);
    }
    out
}

/// Sentence byte ranges of `text`: split at . ! ؟ ? and line breaks, but not
/// inside quote marks (a quote that spans sentences stays whole) and not at a
/// decimal point; a line break also resets unbalanced marks, so a stray mark
/// cannot swallow the rest of the article. Blank sentences are dropped.
///
/// ```
/// use nabra::segment::sentences;
/// let t = "قال الوزير: «نرفض ذلك. ولن نقبل». وأضاف أن النمو بلغ 2.5 بالمئة.\nفقرة ثانية";
/// let s: Vec<&str> = sentences(t).into_iter().map(|r| t[r].trim()).collect();
/// assert_eq!(s, ["قال الوزير: «نرفض ذلك. ولن نقبل».", "وأضاف أن النمو بلغ 2.5 بالمئة.", "فقرة ثانية"]);
/// ```
pub fn sentences(s: &str) -> Vec<Range<usize>> {
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
