//! The `nabra` command line: a thin layer over the library.

use clap::{Args, Parser, Subcommand, ValueEnum};
use linfa::ParamGuard;
use linfa::traits::Fit;
use nabra::actors::Gazetteer;
use nabra::analyzer::Analyzer;
use nabra::builtin::load_model;
use nabra::data::{CsvOptions, read_csv, read_texts};
use nabra::features::{ClusterValidParams, FeatureOptions, WordClusters};
use nabra::gold::{evaluate_articles, load_gold};
use nabra::score::{OutputFormat, ScoreOptions, Scorer};
use nabra::sources::{Records, SourceOptions};
use nabra::text::{NormalizeOptions, StemmerKind, TextOptions};
use nabra::{Balance, ClassifierKind, Model, Target};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(name = "nabra", version, about = "Arabic news stance and sentiment: who takes which stance toward whom", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a model from a labeled CSV file.
    Train(TrainArgs),
    /// Evaluate a model on a labeled CSV file.
    Eval(EvalArgs),
    /// Predict labels for texts given as arguments or one per line on stdin.
    Predict(PredictArgs),
    /// Print what a model file contains: settings, labels, training data, metrics.
    Info(InfoArgs),
    /// Score articles: quotes, speakers, the actors each quote is about and the speaker's stance toward each.
    Score(ScoreArgs),
    /// Evaluate article scoring on annotated articles (quotes, speakers, actors, stance).
    EvalArticles(EvalArticlesArgs),
    /// Learn word clusters from unlabeled text, for `train --clusters`.
    Clusters(ClustersArgs),
}

#[derive(Args, Clone)]
struct Columns {
    /// Name of the text column.
    #[arg(long, default_value = "text")]
    text_col: String,
    /// Name of the label column.
    #[arg(long, default_value = "label")]
    label_col: String,
    /// Name of the target column (used when present).
    #[arg(long, default_value = "target")]
    target_col: String,
    /// Name of the split column (used with --split).
    #[arg(long, default_value = "split")]
    split_col: String,
}

impl Columns {
    fn csv(&self, split: Option<&str>) -> CsvOptions {
        CsvOptions {
            text_col: self.text_col.clone(),
            label_col: self.label_col.clone(),
            target_col: self.target_col.clone(),
            split_col: self.split_col.clone(),
            split: split.map(str::to_string),
            ..CsvOptions::default()
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ModelKind {
    /// Multinomial logistic regression (linfa-logistic).
    Lr,
    /// Multinomial naive Bayes (linfa-bayes): faster, usually less accurate.
    Nb,
}

#[derive(Clone, Copy, ValueEnum)]
enum StemmerArg {
    /// Light clitic/affix stripping.
    Light,
    /// Snowball Arabic stemmer.
    Snowball,
    /// No stemming.
    None,
}

#[derive(Clone, Copy, ValueEnum)]
enum BalanceArg {
    /// Oversample smaller classes to the size of the largest.
    Oversample,
    /// No balancing.
    None,
}

#[derive(Args)]
struct TrainArgs {
    /// Labeled CSV file (columns text,label and optional target,split).
    #[arg(long)]
    data: PathBuf,
    /// Where to write the model file.
    #[arg(long)]
    out: PathBuf,
    /// Train only on rows whose split column has this value.
    #[arg(long)]
    split: Option<String>,
    /// After training, evaluate on rows of this split of the same file and store the metrics in the model.
    #[arg(long)]
    test_split: Option<String>,
    /// Compute dev metrics on rows of this split of the same file (instead of holding out --dev-fraction).
    #[arg(long)]
    dev_split: Option<String>,
    /// Fraction of the training rows held out (per class) for dev metrics; 0 trains on all rows.
    #[arg(long, default_value_t = 0.1)]
    dev_fraction: f64,
    /// Seed for balancing draws and the dev split.
    #[arg(long, default_value_t = DEFAULTS.seed)]
    seed: u64,
    #[command(flatten)]
    columns: Columns,
    /// Classifier.
    #[arg(long = "model", value_enum, default_value = "lr")]
    model: ModelKind,
    /// Number of hashed features kept (chi-square) for the classifier.
    #[arg(long, default_value_t = DEFAULTS.k)]
    k: usize,
    /// A feature must occur in at least this many training texts.
    #[arg(long, default_value_t = DEFAULTS.min_df)]
    min_df: u32,
    /// Regularization: L2 penalty for lr (1/C), smoothing for nb [default: lr 0.3, nb 0.1].
    #[arg(long)]
    alpha: Option<f64>,
    /// L-BFGS iteration cap (lr).
    #[arg(long, default_value_t = ClassifierKind::DEFAULT_MAX_ITERATIONS)]
    max_iter: u64,
    /// Convergence tolerance (lr): stop when the largest gradient component of the mean loss is below this.
    #[arg(long, default_value_t = ClassifierKind::DEFAULT_TOLERANCE)]
    tol: f64,
    /// Fit linfa's logistic regression from scratch instead of from the sparse solver's optimum (slower; same objective).
    #[arg(long)]
    no_warm_start: bool,
    /// Class balancing.
    #[arg(long, value_enum, default_value = "none")]
    balance: BalanceArg,
    /// Folds for tuning per-class logit offsets on out-of-fold predictions, toward F_avg when favor/against labels exist, else macro-F1 (lr only; 0 turns it off).
    #[arg(long, default_value_t = DEFAULTS.calibration_folds)]
    calibration_folds: usize,
    /// log2 of the number of hash buckets.
    #[arg(long, default_value_t = DEFAULTS.features.buckets_log2)]
    buckets_log2: u8,
    /// Word n-gram orders as MIN-MAX ("0-0" turns them off).
    #[arg(long, default_value = "1-2", value_parser = parse_range)]
    word_ngrams: (usize, usize),
    /// Character n-gram orders as MIN-MAX ("0-0" turns them off).
    #[arg(long, default_value = "2-5", value_parser = parse_range)]
    char_ngrams: (usize, usize),
    /// Words on each side of a target mention that give near-target features (0 = off).
    #[arg(long, default_value_t = DEFAULTS.features.near_window)]
    near_window: usize,
    /// Do not conjoin word n-grams with the target.
    #[arg(long)]
    no_target_conjunction: bool,
    /// Also conjoin character n-grams with the target (more features, per-target cues).
    #[arg(long)]
    conjoin_chars: bool,
    /// Unsigned feature hashing.
    #[arg(long)]
    unsigned: bool,
    /// Word clusters learned from unlabeled text (`nabra clusters`) to add as features;
    /// they must have been built with the same text flags.
    #[arg(long)]
    clusters: Option<PathBuf>,
    #[command(flatten)]
    text: TextArgs,
    /// Print the dev/test reports as JSON.
    #[arg(long)]
    json: bool,
}

/// Text pipeline flags, shared by `train` and `clusters` (clusters must be
/// learned on the same terms the model sees).
#[derive(Args, Clone)]
struct TextArgs {
    /// Words marked after a negator (0 = no negation marking).
    #[arg(long, default_value_t = DEFAULTS.text.negation_window)]
    negation_window: usize,
    /// Stemmer.
    #[arg(long, value_enum, default_value = "light")]
    stemmer: StemmerArg,
    /// Minimum stem length for the light stemmer.
    #[arg(long, default_value_t = 2)]
    min_stem: usize,
    /// Keep taa marbuta (ة) distinct from haa (ه).
    #[arg(long)]
    keep_taa_marbuta: bool,
}

impl TextArgs {
    fn options(&self) -> TextOptions {
        TextOptions {
            normalize: NormalizeOptions {
                taa_marbuta: !self.keep_taa_marbuta,
                ..NormalizeOptions::default()
            },
            stemmer: match self.stemmer {
                StemmerArg::Light => StemmerKind::Light {
                    min_stem: self.min_stem,
                },
                StemmerArg::Snowball => StemmerKind::Snowball,
                StemmerArg::None => StemmerKind::None,
            },
            negation_window: self.negation_window,
        }
    }
}

#[derive(Args)]
struct ClustersArgs {
    /// CSV files of unlabeled (or labeled) text; only the text column is read.
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    /// Where to write the clusters file (for `nabra train --clusters`).
    #[arg(long)]
    out: PathBuf,
    /// Name of the text column.
    #[arg(long, default_value = "text")]
    text_col: String,
    /// Read only rows whose split column has this value (files must have that column).
    #[arg(long)]
    split: Option<String>,
    /// Name of the split column (used with --split).
    #[arg(long, default_value = "split")]
    split_col: String,
    /// Cluster counts, one per level, separated by commas (each level adds one feature per known word).
    #[arg(long, default_values_t = cluster_defaults().levels, value_delimiter = ',')]
    levels: Vec<usize>,
    /// Dimensions of the word vectors (truncated SVD of the PPMI matrix).
    #[arg(long, default_value_t = cluster_defaults().dimensions)]
    dimensions: usize,
    /// Co-occurrence window (words on each side).
    #[arg(long, default_value_t = cluster_defaults().window)]
    window: usize,
    /// A word must occur at least this often to be clustered.
    #[arg(long, default_value_t = cluster_defaults().min_count)]
    min_count: u64,
    /// At most this many words (the most frequent) are clustered.
    #[arg(long, default_value_t = cluster_defaults().max_terms)]
    max_terms: usize,
    /// Seed of the SVD's random projection.
    #[arg(long, default_value_t = cluster_defaults().seed)]
    seed: u64,
    #[command(flatten)]
    text: TextArgs,
}

#[derive(Args)]
struct EvalArgs {
    /// Model file, or a built-in model: "stance" or "sentiment".
    #[arg(long)]
    model: String,
    /// Labeled CSV file.
    #[arg(long)]
    data: PathBuf,
    /// Evaluate only rows of this split.
    #[arg(long)]
    split: Option<String>,
    #[command(flatten)]
    columns: Columns,
    /// Also report metrics per value of this column (e.g. actor).
    #[arg(long)]
    group_col: Option<String>,
    /// Rename labels before evaluating, as FROM=TO pairs separated by commas
    /// (e.g. "Positive=positive,Mixed="); a label renamed to nothing drops its rows.
    #[arg(long, value_parser = parse_label_map)]
    map_labels: Option<LabelMap>,
    /// Print one JSON object: rows, accuracy, macro_f1, f_avg (when defined), per_class, confusion (and groups).
    #[arg(long)]
    json: bool,
    /// Predict the rows this many times and also report the speed over all
    /// passes: one pass over a small test set takes milliseconds, too short
    /// for a steady timing. Metrics are the first pass's; every pass must
    /// give the same report.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    passes: u32,
}

/// Label renames from `--map-labels`.
#[derive(Clone)]
struct LabelMap(Vec<(String, String)>);

fn parse_label_map(s: &str) -> Result<LabelMap, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.split_once('=')
                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                .ok_or_else(|| format!("expected FROM=TO, got {p:?}"))
        })
        .collect::<Result<_, _>>()
        .map(LabelMap)
}

#[derive(Args)]
struct PredictArgs {
    /// Model file, or a built-in model: "stance" or "sentiment" [default: stance with --target, else sentiment].
    #[arg(long)]
    model: Option<String>,
    /// Stance target (e.g. "إيران"); omit for plain sentence classification.
    #[arg(long)]
    target: Option<String>,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
    /// Texts to classify; without any, one text per line is read from stdin.
    texts: Vec<String>,
}

#[derive(Args)]
struct InfoArgs {
    /// Model file, or a built-in model: "stance" or "sentiment" [default: both built-in models].
    #[arg(long)]
    model: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Jsonl,
    Csv,
}

#[derive(Args)]
struct ScoreArgs {
    /// Stance model file, or "stance" for the built-in one.
    #[arg(long, default_value = "stance")]
    model: String,
    /// Actor list (id<TAB>kind<TAB>name<TAB>alias|alias…) used instead of the built-in one.
    #[arg(long)]
    actors: Option<PathBuf>,
    /// Add these actors to the built-in list instead of replacing it.
    #[arg(long, requires = "actors")]
    extend_actors: bool,
    /// Output format: one JSON object per article, or one CSV row per (quote, actor).
    #[arg(long, value_enum, default_value = "jsonl")]
    format: FormatArg,
    /// Output file, written atomically (a temporary file renamed when complete) [default: stdout].
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Also write the corpus-level speaker × actor stance table (CSV) to this file.
    #[arg(long)]
    summary: Option<PathBuf>,
    /// Worker threads [default: one per core].
    #[arg(long, short, default_value_t = 0)]
    jobs: usize,
    /// Id field (JSONL) or column (CSV).
    #[arg(long, default_value = "id")]
    id_col: String,
    /// Text field (JSONL) or column (CSV).
    #[arg(long, default_value = "text")]
    text_col: String,
    /// Largest record (line, CSV record or file) in bytes; larger ones are reported and skipped.
    #[arg(long, default_value_t = 64 << 20)]
    max_record_bytes: usize,
    /// Fail (exit status 1) when any record was bad, after scoring the rest.
    #[arg(long)]
    strict: bool,
    /// Inputs: a .txt file (one article), a directory of .txt files, a .jsonl file (id, text),
    /// a .csv file (id, text columns), or "-" for JSONL on stdin.
    #[arg(required = true)]
    inputs: Vec<String>,
}

#[derive(Args)]
struct EvalArticlesArgs {
    /// Annotated articles (JSONL, the format of datasets/articles/).
    #[arg(long)]
    gold: PathBuf,
    /// Stance model file, or "stance" for the built-in one.
    #[arg(long, default_value = "stance")]
    model: String,
    /// Actor list used instead of the built-in one.
    #[arg(long)]
    actors: Option<PathBuf>,
    /// Print one JSON object with every figure.
    #[arg(long)]
    json: bool,
    /// Also list each error (missed quotes, wrong speakers, actors, stances).
    #[arg(long)]
    errors: bool,
}

fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s
        .split_once(['-', ','])
        .ok_or_else(|| format!("expected MIN-MAX, got {s:?}"))?;
    let p = |x: &str| x.trim().parse::<usize>().map_err(|e| format!("{x:?}: {e}"));
    Ok((p(a)?, p(b)?))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(a) => train(a),
        Command::Eval(a) => eval(a),
        Command::Predict(a) => predict(a),
        Command::Info(a) => info(a),
        Command::Score(a) => score(a),
        Command::EvalArticles(a) => eval_articles(a),
        Command::Clusters(a) => clusters(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nabra: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The library's defaults, shown in `--help`.
const DEFAULTS: nabra::ModelValidParams = nabra::ModelValidParams::DEFAULT;

/// The library's word-cluster defaults, shown in `nabra clusters --help`.
fn cluster_defaults() -> ClusterValidParams {
    WordClusters::params().settings().clone()
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

fn spinner(msg: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(pb)
}

fn clusters(a: ClustersArgs) -> CliResult {
    let params = WordClusters::params()
        .text(a.text.options())
        .levels(a.levels)
        .dimensions(a.dimensions)
        .window(a.window)
        .min_count(a.min_count)
        .max_terms(a.max_terms)
        .seed(a.seed)
        .check()?;
    let csv = CsvOptions {
        text_col: a.text_col,
        split_col: a.split_col,
        split: a.split,
        ..CsvOptions::default()
    };
    let mut texts = Vec::new();
    for path in &a.data {
        let t = read_texts(path, &csv)?;
        eprintln!("{}: {} texts", path.display(), t.len());
        texts.extend(t.into_iter().map(|t| (t, None)));
    }
    let pb = spinner("clustering");
    let t0 = Instant::now();
    let clusters = params.fit(&linfa::DatasetBase::new(nabra::Examples::new(texts), ()))?;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    clusters.save(&a.out)?;
    eprintln!(
        "clustered {} words into {} in {:.1}s; wrote {}",
        clusters.len(),
        clusters_text(&clusters),
        t0.elapsed().as_secs_f64(),
        a.out.display()
    );
    Ok(())
}

/// "150 / 1500 clusters".
fn clusters_text(c: &WordClusters) -> String {
    let levels: Vec<String> = c.levels().iter().map(|k| k.to_string()).collect();
    format!("{} clusters", levels.join(" / "))
}

fn train(a: TrainArgs) -> CliResult {
    let classifier = match a.model {
        ModelKind::Lr => ClassifierKind::Logistic {
            alpha: a.alpha.unwrap_or(ClassifierKind::DEFAULT_LR_ALPHA),
            max_iterations: a.max_iter,
            gradient_tolerance: a.tol,
            warm_start: !a.no_warm_start,
        },
        ModelKind::Nb => ClassifierKind::NaiveBayes {
            alpha: a.alpha.unwrap_or(ClassifierKind::DEFAULT_NB_ALPHA),
        },
    };
    let text = a.text.options();
    let clusters = match &a.clusters {
        Some(path) => Some(std::sync::Arc::new(WordClusters::load(path)?)),
        None => None,
    };
    let features = FeatureOptions {
        buckets_log2: a.buckets_log2,
        word_ngrams: a.word_ngrams,
        char_ngrams: a.char_ngrams,
        signed: !a.unsigned,
        near_window: a.near_window,
        target_conjunction: !a.no_target_conjunction,
        target_conjunction_chars: a.conjoin_chars,
        ..FeatureOptions::default()
    };
    let params = Model::params()
        .text(text)
        .features(features)
        .k(a.k)
        .min_df(a.min_df)
        .classifier(classifier)
        .balance(match a.balance {
            BalanceArg::Oversample => Balance::Oversample,
            BalanceArg::None => Balance::None,
        })
        .seed(a.seed)
        .calibration_folds(a.calibration_folds)
        .clusters(clusters)
        .check()?;
    let csv = a.columns.csv(a.split.as_deref());
    let rows = read_csv(&a.data, &csv)?;
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in &rows {
        *counts.entry(r.label.as_str()).or_default() += 1;
    }
    eprintln!("{}: {} rows", a.data.display(), rows.len());
    for (l, c) in &counts {
        eprintln!("  {l:<12} {c}");
    }
    let pb = spinner("training");
    let t0 = Instant::now();
    let dev_fraction = if a.dev_split.is_some() {
        0.0
    } else {
        a.dev_fraction
    };
    let mut model = nabra::train::train_rows(&rows, &params, dev_fraction, &a.data)?;
    let fit_s = t0.elapsed().as_secs_f64();
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    eprintln!(
        "trained {} on {} rows in {fit_s:.2}s ({} features kept)",
        params.classifier.name(),
        rows.len() - model.info().dev.as_ref().map_or(0, |d| d.rows),
        model.vocabulary().len()
    );
    if let Some(c) = &model.info().calibration {
        eprintln!("{}", calibration_text(model.labels(), c));
    } else if params.calibration_folds >= 2
        && matches!(params.classifier, ClassifierKind::Logistic { .. })
    {
        eprintln!(
            "not calibrated: some class has fewer than {} training rows \
             (--calibration-folds 0 turns calibration off)",
            params.calibration_folds
        );
    }
    model
        .info_mut()
        .data
        .push(nabra::train::data_source(&a.data, &csv, rows.len())?);
    if let Some(dev_split) = &a.dev_split {
        let dev_rows = read_csv(&a.data, &a.columns.csv(Some(dev_split)))?;
        model.info_mut().dev = Some(model.evaluate(&dev_rows, &a.data)?);
    }
    if let Some(dev) = &model.info().dev {
        print_report("dev", dev, a.json);
    }
    if let Some(test_split) = &a.test_split {
        let test_rows = read_csv(&a.data, &a.columns.csv(Some(test_split)))?;
        let report = model.evaluate(&test_rows, &a.data)?;
        print_report(&format!("test ({test_split})"), &report, a.json);
        model.info_mut().test = Some(report);
    }
    model.save(&a.out)?;
    eprintln!("wrote {}", a.out.display());
    Ok(())
}

/// One line on what calibration did, for `train` and `info` alike:
/// "calibrated on 5 folds: out-of-fold f_avg 0.7408 -> 0.7604, offsets
/// Favor -0.50, None -0.10" (only nonzero offsets; "none" when all are 0).
fn calibration_text(labels: &[String], c: &nabra::model::Calibration) -> String {
    let parts: Vec<String> = labels
        .iter()
        .zip(&c.offsets)
        .filter(|(_, o)| **o != 0.0)
        .map(|(l, o)| format!("{l} {o:+.2}"))
        .collect();
    let offsets = if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(", ")
    };
    format!(
        "calibrated on {} folds: out-of-fold {} {:.4} -> {:.4}, offsets {offsets}",
        c.folds, c.metric, c.before, c.after
    )
}

fn print_report(name: &str, r: &nabra::metrics::Report, json: bool) {
    if json {
        println!("{}", report_json(r));
    } else {
        println!("== {name} ==\n{r}");
    }
}

fn report_json(r: &nabra::metrics::Report) -> serde_json::Value {
    let per_class: serde_json::Map<String, serde_json::Value> = r
        .per_class
        .iter()
        .map(|m| {
            (
                m.label.clone(),
                serde_json::json!({"precision": m.precision, "recall": m.recall, "f1": m.f1, "support": m.support}),
            )
        })
        .collect();
    let mut v = serde_json::json!({
        "rows": r.rows,
        "accuracy": r.accuracy,
        "macro_f1": r.macro_f1,
        "per_class": per_class,
        "confusion": {"labels": r.labels, "matrix": r.confusion},
    });
    if let Some(fa) = r.f_avg {
        v["f_avg"] = fa.into();
    }
    v
}

fn eval(a: EvalArgs) -> CliResult {
    let model = load_model(&a.model)?;
    let mut csv = a.columns.csv(a.split.as_deref());
    csv.group_col = a.group_col.clone();
    csv.label_map = a.map_labels.clone().map(|m| m.0).unwrap_or_default();
    let rows = read_csv(&a.data, &csv)?;
    let t0 = Instant::now();
    let (report, groups) = model.evaluate_by_group(&rows, &a.data)?;
    let secs = t0.elapsed().as_secs_f64();
    for pass in 2..=a.passes {
        if model.evaluate_by_group(&rows, &a.data)?.0 != report {
            return Err(format!(
                "{}: pass {pass} of {} gave a different report than pass 1",
                a.data.display(),
                a.passes
            )
            .into());
        }
    }
    let all_secs = t0.elapsed().as_secs_f64();
    let mb = rows.iter().map(|r| r.text.len()).sum::<usize>() as f64 / 1e6;
    eprintln!(
        "predicted {} texts ({mb:.2} MB) in {secs:.3} s on {} thread(s): {:.0} texts/s, {:.2} MB/s",
        rows.len(),
        rayon::current_num_threads(),
        rows.len() as f64 / secs,
        mb / secs
    );
    let passes = f64::from(a.passes);
    if a.passes > 1 {
        eprintln!(
            "{} passes in {all_secs:.3} s: {:.0} texts/s, {:.2} MB/s",
            a.passes,
            passes * rows.len() as f64 / all_secs,
            passes * mb / all_secs
        );
    }
    if a.json {
        let mut v = report_json(&report);
        v["predict_seconds"] = secs.into();
        v["predict_texts_per_s"] = (rows.len() as f64 / secs).into();
        v["predict_mb_per_s"] = (mb / secs).into();
        if a.passes > 1 {
            v["passes"] = a.passes.into();
            v["passes_seconds"] = all_secs.into();
            v["passes_texts_per_s"] = (passes * rows.len() as f64 / all_secs).into();
            v["passes_mb_per_s"] = (passes * mb / all_secs).into();
        }
        if !groups.is_empty() {
            let g: serde_json::Map<String, serde_json::Value> = groups
                .iter()
                .map(|(name, r)| {
                    let mut o = serde_json::json!({"rows": r.rows, "accuracy": r.accuracy, "macro_f1": r.macro_f1});
                    if let Some(fa) = r.f_avg {
                        o["f_avg"] = fa.into();
                    }
                    (name.clone(), o)
                })
                .collect();
            v["groups"] = g.into();
        }
        println!("{v}");
    } else {
        println!("{report}");
        if !groups.is_empty() {
            let w = groups
                .iter()
                .map(|(n, _)| n.chars().count())
                .max()
                .unwrap_or(5)
                .max(5);
            println!(
                "{:w$}  {:>6} {:>9} {:>9} {:>7}",
                "group", "rows", "accuracy", "macro-F1", "F_avg"
            );
            for (name, r) in &groups {
                let fa = r.f_avg.map_or("-".to_string(), |f| format!("{f:.3}"));
                println!(
                    "{name:w$}  {:>6} {:>9.3} {:>9.3} {:>7}",
                    r.rows, r.accuracy, r.macro_f1, fa
                );
            }
        }
    }
    Ok(())
}

fn predict(a: PredictArgs) -> CliResult {
    let name = a.model.as_deref().unwrap_or(if a.target.is_some() {
        "stance"
    } else {
        "sentiment"
    });
    let model = load_model(name)?;
    let target = a.target.as_deref().map(Target::text);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut emit = |text: &str| -> std::io::Result<()> {
        let p = model.predict_text(text, target.as_ref());
        if a.json {
            let probs: serde_json::Map<String, serde_json::Value> = p
                .probs
                .iter()
                .map(|(l, x)| (l.clone(), (*x).into()))
                .collect();
            let v = serde_json::json!({"text": text, "label": p.label, "confidence": p.confidence, "probs": probs});
            writeln!(out, "{v}")
        } else {
            let probs: Vec<String> = p.probs.iter().map(|(l, x)| format!("{l}={x:.3}")).collect();
            writeln!(out, "{}\t{}\t{}", p.label, probs.join(" "), text)
        }
    };
    if a.texts.is_empty() {
        for (i, line) in std::io::stdin().lock().lines().enumerate() {
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("nabra: <stdin>:{}: skipped: {e}", i + 1);
                    continue;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            emit(&line)?;
        }
    } else {
        for t in &a.texts {
            emit(t)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn info(a: InfoArgs) -> CliResult {
    let names = match &a.model {
        Some(m) => vec![m.clone()],
        None => vec!["stance".to_string(), "sentiment".to_string()],
    };
    for (i, name) in names.iter().enumerate() {
        if i > 0 && !a.json {
            println!();
        }
        print_info(name, &load_model(name)?, a.json)?;
    }
    Ok(())
}

fn print_info(name: &str, model: &Model, json: bool) -> CliResult {
    let info = model.info();
    if json {
        // the cluster map can hold tens of thousands of words: summarize it
        let clusters = model
            .hyperparams()
            .clusters
            .as_deref()
            .map(|c| serde_json::json!({ "words": c.len(), "levels": c.levels() }));
        let params = nabra::ModelValidParams {
            clusters: None,
            ..model.hyperparams().clone()
        };
        let v = serde_json::json!({
            "model": name,
            "labels": model.labels(),
            "params": params,
            "clusters": clusters,
            "features": model.vocabulary().len(),
            "training": info,
        });
        println!("{}", serde_json::to_string(&v)?);
        return Ok(());
    }
    println!("model      {name}");
    println!("classifier {}", model.hyperparams().classifier.name());
    println!("labels     {}", model.labels().join(", "));
    println!(
        "features   {} selected of {} buckets",
        model.vocabulary().len(),
        model.vocabulary().n_buckets()
    );
    if let Some(c) = model.hyperparams().clusters.as_deref() {
        println!("clusters   {} words, {}", c.len(), clusters_text(c));
    }
    println!("seed       {}", info.seed);
    for (l, c) in &info.rows_per_label {
        println!("  rows {l:<12} {c}");
    }
    for d in &info.data {
        println!(
            "data       {} (split {}, {} rows, fnv1a64 {})",
            d.path,
            d.split.as_deref().unwrap_or("all"),
            d.rows,
            d.fnv1a64
        );
    }
    if let Some(c) = &info.calibration {
        println!("{}", calibration_text(model.labels(), c));
    }
    if let Some(d) = &info.dev {
        println!(
            "dev        macro-F1 {:.4}, accuracy {:.4}{}",
            d.macro_f1,
            d.accuracy,
            fa(d)
        );
    }
    if let Some(t) = &info.test {
        println!(
            "test       macro-F1 {:.4}, accuracy {:.4}{}",
            t.macro_f1,
            t.accuracy,
            fa(t)
        );
    }
    Ok(())
}

fn fa(r: &nabra::metrics::Report) -> String {
    r.f_avg
        .map(|f| format!(", F_avg {f:.4}"))
        .unwrap_or_default()
}

fn analyzer(model: &str, actors: Option<&PathBuf>, extend: bool) -> Result<Analyzer, nabra::Error> {
    let gazetteer = match actors {
        None => Gazetteer::builtin(),
        Some(p) if extend => Gazetteer::builtin().extend(Gazetteer::load(p)?)?,
        Some(p) => Gazetteer::load(p)?,
    };
    Analyzer::new(load_model(model)?, gazetteer)
}

fn score(a: ScoreArgs) -> CliResult {
    let scorer = Scorer::new(
        analyzer(&a.model, a.actors.as_ref(), a.extend_actors)?,
        ScoreOptions {
            format: match a.format {
                FormatArg::Jsonl => OutputFormat::Jsonl,
                FormatArg::Csv => OutputFormat::Csv,
            },
            jobs: a.jobs,
            ..ScoreOptions::default()
        },
    )?;
    // Ctrl-C / SIGTERM: stop after the current chunk; the temporary output
    // file is removed, so no partial output is left behind.
    let cancel = scorer.cancel_flag();
    let _ = ctrlc::set_handler(move || cancel.store(true, std::sync::atomic::Ordering::Relaxed));
    let records = Records::new(
        a.inputs.clone(),
        SourceOptions {
            id_col: a.id_col.clone(),
            text_col: a.text_col.clone(),
            max_record_bytes: a.max_record_bytes,
        },
    );
    let bar = spinner("scoring");
    let on_bad = |e: &nabra::Error| match &bar {
        Some(b) => b.println(format!("nabra: bad record: {e}")),
        None => eprintln!("nabra: bad record: {e}"),
    };
    let on_progress = |s: &nabra::score::ScoreStats| {
        if let Some(b) = &bar {
            b.set_message(format!(
                "{} articles, {:.0} articles/s, {:.2} MB/s",
                s.articles,
                s.articles_per_second(),
                s.mb_per_second()
            ));
        }
    };
    let stats = match &a.out {
        Some(path) => {
            let mut stats = None;
            nabra::io::write_atomic(path, |w| {
                let s = scorer
                    .run(records, w, on_bad, on_progress)
                    .map_err(std::io::Error::other)?;
                stats = Some(s);
                Ok(())
            })?;
            stats.unwrap_or_default()
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            scorer.run(records, &mut w, on_bad, on_progress)?
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some(path) = &a.summary {
        let summary = scorer.summary();
        nabra::io::write_atomic(path, |w| summary.write_csv(w))?;
    }
    eprintln!(
        "scored {} articles ({:.2} MB) in {:.2} s on {} thread(s): {:.0} articles/s, {:.2} MB/s; \
         {} quotes, {} (quote, actor) pairs; {} bad record(s)",
        stats.articles,
        stats.bytes as f64 / 1e6,
        stats.seconds,
        if a.jobs == 0 {
            rayon::current_num_threads()
        } else {
            a.jobs
        },
        stats.articles_per_second(),
        stats.mb_per_second(),
        stats.quotes,
        stats.pairs,
        stats.bad_records
    );
    if a.strict && stats.bad_records > 0 {
        return Err(format!("{} bad record(s) (--strict)", stats.bad_records).into());
    }
    Ok(())
}

fn eval_articles(a: EvalArticlesArgs) -> CliResult {
    let analyzer = analyzer(&a.model, a.actors.as_ref(), false)?;
    let gold = load_gold(&a.gold)?;
    let report = evaluate_articles(&analyzer, &gold);
    if a.json {
        let mut v = serde_json::to_value(&report)?;
        v["stance"] = report_json(&report.stance);
        if !a.errors {
            v.as_object_mut().map(|o| o.remove("errors"));
        }
        println!("{v}");
    } else {
        print!("{report}");
        if a.errors {
            for e in &report.errors {
                println!("{e}");
            }
        }
    }
    Ok(())
}
