//! Fuzz regressions: every file under `fuzz/regressions/<target>/` runs
//! through the same checks as its fuzz target (`fuzz/src/checks.rs`,
//! included here by path), on the stable toolchain, in `cargo test`.
//!
//! To add one: copy the crashing input (ideally minimized with
//! `cargo +nightly fuzz tmin <target> <artifact>`) into
//! `fuzz/regressions/<target>/<name>`.

#[path = "../fuzz/src/checks.rs"]
#[allow(dead_code)]
mod checks;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// `analyze` inputs that still fail in code this suite may not change yet
/// (quotes/speakers/actors/analyzer): (file name, reason). They are run and
/// reported but do not fail the test; remove an entry once it is fixed.
const ANALYZE_KNOWN: &[(&str, &str)] = &[];

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("{}: no regression inputs", dir.display());
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .map(|e| e.expect("read regression dir").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let data = std::fs::read(&p).expect("read regression input");
            (name, data)
        })
        .collect();
    out.sort();
    out
}

/// Runs `check` on every input of `target`; inputs named in `known` are
/// reported, not failed.
fn run(target: &str, check: fn(&[u8]), known: &[(&str, &str)]) {
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    for (name, data) in inputs(target) {
        let ok = catch_unwind(AssertUnwindSafe(|| check(&data))).is_ok();
        match known.iter().find(|(n, _)| *n == name) {
            Some((_, why)) if !ok => skipped.push(format!("{name} ({why})")),
            Some(_) => eprintln!(
                "fuzz/regressions/{target}/{name} now passes: remove it from the known list"
            ),
            None if !ok => failed.push(name),
            None => {}
        }
    }
    if !skipped.is_empty() {
        println!(
            "skipped {} known {target} failure(s), unfixed: {}",
            skipped.len(),
            skipped.join("; ")
        );
    }
    assert!(
        failed.is_empty(),
        "fuzz regressions failing for {target}: {failed:?}"
    );
}

#[test]
fn analyze_regressions() {
    run("analyze", checks::analyze, ANALYZE_KNOWN);
}

#[test]
fn csv_loader_regressions() {
    run("csv_loader", checks::csv_loader, &[]);
}

#[test]
fn model_loader_regressions() {
    run("model_loader", checks::model_loader, &[]);
}

#[test]
fn jsonl_reader_regressions() {
    run("jsonl_reader", checks::jsonl_reader, &[]);
}
