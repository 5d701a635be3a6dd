//! Throughput of each stage, in bytes/s and texts/s, on one thread.
//!
//! Input: the Mawqif test tweets from `../shared/datasets/` when present,
//! otherwise the test split of our own stance corpus, so the bench always
//! runs. The model is trained on the matching train split at startup.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use linfa::traits::Fit;
use linfa::{DatasetBase, ParamGuard};
use nabra::data::{CsvOptions, LabeledText, read_csv};
use nabra::features::{FeatureExtractor, Scratch, WordClusters};
use nabra::text::{Normalizer, TextPipeline};
use nabra::{Examples, Model};
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

fn data() -> (String, Vec<LabeledText>, Vec<LabeledText>) {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/mawqif.csv");
    let (name, path) = if shared.exists() {
        ("mawqif", shared)
    } else {
        eprintln!("../shared absent: benchmarking on datasets/news_stance.csv");
        (
            "news_stance",
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/news_stance.csv"),
        )
    };
    let train = read_csv(&path, &CsvOptions::default().split("train")).expect("train split");
    let test = read_csv(&path, &CsvOptions::default().split("test")).expect("test split");
    (name.to_string(), train, test)
}

fn stages(c: &mut Criterion) {
    let (name, train, test) = data();
    let bytes: u64 = test.iter().map(|r| r.text.len() as u64).sum();
    let model = nabra::train::train_rows(&train, &Model::params().check().unwrap(), 0.0, "train")
        .expect("training");
    let mut g = c.benchmark_group(format!("stages/{name}"));
    g.sample_size(20);
    g.throughput(Throughput::Bytes(bytes));

    let normalizer = Normalizer::default();
    g.bench_function("normalize", |b| {
        let mut out = String::new();
        b.iter(|| {
            for r in &test {
                normalizer.normalize_into(black_box(&r.text), &mut out);
            }
        })
    });

    let params = model.hyperparams();
    let pipeline = TextPipeline::new(params.text);
    g.bench_function("tokenize+stem+negation", |b| {
        let mut a = nabra::text::Analysis::default();
        b.iter(|| {
            for r in &test {
                pipeline.analyze_into(black_box(&r.text), None, &mut a);
            }
        })
    });

    let fx = FeatureExtractor::new(params.text, params.features);
    for with_target in [false, true] {
        g.bench_with_input(
            BenchmarkId::new("features", if with_target { "target" } else { "no-target" }),
            &with_target,
            |b, &with_target| {
                let mut scratch = Scratch::default();
                let mut out = Vec::new();
                b.iter(|| {
                    for r in &test {
                        let t = if with_target { r.target.as_ref() } else { None };
                        fx.extract_occurrences(black_box(&r.text), t, &mut scratch, &mut out);
                    }
                })
            },
        );
    }

    g.bench_function("predict/sparse", |b| {
        b.iter(|| {
            model.predict_sequential(test.iter().map(|r| (r.text.as_str(), r.target.as_ref())))
        })
    });
    // The word-cluster recipe (clusters, character 3–5-grams), the clusters
    // learned here from the train texts so the bench needs no other corpus.
    let clusters = WordClusters::params()
        .levels(vec![50, 500])
        .min_count(2)
        .check()
        .unwrap()
        .fit(&DatasetBase::new(
            Examples::new(train.iter().map(|r| (r.text.clone(), None))),
            (),
        ))
        .expect("clusters");
    let clustered = Model::params()
        .features(nabra::features::FeatureOptions {
            char_ngrams: (3, 5),
            ..Default::default()
        })
        .clusters(Some(Arc::new(clusters)))
        .check()
        .unwrap();
    let clustered = nabra::train::train_rows(&train, &clustered, 0.0, "train").expect("training");
    g.bench_function("predict/sparse+clusters", |b| {
        b.iter(|| {
            clustered.predict_sequential(test.iter().map(|r| (r.text.as_str(), r.target.as_ref())))
        })
    });
    let examples = Examples::from_labeled(&test).0;
    g.bench_function("predict/linfa-dense", |b| {
        b.iter(|| {
            let x = model.dense_features(black_box(&examples));
            model.classifier().dense_probabilities(&x)
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
