//! The checks behind each fuzz target, shared with the stable regression
//! test `tests/fuzz_regressions.rs` (which includes this file by path).
//! Each function takes the raw fuzz input and panics on a bug: a panic
//! inside nabra, or a broken invariant asserted here.
//!
//! Only `std` and `nabra` may be used here, so the file compiles in both
//! crates.

use nabra::analyzer::Analyzer;
use nabra::data::{CsvOptions, read_csv};
use nabra::sources::{Records, SourceOptions};
use nabra::{Model, Target};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Record size limit of the `jsonl_reader` target.
pub const JSONL_MAX_RECORD_BYTES: usize = 4096;

/// A scratch file unique to this process and thread, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn with(ext: &str, data: &[u8]) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        thread_local! {
            static ID: usize = NEXT.fetch_add(1, Ordering::Relaxed);
        }
        let dir = if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let id = ID.with(|i| *i);
        let path = dir.join(format!("nabra-fuzz-{}-{id}.{ext}", std::process::id()));
        std::fs::write(&path, data).expect("write scratch file");
        Scratch(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("scratch path is UTF-8")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn is_boundary_span(text: &str, start: usize, end: usize) -> bool {
    start <= end && end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}

/// The built-in analyzer, built once.
pub fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| Analyzer::builtin().expect("built-in analyzer loads"))
}

/// `analyze`: bytes → lossy UTF-8 → `Analyzer::analyze`; quote and actor
/// spans lie inside the text on char boundaries and match their strings.
pub fn analyze(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let a = analyzer().analyze(text);
    let mut prev_start = 0;
    for (qi, q) in a.quotes.iter().enumerate() {
        assert!(
            is_boundary_span(text, q.start, q.end),
            "quote {qi} span {}..{} is not inside the text (len {}) on char boundaries",
            q.start,
            q.end,
            text.len()
        );
        assert_eq!(
            &text[q.start..q.end],
            q.text,
            "quote {qi} text differs from its span"
        );
        assert!(
            q.start >= prev_start,
            "quotes are not in order of their start"
        );
        prev_start = q.start;
        for (ai, act) in q.actors.iter().enumerate() {
            assert!(
                is_boundary_span(text, act.start, act.end),
                "quote {qi} actor {ai} span {}..{} is not inside the text (len {}) on char boundaries",
                act.start,
                act.end,
                text.len()
            );
            assert_eq!(
                &text[act.start..act.end],
                act.surface,
                "quote {qi} actor {ai} surface differs from its span"
            );
            let p = act.probs;
            let sum = p.favor + p.against + p.neutral;
            assert!(
                p.favor.is_finite() && p.against.is_finite() && p.neutral.is_finite(),
                "quote {qi} actor {ai}: non-finite probabilities {p:?}"
            );
            assert!(
                (sum - 1.0).abs() < 1e-6,
                "quote {qi} actor {ai}: probabilities sum to {sum}"
            );
        }
    }
}

/// Checks labeled rows returned by `read_csv`.
fn check_rows(rows: &[nabra::data::LabeledText]) {
    assert!(!rows.is_empty(), "read_csv returned Ok with no rows");
    for r in rows {
        assert!(
            !r.text.trim().is_empty(),
            "row at line {} has a blank text",
            r.line
        );
        assert!(
            !r.label.trim().is_empty(),
            "row at line {} has a blank label",
            r.line
        );
        assert!(
            r.line >= 2,
            "row line {} is before the first data line",
            r.line
        );
    }
}

/// `csv_loader`: bytes in a CSV file → `read_csv` (all rows, then the
/// `train` split) and the article source reader for `.csv`: Ok or Err,
/// never a panic.
pub fn csv_loader(data: &[u8]) {
    let f = Scratch::with("csv", data);
    if let Ok(rows) = read_csv(f.path(), &CsvOptions::default()) {
        check_rows(&rows);
    }
    if let Ok(rows) = read_csv(f.path(), &CsvOptions::default().split("train")) {
        check_rows(&rows);
    }
    let opts = SourceOptions {
        max_record_bytes: JSONL_MAX_RECORD_BYTES,
        ..SourceOptions::default()
    };
    for (i, r) in Records::new([f.path()], opts).enumerate() {
        assert!(i <= data.len() + 1, "more records than input bytes");
        if let Ok(rec) = r {
            assert!(!rec.text.trim().is_empty(), "CSV record with blank text");
            assert!(
                rec.text.len() <= JSONL_MAX_RECORD_BYTES,
                "CSV record over the limit"
            );
        }
    }
}

/// `model_loader`: bytes → `Model::from_bytes`, as given and, so the
/// fuzzer gets past the header checksum to the JSON body, framed with a
/// valid header. A loaded model must predict without panicking.
pub fn model_loader(data: &[u8]) {
    load_and_use(data);
    if !data.starts_with(b"nabra-model") {
        load_and_use(&frame(data));
    }
}

/// `body` behind a valid format-1 header (length and checksum).
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "nabra-model format={} bytes={} fnv1a64={:016x}\n",
        nabra::model::FORMAT_VERSION,
        body.len(),
        nabra::features::fnv1a64(body)
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn load_and_use(bytes: &[u8]) {
    let Ok(model) = Model::from_bytes(bytes) else {
        return;
    };
    assert!(
        model.labels().len() >= 2,
        "model loaded with fewer than two labels"
    );
    let target = Target::text("إيران");
    for (text, target) in [
        ("ندين بشدة تدخل إيران في شؤون المنطقة", Some(&target)),
        ("ارتفعت الصادرات بنسبة قياسية", None),
        ("", None),
    ] {
        let p = model.predict_text(text, target);
        assert_eq!(p.probs.len(), model.labels().len());
        assert!(model.labels().contains(&p.label));
        let sum: f64 = p.probs.iter().map(|(_, x)| x).sum();
        assert!(
            p.probs.iter().all(|(_, x)| x.is_finite()) && (sum - 1.0).abs() < 1e-6,
            "a loaded model predicts non-probabilities {:?}",
            p.probs
        );
    }
    // a loaded model saves to bytes that load again
    let again = model.to_bytes().expect("a loaded model serializes");
    Model::from_bytes(&again).expect("a saved model loads again");
}

/// `jsonl_reader`: bytes in a `.jsonl` file → every record of
/// `sources::Records` with a 4096-byte limit: never a panic, and every Ok
/// record has non-blank text within the limit.
pub fn jsonl_reader(data: &[u8]) {
    let f = Scratch::with("jsonl", data);
    let opts = SourceOptions {
        max_record_bytes: JSONL_MAX_RECORD_BYTES,
        ..SourceOptions::default()
    };
    let lines = data.split(|&b| b == b'\n').count();
    let mut n = 0;
    for r in Records::new([f.path()], opts) {
        n += 1;
        assert!(n <= lines, "more records ({n}) than lines ({lines})");
        if let Ok(rec) = r {
            assert!(!rec.text.trim().is_empty(), "record with blank text");
            assert!(
                rec.text.len() <= JSONL_MAX_RECORD_BYTES,
                "record over the limit"
            );
        }
    }
}
