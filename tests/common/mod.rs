//! Shared by the integration tests (each includes it with `#[macro_use] mod common;`).

/// Prints a skipped test's reason straight to stderr, past the test harness's output
/// capture, so a skip shows in `cargo test` output instead of passing silently.
macro_rules! skipped {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "SKIPPED: {}", format_args!($($arg)*));
    }};
}
