//! Shared fuzz checks. The same file is compiled into the stable
//! integration test `tests/fuzz_regressions.rs` (via `#[path]`), so a
//! regression input runs through exactly the code its fuzz target runs.
#[path = "checks.rs"]
pub mod checks;
