//! Training from labeled rows or a CSV file, with an optional held-out dev
//! part whose metrics are stored in the model.

use crate::data::{CsvOptions, LabeledText, read_csv};
use crate::features::fnv1a64;
use crate::model::{DataSource, Examples, Model, ModelValidParams};
use crate::{Error, Result};
use linfa::prelude::*;
use std::path::Path;

/// Trains on `rows`, holding out `dev_fraction` of every class (drawn with
/// the params' seed) for dev metrics when it is > 0. `source` names the data
/// in error messages.
///
/// ```
/// use linfa::ParamGuard;
/// use nabra::data::LabeledText;
/// let rows: Vec<LabeledText> = (0..40).map(|i| LabeledText {
///     text: if i % 2 == 0 { format!("خبر سار ونجاح {i}") } else { format!("كارثة وخسائر {i}") },
///     label: if i % 2 == 0 { "pos" } else { "neg" }.to_string(),
///     target: None,
///     line: 0,
///     group: None,
/// }).collect();
/// let params = nabra::Model::params().check()?;
/// let model = nabra::train::train_rows(&rows, &params, 0.25, "<memory>")?;
/// let dev = model.info().dev.as_ref().unwrap();
/// assert_eq!(dev.rows, 10);
/// assert!(dev.accuracy > 0.9);
/// # Ok::<(), nabra::Error>(())
/// ```
pub fn train_rows(
    rows: &[LabeledText],
    params: &ModelValidParams,
    dev_fraction: f64,
    source: impl AsRef<Path>,
) -> Result<Model> {
    let source = source.as_ref();
    if !(0.0..0.9).contains(&dev_fraction) {
        return Err(Error::InvalidParams(format!(
            "dev fraction must be in [0, 0.9), got {dev_fraction}"
        )));
    }
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    let mut distinct = labels.clone();
    distinct.sort();
    distinct.dedup();
    if distinct.len() < 2 {
        return Err(Error::TooFewClasses {
            path: source.to_path_buf(),
            found: distinct,
        });
    }
    let (fit_idx, dev_idx) = if dev_fraction > 0.0 {
        crate::model::params_split(&labels, dev_fraction, params.seed)
    } else {
        ((0..rows.len()).collect(), Vec::new())
    };
    let fit_rows: Vec<LabeledText> = fit_idx.iter().map(|&i| rows[i].clone()).collect();
    let x = Examples::from_labeled(&fit_rows);
    let y: Vec<String> = fit_rows.iter().map(|r| r.label.clone()).collect();
    let mut model = params.fit(&DatasetBase::new(x, y)).map_err(|e| match e {
        Error::TooFewClasses { found, .. } => Error::TooFewClasses {
            path: source.to_path_buf(),
            found,
        },
        other => other,
    })?;
    if !dev_idx.is_empty() {
        let dev_rows: Vec<LabeledText> = dev_idx.iter().map(|&i| rows[i].clone()).collect();
        model.info_mut().dev = Some(model.evaluate(&dev_rows, source)?);
    }
    Ok(model)
}

/// Reads `path` with `csv` options and trains; the data file's hash and row
/// count are recorded in the model.
///
/// ```
/// use linfa::ParamGuard;
/// use nabra::data::CsvOptions;
/// let params = nabra::Model::params().k(2000).check()?;
/// let csv = CsvOptions::default().split("train");
/// let model = nabra::train::train_csv("datasets/news_sentiment.csv", &csv, &params, 0.1)?;
/// assert_eq!(model.labels(), ["negative", "neutral", "positive"]);
/// assert_eq!(model.info().data[0].split.as_deref(), Some("train"));
/// assert!(model.info().dev.as_ref().unwrap().macro_f1 > 0.5);
/// # Ok::<(), nabra::Error>(())
/// ```
pub fn train_csv(
    path: impl AsRef<Path>,
    csv: &CsvOptions,
    params: &ModelValidParams,
    dev_fraction: f64,
) -> Result<Model> {
    let path = path.as_ref();
    let rows = read_csv(path, csv)?;
    let mut model = train_rows(&rows, params, dev_fraction, path)?;
    model
        .info_mut()
        .data
        .push(data_source(path, csv, rows.len())?);
    Ok(model)
}

/// Describes a data file for [`crate::model::TrainingInfo`].
pub fn data_source(path: &Path, csv: &CsvOptions, rows: usize) -> Result<DataSource> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(DataSource {
        path: path.display().to_string(),
        fnv1a64: format!("{:016x}", fnv1a64(&bytes)),
        split: csv.split.clone(),
        rows,
    })
}
