//! Model behaviour on our own stance corpus: the sparse fast path agrees with
//! linfa, files round-trip, training is deterministic, bad files are refused.

use linfa::ParamGuard;
use nabra::data::{CsvOptions, LabeledText, read_csv};
use nabra::train::train_rows;
use nabra::{ClassifierKind, Error, Example, Model, Target};
use std::path::Path;
use std::sync::OnceLock;

mod common;
use common::skip;

const STANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/news_stance.csv");

fn rows(split: &str) -> Vec<LabeledText> {
    read_csv(STANCE, &CsvOptions::default().split(split)).expect("our stance corpus reads")
}

/// Small, uncalibrated: linfa's probabilities exactly, and quick to fit.
fn small_params(kind: ClassifierKind) -> nabra::ModelValidParams {
    Model::params()
        .k(3000)
        .classifier(kind)
        .calibration_folds(0)
        .check()
        .unwrap()
}

fn lr_model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| {
        train_rows(
            &rows("train"),
            &small_params(ClassifierKind::default()),
            0.0,
            STANCE,
        )
        .unwrap()
    })
}

fn examples(rows: &[LabeledText]) -> Vec<Example> {
    nabra::Examples::from_labeled(rows).0
}

/// Our probabilities equal linfa's `predict_probabilities` on the same rows,
/// shifted by the model's class offsets when it has any
/// (p_c ∝ p_linfa,c · e^offset_c).
fn assert_fast_path_matches_linfa(model: &Model) {
    let dev = examples(&rows("dev"));
    let dense = model.dense_features(&dev);
    let linfa_probs = model.classifier().dense_probabilities(&dense);
    let ours = model.predict_batch(&dev);
    assert_eq!(ours.len(), dev.len());
    let offsets = model.class_offsets();
    let mut max_diff = 0.0f64;
    for (i, p) in ours.iter().enumerate() {
        let shifted: Vec<f64> = (0..p.probs.len())
            .map(|c| f64::from(linfa_probs[[i, c]]) * offsets.get(c).map_or(1.0, |o| o.exp()))
            .collect();
        let sum: f64 = shifted.iter().sum();
        for (c, (_, x)) in p.probs.iter().enumerate() {
            max_diff = max_diff.max((x - shifted[c] / sum).abs());
        }
    }
    assert!(
        max_diff < 1e-5,
        "sparse and linfa probabilities differ by {max_diff}"
    );
}

#[test]
fn sparse_probabilities_equal_linfa_logistic() {
    assert_fast_path_matches_linfa(lr_model());
}

/// The scorer keeps per-class sums in registers for 2 to 4 classes and has
/// a general path for more: both agree with linfa.
#[test]
fn sparse_probabilities_equal_linfa_for_two_and_six_classes() {
    let train = rows("train");
    let relabeled = |f: &dyn Fn(usize, &str) -> String| -> Vec<LabeledText> {
        train
            .iter()
            .enumerate()
            .map(|(i, r)| LabeledText {
                label: f(i, &r.label),
                ..r.clone()
            })
            .collect()
    };
    let first = train[0].label.clone();
    let two = relabeled(&|_, l| if l == first { "a".into() } else { "b".into() });
    let six = relabeled(&|i, l| format!("{l}-{}", i % 2));
    for (data, n) in [(two, 2), (six, 6)] {
        let params = small_params(ClassifierKind::default());
        let model = train_rows(&data, &params, 0.0, STANCE).unwrap();
        assert_eq!(model.labels().len(), n);
        assert_fast_path_matches_linfa(&model);
    }
}

#[test]
fn sparse_probabilities_equal_linfa_naive_bayes() {
    let nb = train_rows(
        &rows("train"),
        &small_params(ClassifierKind::NaiveBayes { alpha: 0.1 }),
        0.0,
        STANCE,
    )
    .unwrap();
    assert_fast_path_matches_linfa(&nb);
}

/// Calibration tunes one offset per class on out-of-fold predictions,
/// records what it did, keeps the fast path equal to linfa (shifted), and
/// survives a save/load round trip; the same seed gives the same offsets.
#[test]
fn calibration_offsets_are_recorded_applied_and_saved() {
    let params = Model::params()
        .k(3000)
        .calibration_folds(3)
        .check()
        .unwrap();
    let model = train_rows(&rows("train"), &params, 0.0, STANCE).unwrap();
    let c = model.info().calibration.as_ref().expect("calibration ran");
    assert_eq!((c.folds, c.metric.as_str()), (3, "f_avg"));
    assert_eq!(c.offsets.len(), model.labels().len());
    assert_eq!(model.class_offsets(), c.offsets.as_slice());
    assert!(
        c.after >= c.before,
        "the search keeps the start when nothing is better"
    );
    assert_fast_path_matches_linfa(&model);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.model");
    model.save(&path).unwrap();
    let back = Model::load(&path).unwrap();
    assert_eq!(back.class_offsets(), model.class_offsets());
    let again = train_rows(&rows("train"), &params, 0.0, STANCE).unwrap();
    assert_eq!(again.class_offsets(), model.class_offsets());
    // without calibration there are no offsets; it is on by default
    assert!(lr_model().class_offsets().is_empty());
    assert!(lr_model().info().calibration.is_none());
    assert!(Model::params().check().unwrap().calibration_folds >= 2);
    assert!(Model::params().calibration_folds(1).check().is_err());
}

#[test]
fn learns_our_stance_corpus() {
    let report = lr_model().evaluate(&rows("dev"), STANCE).unwrap();
    // three balanced classes: chance is about 0.33
    assert!(report.macro_f1 > 0.6, "dev macro-F1 {}", report.macro_f1);
    assert!(report.f_avg.is_some(), "favor and against give F_avg");
}

#[test]
fn save_load_round_trip_gives_identical_predictions() {
    let model = lr_model();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.model");
    model.save(&path).unwrap();
    let loaded = Model::load(&path).unwrap();
    let dev = examples(&rows("dev"));
    assert_eq!(model.predict_batch(&dev), loaded.predict_batch(&dev));
    assert_eq!(model.to_bytes().unwrap(), loaded.to_bytes().unwrap());
}

#[test]
fn same_data_and_seed_give_the_same_model() {
    let r = rows("dev");
    let p = small_params(ClassifierKind::default());
    let a = train_rows(&r, &p, 0.2, "<memory>").unwrap();
    let b = train_rows(&r, &p, 0.2, "<memory>").unwrap();
    assert_eq!(a.to_bytes().unwrap(), b.to_bytes().unwrap());
    let other_seed = Model::params().k(3000).seed(7).check().unwrap();
    let c = train_rows(&r, &other_seed, 0.2, "<memory>").unwrap();
    assert_ne!(a.to_bytes().unwrap(), c.to_bytes().unwrap());
}

#[test]
fn bad_model_files_give_errors_not_panics() {
    let bytes = lr_model().to_bytes().unwrap();
    let reason = |b: &[u8]| match Model::from_bytes(b) {
        Err(Error::ModelFormat { reason, .. }) => reason,
        Err(other) => panic!("unexpected error kind: {other}"),
        Ok(_) => panic!("accepted a bad model"),
    };
    assert!(reason(&bytes[..bytes.len() / 2]).contains("truncated"));
    assert!(reason(b"").contains("not a nabra model"));
    assert!(reason(b"PK\x03\x04 zip file\n").contains("not a nabra model"));
    let mut flipped = bytes.clone();
    let i = bytes.len() - 100;
    flipped[i] ^= 0x20;
    assert!(reason(&flipped).contains("checksum"));
    let newer = String::from_utf8_lossy(&bytes).replacen("format=1", "format=9", 1);
    let msg = reason(newer.as_bytes());
    assert!(msg.contains("newer") && msg.contains("upgrade"), "{msg}");
    // every prefix length fails cleanly
    for cut in (0..bytes.len()).step_by(bytes.len() / 50 + 1) {
        assert!(Model::from_bytes(&bytes[..cut]).is_err());
    }
}

#[test]
fn unknown_labels_at_eval_are_named() {
    let mut r = rows("dev");
    r[0].label = "sarcastic".into();
    let err = lr_model().evaluate(&r, "x.csv").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("x.csv") && msg.contains("sarcastic") && msg.contains("favor"),
        "{msg}"
    );
}

#[test]
fn one_label_is_not_enough() {
    let mut r = rows("dev");
    r.iter_mut().for_each(|x| x.label = "favor".into());
    let err = train_rows(&r, &small_params(ClassifierKind::default()), 0.0, "one.csv").unwrap_err();
    assert!(matches!(err, Error::TooFewClasses { .. }));
    assert!(err.to_string().starts_with("one.csv:"), "{err}");
}

#[test]
fn target_changes_the_prediction_input() {
    let m = lr_model();
    let text = "ندين التعاون مع موسكو لمواجهة واشنطن";
    let a = m.features(text, Some(&Target::text("موسكو")));
    let b = m.features(text, Some(&Target::text("واشنطن")));
    assert_ne!(a, b);
}

/// Mawqif (public, in ../shared): F_avg of the default recipe (calibrated), trained on
/// `train`, evaluated on `test`. Skips when ../shared is absent.
#[test]
fn mawqif_f_avg() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/mawqif.csv");
    if !path.exists() {
        skip(format_args!("{} not present", path.display()));
        return;
    }
    let train = read_csv(&path, &CsvOptions::default().split("train")).unwrap();
    let test = read_csv(&path, &CsvOptions::default().split("test")).unwrap();
    let params = Model::params().check().unwrap();
    let model = train_rows(&train, &params, 0.0, &path).unwrap();
    let r = model.evaluate(&test, &path).unwrap();
    let f_avg = r.f_avg.expect("Mawqif has Favor/Against");
    eprintln!(
        "mawqif test: F_avg {f_avg:.4} macro-F1 {:.4} acc {:.4}",
        r.macro_f1, r.accuracy
    );
    assert!(f_avg >= 0.735, "Mawqif F_avg regressed: {f_avg:.4}");
}

/// ArSAS (public, in ../shared): macro-F1 of the sentiment recipe
/// (oversampling, alpha 3), trained on `train`, evaluated on `test`.
#[test]
fn arsas_macro_f1() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/arsas.csv");
    if !path.exists() {
        skip(format_args!("{} not present", path.display()));
        return;
    }
    let train = read_csv(&path, &CsvOptions::default().split("train")).unwrap();
    let test = read_csv(&path, &CsvOptions::default().split("test")).unwrap();
    let params = Model::params()
        .balance(nabra::Balance::Oversample)
        .classifier(ClassifierKind::Logistic {
            alpha: 3.0,
            max_iterations: 100,
            gradient_tolerance: 3e-5,
            warm_start: true,
        })
        .check()
        .unwrap();
    let model = train_rows(&train, &params, 0.0, &path).unwrap();
    let r = model.evaluate(&test, &path).unwrap();
    eprintln!(
        "arsas test: macro-F1 {:.4} acc {:.4}",
        r.macro_f1, r.accuracy
    );
    assert!(
        r.macro_f1 >= 0.59,
        "ArSAS macro-F1 regressed: {:.4}",
        r.macro_f1
    );
}

/// The warm start only saves time: linfa fitted from scratch (300 L-BFGS
/// iterations) reaches the same model.
#[test]
fn warm_start_matches_linfa_from_scratch() {
    let cold_kind = ClassifierKind::Logistic {
        alpha: 0.3,
        max_iterations: 300,
        gradient_tolerance: 1e-4,
        warm_start: false,
    };
    let cold = train_rows(&rows("train"), &small_params(cold_kind), 0.0, STANCE).unwrap();
    let warm = lr_model();
    let dev = examples(&rows("dev"));
    let (a, b) = (warm.predict_batch(&dev), cold.predict_batch(&dev));
    let same = a.iter().zip(&b).filter(|(x, y)| x.label == y.label).count();
    let max_diff = a
        .iter()
        .zip(&b)
        .flat_map(|(x, y)| x.probs.iter().zip(&y.probs).map(|(p, q)| (p.1 - q.1).abs()))
        .fold(0.0f64, f64::max);
    assert!(
        same as f64 >= 0.98 * dev.len() as f64,
        "{same}/{} labels agree",
        dev.len()
    );
    assert!(max_diff < 0.05, "probabilities differ by up to {max_diff}");
}

/// Small word clusters from the texts of our two corpora (all splits).
fn small_clusters() -> &'static std::sync::Arc<nabra::features::WordClusters> {
    use linfa::traits::Fit;
    static C: OnceLock<std::sync::Arc<nabra::features::WordClusters>> = OnceLock::new();
    C.get_or_init(|| {
        let sentiment = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/news_sentiment.csv");
        let mut texts = nabra::data::read_texts(STANCE, &CsvOptions::default()).unwrap();
        texts.extend(nabra::data::read_texts(sentiment, &CsvOptions::default()).unwrap());
        let params = nabra::features::WordClusters::params()
            .levels(vec![8, 40])
            .dimensions(16)
            .min_count(3)
            .check()
            .unwrap();
        let data = linfa::DatasetBase::new(
            nabra::Examples::new(texts.into_iter().map(|t| (t, None))),
            (),
        );
        std::sync::Arc::new(params.fit(&data).unwrap())
    })
}

#[test]
fn word_clusters_are_deterministic_and_files_round_trip() {
    use linfa::traits::Fit;
    let c = small_clusters();
    assert_eq!(c.levels(), &[8, 40]);
    assert!(c.len() >= 40, "{} words", c.len());
    // the same texts and seed give the same bytes
    let texts = nabra::data::read_texts(STANCE, &CsvOptions::default()).unwrap();
    let fit = |seed: u64| {
        let p = nabra::features::WordClusters::params()
            .levels(vec![8])
            .dimensions(16)
            .min_count(3)
            .seed(seed);
        let data = linfa::DatasetBase::new(
            nabra::Examples::new(texts.iter().map(|t| (t.clone(), None))),
            (),
        );
        p.check().unwrap().fit(&data).unwrap().to_bytes().unwrap()
    };
    assert_eq!(fit(1), fit(1));
    // save, load, compare; damaged files are refused with the file's name
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.clusters");
    c.save(&path).unwrap();
    let loaded = nabra::features::WordClusters::load(&path).unwrap();
    assert_eq!(&loaded, c.as_ref());
    let bytes = c.to_bytes().unwrap();
    let load = |b: &[u8]| {
        nabra::features::WordClusters::from_bytes_named(b, Path::new("w.clusters"))
            .unwrap_err()
            .to_string()
    };
    assert!(load(&bytes[..bytes.len() - 10]).contains("truncated"));
    let model_bytes = lr_model().to_bytes().unwrap();
    let msg = load(&model_bytes);
    assert!(
        msg.contains("w.clusters") && msg.contains("not a nabra word clusters file"),
        "{msg}"
    );
    for cut in (0..bytes.len()).step_by(bytes.len() / 40 + 1) {
        assert!(
            nabra::features::WordClusters::from_bytes_named(&bytes[..cut], Path::new("x")).is_err()
        );
    }
}

#[test]
fn word_clusters_add_features_and_travel_with_the_model() {
    let clusters = small_clusters();
    let params = Model::params()
        .k(3000)
        .calibration_folds(0)
        .clusters(Some(clusters.clone()))
        .check()
        .unwrap();
    let model = train_rows(&rows("train"), &params, 0.0, STANCE).unwrap();
    // a known word gives cluster features; the plain model has none of them
    let train = rows("train");
    let word = train
        .iter()
        .flat_map(|r| r.text.split_whitespace())
        .find(|w| {
            let a = model.extractor().pipeline().analyze(w, None);
            a.tokens().len() == 1 && a.term(0).is_some_and(|t| clusters.cluster(t, 0).is_some())
        })
        .expect("some training word is clustered")
        .to_string();
    let plain = nabra::features::FeatureExtractor::new(params.text, params.features);
    let with = model.extractor().extract(&word, None);
    let without = plain.extract(&word, None);
    assert_eq!(
        with.len(),
        without.len() + 2,
        "one feature per level for {word}"
    );
    assert_eq!(
        plain.extract("zzzq", None),
        model.extractor().extract("zzzq", None)
    );
    // the sparse path still equals linfa, and the clusters are saved in the model
    assert_fast_path_matches_linfa(&model);
    let loaded = Model::from_bytes(&model.to_bytes().unwrap()).unwrap();
    assert_eq!(
        loaded.hyperparams().clusters.as_deref(),
        Some(clusters.as_ref())
    );
    let dev = examples(&rows("dev"));
    assert_eq!(model.predict_batch(&dev), loaded.predict_batch(&dev));
    // clusters learned on other terms than the model's are refused
    let other_text = nabra::text::TextOptions {
        negation_window: 0,
        ..Default::default()
    };
    let err = Model::params()
        .text(other_text)
        .clusters(Some(clusters.clone()))
        .check()
        .unwrap_err();
    assert!(err.to_string().contains("text settings"), "{err}");
}

/// Mawqif with word clusters learned from the train splits of the public
/// tweet corpora in ../shared (MARSA, ArSAS, ASTD, Mawqif's own train
/// texts) and character 3–5-grams, the README's recipe. Skips when
/// ../shared is absent.
#[test]
fn mawqif_f_avg_with_word_clusters() {
    use linfa::traits::Fit;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets");
    let files = ["marsa.csv", "arsas.csv", "astd.csv", "mawqif.csv"].map(|f| dir.join(f));
    if let Some(missing) = files.iter().find(|p| !p.exists()) {
        skip(format_args!("{} not present", missing.display()));
        return;
    }
    let mut texts = Vec::new();
    for f in &files {
        texts.extend(nabra::data::read_texts(f, &CsvOptions::default().split("train")).unwrap());
    }
    let data = linfa::DatasetBase::new(
        nabra::Examples::new(texts.into_iter().map(|t| (t, None))),
        (),
    );
    let clusters = nabra::features::WordClusters::params()
        .check()
        .unwrap()
        .fit(&data)
        .unwrap();
    let path = &files[3];
    let train = read_csv(path, &CsvOptions::default().split("train")).unwrap();
    let test = read_csv(path, &CsvOptions::default().split("test")).unwrap();
    let params = Model::params()
        .features(nabra::features::FeatureOptions {
            char_ngrams: (3, 5),
            ..Default::default()
        })
        .clusters(Some(std::sync::Arc::new(clusters)))
        .check()
        .unwrap();
    let model = train_rows(&train, &params, 0.0, path).unwrap();
    let r = model.evaluate(&test, path).unwrap();
    let f_avg = r.f_avg.expect("Mawqif has Favor/Against");
    eprintln!(
        "mawqif test with clusters: F_avg {f_avg:.4} macro-F1 {:.4} acc {:.4}",
        r.macro_f1, r.accuracy
    );
    assert!(
        f_avg >= 0.75,
        "Mawqif F_avg with clusters regressed: {f_avg:.4}"
    );
}
