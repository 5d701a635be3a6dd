//! The shipped default models: they work with no files on disk, and
//! retraining from `datasets/` with the recorded settings reproduces them.

use nabra::builtin::Builtin;
use nabra::data::{CsvOptions, read_csv};
use nabra::train::{data_source, train_rows};
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_nabra");

#[test]
fn binary_runs_from_an_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let stance = run(&[
        "predict",
        "--target",
        "واشنطن",
        "--json",
        "نرفض بشكل قاطع العقوبات التي تفرضها واشنطن",
    ]);
    let v: serde_json::Value = serde_json::from_str(stance.trim()).unwrap();
    assert_eq!(v["label"], "against", "{stance}");
    let sentiment = run(&["predict", "--json", "حقق الاقتصاد نموا قويا وتراجعت البطالة"]);
    let v: serde_json::Value = serde_json::from_str(sentiment.trim()).unwrap();
    assert_eq!(v["label"], "positive", "{sentiment}");
    let info = run(&["info"]);
    assert!(
        info.contains("news_stance.csv") && info.contains("news_sentiment.csv"),
        "{info}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

/// `bash models/build.sh` is what made the shipped files; doing the same in
/// process (same data, settings and seed) must give the same bytes.
#[test]
fn retraining_reproduces_the_shipped_models() {
    for (builtin, data) in [
        (Builtin::Stance, "datasets/news_stance.csv"),
        (Builtin::Sentiment, "datasets/news_sentiment.csv"),
    ] {
        let shipped = builtin.load().unwrap();
        let path = Path::new(data);
        let csv = CsvOptions::default().split("train");
        let rows = read_csv(path, &csv).unwrap();
        let mut model = train_rows(&rows, shipped.hyperparams(), 0.0, path).unwrap();
        model
            .info_mut()
            .data
            .push(data_source(path, &csv, rows.len()).unwrap());
        for (split, slot) in [("dev", 0), ("test", 1)] {
            let eval_rows = read_csv(path, &CsvOptions::default().split(split)).unwrap();
            let report = model.evaluate(&eval_rows, path).unwrap();
            if slot == 0 {
                model.info_mut().dev = Some(report);
            } else {
                model.info_mut().test = Some(report);
            }
        }
        assert_eq!(
            model.info().test,
            shipped.info().test,
            "{} test metrics differ",
            builtin.name()
        );
        assert_eq!(
            model.info().dev,
            shipped.info().dev,
            "{} dev metrics differ",
            builtin.name()
        );
        assert!(
            model.to_bytes().unwrap() == builtin.bytes(),
            "{}: retrained model differs from models/{}.model; run `bash models/build.sh`",
            builtin.name(),
            builtin.name()
        );
    }
}

/// The bar for the shipped models, on our independently written
/// test splits.
#[test]
fn shipped_models_meet_the_bar() {
    let stance = Builtin::Stance.load().unwrap();
    let t = stance.info().test.as_ref().expect("test metrics recorded");
    assert!(t.macro_f1 >= 0.80, "stance macro-F1 {}", t.macro_f1);
    for m in &t.per_class {
        assert!(m.f1 >= 0.70, "stance {} F1 {}", m.label, m.f1);
    }
    let sentiment = Builtin::Sentiment.load().unwrap();
    let t = sentiment
        .info()
        .test
        .as_ref()
        .expect("test metrics recorded");
    assert!(t.macro_f1 >= 0.80, "sentiment macro-F1 {}", t.macro_f1);
}
