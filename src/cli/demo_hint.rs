//! The closing hint of `codifica demo`: commands to try next, typed so that they run as printed.

use std::path::Path;

/// "Everything above lives in DIR: try" and two commands on the demo's workspace.
pub fn print(dir: &Path) {
    let (me, ws) = (command_name(), shell_word(&dir.display().to_string()));
    println!("\nEverything above lives in {}: try", dir.display());
    println!("  {me} -w {ws} search 'conectividad OR internet' --count-by region");
    println!("  {me} -w {ws} serve");
}

/// How to type this binary in the closing hint so that the hint runs as printed: `codifica` when
/// that name on the PATH is this very binary (after `cargo install`), else this binary's full
/// path (`cargo run --release` leaves it in target/release/, which is not on the PATH).
fn command_name() -> String {
    let me = std::env::current_exe().and_then(|p| p.canonicalize()).ok();
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("codifica"))
            .find(|p| p.is_file())
            .and_then(|p| p.canonicalize().ok())
    });
    match me {
        Some(me) if on_path.as_ref() != Some(&me) => shell_word(&me.display().to_string()),
        _ => "codifica".to_string(),
    }
}

/// `s` as one shell word: unchanged when it holds only safe characters, else single-quoted.
fn shell_word(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
