//! Labeled CSV input: `text`, `label` and optional `target` / `split` columns.
//!
//! Every problem is reported with the file and the line it is on. Quoted
//! multi-line fields, a UTF-8 BOM, CRLF line ends and very long rows are
//! handled by the `csv` crate; we add column lookup, UTF-8 checks and
//! emptiness checks.

use crate::{Error, Location, Result, Target};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One labeled example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledText {
    /// The text.
    pub text: String,
    /// The label, as written.
    pub label: String,
    /// The stance target, when the data has one.
    pub target: Option<Target>,
    /// 1-based line where the record starts (0 for in-memory rows).
    pub line: u64,
    /// The value of the group column, when one was asked for (to report
    /// metrics per group, e.g. per actor).
    pub group: Option<String>,
}

/// Which columns to read and which split to keep.
///
/// ```
/// let opts = nabra::data::CsvOptions::default().split("train");
/// assert_eq!(opts.text_col, "text");
/// assert_eq!(opts.split.as_deref(), Some("train"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// Text column (default `text`).
    pub text_col: String,
    /// Label column (default `label`).
    pub label_col: String,
    /// Target column (default `target`); used when present, required only
    /// when set explicitly with [`CsvOptions::require_target`].
    pub target_col: String,
    /// Whether a missing target column is an error.
    pub target_required: bool,
    /// Split column (default `split`), used when `split` is set.
    pub split_col: String,
    /// Keep only rows whose split column equals this.
    pub split: Option<String>,
    /// Largest record accepted, in bytes (default 16 MiB).
    pub max_record_bytes: usize,
    /// Optional column whose value is kept in [`LabeledText::group`].
    pub group_col: Option<String>,
    /// Label renames applied while reading (e.g. `Positive` → `positive`);
    /// a label renamed to the empty string drops its rows.
    pub label_map: Vec<(String, String)>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            text_col: "text".into(),
            label_col: "label".into(),
            target_col: "target".into(),
            target_required: false,
            split_col: "split".into(),
            split: None,
            max_record_bytes: 16 << 20,
            group_col: None,
            label_map: Vec::new(),
        }
    }
}

impl CsvOptions {
    /// Keep only rows of this split.
    pub fn split(mut self, split: impl Into<String>) -> Self {
        self.split = Some(split.into());
        self
    }

    /// Use `col` as the target column and fail if it is missing.
    pub fn require_target(mut self, col: impl Into<String>) -> Self {
        self.target_col = col.into();
        self.target_required = true;
        self
    }
}

/// Reads labeled rows from a CSV file.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("d.csv");
/// std::fs::write(&path, "text,label,split\n\"نص، أول\",favor,train\nنص ثان,against,test\n").unwrap();
/// let rows = nabra::data::read_csv(&path, &nabra::data::CsvOptions::default().split("train")).unwrap();
/// assert_eq!(rows.len(), 1);
/// assert_eq!(rows[0].text, "نص، أول");
/// assert_eq!(rows[0].line, 2);
/// ```
pub fn read_csv(path: impl AsRef<Path>, opts: &CsvOptions) -> Result<Vec<LabeledText>> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_csv_from(file, path, opts)
}

/// Reads labeled rows from any reader; `name` is used in error messages.
pub fn read_csv_from<R: Read>(
    reader: R,
    name: &Path,
    opts: &CsvOptions,
) -> Result<Vec<LabeledText>> {
    read_rows(reader, name, opts, true)
}

/// Reads the texts of a CSV file, for learning from unlabeled text (e.g.
/// [`crate::features::WordClusters`]): only the text column (and the split
/// column, with [`CsvOptions::split`]) must exist; rows with an empty text
/// are skipped. Errors name the file and line as [`read_csv`]'s do.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("u.csv");
/// std::fs::write(&path, "id,text\n1,نص أول\n2,\n3,نص ثالث\n").unwrap();
/// let texts = nabra::data::read_texts(&path, &nabra::data::CsvOptions::default()).unwrap();
/// assert_eq!(texts, ["نص أول", "نص ثالث"]);
/// ```
pub fn read_texts(path: impl AsRef<Path>, opts: &CsvOptions) -> Result<Vec<String>> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let rows = read_rows(file, path, opts, false)?;
    Ok(rows.into_iter().map(|r| r.text).collect())
}

fn read_rows<R: Read>(
    reader: R,
    name: &Path,
    opts: &CsvOptions,
    labeled: bool,
) -> Result<Vec<LabeledText>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .has_headers(true)
        .from_reader(LineTracker::new(reader));
    let at = |line: Option<u64>| Location::new(name.to_path_buf(), line);
    let headers = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(csv_error(name, e, rdr.get_mut())),
    };
    let found: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let col = |name: &str| found.iter().position(|h| h == name);
    let mut missing = Vec::new();
    let text_i = col(&opts.text_col);
    let label_i = col(&opts.label_col);
    let target_i = col(&opts.target_col);
    let split_i = col(&opts.split_col);
    if text_i.is_none() {
        missing.push(opts.text_col.clone());
    }
    if labeled && label_i.is_none() {
        missing.push(opts.label_col.clone());
    }
    if opts.target_required && target_i.is_none() {
        missing.push(opts.target_col.clone());
    }
    if opts.split.is_some() && split_i.is_none() {
        missing.push(opts.split_col.clone());
    }
    let group_i = opts.group_col.as_deref().map(col);
    if let (Some(name), Some(None)) = (&opts.group_col, group_i) {
        missing.push(name.clone());
    }
    if !missing.is_empty() {
        return Err(Error::MissingColumns {
            path: name.to_path_buf(),
            missing,
            found,
        });
    }
    let (text_i, label_i) = (text_i.unwrap_or(0), label_i.unwrap_or(0));
    let mut rows = Vec::new();
    let mut rec = csv::ByteRecord::new();
    let mut total = 0usize;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(name, e, rdr.get_mut())),
        }
        total += 1;
        let line = rec.position().map(|p| rdr.get_mut().line_at(p.byte()));
        if rec.as_slice().len() > opts.max_record_bytes {
            return Err(Error::RecordTooLarge {
                at: at(line),
                limit: opts.max_record_bytes,
            });
        }
        let field = |i: usize, column: &str| -> Result<&str> {
            let raw = rec.get(i).unwrap_or(b"");
            std::str::from_utf8(raw).map_err(|_| Error::BadRecord {
                at: at(line),
                message: format!("invalid UTF-8 in column {column:?}"),
            })
        };
        if let (Some(si), Some(want)) = (split_i, &opts.split) {
            if field(si, &opts.split_col)?.trim() != want {
                continue;
            }
        }
        let text = field(text_i, &opts.text_col)?;
        if !labeled {
            if !text.trim().is_empty() {
                rows.push(LabeledText {
                    text: text.to_string(),
                    label: String::new(),
                    target: None,
                    line: line.unwrap_or(0),
                    group: None,
                });
            }
            continue;
        }
        let label = field(label_i, &opts.label_col)?.trim();
        if text.trim().is_empty() {
            return Err(Error::EmptyField {
                at: at(line),
                column: opts.text_col.clone(),
            });
        }
        if label.is_empty() {
            return Err(Error::EmptyField {
                at: at(line),
                column: opts.label_col.clone(),
            });
        }
        let label = match opts.label_map.iter().find(|(from, _)| from == label) {
            Some((_, to)) if to.is_empty() => continue,
            Some((_, to)) => to.as_str(),
            None => label,
        };
        let group = match group_i.flatten() {
            Some(gi) => Some(
                field(gi, opts.group_col.as_deref().unwrap_or(""))?
                    .trim()
                    .to_string(),
            ),
            None => None,
        };
        let target = match target_i {
            Some(ti) => {
                let t = field(ti, &opts.target_col)?.trim();
                (!t.is_empty()).then(|| Target::text(t))
            }
            None => None,
        };
        rows.push(LabeledText {
            text: text.to_string(),
            label: label.to_string(),
            target,
            line: line.unwrap_or(0),
            group,
        });
    }
    if rows.is_empty() {
        let reason = match &opts.split {
            Some(s) if total > 0 => format!("none of the {total} rows has split {s:?}"),
            _ if labeled => "the file has a header but no rows".to_string(),
            _ => "no row has a non-empty text".to_string(),
        };
        return Err(Error::NoRows {
            path: name.to_path_buf(),
            reason,
        });
    }
    Ok(rows)
}

fn csv_error<R>(name: &Path, e: csv::Error, lines: &mut LineTracker<R>) -> Error {
    let line = e.position().map(|p| lines.line_at(p.byte()));
    let at = Location::new(PathBuf::from(name), line);
    match e.kind() {
        csv::ErrorKind::Io(_) => Error::Csv {
            at,
            message: e.to_string(),
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::Csv {
            at,
            message: format!("expected {expected_len} fields, found {len}"),
        },
        _ => Error::Csv {
            at,
            message: e.to_string(),
        },
    }
}

/// A reader that remembers where its line ends are, to name the line a CSV
/// record starts on. The csv crate's `Position::line` is where the parser
/// resumed after the previous record, which is one line short in CRLF files
/// (the `\n` of `\r\n` is skipped with the next record), ignores blank
/// lines before a record and never advances in CR-only files; its
/// `Position::byte` is exact. Lines end, as CSV records do, at `\n`,
/// `\r\n` or a lone `\r`.
pub(crate) struct LineTracker<R> {
    inner: R,
    /// Bytes read so far.
    read: u64,
    /// Offsets of the `\r` and `\n` bytes not yet passed, each shifted left
    /// by one with the low bit set when it ends a line (a `\r`, or a `\n`
    /// not after a `\r`).
    ends: std::collections::VecDeque<u64>,
    /// Line ends already passed.
    newlines: u64,
    /// The last byte read was a `\r`.
    after_cr: bool,
}

impl<R> LineTracker<R> {
    pub(crate) fn new(inner: R) -> LineTracker<R> {
        LineTracker {
            inner,
            read: 0,
            ends: Default::default(),
            newlines: 0,
            after_cr: false,
        }
    }

    /// The 1-based line of the first byte at or after `byte` that is not a
    /// line end: where a record the parser began at `byte` starts. Calls
    /// must not go backwards (line ends before `byte` are forgotten).
    pub(crate) fn line_at(&mut self, byte: u64) -> u64 {
        while let Some(&e) = self.ends.front() {
            if e >> 1 >= byte {
                break;
            }
            self.newlines += e & 1;
            self.ends.pop_front();
        }
        // the line ends the parser skips before the record's first byte
        let skipped: u64 = (byte..)
            .zip(&self.ends)
            .take_while(|&(at, &e)| e >> 1 == at)
            .map(|(_, &e)| e & 1)
            .sum();
        1 + self.newlines + skipped
    }
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                let ends_line = b == b'\r' || !self.after_cr;
                self.ends
                    .push_back(((self.read + i as u64) << 1) | u64::from(ends_line));
            }
            self.after_cr = b == b'\r';
        }
        self.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &[u8], opts: &CsvOptions) -> Result<Vec<LabeledText>> {
        read_csv_from(s, Path::new("t.csv"), opts)
    }

    #[test]
    fn bom_crlf_multiline() {
        let data = "\u{feff}text,label\r\n\"سطر\r\nثان\",a\r\nx,b\r\n";
        let rows = read(data.as_bytes(), &CsvOptions::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].text, "سطر\r\nثان");
        assert_eq!(rows[0].label, "a");
        let lf = read(
            "text,label\n\"a\nb\",x\ny,z\n".as_bytes(),
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(lf[1].line, 4);
    }

    #[test]
    fn lines_with_crlf_and_blank_lines() {
        let data = "text,label\r\n\"a\r\nb\",c\r\ny,d\r\n\r\nz,e\r\n";
        let rows = read(data.as_bytes(), &CsvOptions::default()).unwrap();
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4, 6]);
        let lf = read(b"text,label\n\n\nx,a\n", &CsvOptions::default()).unwrap();
        assert_eq!(lf[0].line, 4);
        let e = read(b"text,label\r\nx,a\r\n\r\ny,\r\n", &CsvOptions::default()).unwrap_err();
        assert!(e.to_string().starts_with("t.csv:4:"), "{e}");
        let e = read(b"text,label\r\nx,a\r\ny,b,c\r\n", &CsvOptions::default()).unwrap_err();
        assert!(e.to_string().starts_with("t.csv:3:"), "{e}");
        let cr = read(b"text,label\rx,a\r\ry,b\r\n\nz,c", &CsvOptions::default()).unwrap();
        let lines: Vec<u64> = cr.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4, 6]);
    }

    #[test]
    fn missing_columns_listed() {
        let e = read(b"body,y\nx,a\n", &CsvOptions::default()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("\"text\"") && msg.contains("\"label\"") && msg.contains("\"body\""),
            "{msg}"
        );
    }

    #[test]
    fn empty_fields_and_bad_utf8_name_the_line() {
        let e = read(b"text,label\nx,a\n,b\n", &CsvOptions::default()).unwrap_err();
        assert_eq!(e.to_string(), "t.csv:3: empty \"text\" field");
        let e = read(b"text,label\nx,a\ny,\n", &CsvOptions::default()).unwrap_err();
        assert!(e.to_string().starts_with("t.csv:3:"), "{e}");
        let e = read(b"text,label\nx,a\n\xff\xfe,b\n", &CsvOptions::default()).unwrap_err();
        assert!(
            e.to_string().contains("t.csv:3") && e.to_string().contains("UTF-8"),
            "{e}"
        );
    }

    #[test]
    fn unequal_fields_and_no_rows() {
        let e = read(b"text,label\nx,a,extra\n", &CsvOptions::default()).unwrap_err();
        assert!(e.to_string().contains("t.csv:2"), "{e}");
        let e = read(b"text,label\n", &CsvOptions::default()).unwrap_err();
        assert!(matches!(e, Error::NoRows { .. }));
        let e = read(
            b"text,label,split\nx,a,train\n",
            &CsvOptions::default().split("test"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("split \"test\""), "{e}");
    }

    #[test]
    fn label_map_and_groups() {
        let opts = CsvOptions {
            group_col: Some("g".into()),
            label_map: vec![
                ("POS".into(), "positive".into()),
                ("MIX".into(), String::new()),
            ],
            ..CsvOptions::default()
        };
        let rows = read(b"text,label,g\nx,POS,a\ny,MIX,b\nz,neg,b\n", &opts).unwrap();
        let got: Vec<(&str, Option<&str>)> = rows
            .iter()
            .map(|r| (r.label.as_str(), r.group.as_deref()))
            .collect();
        assert_eq!(got, [("positive", Some("a")), ("neg", Some("b"))]);
        let missing = CsvOptions {
            group_col: Some("actor".into()),
            ..CsvOptions::default()
        };
        assert!(
            read(b"text,label\nx,a\n", &missing)
                .unwrap_err()
                .to_string()
                .contains("\"actor\"")
        );
    }

    #[test]
    fn targets_read_when_present() {
        let rows = read(
            "text,label,target\nx,a,إيران\ny,b,\n".as_bytes(),
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(rows[0].target.as_ref().map(|t| t.key()), Some("إيران"));
        assert!(rows[1].target.is_none());
    }
}
