//! Property tests: the text pipeline, features and models hold their
//! invariants on arbitrary input, Arabic-heavy input included.

use nabra::builtin::Builtin;
use nabra::text::{Normalizer, tokenize};
use nabra::{Model, Target};
use proptest::prelude::*;
use std::sync::OnceLock;

/// Strings mixing Arabic letters, marks, presentation forms, digits, Latin,
/// punctuation, quotes, controls and emoji, plus fully arbitrary strings.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            "[\u{0600}-\u{06FF}]{1,8}",
            "[\u{FB50}-\u{FDFF}\u{FE70}-\u{FEFF}]{1,3}",
            "[a-zA-Z0-9İ]{1,6}",
            "[ \t\n،؛؟«»\"“”'.:!@#_/-]{1,3}",
            "[\u{200B}-\u{200F}\u{202A}-\u{202E}\u{0640}]{1,2}",
            "[\u{1F300}-\u{1F6FF}\u{2600}-\u{27BF}\u{FE0F}\u{200D}]{1,3}",
            "http(s)?://[a-z./]{1,10}",
            any::<String>(),
        ],
        0..12,
    );
    pieces.prop_map(|v| v.concat())
}

fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| Builtin::Stance.load().unwrap())
}

/// Text built from speech-like pieces (verbs, إن/أن, colons, every kind of
/// quote mark, names) so quote extraction finds quotes to check.
fn speechy() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            Just("وقال الوزير ".to_string()),
            Just(" إن ".to_string()),
            Just("، أضاف أن ".to_string()),
            Just(": ".to_string()),
            Just("قائلاً ".to_string()),
            "[«»\"“”„‹›]{1,2}",
            "[\u{0621}-\u{064A}]{2,6} ",
            "[.،؛\n]{1,2}",
            text(),
        ],
        0..16,
    );
    pieces.prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn quote_spans_are_in_the_text_and_do_not_overlap_within_a_kind(s in speechy()) {
        let quotes = nabra::quotes::find_quotes(&s);
        for q in &quotes {
            prop_assert!(q.span.start <= q.span.end && q.span.end <= s.len());
            prop_assert!(s.is_char_boundary(q.span.start) && s.is_char_boundary(q.span.end));
        }
        for (i, a) in quotes.iter().enumerate() {
            for b in &quotes[i + 1..] {
                if a.kind == b.kind {
                    prop_assert!(
                        a.span.end <= b.span.start || b.span.end <= a.span.start,
                        "{:?} overlaps {:?}", a, b
                    );
                }
            }
        }
        let speakers = nabra::speakers::attribute(&s, &quotes);
        prop_assert_eq!(speakers.len(), quotes.len());
    }

    #[test]
    fn normalization_is_idempotent_and_maps_back(s in text()) {
        let n = Normalizer::default();
        let once = n.normalize(&s);
        let twice = n.normalize(once.as_str());
        prop_assert_eq!(once.as_str(), twice.as_str());
        let mut fast = String::new();
        n.normalize_into(&s, &mut fast);
        prop_assert_eq!(once.as_str(), fast.as_str());
        for (i, _) in once.as_str().char_indices() {
            let r = once.original_range(i..i + 1);
            prop_assert!(r.start < r.end && r.end <= s.len());
            prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
        }
        let all = once.original_range(0..once.as_str().len());
        prop_assert!(all.end <= s.len());
    }

    #[test]
    fn tokens_are_ordered_substrings(s in text()) {
        let toks = tokenize(&s);
        let mut last = 0;
        for t in &toks {
            prop_assert!(t.start >= last && t.start < t.end && t.end <= s.len());
            prop_assert!(s.is_char_boundary(t.start) && s.is_char_boundary(t.end));
            prop_assert!(!t.text(&s).trim().is_empty());
            last = t.end;
        }
    }

    #[test]
    fn features_are_deterministic_and_finite(s in text(), target in "[\u{0621}-\u{064A} ]{0,12}") {
        let m = model();
        let t = (!target.trim().is_empty()).then(|| Target::text(target.clone()));
        let a = m.features(&s, t.as_ref());
        let b = m.features(&s, t.as_ref());
        prop_assert_eq!(&a, &b);
        let mut cols: Vec<u32> = a.iter().map(|p| p.0).collect();
        cols.sort_unstable();
        cols.dedup();
        prop_assert_eq!(cols.len(), a.len(), "each column once");
        prop_assert!(a.iter().all(|p| p.1.is_finite() && (p.0 as usize) < m.vocabulary().len()));
    }

    #[test]
    fn predictions_are_distributions_and_survive_a_round_trip(s in text()) {
        let m = model();
        static LOADED: OnceLock<Model> = OnceLock::new();
        let loaded = LOADED.get_or_init(|| Model::from_bytes(&model().to_bytes().unwrap()).unwrap());
        let p = m.predict_text(&s, None);
        let sum: f64 = p.probs.iter().map(|x| x.1).sum();
        prop_assert!((sum - 1.0).abs() < 1e-9 && p.probs.iter().all(|x| x.1.is_finite()));
        prop_assert_eq!(p, loaded.predict_text(&s, None));
    }

    #[test]
    fn model_loader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400), cut in 0usize..5000) {
        // arbitrary bytes, and a real model cut or corrupted at a random place
        prop_assert!(Model::from_bytes(&bytes).is_err());
        let real = Builtin::Sentiment.bytes();
        let cut = cut * real.len() / 5000;
        prop_assert!(Model::from_bytes(&real[..cut]).is_err());
        let mut flipped = real.to_vec();
        flipped[cut] ^= 0x01;
        prop_assert!(Model::from_bytes(&flipped).is_err());
    }
}
