//! Article inputs for batch scoring: `.txt` files, directories of them,
//! JSONL, CSV and stdin, read as a stream of [`Record`]s.
//!
//! Reading never stops at a bad record: an unreadable file, invalid UTF-8,
//! a malformed JSON line, an empty text or a record over the size limit is
//! yielded as an `Err` naming the file and line, and the next record follows.
//! Records are read lazily, so memory stays bounded by the largest record.
//!
//! ```
//! use nabra::sources::{Records, SourceOptions};
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("in.jsonl");
//! std::fs::write(&path, "{\"id\": \"a\", \"text\": \"نص أول\"}\nnot json\n{\"id\": 7, \"text\": \"نص\"}\n").unwrap();
//! let items: Vec<_> = Records::new([path.to_str().unwrap()], SourceOptions::default()).collect();
//! assert_eq!(items.len(), 3);
//! assert_eq!(items[0].as_ref().unwrap().id, "a");
//! assert!(items[1].as_ref().unwrap_err().to_string().contains("in.jsonl:2"));
//! assert_eq!(items[2].as_ref().unwrap().id, "7");
//! ```

use crate::data::LineTracker;
use crate::{Error, Location, Result};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One article to score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its id: the `id` field of JSONL and CSV, the path of a `.txt` file.
    pub id: String,
    /// The article text.
    pub text: String,
    /// Where it came from.
    pub at: Location,
}

/// How inputs are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceOptions {
    /// Id field of JSONL objects and id column of CSV files.
    pub id_col: String,
    /// Text field of JSONL objects and text column of CSV files.
    pub text_col: String,
    /// Largest record (line, CSV record or file) in bytes; larger ones are
    /// reported as [`Error::RecordTooLarge`] and skipped.
    pub max_record_bytes: usize,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            id_col: "id".into(),
            text_col: "text".into(),
            max_record_bytes: 64 << 20,
        }
    }
}

/// The kind of an input, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// One article per file (any extension other than those below).
    Text,
    /// A directory: every `.txt` file under it, in path order.
    Dir,
    /// `.jsonl` / `.ndjson` / `.json`: one JSON object per line.
    Jsonl,
    /// `.csv`: a header and one article per record.
    Csv,
    /// `-`: JSONL on standard input.
    Stdin,
}

impl InputKind {
    /// Decides the kind of `input` (`-`, a directory, or by extension).
    ///
    /// ```
    /// use nabra::sources::InputKind;
    /// assert_eq!(InputKind::of("-"), InputKind::Stdin);
    /// assert_eq!(InputKind::of("news.JSONL"), InputKind::Jsonl);
    /// assert_eq!(InputKind::of("news.csv"), InputKind::Csv);
    /// assert_eq!(InputKind::of("article.txt"), InputKind::Text);
    /// ```
    pub fn of(input: &str) -> InputKind {
        if input == "-" {
            return InputKind::Stdin;
        }
        let p = Path::new(input);
        if p.is_dir() {
            return InputKind::Dir;
        }
        let ext = p
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "jsonl" | "ndjson" | "json" => InputKind::Jsonl,
            "csv" => InputKind::Csv,
            _ => InputKind::Text,
        }
    }
}

/// A stream of records from several inputs, in order (see the module docs).
pub struct Records {
    inputs: VecDeque<String>,
    opts: SourceOptions,
    current: Option<Box<dyn Iterator<Item = Result<Record>> + Send>>,
}

impl Records {
    /// Reads `inputs` one after the other.
    pub fn new<I, S>(inputs: I, opts: SourceOptions) -> Records
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Records {
            inputs: inputs.into_iter().map(Into::into).collect(),
            opts,
            current: None,
        }
    }

    fn open(&self, input: &str) -> Box<dyn Iterator<Item = Result<Record>> + Send> {
        let opts = self.opts.clone();
        match InputKind::of(input) {
            InputKind::Stdin => Box::new(JsonLines::new(
                Box::new(std::io::stdin()),
                PathBuf::from("<stdin>"),
                opts,
            )),
            InputKind::Text => Box::new(std::iter::once(read_text_file(Path::new(input), &opts))),
            InputKind::Dir => match text_files(Path::new(input)) {
                Ok(files) => Box::new(
                    files
                        .into_iter()
                        .map(move |f| f.and_then(|p| read_text_file(&p, &opts))),
                ),
                Err(e) => Box::new(std::iter::once(Err(e))),
            },
            InputKind::Jsonl => match File::open(input) {
                Ok(f) => Box::new(JsonLines::new(Box::new(f), PathBuf::from(input), opts)),
                Err(e) => Box::new(std::iter::once(Err(Error::io(input, e)))),
            },
            InputKind::Csv => match CsvRecords::open(Path::new(input), opts) {
                Ok(r) => Box::new(r),
                Err(e) => Box::new(std::iter::once(Err(e))),
            },
        }
    }
}

impl Iterator for Records {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        loop {
            if let Some(cur) = &mut self.current {
                if let Some(item) = cur.next() {
                    return Some(item);
                }
                self.current = None;
            }
            let input = self.inputs.pop_front()?;
            self.current = Some(self.open(&input));
        }
    }
}

/// Checks that a text is not blank.
fn check_text(text: &str, at: &Location) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::BadRecord {
            at: at.clone(),
            message: "empty text".into(),
        });
    }
    Ok(())
}

/// Decodes `bytes` as UTF-8, naming the line of the first bad byte.
fn decode(bytes: Vec<u8>, path: &Path, first_line: u64) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = first_line
            + e.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
        Error::InvalidUtf8 {
            at: Location::new(path, Some(line)),
        }
    })
}

fn read_text_file(path: &Path, opts: &SourceOptions) -> Result<Record> {
    let at = Location::new(path, None);
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    let limit = opts.max_record_bytes as u64;
    (&mut f)
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(Error::RecordTooLarge {
            at,
            limit: opts.max_record_bytes,
        });
    }
    let text = decode(bytes, path, 1)?;
    check_text(&text, &at)?;
    Ok(Record {
        id: path.display().to_string(),
        text,
        at,
    })
}

/// Every `.txt` file under `dir`, sorted by path; unreadable subdirectories
/// become errors in place.
fn text_files(dir: &Path) -> Result<Vec<Result<PathBuf>>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    let mut first = true;
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if first => return Err(Error::io(&d, e)),
            Err(e) => {
                out.push((d.clone(), Err(Error::io(&d, e))));
                continue;
            }
        };
        first = false;
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    out.push((d.clone(), Err(Error::io(&d, e))));
                    continue;
                }
            };
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt")) {
                out.push((p.clone(), Ok(p)));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

/// Reads one line of at most `limit` bytes into `buf` (without the newline).
/// Returns `None` at end of input, else whether the line was too long (its
/// rest is skipped).
fn read_line_limited(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(any.then_some(too_long));
        }
        any = true;
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        if !too_long {
            if buf.len() + part.len() > limit {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(part);
            }
        }
        let used = done.unwrap_or(chunk.len());
        r.consume(used);
        if done.is_some() {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(too_long));
        }
    }
}

#[derive(serde::Deserialize)]
struct JsonFields {
    #[serde(flatten)]
    fields: serde_json::Map<String, serde_json::Value>,
}

/// JSONL records: one object per line with id and text fields.
struct JsonLines {
    reader: Box<dyn BufRead + Send>,
    path: PathBuf,
    opts: SourceOptions,
    line: u64,
    buf: Vec<u8>,
    failed: bool,
}

impl JsonLines {
    fn new(r: Box<dyn Read + Send>, path: PathBuf, opts: SourceOptions) -> JsonLines {
        JsonLines {
            reader: Box::new(BufReader::with_capacity(1 << 16, r)),
            path,
            opts,
            line: 0,
            buf: Vec::new(),
            failed: false,
        }
    }

    fn parse(&self, at: Location) -> Result<Record> {
        let bad = |message: String| Error::BadRecord {
            at: at.clone(),
            message,
        };
        let s =
            std::str::from_utf8(&self.buf).map_err(|_| Error::InvalidUtf8 { at: at.clone() })?;
        let s = s.strip_prefix('\u{feff}').unwrap_or(s);
        let obj: JsonFields =
            serde_json::from_str(s).map_err(|e| bad(format!("malformed JSON: {e}")))?;
        let text = match obj.fields.get(&self.opts.text_col) {
            Some(serde_json::Value::String(t)) => t.clone(),
            Some(_) => {
                return Err(bad(format!(
                    "field {:?} is not a string",
                    self.opts.text_col
                )));
            }
            None => return Err(bad(format!("no {:?} field", self.opts.text_col))),
        };
        check_text(&text, &at)?;
        let id = match obj.fields.get(&self.opts.id_col) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => at.to_string(),
            Some(v) => v.to_string(),
        };
        Ok(Record { id, text, at })
    }
}

impl Iterator for JsonLines {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        loop {
            if self.failed {
                return None;
            }
            let limit = self.opts.max_record_bytes;
            let mut buf = std::mem::take(&mut self.buf);
            let read = read_line_limited(&mut self.reader, &mut buf, limit);
            self.buf = buf;
            self.line += 1;
            let at = Location::new(&self.path, Some(self.line));
            match read {
                Err(e) => {
                    self.failed = true;
                    return Some(Err(Error::io(&self.path, e)));
                }
                Ok(None) => return None,
                Ok(Some(true)) => return Some(Err(Error::RecordTooLarge { at, limit })),
                Ok(Some(false)) => {
                    if self.buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(self.parse(at));
                }
            }
        }
    }
}

/// CSV records with id and text columns.
struct CsvRecords {
    reader: csv::Reader<LineTracker<BufReader<File>>>,
    path: PathBuf,
    opts: SourceOptions,
    id_i: Option<usize>,
    text_i: usize,
    record: csv::ByteRecord,
    done: bool,
}

impl CsvRecords {
    fn open(path: &Path, opts: SourceOptions) -> Result<CsvRecords> {
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(LineTracker::new(BufReader::with_capacity(1 << 16, f)));
        let headers = reader.byte_headers().map_err(|e| Error::Csv {
            at: Location::new(path, Some(1)),
            message: e.to_string(),
        })?;
        let names: Vec<String> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = String::from_utf8_lossy(h);
                let h = if i == 0 {
                    h.trim_start_matches('\u{feff}')
                } else {
                    &h
                };
                h.trim().to_string()
            })
            .collect();
        let find = |c: &str| names.iter().position(|n| n == c);
        let Some(text_i) = find(&opts.text_col) else {
            return Err(Error::MissingColumns {
                path: path.to_path_buf(),
                missing: vec![opts.text_col.clone()],
                found: names,
            });
        };
        Ok(CsvRecords {
            id_i: find(&opts.id_col),
            text_i,
            reader,
            path: path.to_path_buf(),
            opts,
            record: csv::ByteRecord::new(),
            done: false,
        })
    }
}

impl Iterator for CsvRecords {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        if self.done {
            return None;
        }
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| self.reader.get_mut().line_at(p.byte()));
                // an I/O error ends the file; a parse error skips the record
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    self.done = true;
                }
                Some(Err(Error::Csv {
                    at: Location::new(&self.path, line),
                    message: e.to_string(),
                }))
            }
            Ok(true) => {
                let line = match self.record.position() {
                    Some(p) => self.reader.get_mut().line_at(p.byte()),
                    None => 0,
                };
                let at = Location::new(&self.path, Some(line));
                let size: usize = self.record.iter().map(<[u8]>::len).sum();
                if size > self.opts.max_record_bytes {
                    return Some(Err(Error::RecordTooLarge {
                        at,
                        limit: self.opts.max_record_bytes,
                    }));
                }
                let field = |i: usize| -> Result<String> {
                    let b = self.record.get(i).unwrap_or_default();
                    String::from_utf8(b.to_vec()).map_err(|_| Error::InvalidUtf8 { at: at.clone() })
                };
                let text = match field(self.text_i) {
                    Ok(t) => t,
                    Err(e) => return Some(Err(e)),
                };
                if let Err(e) = check_text(&text, &at) {
                    return Some(Err(e));
                }
                let id = match self.id_i.map(field) {
                    Some(Ok(id)) if !id.trim().is_empty() => id,
                    Some(Err(e)) => return Some(Err(e)),
                    _ => at.to_string(),
                };
                Some(Ok(Record { id, text, at }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(inputs: &[&Path], opts: SourceOptions) -> Vec<std::result::Result<Record, String>> {
        Records::new(inputs.iter().map(|p| p.to_str().unwrap().to_string()), opts)
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn jsonl_bad_lines_are_reported_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        let mut data = b"{\"id\":\"1\",\"text\":\"one\"}\r\n\n".to_vec();
        data.extend_from_slice(b"{\"id\":\"2\",\"text\":\"\xff\"}\n");
        data.extend_from_slice(b"{\"id\":\"3\",\"text\":\"   \"}\n");
        data.extend_from_slice(b"{\"id\":\"4\"}\n");
        data.extend_from_slice(b"{\"id\":\"5\",\"text\":\"");
        data.extend(std::iter::repeat_n(b'x', 300));
        data.extend_from_slice(b"\"}\n{\"text\":\"six\"}");
        std::fs::write(&p, data).unwrap();
        let opts = SourceOptions {
            max_record_bytes: 200,
            ..SourceOptions::default()
        };
        let r = collect(&[&p], opts);
        assert_eq!(r.len(), 6, "{r:?}");
        assert_eq!(r[0].as_ref().unwrap().text, "one");
        assert!(r[1].as_ref().unwrap_err().contains("a.jsonl:3"));
        assert!(r[1].as_ref().unwrap_err().contains("UTF-8"));
        assert!(r[2].as_ref().unwrap_err().contains("empty text"));
        assert!(r[3].as_ref().unwrap_err().contains("no \"text\" field"));
        assert!(r[4].as_ref().unwrap_err().contains("a.jsonl:6"));
        let last = r[5].as_ref().unwrap();
        assert_eq!(last.text, "six");
        assert!(last.id.ends_with("a.jsonl:7"), "{}", last.id);
    }

    #[test]
    fn csv_dir_and_text_files() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("a.csv");
        std::fs::write(&csv, "\u{feff}id,text\nx,\"multi\nline\"\ny,\n").unwrap();
        let sub = dir.path().join("arts");
        std::fs::create_dir_all(sub.join("deep")).unwrap();
        std::fs::write(sub.join("b.txt"), "second").unwrap();
        std::fs::write(sub.join("a.txt"), "first").unwrap();
        std::fs::write(sub.join("deep/c.txt"), b"\xfe").unwrap();
        std::fs::write(sub.join("skip.md"), "not an article").unwrap();
        let r = collect(&[&csv, &sub], SourceOptions::default());
        assert_eq!(r.len(), 5, "{r:?}");
        assert_eq!(r[0].as_ref().unwrap().text, "multi\nline");
        assert!(r[1].as_ref().unwrap_err().contains("a.csv:4"), "{:?}", r[1]);
        assert_eq!(r[2].as_ref().unwrap().text, "first");
        assert_eq!(r[3].as_ref().unwrap().text, "second");
        assert!(r[4].as_ref().unwrap_err().contains("c.txt"));
        let missing = collect(&[&dir.path().join("nope.jsonl")], SourceOptions::default());
        assert!(missing[0].as_ref().unwrap_err().contains("nope.jsonl"));
    }

    #[test]
    fn csv_lines_with_crlf_and_blank_lines() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("a.csv");
        std::fs::write(&csv, "id,text\r\nx,\"a\r\nb\"\r\n\r\ny,\r\nz,c\r\n").unwrap();
        let r = collect(&[&csv], SourceOptions::default());
        assert_eq!(r.len(), 3, "{r:?}");
        assert_eq!(r[0].as_ref().unwrap().at.line, Some(2));
        assert!(r[1].as_ref().unwrap_err().contains("a.csv:5"), "{:?}", r[1]);
        assert_eq!(r[2].as_ref().unwrap().at.line, Some(6));
    }

    #[test]
    fn csv_missing_text_column_lists_found() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("a.csv");
        std::fs::write(&csv, "id,body\n1,x\n").unwrap();
        let r = collect(&[&csv], SourceOptions::default());
        let e = r[0].as_ref().unwrap_err();
        assert!(e.contains("text") && e.contains("body"), "{e}");
    }
}
