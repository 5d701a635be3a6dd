//! Quote extraction on our annotated articles: overlap-based precision and
//! recall (a predicted and a gold quote match when they overlap by at least
//! half of the shorter one).

use nabra::quotes::find_quotes;
use std::ops::Range;

fn overlap(a: &Range<usize>, b: &Range<usize>) -> bool {
    let o = a.end.min(b.end).saturating_sub(a.start.max(b.start));
    o * 2 >= (a.end - a.start).min(b.end - b.start).max(1)
}

/// A gold quote: its span in the article and its speaker.
struct Gold {
    span: Range<usize>,
    speaker: String,
}

/// The articles of `file` with their gold quotes.
fn articles(file: &str) -> Vec<(String, Vec<Gold>)> {
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .map(|line| {
            let a: serde_json::Value = serde_json::from_str(line).unwrap();
            let body = a["text"].as_str().unwrap().to_string();
            let gold = a["quotes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| {
                    let t = q["text"].as_str().unwrap();
                    let s = body.find(t).unwrap();
                    Gold {
                        span: s..s + t.len(),
                        speaker: q["speaker"].as_str().unwrap().to_string(),
                    }
                })
                .collect();
            (body, gold)
        })
        .collect()
}

fn score(file: &str) -> (f64, f64) {
    let (mut tp_p, mut np, mut tp_g, mut ng) = (0, 0, 0, 0);
    for (body, gold) in articles(file) {
        let pred: Vec<Range<usize>> = find_quotes(&body).into_iter().map(|q| q.span).collect();
        np += pred.len();
        ng += gold.len();
        tp_p += pred
            .iter()
            .filter(|p| gold.iter().any(|g| overlap(p, &g.span)))
            .count();
        tp_g += gold
            .iter()
            .filter(|g| pred.iter().any(|p| overlap(p, &g.span)))
            .count();
    }
    (
        tp_p as f64 / np.max(1) as f64,
        tp_g as f64 / ng.max(1) as f64,
    )
}

#[test]
fn quote_precision_and_recall() {
    for file in [
        "datasets/articles/tune.jsonl",
        "datasets/articles/heldout.jsonl",
    ] {
        let (p, r) = score(file);
        eprintln!("{file}: quote precision {p:.3} recall {r:.3}");
        assert!(
            p >= 0.85 && r >= 0.85,
            "{file}: precision {p:.3} recall {r:.3}"
        );
    }
}

/// Speaker accuracy on the gold quotes our extractor finds (speakers compared
/// after normalization).
fn speaker_accuracy(file: &str) -> (f64, Vec<String>) {
    let n = nabra::text::Normalizer::default();
    let norm = |s: &str| {
        let mut b = String::new();
        n.normalize_into(s, &mut b);
        b
    };
    let (mut right, mut total, mut wrong) = (0, 0, Vec::new());
    for (body, gold) in articles(file) {
        let quotes = find_quotes(&body);
        let speakers = nabra::speakers::attribute(&body, &quotes);
        for g in &gold {
            if let Some(i) = quotes.iter().position(|q| overlap(&q.span, &g.span)) {
                total += 1;
                let want = norm(&g.speaker);
                let got = speakers[i].as_deref().map(norm).unwrap_or_default();
                if got == want {
                    right += 1;
                } else {
                    wrong.push(format!("{got} != {want}"));
                }
            }
        }
    }
    (right as f64 / total.max(1) as f64, wrong)
}

#[test]
fn speaker_accuracy_on_found_quotes() {
    for file in [
        "datasets/articles/tune.jsonl",
        "datasets/articles/heldout.jsonl",
    ] {
        let (acc, wrong) = speaker_accuracy(file);
        eprintln!("{file}: speaker accuracy {acc:.3}; wrong: {wrong:?}");
        assert!(acc >= 0.6, "{file}: speaker accuracy {acc:.3}");
    }
}
