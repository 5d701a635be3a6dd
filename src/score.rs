//! Batch scoring: a stream of [`Record`]s in, one JSONL object or CSV rows
//! per article out, in input order, with a corpus-level [`Summary`].
//!
//! Records are taken in bounded chunks, analyzed in parallel on a rayon pool
//! of `jobs` threads (each worker also serializes its article), and written
//! in order, so memory stays bounded whatever the input size. Bad records
//! are passed to a callback and counted; the batch goes on.
//!
//! ```
//! use nabra::{analyzer::Analyzer, score::{Scorer, ScoreOptions}, sources::Record, Location};
//! let scorer = Scorer::new(Analyzer::builtin()?, ScoreOptions::default())?;
//! let records = vec![
//!     Ok(Record { id: "a".into(), text: "قال الوزير إن طهران شريك موثوق.".into(),
//!                 at: Location::new("<memory>", Some(1)) }),
//!     Err(nabra::Error::BadRecord { at: Location::new("<memory>", Some(2)), message: "empty text".into() }),
//! ];
//! let mut out = Vec::new();
//! let stats = scorer.run(records, &mut out, |_bad| {}, |_progress| {})?;
//! assert_eq!((stats.articles, stats.bad_records), (1, 1));
//! let line: serde_json::Value = serde_json::from_slice(&out).unwrap();
//! assert_eq!(line["id"], "a");
//! assert_eq!(line["quotes"][0]["actors"][0]["actor"], "IRN");
//! # Ok::<(), nabra::Error>(())
//! ```

use crate::analyzer::{Analyzer, ArticleAnalysis, QuoteAnalysis, Stance};
use crate::sources::Record;
use crate::{Error, Result};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Output format of `score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// One JSON object per article: `{"id", "quotes": [...]}`.
    #[default]
    Jsonl,
    /// One row per (quote, actor); quotes naming no actor get one row with
    /// empty actor fields.
    Csv,
}

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 13] = [
    "id",
    "quote_start",
    "quote_end",
    "kind",
    "speaker",
    "quote",
    "actor",
    "surface",
    "stance",
    "confidence",
    "p_favor",
    "p_against",
    "p_neutral",
];

/// Settings of a [`Scorer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreOptions {
    /// Output format.
    pub format: OutputFormat,
    /// Worker threads (0: one per core).
    pub jobs: usize,
    /// Largest number of articles held in memory at once.
    pub chunk_articles: usize,
    /// Largest number of text bytes held in memory at once (a chunk closes
    /// when it reaches this size).
    pub chunk_bytes: usize,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions {
            format: OutputFormat::Jsonl,
            jobs: 0,
            chunk_articles: 512,
            chunk_bytes: 16 << 20,
        }
    }
}

/// Counts of a scoring run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScoreStats {
    /// Articles scored.
    pub articles: u64,
    /// Bad records reported and skipped.
    pub bad_records: u64,
    /// Quotes found.
    pub quotes: u64,
    /// (quote, actor) pairs scored.
    pub pairs: u64,
    /// Bytes of article text scored.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl ScoreStats {
    /// Articles per second.
    pub fn articles_per_second(&self) -> f64 {
        self.articles as f64 / self.seconds.max(1e-9)
    }

    /// Megabytes (10⁶ bytes) of text per second.
    pub fn mb_per_second(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.seconds.max(1e-9)
    }
}

/// Corpus-level speaker × actor stance table.
///
/// ```
/// use nabra::score::Summary;
/// let s = Summary::default();
/// let mut out = Vec::new();
/// s.write_csv(&mut out).unwrap();
/// assert!(String::from_utf8(out).unwrap().starts_with("speaker,actor,quotes"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    cells: BTreeMap<(String, String), Cell>,
}

/// One cell of the [`Summary`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Cell {
    /// Quotes by this speaker about this actor.
    pub quotes: u64,
    /// Of those, how many were labeled favor, against, neutral.
    pub counts: [u64; 3],
    /// Sums of P(favor), P(against), P(neutral).
    pub prob_sums: [f64; 3],
}

impl Summary {
    /// Adds an article's quotes (quotes without a speaker count under "").
    pub fn add(&mut self, analysis: &ArticleAnalysis) {
        for q in &analysis.quotes {
            for a in &q.actors {
                let key = (q.speaker.clone().unwrap_or_default(), a.actor.clone());
                let c = self.cells.entry(key).or_default();
                c.quotes += 1;
                c.counts[a.stance as usize] += 1;
                for (i, s) in Stance::ALL.iter().enumerate() {
                    c.prob_sums[i] += a.probs.get(*s);
                }
            }
        }
    }

    /// The cells, ordered by speaker then actor.
    pub fn cells(&self) -> impl Iterator<Item = (&str, &str, &Cell)> {
        self.cells
            .iter()
            .map(|((s, a), c)| (s.as_str(), a.as_str(), c))
    }

    /// Writes the table as CSV: speaker, actor, quotes, favor, against,
    /// neutral (counts), mean_favor, mean_against, mean_neutral.
    pub fn write_csv(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let mut c = csv::Writer::from_writer(w);
        c.write_record([
            "speaker",
            "actor",
            "quotes",
            "favor",
            "against",
            "neutral",
            "mean_favor",
            "mean_against",
            "mean_neutral",
        ])?;
        for (speaker, actor, cell) in self.cells() {
            let n = cell.quotes.max(1) as f64;
            let mut row = vec![
                speaker.to_string(),
                actor.to_string(),
                cell.quotes.to_string(),
            ];
            row.extend(cell.counts.iter().map(u64::to_string));
            row.extend(cell.prob_sums.iter().map(|s| format!("{:.4}", s / n)));
            c.write_record(&row)?;
        }
        c.flush()
    }
}

/// Scores record streams with an [`Analyzer`] (see the module docs).
pub struct Scorer {
    analyzer: Analyzer,
    opts: ScoreOptions,
    pool: rayon::ThreadPool,
    summary: std::sync::Mutex<Summary>,
    cancel: Arc<AtomicBool>,
}

impl Scorer {
    /// A scorer with its own pool of `opts.jobs` threads.
    pub fn new(analyzer: Analyzer, opts: ScoreOptions) -> Result<Scorer> {
        if opts.chunk_articles == 0 {
            return Err(Error::InvalidParams(
                "chunk_articles must be at least 1".into(),
            ));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.jobs)
            .build()
            .map_err(|e| {
                Error::InvalidParams(format!("cannot start {} threads: {e}", opts.jobs))
            })?;
        Ok(Scorer {
            analyzer,
            opts,
            pool,
            summary: Default::default(),
            cancel: Arc::new(AtomicBool::new(false)),
        })
    }

    /// A flag that, once set (e.g. from a Ctrl-C handler), makes [`Scorer::run`]
    /// stop before its next chunk with [`Error::Interrupted`].
    ///
    /// ```
    /// use nabra::{analyzer::Analyzer, score::{Scorer, ScoreOptions}};
    /// let scorer = Scorer::new(Analyzer::builtin()?, ScoreOptions::default())?;
    /// scorer.cancel_flag().store(true, std::sync::atomic::Ordering::Relaxed);
    /// let err = scorer.run(Vec::new(), &mut Vec::new(), |_| {}, |_| {}).unwrap_err();
    /// assert!(matches!(err, nabra::Error::Interrupted));
    /// # Ok::<(), nabra::Error>(())
    /// ```
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// The speaker × actor table of everything scored so far.
    pub fn summary(&self) -> Summary {
        self.summary.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Scores `records` into `out`. `on_bad` gets each bad record's error;
    /// `on_progress` gets the running counts after each chunk. Only a write
    /// error stops the run.
    pub fn run<I, B, P>(
        &self,
        records: I,
        out: &mut dyn Write,
        mut on_bad: B,
        mut on_progress: P,
    ) -> Result<ScoreStats>
    where
        I: IntoIterator<Item = Result<Record>>,
        B: FnMut(&Error),
        P: FnMut(&ScoreStats),
    {
        let t0 = Instant::now();
        let mut stats = ScoreStats::default();
        let io = |e| Error::io("<output>", e);
        if self.opts.format == OutputFormat::Csv {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(CSV_HEADER).map_err(|e| io(e.into()))?;
            out.write_all(&w.into_inner().unwrap_or_default())
                .map_err(io)?;
        }
        let cancelled = || self.cancel.load(Ordering::Relaxed);
        if cancelled() {
            return Err(Error::Interrupted);
        }
        let mut records = records.into_iter().peekable();
        let mut chunk: Vec<Record> = Vec::with_capacity(self.opts.chunk_articles);
        while records.peek().is_some() {
            if cancelled() {
                return Err(Error::Interrupted);
            }
            chunk.clear();
            let mut bytes = 0;
            while chunk.len() < self.opts.chunk_articles && bytes < self.opts.chunk_bytes {
                match records.next() {
                    None => break,
                    Some(Ok(r)) => {
                        bytes += r.text.len();
                        chunk.push(r);
                    }
                    Some(Err(e)) => {
                        stats.bad_records += 1;
                        on_bad(&e);
                    }
                }
            }
            let format = self.opts.format;
            // A panic in analysis is a bug, but it must not end the batch:
            // it is reported as a bad record like any other.
            let done: Vec<Option<(ArticleAnalysis, Vec<u8>)>> = self.pool.install(|| {
                chunk
                    .par_iter()
                    .map(|r| {
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            let a = self.analyzer.analyze(&r.text);
                            let bytes = render(&r.id, &a, format);
                            (a, bytes)
                        }))
                        .ok()
                    })
                    .collect()
            });
            let mut summary = self.summary.lock().unwrap_or_else(|p| p.into_inner());
            for (r, done) in chunk.iter().zip(&done) {
                let Some((a, bytes)) = done else {
                    stats.bad_records += 1;
                    on_bad(&Error::BadRecord {
                        at: r.at.clone(),
                        message: "internal error: the analysis panicked (a bug; please report it \
                                  with this record)"
                            .into(),
                    });
                    continue;
                };
                out.write_all(bytes).map_err(io)?;
                stats.articles += 1;
                stats.bytes += r.text.len() as u64;
                stats.quotes += a.quotes.len() as u64;
                stats.pairs += a.quotes.iter().map(|q| q.actors.len() as u64).sum::<u64>();
                summary.add(a);
            }
            drop(summary);
            stats.seconds = t0.elapsed().as_secs_f64();
            on_progress(&stats);
        }
        out.flush().map_err(io)?;
        stats.seconds = t0.elapsed().as_secs_f64();
        Ok(stats)
    }
}

#[derive(Serialize)]
struct JsonArticle<'a> {
    id: &'a str,
    quotes: &'a [QuoteAnalysis],
}

/// One article's output bytes.
fn render(id: &str, a: &ArticleAnalysis, format: OutputFormat) -> Vec<u8> {
    match format {
        OutputFormat::Jsonl => {
            let mut v = serde_json::to_vec(&JsonArticle {
                id,
                quotes: &a.quotes,
            })
            .unwrap_or_default();
            v.push(b'\n');
            v
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            for q in &a.quotes {
                let kind = q.kind.as_str();
                let head = [
                    id.to_string(),
                    q.start.to_string(),
                    q.end.to_string(),
                    kind.to_string(),
                    q.speaker.clone().unwrap_or_default(),
                    q.text.clone(),
                ];
                if q.actors.is_empty() {
                    let mut row = head.to_vec();
                    row.extend(std::iter::repeat_n(String::new(), 7));
                    let _ = w.write_record(&row);
                }
                for act in &q.actors {
                    let mut row = head.to_vec();
                    row.extend([
                        act.actor.clone(),
                        act.surface.clone(),
                        act.stance.to_string(),
                        format!("{:.4}", act.confidence),
                        format!("{:.4}", act.probs.favor),
                        format!("{:.4}", act.probs.against),
                        format!("{:.4}", act.probs.neutral),
                    ]);
                    let _ = w.write_record(&row);
                }
            }
            w.into_inner().unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Location;

    fn rec(i: usize, text: &str) -> Result<Record> {
        Ok(Record {
            id: format!("r{i}"),
            text: text.to_string(),
            at: Location::new("<t>", Some(i as u64)),
        })
    }

    #[test]
    fn order_is_kept_across_chunks_and_jobs() {
        let texts: Vec<String> = (0..40)
            .map(|i| format!("وقال المتحدث إن روسيا شريك رقم {i}. وأضاف أن واشنطن تعرقل الحل."))
            .collect();
        let run = |jobs, chunk| {
            let s = Scorer::new(
                Analyzer::builtin().unwrap(),
                ScoreOptions {
                    jobs,
                    chunk_articles: chunk,
                    ..ScoreOptions::default()
                },
            )
            .unwrap();
            let mut out = Vec::new();
            let st = s
                .run(
                    texts.iter().enumerate().map(|(i, t)| rec(i, t)),
                    &mut out,
                    |_| {},
                    |_| {},
                )
                .unwrap();
            assert_eq!(st.articles, 40);
            (out, s.summary())
        };
        let (a, sa) = run(1, 7);
        let (b, sb) = run(2, 3);
        assert_eq!(a, b);
        assert_eq!(sa, sb);
        let ids: Vec<String> = String::from_utf8(a)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(ids, (0..40).map(|i| format!("r{i}")).collect::<Vec<_>>());
        let cells: Vec<_> = sa
            .cells()
            .map(|(s, a, c)| (s.to_string(), a.to_string(), c.quotes))
            .collect();
        assert!(
            cells.contains(&("المتحدث".to_string(), "RUS".to_string(), 40)),
            "{cells:?}"
        );
    }

    #[test]
    fn csv_has_a_row_per_pair_and_per_actorless_quote() {
        let s = Scorer::new(
            Analyzer::builtin().unwrap(),
            ScoreOptions {
                format: OutputFormat::Csv,
                ..ScoreOptions::default()
            },
        )
        .unwrap();
        let mut out = Vec::new();
        s.run(
            [rec(
                0,
                "قال الوزير إن إيران وتركيا شريكان. وأضاف أن الطقس جميل، جداً.",
            )],
            &mut out,
            |_| {},
            |_| {},
        )
        .unwrap();
        let mut r = csv::Reader::from_reader(out.as_slice());
        assert_eq!(r.headers().unwrap().len(), CSV_HEADER.len());
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(&rows[0][6], "IRN");
        assert_eq!(&rows[1][6], "TUR");
        assert_eq!(&rows[2][6], "");
    }
}
