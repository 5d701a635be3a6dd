//! Helpers shared by the integration tests.

/// Says why a test that needs `../shared` did nothing, on stderr directly:
/// the test harness captures `eprintln!` from passing tests, and a skip
/// should be visible in the test run's output.
pub fn skip(why: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}
