//! Hostile inputs from the README's bad-input table that no other test
//! covers: each gets a clear error naming the file (and line), or is read
//! correctly, never a panic.

use nabra::analyzer::Analyzer;
use nabra::data::{CsvOptions, read_csv};
use nabra::sources::{Records, SourceOptions};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn csv_err(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "data.csv", bytes);
    read_csv(&p, &CsvOptions::default())
        .map(|rows| format!("read {} rows", rows.len()))
        .unwrap_or_else(|e| e.to_string())
}

#[test]
fn empty_csv_file() {
    let e = csv_err(b"");
    assert!(
        e.contains("data.csv") && e.contains("missing column"),
        "{e}"
    );
}

#[test]
fn header_only_csv() {
    let e = csv_err(b"text,label\n");
    assert!(e.contains("data.csv") && e.contains("no rows"), "{e}");
}

#[test]
fn nul_bytes_in_a_csv_field_are_kept_as_text() {
    let e = csv_err(b"text,label\n\"a\0b\",x\nc,y\n");
    assert_eq!(e, "read 2 rows");
}

#[test]
fn unbalanced_csv_quote_names_the_line() {
    // an opening quote that never closes swallows the rest of the file into
    // one field, so that record has too few fields
    let e = csv_err(b"text,label\n\"open,x\nb,y\nc,z\n");
    assert!(e.contains("data.csv:2") && e.contains("invalid CSV"), "{e}");
}

#[test]
fn nul_bytes_and_control_characters_in_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    // a raw NUL inside a JSON string is not JSON; an escaped one is text
    let p = write(
        &dir,
        "a.jsonl",
        b"{\"id\":\"raw\",\"text\":\"a\0b\"}\n{\"id\":\"esc\",\"text\":\"a\\u0000b\"}\n",
    );
    let r: Vec<_> = Records::new([p.to_str().unwrap()], SourceOptions::default()).collect();
    assert!(r[0].as_ref().unwrap_err().to_string().contains("a.jsonl:1"));
    assert_eq!(r[1].as_ref().unwrap().text, "a\0b");
}

#[cfg(unix)]
#[test]
fn directory_with_an_unreadable_file() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir, "a.txt", "قال الوزير إن الحوار ضروري.".as_bytes());
    // a dangling link: listed as a .txt file, fails to open (works as root too)
    std::os::unix::fs::symlink(dir.path().join("gone"), dir.path().join("b.txt")).unwrap();
    write(&dir, "c.txt", "وأضاف أن التعاون مستمر.".as_bytes());
    let r: Vec<_> =
        Records::new([dir.path().to_str().unwrap()], SourceOptions::default()).collect();
    assert_eq!(r.len(), 3);
    assert!(r[0].is_ok() && r[2].is_ok());
    let e = r[1].as_ref().unwrap_err().to_string();
    assert!(e.contains("b.txt"), "{e}");
}

#[test]
fn mojibake_html_and_mixed_scripts_are_analyzed_safely() {
    let a = Analyzer::builtin().unwrap();
    let texts = [
        // UTF-8 Arabic decoded as Latin-1 and re-encoded
        "Ù‚Ø§Ù„ Ø§Ù„ÙˆØ²ÙŠØ± Ø¥Ù† Â«Ø§Ù„ØªØ¹Ø§ÙˆÙ† Ù…Ø³ØªÙ…Ø±Â»",
        // HTML left in the text
        "<p>وقال الوزير: &quot;<b>لن نقبل</b> تدخل واشنطن&quot;</p><script>x()</script>",
        // every kind of quote mark, unbalanced and nested
        "قال: «“„‹›”» \" ' « « » وأضاف أن »«» “واشنطن",
        // mixed scripts, RTL marks, emoji, presentation forms
        "\u{202b}قال \u{FEFB}Minister 🇺🇸 إن ﻣﻮﺳﻜﻮ \u{200f}شريك\u{202c}",
    ];
    for t in texts {
        for q in a.analyze(t).quotes {
            assert_eq!(&t[q.start..q.end], q.text);
            for act in q.actors {
                assert_eq!(&t[act.start..act.end], act.surface);
            }
        }
    }
}
