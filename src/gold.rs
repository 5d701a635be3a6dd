//! Annotated articles (gold quotes, speakers, actors, stances) and the
//! article-level evaluation behind `nabra eval-articles`.
//!
//! The format is the one of `datasets/articles/*.jsonl`: one JSON object per
//! line with `id`, `text` and `quotes`, each quote with `text` (an exact
//! substring of the article), `kind`, `speaker` and `actors` (`actor`,
//! `surface`, `stance`).
//!
//! Scores, all from the same matching:
//! - a predicted and a gold quote **match** when their spans overlap by at
//!   least half of the shorter one (each gold quote takes the predicted quote
//!   it overlaps most); quote precision and recall count matched quotes;
//! - **speaker accuracy**: share of matched gold quotes whose predicted
//!   speaker equals the gold one after normalization;
//! - **actor precision / recall**: over matched quote pairs, predicted actor
//!   ids against gold actor ids;
//! - **stance**: on (quote, actor) pairs present in both, per-class metrics
//!   and macro-F1 over favor / against / neutral.

use crate::analyzer::{Analyzer, ArticleAnalysis, Stance};
use crate::metrics::Report;
use crate::text::Normalizer;
use crate::{Error, Location, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::Path;

/// One annotated article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldArticle {
    /// Article id.
    pub id: String,
    /// The article text.
    pub text: String,
    /// Its gold quotes.
    pub quotes: Vec<GoldQuote>,
}

/// A gold quote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldQuote {
    /// The quoted words, an exact substring of the article.
    pub text: String,
    /// `direct` or `indirect`.
    pub kind: String,
    /// The speaker's fullest name in the article.
    pub speaker: String,
    /// The actors the quote is about.
    #[serde(default)]
    pub actors: Vec<GoldActor>,
}

/// A gold actor of a quote with the speaker's stance toward it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldActor {
    /// Actor id.
    pub actor: String,
    /// The words naming it.
    pub surface: String,
    /// The speaker's stance.
    pub stance: Stance,
}

impl GoldArticle {
    /// Byte span of each gold quote in the text: the first occurrence at or
    /// after the previous quote's start (quotes are annotated in order),
    /// else the first occurrence anywhere.
    pub fn quote_spans(&self) -> Vec<Range<usize>> {
        let mut from = 0;
        self.quotes
            .iter()
            .map(|q| {
                let at = self.text[from..]
                    .find(&q.text)
                    .map(|i| i + from)
                    .or_else(|| self.text.find(&q.text))
                    .unwrap_or(0);
                from = at;
                at..at + q.text.len()
            })
            .collect()
    }
}

/// Reads annotated articles from a JSONL file.
///
/// Errors name the file and line: malformed JSON, a missing field, or a
/// quote whose text is not in its article.
pub fn load_gold(path: impl AsRef<Path>) -> Result<Vec<GoldArticle>> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let at = || Location::new(path, Some(i as u64 + 1));
        let line = std::str::from_utf8(line).map_err(|_| Error::InvalidUtf8 { at: at() })?;
        if line.trim().is_empty() {
            continue;
        }
        let a: GoldArticle = serde_json::from_str(line).map_err(|e| Error::BadRecord {
            at: at(),
            message: format!("not a gold article: {e}"),
        })?;
        if let Some(q) = a.quotes.iter().find(|q| !a.text.contains(&q.text)) {
            return Err(Error::BadRecord {
                at: at(),
                message: format!("quote {:?} is not in the article text", q.text),
            });
        }
        out.push(a);
    }
    Ok(out)
}

/// Article-level scores (see the module docs for the definitions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleReport {
    /// Articles scored.
    pub articles: usize,
    /// Gold quotes.
    pub gold_quotes: usize,
    /// Predicted quotes.
    pub predicted_quotes: usize,
    /// Matched predicted quotes / predicted quotes.
    pub quote_precision: f64,
    /// Matched gold quotes / gold quotes.
    pub quote_recall: f64,
    /// Right speakers / matched gold quotes.
    pub speaker_accuracy: f64,
    /// Predicted actors found in gold, over matched quotes.
    pub actor_precision: f64,
    /// Gold actors found by prediction, over matched quotes.
    pub actor_recall: f64,
    /// Stance on (quote, actor) pairs in both gold and prediction.
    pub stance: Report,
    /// Each error, for inspection: `article id: what`.
    pub errors: Vec<String>,
}

fn overlap(a: &Range<usize>, b: &Range<usize>) -> usize {
    a.end.min(b.end).saturating_sub(a.start.max(b.start))
}

fn matches(a: &Range<usize>, b: &Range<usize>) -> bool {
    overlap(a, b) * 2 >= a.len().min(b.len()).max(1)
}

/// Scores `analyzer` on `gold` (articles are analyzed in parallel).
///
/// ```
/// use nabra::{analyzer::Analyzer, gold::{evaluate_articles, GoldArticle}};
/// let gold: GoldArticle = serde_json::from_str(r#"{"id": "x",
///   "text": "وقال الوزير أحمد سالم إن سياسات واشنطن تهدد المنطقة.",
///   "quotes": [{"text": "سياسات واشنطن تهدد المنطقة", "kind": "indirect",
///     "speaker": "أحمد سالم",
///     "actors": [{"actor": "USA", "surface": "واشنطن", "stance": "against"}]}]}"#).unwrap();
/// let r = evaluate_articles(&Analyzer::builtin()?, &[gold]);
/// assert_eq!((r.quote_precision, r.quote_recall), (1.0, 1.0));
/// assert_eq!(r.actor_recall, 1.0);
/// # Ok::<(), nabra::Error>(())
/// ```
pub fn evaluate_articles(analyzer: &Analyzer, gold: &[GoldArticle]) -> ArticleReport {
    let analyses: Vec<ArticleAnalysis> =
        gold.par_iter().map(|a| analyzer.analyze(&a.text)).collect();
    score(gold, &analyses)
}

/// Scores given analyses (same order as `gold`).
pub fn score(gold: &[GoldArticle], analyses: &[ArticleAnalysis]) -> ArticleReport {
    let n = Normalizer::default();
    let norm = |s: &str| n.normalize(s.trim()).as_str().to_string();
    let (mut gold_q, mut pred_q, mut pred_hit, mut gold_hit) = (0, 0, 0, 0);
    let (mut spk_right, mut act_tp, mut act_pred, mut act_gold) = (0, 0, 0, 0);
    let (mut st_gold, mut st_pred) = (Vec::new(), Vec::new());
    let mut errors = Vec::new();
    for (g, a) in gold.iter().zip(analyses) {
        let spans = g.quote_spans();
        let pspans: Vec<Range<usize>> = a.quotes.iter().map(|q| q.start..q.end).collect();
        gold_q += spans.len();
        pred_q += pspans.len();
        pred_hit += pspans
            .iter()
            .filter(|p| spans.iter().any(|s| matches(p, s)))
            .count();
        for (gq, span) in g.quotes.iter().zip(&spans) {
            let best = pspans
                .iter()
                .enumerate()
                .filter(|(_, p)| matches(p, span))
                .max_by_key(|(i, p)| (overlap(p, span), std::cmp::Reverse(*i)));
            let Some((pi, _)) = best else {
                errors.push(format!("{}: missed quote {:?}", g.id, gq.text));
                continue;
            };
            gold_hit += 1;
            let pq = &a.quotes[pi];
            let got = pq.speaker.as_deref().map(norm).unwrap_or_default();
            if got == norm(&gq.speaker) {
                spk_right += 1;
            } else {
                errors.push(format!(
                    "{}: speaker {:?} for {:?}, gold {:?}",
                    g.id,
                    pq.speaker.as_deref().unwrap_or("-"),
                    gq.text,
                    gq.speaker
                ));
            }
            act_pred += pq.actors.len();
            act_gold += gq.actors.len();
            for ga in &gq.actors {
                match pq.actors.iter().find(|p| p.actor == ga.actor) {
                    Some(p) => {
                        act_tp += 1;
                        st_gold.push(ga.stance as usize);
                        st_pred.push(p.stance as usize);
                        if p.stance != ga.stance {
                            errors.push(format!(
                                "{}: stance {} toward {} in {:?}, gold {}",
                                g.id, p.stance, ga.actor, gq.text, ga.stance
                            ));
                        }
                    }
                    None => errors.push(format!(
                        "{}: missed actor {} ({:?}) in {:?}",
                        g.id, ga.actor, ga.surface, gq.text
                    )),
                }
            }
            for p in &pq.actors {
                if !gq.actors.iter().any(|ga| ga.actor == p.actor) {
                    errors.push(format!(
                        "{}: extra actor {} ({:?}) in {:?}",
                        g.id, p.actor, p.surface, gq.text
                    ));
                }
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let labels: Vec<String> = Stance::ALL.iter().map(|s| s.as_str().to_string()).collect();
    ArticleReport {
        articles: gold.len(),
        gold_quotes: gold_q,
        predicted_quotes: pred_q,
        quote_precision: ratio(pred_hit, pred_q),
        quote_recall: ratio(gold_hit, gold_q),
        speaker_accuracy: ratio(spk_right, gold_hit),
        actor_precision: ratio(act_tp, act_pred),
        actor_recall: ratio(act_tp, act_gold),
        stance: Report::new(&labels, &st_gold, &st_pred),
        errors,
    }
}

impl std::fmt::Display for ArticleReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "articles {}  gold quotes {}  predicted quotes {}",
            self.articles, self.gold_quotes, self.predicted_quotes
        )?;
        writeln!(
            f,
            "quote precision {:.3}  recall {:.3}",
            self.quote_precision, self.quote_recall
        )?;
        writeln!(f, "speaker accuracy {:.3}", self.speaker_accuracy)?;
        writeln!(
            f,
            "actor precision {:.3}  recall {:.3}",
            self.actor_precision, self.actor_recall
        )?;
        writeln!(
            f,
            "stance on {} matched (quote, actor) pairs: macro-F1 {:.3}",
            self.stance.rows, self.stance.macro_f1
        )?;
        write!(f, "{}", self.stance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_gold_lines_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.jsonl");
        std::fs::write(
            &p,
            "{\"id\":\"a\",\"text\":\"نص\",\"quotes\":[]}\n{\"id\":\"b\",\"text\":\"نص\",\"quotes\":[{\"text\":\"غائب\",\"kind\":\"direct\",\"speaker\":\"س\"}]}\n",
        )
        .unwrap();
        let e = load_gold(&p).unwrap_err().to_string();
        assert!(
            e.contains("g.jsonl:2") && e.contains("not in the article"),
            "{e}"
        );
        std::fs::write(&p, "{\"id\": 1}\n").unwrap();
        let e = load_gold(&p).unwrap_err().to_string();
        assert!(e.contains("g.jsonl:1"), "{e}");
    }

    #[test]
    fn perfect_prediction_scores_one_and_misses_count() {
        let g: GoldArticle = serde_json::from_str(
            r#"{"id":"x","text":"قال علي إن طهران شريك. وقال سالم إن أنقرة خصم.","quotes":[
            {"text":"طهران شريك","kind":"indirect","speaker":"علي","actors":[{"actor":"IRN","surface":"طهران","stance":"favor"}]},
            {"text":"أنقرة خصم","kind":"indirect","speaker":"سالم","actors":[]}]}"#,
        )
        .unwrap();
        let spans = g.quote_spans();
        let mk = |r: &Range<usize>, speaker: &str| crate::analyzer::QuoteAnalysis {
            text: g.text[r.clone()].to_string(),
            start: r.start,
            end: r.end,
            kind: crate::quotes::QuoteKind::Indirect,
            speaker: Some(speaker.to_string()),
            actors: vec![],
        };
        let a = ArticleAnalysis {
            quotes: vec![mk(&spans[0], "علي")],
        };
        let r = score(std::slice::from_ref(&g), &[a]);
        assert_eq!(r.quote_precision, 1.0);
        assert_eq!(r.quote_recall, 0.5);
        assert_eq!(r.speaker_accuracy, 1.0);
        assert_eq!(r.actor_recall, 0.0);
        assert_eq!(r.errors.len(), 2); // missed quote, missed actor
    }
}
