//! Shared by the import targets: one workspace (default Monitoreo 360 config and codebooks) for
//! the whole fuzzing process, and the import pipeline's validation pass run on a file.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use codifica::ingest::canonical::Columns;
use codifica::ingest::reader;
use codifica::ingest::validate::Validator;
use codifica::workspace::Workspace;

pub struct Env {
    _dir: tempfile::TempDir,
    pub ws: Workspace,
    pub scratch: PathBuf,
}

pub fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("ws");
        let ws = Workspace::init(&root, codifica::config::Config::monitoreo360_text(), false)
            .expect("workspace");
        codifica::codebook::install_defaults(&ws).expect("codebooks");
        let scratch = dir.path().to_path_buf();
        Env {
            _dir: dir,
            ws,
            scratch,
        }
    })
}

/// Pass 1 of `codifica import` on `path`: read every row, resolve the canonical header, check
/// every draft. Errors are fine; panics are the bug being hunted.
pub fn validate_file(ws: &Workspace, path: &Path) {
    let Ok(mut source) = reader::open(path, None) else {
        return;
    };
    let _ = source.column_label(0);
    let cols = Columns::resolve(&source.headers);
    let Ok(codebooks) = codifica::ingest::load_codebooks(ws) else {
        return;
    };
    let mut v = Validator::new(ws.config(), codebooks, false);
    for row in source.by_ref() {
        let Ok(row) = row else { return };
        for p in row.problems.iter().cloned() {
            v.push(p);
        }
        if let Ok(cols) = &cols {
            let _ = v.check(cols.draft(&row));
        }
        if v.is_full() {
            break;
        }
    }
    for e in v.into_errors() {
        let _ = e.to_string();
    }
}
