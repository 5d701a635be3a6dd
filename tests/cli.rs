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

/// Asserts that the command failed and that its error names each of `needles`.
fn assert_fails_naming(out: &Output, needles: &[&str]) {
    let err = text(&out.stderr);
    assert!(!out.status.success(), "expected a failure: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
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
    assert!(v.get("passes").is_none(), "one pass unless asked");

    // --passes times several passes; the metrics are the same
    let out = run(
        &[
            "eval", "--model", m, "--data", SENTIMENT, "--split", "test", "--json", "--passes", "3",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let w: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(w["passes"], 3);
    assert!(w["passes_texts_per_s"].as_f64().unwrap() > 0.0);
    assert!(w["passes_seconds"].as_f64().unwrap() >= w["predict_seconds"].as_f64().unwrap());
    for key in ["rows", "accuracy", "macro_f1", "per_class", "confusion"] {
        assert_eq!(w[key], v[key], "{key}");
    }
    assert!(text(&out.stderr).contains("3 passes in"));
    let out = run(
        &["eval", "--model", m, "--data", SENTIMENT, "--passes", "0"],
        None,
    );
    assert_fails_naming(&out, &["--passes"]);

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

/// `--model nb` trains linfa's naive Bayes and reports like logistic
/// regression: class counts on stderr, nothing more (linfa-bayes 0.8.1's own
/// `fit` dumps every class histogram there, which nabra must not pass on).
#[test]
fn naive_bayes_trains_quietly_and_predicts() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("nb.model");
    let m = model.to_str().unwrap();
    let out = run(
        &[
            "train", "--data", SENTIMENT, "--split", "train", "--out", m, "--model", "nb",
        ],
        None,
    );
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("rows"), "class counts printed: {err}");
    assert!(
        !err.contains("ClassHistogram") && err.len() < 4096,
        "{} bytes on stderr: {}",
        err.len(),
        &err[..err.len().min(300)]
    );
    let out = run(
        &[
            "eval", "--model", m, "--data", SENTIMENT, "--split", "test", "--json",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["macro_f1"].as_f64().unwrap() > 0.4, "{v}");
}

/// Calibration is on by default; when a class is too small to hold out,
/// training says so instead of skipping it silently.
#[test]
fn small_classes_skip_calibration_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tiny.csv");
    std::fs::write(
        &data,
        "text,label\nنص جيد جدا,pos\nرائع جدا,pos\nممتاز,pos\nجميل,pos\n\
         سيء جدا,neg\nفظيع,neg\nرديء,neg\nكارثة,neg\n",
    )
    .unwrap();
    let model = dir.path().join("tiny.model");
    let train = |folds: &str| {
        let args = [
            "train",
            "--data",
            data.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
            "--dev-fraction",
            "0",
            "--calibration-folds",
            folds,
        ];
        let out = run(&args, None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stderr)
    };
    let err = train("5");
    assert!(
        err.contains("not calibrated") && err.contains("fewer than 5"),
        "{err}"
    );
    let err = train("3");
    assert!(err.contains("calibrated on 3 folds"), "{err}");
    assert!(!train("0").contains("calibrat"));
}

/// `nabra clusters` learns word clusters from unlabeled text; `train
/// --clusters` adds them to the model, `info` reports them; bad files and
/// clusters built with other text flags are refused with a clear message.
#[test]
fn word_clusters_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let clusters = dir.path().join("w.clusters");
    let c = clusters.to_str().unwrap();
    let stance = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/news_stance.csv");
    let build = |extra: &[&str]| {
        let mut args = vec![
            "clusters",
            "--data",
            SENTIMENT,
            stance,
            "--out",
            c,
            "--levels",
            "5,20",
            "--dimensions",
            "8",
            "--min-count",
            "3",
        ];
        args.extend_from_slice(extra);
        run(&args, None)
    };
    let out = build(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("texts") && err.contains("5 / 20 clusters"),
        "{err}"
    );
    let model = dir.path().join("c.model");
    let m = model.to_str().unwrap();
    let train = |extra: &[&str]| {
        let mut args = vec![
            "train",
            "--data",
            SENTIMENT,
            "--split",
            "train",
            "--out",
            m,
            "--k",
            "3000",
            "--calibration-folds",
            "0",
            "--clusters",
            c,
        ];
        args.extend_from_slice(extra);
        run(&args, None)
    };
    let out = train(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let info = run(&["info", "--model", m], None);
    assert!(
        text(&info.stdout).contains("5 / 20 clusters"),
        "{}",
        text(&info.stdout)
    );
    let info = run(&["info", "--model", m, "--json"], None);
    let v: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(v["clusters"]["levels"], serde_json::json!([5, 20]));
    assert!(
        v["params"].get("clusters").is_none(),
        "the word list stays out of info"
    );
    // text flags must match the clusters'
    let out = train(&["--negation-window", "0"]);
    assert_fails_naming(&out, &["text settings"]);
    // a file that is not a clusters file names itself
    let out = run(
        &[
            "train",
            "--data",
            SENTIMENT,
            "--out",
            m,
            "--clusters",
            SENTIMENT,
        ],
        None,
    );
    assert_fails_naming(
        &out,
        &["news_sentiment.csv", "not a nabra word clusters file"],
    );
    // too little text for the requested clusters is an error, not a panic
    let out = build(&["--levels", "100000"]);
    assert_fails_naming(&out, &["terms occur at least"]);
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
        (
            "eval",
            &["--model", "--data", "--split", "--json", "--passes"][..],
        ),
        ("predict", &["--model", "--target", "--json"][..]),
        ("info", &["--model"][..]),
        (
            "clusters",
            &[
                "--data",
                "--out",
                "--text-col",
                "--split",
                "--levels",
                "--dimensions",
                "--window",
                "--min-count",
                "--max-terms",
                "--seed",
                "--stemmer",
            ][..],
        ),
        (
            "score",
            &[
                "--model",
                "--actors",
                "--format",
                "--out",
                "--summary",
                "--jobs",
                "--id-col",
                "--text-col",
                "--max-record-bytes",
            ][..],
        ),
        (
            "eval-articles",
            &["--gold", "--model", "--json", "--errors"][..],
        ),
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
    assert_fails_naming(&out, &["bad.csv", "\"text\"", "\"body\""]);
    assert!(!Path::new(&out_model).exists(), "no model written on error");

    std::fs::write(&csv, "text,label\nx,a\n,b\n").unwrap();
    let e = text(&run(&args, None).stderr);
    assert!(e.contains("bad.csv:3") && e.contains("empty"), "{e}");

    let out = run(&["predict", "--model", csv.to_str().unwrap(), "x"], None);
    assert_fails_naming(&out, &["not a nabra model"]);
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
    assert_fails_naming(&out, &["\"con\"", "\"pro\""]);

    let out = eval_stance(&["--map-labels", "favor"]);
    assert_fails_naming(&out, &["FROM=TO"]);
}

const ARTICLE: &str = "وقال وزير الخارجية، أحمد سالم، إن «سياسات واشنطن تهدد أمن المنطقة». وأضاف أن التعاون مع موسكو مفيد للبلدين.";

fn json_lines(b: &[u8]) -> Vec<serde_json::Value> {
    text(b)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn score_jsonl_reports_bad_records_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let mut data = Vec::new();
    data.extend_from_slice(format!("{{\"id\":\"a\",\"text\":\"{ARTICLE}\"}}\n").as_bytes());
    data.extend_from_slice(b"{\"id\":\"b\",\"text\":\"\xff\xfe\"}\n");
    data.extend_from_slice(b"{broken\n");
    data.extend_from_slice(b"{\"id\":\"c\",\"text\":\"\"}\n");
    data.extend_from_slice(format!("{{\"id\":\"d\",\"text\":\"{ARTICLE}\"}}\n").as_bytes());
    std::fs::write(&input, data).unwrap();
    let out_path = dir.path().join("out.jsonl");
    let summary = dir.path().join("summary.csv");
    let out = run(
        &[
            "score",
            input.to_str().unwrap(),
            "--out",
            out_path.to_str().unwrap(),
            "--summary",
            summary.to_str().unwrap(),
        ],
        None,
    );
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("in.jsonl:2") && err.contains("UTF-8"), "{err}");
    assert!(
        err.contains("in.jsonl:3") && err.contains("malformed JSON"),
        "{err}"
    );
    assert!(
        err.contains("in.jsonl:4") && err.contains("empty text"),
        "{err}"
    );
    assert!(
        err.contains("scored 2 articles") && err.contains("3 bad record(s)"),
        "{err}"
    );
    let lines = json_lines(&std::fs::read(&out_path).unwrap());
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[1]["id"], "d");
    let q = &lines[0]["quotes"][0];
    assert_eq!(q["speaker"], "أحمد سالم");
    assert_eq!(q["kind"], "direct");
    let start = q["start"].as_u64().unwrap() as usize;
    let end = q["end"].as_u64().unwrap() as usize;
    assert_eq!(&ARTICLE[start..end], q["text"].as_str().unwrap());
    let actor = &q["actors"][0];
    assert_eq!(actor["actor"], "USA");
    assert_eq!(actor["surface"], "واشنطن");
    let p = &actor["probs"];
    let sum: f64 = ["favor", "against", "neutral"]
        .iter()
        .map(|k| p[k].as_f64().unwrap())
        .sum();
    assert!((sum - 1.0).abs() < 1e-6);
    let table = std::fs::read_to_string(&summary).unwrap();
    assert!(table.starts_with("speaker,actor,quotes,favor,against,neutral"));
    assert!(table.contains("أحمد سالم,USA,2,"), "{table}");
    // --strict turns bad records into a failing exit status, after scoring
    let out = run(&["score", "--strict", input.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert_eq!(json_lines(&out.stdout).len(), 2);
}

#[test]
fn score_inputs_formats_and_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let arts = dir.path().join("arts");
    std::fs::create_dir(&arts).unwrap();
    for i in 0..6 {
        std::fs::write(arts.join(format!("{i}.txt")), ARTICLE).unwrap();
    }
    let csv_in = dir.path().join("in.csv");
    std::fs::write(&csv_in, format!("doc,body\nx1,\"{ARTICLE}\"\n")).unwrap();
    let one = run(&["score", "--jobs", "1", arts.to_str().unwrap()], None);
    let two = run(&["score", "--jobs", "2", arts.to_str().unwrap()], None);
    assert!(one.status.success(), "{}", text(&one.stderr));
    assert_eq!(
        one.stdout, two.stdout,
        "output order and content do not depend on jobs"
    );
    let ids: Vec<String> = json_lines(&one.stdout)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 6);
    assert!(
        ids[0].ends_with("0.txt") && ids[5].ends_with("5.txt"),
        "{ids:?}"
    );
    // CSV in and out, custom columns
    let out = run(
        &[
            "score",
            "--format",
            "csv",
            "--id-col",
            "doc",
            "--text-col",
            "body",
            csv_in.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(&r.headers().unwrap()[0], "id");
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert!(rows.iter().all(|r| &r[0] == "x1"));
    assert!(rows.iter().any(|r| &r[6] == "USA" && &r[4] == "أحمد سالم"));
    // stdin is JSONL
    let out = run(
        &["score", "-"],
        Some(&format!("{{\"id\":\"s\",\"text\":\"{ARTICLE}\"}}\n")),
    );
    assert_eq!(json_lines(&out.stdout)[0]["id"], "s");
}

#[test]
fn score_output_is_atomic() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.txt");
    std::fs::write(&input, ARTICLE).unwrap();
    // an unwritable destination: nothing is created and the error names it
    let bad = dir.path().join("no/such/dir/out.jsonl");
    let out = run(
        &[
            "score",
            input.to_str().unwrap(),
            "--out",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert_fails_naming(&out, &["out.jsonl"]);
    // an existing output is replaced whole, with no temporary file left over
    let dest = dir.path().join("out.jsonl");
    std::fs::write(&dest, "old").unwrap();
    let out = run(
        &[
            "score",
            input.to_str().unwrap(),
            "--out",
            dest.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success());
    assert_eq!(json_lines(&std::fs::read(&dest).unwrap()).len(), 1);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
}

#[test]
fn eval_articles_json() {
    let gold = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/articles/tune.jsonl");
    let out = run(&["eval-articles", "--gold", gold, "--json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in [
        "quote_precision",
        "quote_recall",
        "speaker_accuracy",
        "actor_precision",
        "actor_recall",
    ] {
        let x = v[k].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&x), "{k} = {x}");
    }
    assert!(v["stance"]["macro_f1"].as_f64().is_some());
    assert!(v.get("errors").is_none());
}

#[test]
fn interrupted_score_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.jsonl");
    let line = format!("{{\"id\":\"x\",\"text\":\"{}\"}}\n", ARTICLE.repeat(8));
    std::fs::write(&input, line.repeat(20_000)).unwrap(); // ~40 MB: seconds of work
    let dest = dir.path().join("out.jsonl");
    let child = Command::new(BIN)
        .args(["score", "--jobs", "1", input.to_str().unwrap()])
        .args(["--out", dest.to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        !out.status.success(),
        "the run should have been interrupted"
    );
    assert!(
        text(&out.stderr).contains("interrupted"),
        "{}",
        text(&out.stderr)
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["big.jsonl".to_string()],
        "no output, no temporary file"
    );
}
