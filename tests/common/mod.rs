//! Shared by the integration tests (`tests/it/main.rs` declares it first, with `#[macro_use]`, so
//! every module has `skipped!` and `tool_missing!`).

/// Prints a skipped test's reason straight to stderr, past the test harness's output
/// capture, so a skip shows in `cargo test` output instead of passing silently.
macro_rules! skipped {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), "SKIPPED: {}", format_args!($($arg)*));
    }};
}

/// For a test that cannot run because a system tool (chromium, chromedriver, xmllint) is missing:
/// skips with the printed reason on a developer's machine, but fails under `CI=true`, where
/// `.ci/run` installs those tools, so a broken installation cannot pass as a green run. (A
/// missing `../shared` is not a tool: use `skipped!` for it.) The caller returns after it.
#[allow(unused_macros)]
macro_rules! tool_missing {
    ($($arg:tt)*) => {{
        crate::common::tool_missing(
            std::env::var_os("CI").as_deref(),
            &format!($($arg)*),
        );
    }};
}

/// Whether the `CI` variable's value says the run is CI's (`true` or `1`, as CI services set it).
#[allow(dead_code)]
pub fn on_ci(ci: Option<&std::ffi::OsStr>) -> bool {
    ci.and_then(|v| v.to_str())
        .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The body of `tool_missing!`, with the `CI` value passed in so that a test can check both ways
/// without changing the process's environment.
#[allow(dead_code)]
#[track_caller]
pub fn tool_missing(ci: Option<&std::ffi::OsStr>, reason: &str) {
    if on_ci(ci) {
        panic!("{reason}: CI=true, where .ci/run installs chromium, chromedriver and xmllint");
    }
    skipped!("{reason}");
}

#[allow(dead_code)]
/// Zips a fixture folder (its files, at their relative paths) into `to`.
pub fn zip_dir(from: &std::path::Path, to: &std::path::Path) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let mut stack = vec![from.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    for p in files {
        let name = p
            .strip_prefix(from)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&std::fs::read(&p).unwrap()).unwrap();
    }
    zip.finish().unwrap();
}
