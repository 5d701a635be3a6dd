//! How training time grows with the number of rows (1×, 2×, 4×, 8×) and with
//! the number of selected features K.
//!
//! Input: Mawqif's train split from `../shared/datasets/` when present,
//! otherwise the train split of our own stance corpus. 8× is the whole
//! split. At the end it prints the exponent of a log-log fit of training
//! time against rows (1.0 = linear).

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use linfa::ParamGuard;
use nabra::Model;
use nabra::data::{CsvOptions, LabeledText, read_csv};
use nabra::train::train_rows;
use std::path::PathBuf;
use std::time::Instant;

mod common;
use common::loglog_slope;

fn data() -> (String, Vec<LabeledText>) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/datasets/mawqif.csv");
    let (name, path) = if shared.exists() {
        ("mawqif", shared)
    } else {
        eprintln!("../shared absent: benchmarking on datasets/news_stance.csv");
        ("news_stance", root.join("datasets/news_stance.csv"))
    };
    let rows = read_csv(&path, &CsvOptions::default().split("train")).expect("train split");
    (name.to_string(), rows)
}

/// Every `stride`-th row, so each part keeps the label mix of the whole.
fn part(rows: &[LabeledText], k: usize) -> Vec<LabeledText> {
    let stride = 8 / k;
    rows.iter().step_by(stride).cloned().collect()
}

fn training(c: &mut Criterion) {
    let (name, rows) = data();
    let params = Model::params().check().unwrap();
    let mut g = c.benchmark_group(format!("train/{name}/rows"));
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    let mut points = Vec::new();
    for k in [1usize, 2, 4, 8] {
        let p = part(&rows, k);
        g.throughput(Throughput::Elements(p.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(format!("{k}x")), &p, |b, p| {
            b.iter(|| train_rows(p, &params, 0.0, "bench").unwrap())
        });
        let t0 = Instant::now();
        train_rows(&p, &params, 0.0, "bench").unwrap();
        points.push((p.len() as f64, t0.elapsed().as_secs_f64()));
    }
    g.finish();
    eprintln!(
        "training: time ~ rows^{:.3} over 1x..8x ({} to {} rows)",
        loglog_slope(&points),
        points[0].0,
        points[3].0
    );

    let half = part(&rows, 4);
    let mut g = c.benchmark_group(format!("train/{name}/k"));
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    for k in [5_000usize, 20_000, 60_000] {
        let params = Model::params().k(k).check().unwrap();
        g.bench_with_input(BenchmarkId::from_parameter(k), &half, |b, rows| {
            b.iter(|| train_rows(rows, &params, 0.0, "bench").unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, training);
criterion_main!(benches);
