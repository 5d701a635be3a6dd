//! The `nabra` binary: train → eval → predict → info, help texts, errors.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_nabra");
const SENTIMENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/news_sentiment.csv");

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("binary runs");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn train_eval_predict_info() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("s.model");
    let m = model.to_str().unwrap();
    let out = run(
        &[
            "train",
            "--data",
            SENTIMENT,
            "--split",
            "train",
            "--out",
            m,
            "--k",
            "3000",
            "--test-split",
            "test",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("positive") && err.contains("rows"),
        "class counts printed: {err}"
    );
    assert!(
        text(&out.stdout).contains("== dev =="),
        "dev metrics printed"
    );

    let out = run(
        &[
            "eval", "--model", m, "--data", SENTIMENT, "--split", "test", "--json",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["rows", "accuracy", "macro_f1", "per_class", "confusion"] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert!(
        v.get("f_avg").is_none(),
        "no favor/against labels, no F_avg"
    );
    assert!(v["macro_f1"].as_f64().unwrap() > 0.5);

    let out = run(
        &[
            "predict",
            "--model",
            m,
            "--json",
            "ارتفاع كبير في الأرباح",
            "انهيار السوق وخسائر فادحة",
        ],
        None,
    );
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["label"], "negative");
    let sum: f64 = lines[0]["probs"]
        .as_object()
        .unwrap()
        .values()
        .map(|x| x.as_f64().unwrap())
        .sum();
    assert!((sum - 1.0).abs() < 1e-6);

    // stdin, one text per line, blank lines skipped
    let out = run(&["predict", "--model", m], Some("نجاح باهر\n\nكارثة\n"));
    assert!(out.status.success());
    assert_eq!(text(&out.stdout).lines().count(), 2);

    let out = run(&["info", "--model", m], None);
    let info = text(&out.stdout);
    assert!(
        info.contains("news_sentiment.csv") && info.contains("test") && info.contains("fnv1a64"),
        "{info}"
    );
}

#[test]
fn help_documents_every_flag() {
    for (cmd, flags) in [
        (
            "train",
            &[
                "--data",
                "--out",
                "--split",
                "--seed",
                "--text-col",
                "--label-col",
                "--target-col",
                "--split-col",
                "--model",
                "--k",
                "--dev-fraction",
            ][..],
        ),
        ("eval", &["--model", "--data", "--split", "--json"][..]),
        ("predict", &["--model", "--target", "--json"][..]),
        ("info", &["--model"][..]),
    ] {
        let out = run(&[cmd, "--help"], None);
        assert!(out.status.success());
        let h = text(&out.stdout);
        for f in flags {
            assert!(h.contains(f), "{cmd} --help lacks {f}");
        }
    }
}

#[test]
fn errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "body,label\nx,a\n").unwrap();
    let out_model = dir.path().join("m.model");
    let args = [
        "train",
        "--data",
        csv.to_str().unwrap(),
        "--out",
        out_model.to_str().unwrap(),
    ];
    let out = run(&args, None);
    assert!(!out.status.success());
    let e = text(&out.stderr);
    assert!(
        e.contains("bad.csv") && e.contains("\"text\"") && e.contains("\"body\""),
        "{e}"
    );
    assert!(!Path::new(&out_model).exists(), "no model written on error");

    std::fs::write(&csv, "text,label\nx,a\n,b\n").unwrap();
    let e = text(&run(&args, None).stderr);
    assert!(e.contains("bad.csv:3") && e.contains("empty"), "{e}");

    let out = run(&["predict", "--model", csv.to_str().unwrap(), "x"], None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not a nabra model"));
}

/// `nabra eval --model stance --data datasets/news_stance.csv` plus `args`.
fn eval_stance(args: &[&str]) -> Output {
    const STANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/news_stance.csv");
    let mut all = vec!["eval", "--model", "stance", "--data", STANCE];
    all.extend_from_slice(args);
    run(&all, None)
}

#[test]
fn eval_groups_and_label_map() {
    let out = eval_stance(&["--split", "test", "--group-col", "actor_group", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let groups = v["groups"].as_object().expect("groups reported");
    assert!(
        groups.contains_key("organisations") && groups.len() == 5,
        "{groups:?}"
    );
    let total: u64 = groups.values().map(|g| g["rows"].as_u64().unwrap()).sum();
    assert_eq!(total, v["rows"].as_u64().unwrap());

    // rename every label away from the model's: the error names them
    let out = eval_stance(&[
        "--split",
        "test",
        "--map-labels",
        "favor=pro,against=con,neutral=",
    ]);
    assert!(!out.status.success());
    let e = text(&out.stderr);
    assert!(e.contains("\"con\"") && e.contains("\"pro\""), "{e}");

    let out = eval_stance(&["--map-labels", "favor"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("FROM=TO"));
}
