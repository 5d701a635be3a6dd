//! Resource limits: time linear in article length, memory bounded while
//! streaming, record size limits.

use nabra::analyzer::Analyzer;
use std::time::Instant;

const PARAGRAPH: &str = "وقال وزير الخارجية، أحمد سالم، إن «سياسات واشنطن تهدد أمن المنطقة». \
وأضاف أن التعاون مع موسكو مفيد للبلدين، فيما أكد المتحدث باسم الحكومة أن طهران شريك موثوق. \
ويأتي ذلك بعد اجتماع عقد في القاهرة بمشاركة وفود من عدة دول.\n\n";

fn article(bytes: usize) -> String {
    PARAGRAPH.repeat(bytes / PARAGRAPH.len() + 1)
}

/// Best of three timings of one analysis.
fn time(a: &Analyzer, text: &str) -> f64 {
    (0..3)
        .map(|_| {
            let t0 = Instant::now();
            std::hint::black_box(a.analyze(text));
            t0.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn one_megabyte_article_in_linear_time() {
    let a = Analyzer::builtin().unwrap();
    let small = article(256 << 10);
    let large = article(1 << 20);
    let (ts, tl) = (time(&a, &small), time(&a, &large));
    let ratio = tl / ts;
    eprintln!("256 KB: {ts:.3} s, 1 MB: {tl:.3} s, ratio {ratio:.2} for 4x the text");
    // linear gives ~4, quadratic ~16; leave room for noise on a busy machine
    assert!(
        ratio < 8.0,
        "time grows faster than linear: ratio {ratio:.2}"
    );
    assert!(tl < 10.0, "1 MB article took {tl:.1} s");
    let r = a.analyze(&large);
    assert!(r.quotes.len() > 1000);
}

/// Peak RSS in KB of a `nabra score` child fed `n` records on stdin: the
/// largest `ru_maxrss` of the waited-for children of this test process.
#[cfg(target_os = "linux")]
fn peak_rss_kb(n: usize) -> i64 {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_nabra"))
        .args(["score", "--jobs", "1", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = format!(
        "{{\"id\":\"x\",\"text\":{}}}\n",
        serde_json::to_string(&PARAGRAPH.repeat(4)).unwrap()
    );
    let mut stdin = child.stdin.take().unwrap();
    for _ in 0..n {
        stdin.write_all(line.as_bytes()).unwrap();
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes into the struct we pass.
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    usage.ru_maxrss
}

#[cfg(target_os = "linux")]
#[test]
fn streaming_memory_does_not_grow_with_input() {
    let (one, five) = (peak_rss_kb(3_000), peak_rss_kb(15_000));
    eprintln!("peak RSS: {one} KB for 3,000 articles, {five} KB for 15,000");
    assert!(
        (five as f64) < one as f64 * 1.25 + 8_192.0,
        "peak RSS grew from {one} KB to {five} KB"
    );
}

#[test]
fn oversized_records_are_reported_not_loaded() {
    use nabra::sources::{Records, SourceOptions};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.jsonl");
    let mut data = format!("{{\"id\":\"big\",\"text\":\"{}\"}}\n", "ب".repeat(10 << 20));
    data.push_str("{\"id\":\"ok\",\"text\":\"نص\"}\n");
    std::fs::write(&p, data).unwrap();
    let opts = SourceOptions {
        max_record_bytes: 1 << 20,
        ..SourceOptions::default()
    };
    let r: Vec<_> = Records::new([p.to_str().unwrap()], opts).collect();
    assert_eq!(r.len(), 2);
    let e = r[0].as_ref().unwrap_err().to_string();
    assert!(
        e.contains("big.jsonl:1") && e.contains("larger than the limit"),
        "{e}"
    );
    assert_eq!(r[1].as_ref().unwrap().id, "ok");
    // and a 10 MB line is fine under the default limit
    let r: Vec<_> = Records::new([p.to_str().unwrap()], SourceOptions::default()).collect();
    assert_eq!(r[0].as_ref().unwrap().text.len(), 20 << 20);
}
