//! Article scoring throughput: each stage (quotes, speakers, actors, stance)
//! and end to end, in bytes/s and articles/s; how scoring time grows with
//! the number of articles (1×…8×); one thread against two.
//!
//! Input: SaudiNewsNet articles from `../shared/datasets/` when present,
//! otherwise our own annotated articles (`datasets/articles/`), so the bench
//! always runs. At the end it prints the exponent of a log-log fit of scoring
//! time against input size (1.0 = linear).

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use nabra::Location;
use nabra::analyzer::Analyzer;
use nabra::quotes::find_quotes;
use nabra::score::{ScoreOptions, Scorer};
use nabra::sources::{Record, Records, SourceOptions};
use nabra::speakers::attribute;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

mod common;
use common::loglog_slope;

/// Up to `n` articles: (id, text).
fn articles(n: usize) -> (String, Vec<(String, String)>) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/datasets/saudinewsnet_sample3000.csv");
    let (name, input, id_col) = if shared.exists() {
        ("saudinewsnet", shared, "url")
    } else {
        eprintln!("../shared absent: benchmarking on datasets/articles/");
        (
            "our-articles",
            root.join("datasets/articles/tune.jsonl"),
            "id",
        )
    };
    let opts = SourceOptions {
        id_col: id_col.into(),
        ..SourceOptions::default()
    };
    let docs: Vec<(String, String)> = Records::new([input.to_str().unwrap()], opts)
        .filter_map(Result::ok)
        .map(|r| (r.id, r.text))
        .take(n)
        .collect();
    (name.to_string(), docs)
}

fn bytes(docs: &[(String, String)]) -> u64 {
    docs.iter().map(|(_, t)| t.len() as u64).sum()
}

fn records(docs: &[(String, String)]) -> Vec<nabra::Result<Record>> {
    docs.iter()
        .map(|(id, text)| {
            Ok(Record {
                id: id.clone(),
                text: text.clone(),
                at: Location::new("<bench>", None),
            })
        })
        .collect()
}

fn stages(c: &mut Criterion) {
    let (name, docs) = articles(300);
    let analyzer = Analyzer::builtin().unwrap();
    let mut g = c.benchmark_group(format!("articles/{name}"));
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Bytes(bytes(&docs)));
    g.bench_function("quotes", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(_, t)| find_quotes(black_box(t)).len())
                .sum::<usize>()
        })
    });
    let quotes: Vec<_> = docs.iter().map(|(_, t)| find_quotes(t)).collect();
    g.bench_function("speakers", |b| {
        b.iter(|| {
            docs.iter()
                .zip(&quotes)
                .map(|((_, t), q)| attribute(black_box(t), q).len())
                .sum::<usize>()
        })
    });
    let gazetteer = analyzer.gazetteer();
    g.bench_function("actors", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(_, t)| gazetteer.find(black_box(t)).len())
                .sum::<usize>()
        })
    });
    g.bench_function("analyze (end to end, one thread)", |b| {
        b.iter(|| {
            docs.iter()
                .map(|(_, t)| analyzer.analyze(black_box(t)).quotes.len())
                .sum::<usize>()
        })
    });
    g.finish();

    // end to end through the Scorer (JSONL out) with 1 and 2 threads
    let mut g = c.benchmark_group(format!("score/{name}/threads"));
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Bytes(bytes(&docs)));
    for jobs in [1, 2] {
        let scorer = Scorer::new(
            analyzer.clone(),
            ScoreOptions {
                jobs,
                ..ScoreOptions::default()
            },
        )
        .unwrap();
        g.bench_with_input(BenchmarkId::from_parameter(jobs), &jobs, |b, _| {
            b.iter(|| {
                let mut out = Vec::with_capacity(1 << 20);
                scorer
                    .run(records(&docs), &mut out, |_| {}, |_| {})
                    .unwrap()
                    .articles
            })
        });
    }
    g.finish();
}

fn scaling(c: &mut Criterion) {
    let (name, docs) = articles(800);
    let analyzer = Analyzer::builtin().unwrap();
    let base = (docs.len() / 8).max(1);
    let mut g = c.benchmark_group(format!("score/{name}/articles"));
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    let mut points = Vec::new();
    for k in [1usize, 2, 4, 8] {
        let part = &docs[..(base * k).min(docs.len())];
        g.throughput(Throughput::Elements(part.len() as u64));
        g.bench_with_input(
            BenchmarkId::from_parameter(format!("{k}x")),
            &part,
            |b, part| {
                b.iter(|| {
                    part.iter()
                        .map(|(_, t)| analyzer.analyze(black_box(t)).quotes.len())
                        .sum::<usize>()
                })
            },
        );
        // a separate timing for the exponent: best of 3
        let secs = (0..3)
            .map(|_| {
                let t0 = Instant::now();
                for (_, t) in part {
                    black_box(analyzer.analyze(t));
                }
                t0.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min);
        points.push((bytes(part) as f64, secs));
    }
    g.finish();
    eprintln!(
        "article scoring: time ~ size^{:.3} over 1x..8x ({} to {} articles)",
        loglog_slope(&points),
        base,
        base * 8
    );
}

criterion_group!(benches, stages, scaling);
criterion_main!(benches);
