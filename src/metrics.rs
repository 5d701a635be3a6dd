//! Classification metrics: per-class precision/recall/F1, macro-F1, F_avg,
//! accuracy and the confusion matrix.
//!
//! Macro-F1 is the mean of per-class F1 (scikit-learn's `average="macro"`);
//! linfa's multiclass `f1_score` is not, so it is computed here. F_avg is the
//! mean F1 of the favor and against labels (SemEval-2016 / StanceEval), found
//! case-insensitively.

use serde::{Deserialize, Serialize};

/// Metrics of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// The label as written in the data.
    pub label: String,
    /// Precision (0 when nothing was predicted as this class).
    pub precision: f64,
    /// Recall (0 when the class has no gold rows).
    pub recall: f64,
    /// F1 (0 when precision + recall is 0).
    pub f1: f64,
    /// Number of gold rows of this class.
    pub support: usize,
}

/// An evaluation report.
///
/// ```
/// use nabra::metrics::Report;
/// let labels = vec!["against".to_string(), "favor".to_string(), "none".to_string()];
/// let gold = [0, 0, 1, 1, 2];
/// let pred = [0, 1, 1, 1, 2];
/// let r = Report::new(&labels, &gold, &pred);
/// assert_eq!(r.rows, 5);
/// assert!((r.accuracy - 0.8).abs() < 1e-12);
/// assert_eq!(r.confusion[0], vec![1, 1, 0]); // gold "against": 1 right, 1 as favor
/// assert!(r.f_avg.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Number of evaluated rows.
    pub rows: usize,
    /// Fraction of rows predicted correctly.
    pub accuracy: f64,
    /// Mean of per-class F1.
    pub macro_f1: f64,
    /// Mean F1 of favor and against, when both labels exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub f_avg: Option<f64>,
    /// Per-class metrics, in label order.
    pub per_class: Vec<ClassMetrics>,
    /// The labels, in the order of `per_class` and of the confusion matrix.
    pub labels: Vec<String>,
    /// `confusion[gold][predicted]` counts.
    pub confusion: Vec<Vec<usize>>,
}

/// Stance label families recognised case-insensitively for F_avg.
pub(crate) fn label_family(label: &str) -> Option<&'static str> {
    match label.trim().to_lowercase().as_str() {
        "favor" | "favour" | "pro" | "support" | "for" => Some("favor"),
        "against" | "con" | "oppose" => Some("against"),
        "none" | "neutral" | "neither" => Some("none"),
        _ => None,
    }
}

impl Report {
    /// Computes the report from class indices into `labels`. Indices out of
    /// range are ignored.
    pub fn new(labels: &[String], gold: &[usize], pred: &[usize]) -> Report {
        let c = labels.len();
        let mut confusion = vec![vec![0usize; c]; c];
        let mut rows = 0;
        for (&g, &p) in gold.iter().zip(pred) {
            if g < c && p < c {
                confusion[g][p] += 1;
                rows += 1;
            }
        }
        let correct: usize = (0..c).map(|i| confusion[i][i]).sum();
        let per_class: Vec<ClassMetrics> = (0..c)
            .map(|i| {
                let tp = confusion[i][i] as f64;
                let support: usize = confusion[i].iter().sum();
                let predicted: usize = (0..c).map(|g| confusion[g][i]).sum();
                let precision = if predicted > 0 {
                    tp / predicted as f64
                } else {
                    0.0
                };
                let recall = if support > 0 {
                    tp / support as f64
                } else {
                    0.0
                };
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                ClassMetrics {
                    label: labels[i].clone(),
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect();
        let macro_f1 = if c > 0 {
            per_class.iter().map(|m| m.f1).sum::<f64>() / c as f64
        } else {
            0.0
        };
        let find = |fam: &str| {
            per_class
                .iter()
                .find(|m| label_family(&m.label) == Some(fam))
        };
        let f_avg = match (find("favor"), find("against")) {
            (Some(f), Some(a)) => Some((f.f1 + a.f1) / 2.0),
            _ => None,
        };
        Report {
            rows,
            accuracy: if rows > 0 {
                correct as f64 / rows as f64
            } else {
                0.0
            },
            macro_f1,
            f_avg,
            per_class,
            labels: labels.to_vec(),
            confusion,
        }
    }
}

impl std::fmt::Display for Report {
    /// A human-readable table.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let w = self
            .labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(5)
            .max(9);
        writeln!(
            f,
            "{:w$}  {:>9} {:>9} {:>9} {:>8}",
            "label", "precision", "recall", "f1", "support"
        )?;
        for m in &self.per_class {
            writeln!(
                f,
                "{:w$}  {:>9.3} {:>9.3} {:>9.3} {:>8}",
                m.label, m.precision, m.recall, m.f1, m.support
            )?;
        }
        writeln!(f)?;
        writeln!(f, "rows      {}", self.rows)?;
        writeln!(f, "accuracy  {:.4}", self.accuracy)?;
        writeln!(f, "macro-F1  {:.4}", self.macro_f1)?;
        if let Some(fa) = self.f_avg {
            writeln!(f, "F_avg     {fa:.4}")?;
        }
        writeln!(f)?;
        writeln!(f, "confusion (rows: gold, columns: predicted)")?;
        write!(f, "{:w$}", "")?;
        for l in &self.labels {
            write!(f, " {:>9}", l)?;
        }
        writeln!(f)?;
        for (l, row) in self.labels.iter().zip(&self.confusion) {
            write!(f, "{:w$}", l)?;
            for v in row {
                write!(f, " {:>9}", v)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn macro_f1_matches_sklearn_convention() {
        // sklearn: f1_score([0,0,1,1,2,2],[0,1,1,1,2,0],average='macro') = 0.6555...
        let r = Report::new(
            &labels(&["a", "b", "c"]),
            &[0, 0, 1, 1, 2, 2],
            &[0, 1, 1, 1, 2, 0],
        );
        assert!(
            (r.macro_f1 - 0.655_555_555_6).abs() < 1e-9,
            "{}",
            r.macro_f1
        );
        assert!(r.f_avg.is_none());
    }

    #[test]
    fn f_avg_is_case_insensitive() {
        let r = Report::new(
            &labels(&["Against", "Favor", "None"]),
            &[0, 1, 2],
            &[0, 1, 1],
        );
        // against F1 = 1, favor F1 = 2/3 (one "None" row predicted as favor)
        assert!((r.f_avg.unwrap() - 5.0 / 6.0).abs() < 1e-12);
        assert!(r.macro_f1 < r.f_avg.unwrap());
    }

    #[test]
    fn empty_is_zero_not_nan() {
        let r = Report::new(&labels(&["x", "y"]), &[], &[]);
        assert_eq!(r.accuracy, 0.0);
        assert_eq!(r.macro_f1, 0.0);
    }
}
