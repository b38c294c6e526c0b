//! How `codifica` ends: the exit code of an outcome and how its error is printed. 0 success, 1
//! an error the user can act on (bad input, busy workspace, missing model…; the message goes to
//! stderr), 2 a usage error (from clap), 3 an internal failure (the search index failing; see
//! `Error::is_user_error`). With `--json`, errors of every kind are printed on stderr as one JSON
//! object.

use std::ffi::OsString;
use std::process::ExitCode;

/// Whether the command line asks for JSON (`--json` before any `--`): errors are then printed as
/// JSON too, so a script reading the output gets one format.
pub fn wants_json(argv: &[OsString]) -> bool {
    argv.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json")
}

/// An error as the one JSON document `--json` promises: `{"error": "…", "exit_code": N}`.
fn json_error(message: &str, code: u8) -> String {
    serde_json::json!({ "error": message, "exit_code": code }).to_string()
}

/// A command line clap refused (or `--help`, `--version`): clap prints it and exits, except that
/// with `--json` a usage error is printed as JSON, with exit code 2.
pub fn usage(e: clap::Error, json: bool) -> ExitCode {
    if !(json && e.use_stderr()) {
        e.exit()
    }
    let text = e.render().to_string();
    let first = text.lines().next().unwrap_or_default();
    eprintln!("{}", json_error(first.trim_start_matches("error: "), 2));
    ExitCode::from(2)
}

/// The exit code of a subcommand's outcome, its error printed on stderr.
pub fn outcome(result: anyhow::Result<()>, json: bool) -> ExitCode {
    let Err(err) = result else {
        return ExitCode::SUCCESS;
    };
    let code = exit_code(&err);
    if json {
        eprintln!("{}", json_error(&render(&err), code));
    } else {
        eprintln!("error: {}", render(&err));
    }
    ExitCode::from(code)
}

/// 1 for an error the user can act on, 3 for an internal failure.
fn exit_code(err: &anyhow::Error) -> u8 {
    let internal = err.chain().any(|c| {
        c.downcast_ref::<codifica::Error>()
            .map(|e| !e.is_user_error())
            .or_else(|| {
                c.downcast_ref::<codifica::error::EngineError>()
                    .map(|e| !e.is_user_error())
            })
            .unwrap_or(false)
    });
    if internal { 3 } else { 1 }
}

/// The error and each cause it does not already spell out, joined by ": ".
fn render(err: &anyhow::Error) -> String {
    let mut out = err.to_string();
    for cause in err.chain().skip(1) {
        let c = cause.to_string();
        if !out.contains(&c) {
            out.push_str(&format!(": {c}"));
        }
    }
    out
}

/// Rust ignores SIGPIPE, so `println!` into a closed pipe (`codifica search x | head`) panics.
/// Command-line output gets the Unix default back: the process ends quietly, as `grep` does.
/// Not for `serve`, whose sockets must survive clients that hang up.
pub fn default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
