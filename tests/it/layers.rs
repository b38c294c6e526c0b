//! Layers depend only downward: `scripts/check_layers.py` derives the module graph from the
//! `crate::…` paths in `src/` and fails on a cycle. These tests run it on the real tree and on a
//! small tree with a planted cycle (so the checker itself is known to catch one). They skip with
//! a printed reason when `python3` is absent.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check_layers.py")
}

/// Runs the checker on `src`, or `None` (after saying why) when python3 cannot be started.
fn check(src: &Path) -> Option<Output> {
    match Command::new("python3").arg(script()).arg(src).output() {
        Ok(out) => Some(out),
        Err(e) => {
            println!("SKIPPED: python3 not available ({e})");
            None
        }
    }
}

#[test]
fn src_has_no_module_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let Some(out) = check(&src) else { return };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "module cycles in src/:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("no module cycle"), "{stdout}");
}

#[test]
fn checker_reports_a_cycle_through_a_reexport() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    let files = [
        ("lib.rs", "pub mod config;\npub mod ingest;\npub mod web;\n"),
        ("config.rs", "use crate::ingest::wide::Mapping;\n"),
        ("ingest/mod.rs", "pub mod wide;\nuse crate::config;\n"),
        ("ingest/wide.rs", "pub struct Mapping;\n"),
        (
            "web/mod.rs",
            "mod pages;\nmod server;\npub use server::Session;\n",
        ),
        ("web/server.rs", "pub struct Session;\nuse super::pages;\n"),
        ("web/pages/mod.rs", "mod a;\n"),
        (
            "web/pages/a.rs",
            "// crate::config is only a comment\nuse crate::web::Session;\n",
        ),
    ];
    for (path, text) in files {
        let path = src.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let Some(out) = check(src) else { return };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("{config, ingest}"), "{stdout}");
    assert!(stdout.contains("{web::pages, web::server}"), "{stdout}");
    assert!(
        !stdout.contains("web::pages, web::server, config"),
        "{stdout}"
    );
}
