//! File-system helpers shared by every stage that writes: atomic replacement of a file, and
//! the cleanup of temporary files a killed writer left behind.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Result};

/// Name prefix of the temporary files [`atomic_write_with`] creates.
pub const TMP_PREFIX: &str = ".codifica-tmp-";

/// A temporary file untouched for this long whose lock nobody holds is a killed writer's
/// leftover. (The age covers the instant between creating a temporary file and locking it.)
const STALE_AFTER: Duration = Duration::from_secs(60);

/// Removes the temporary files of writers that died in `dir` (a killed `train` or `codebook`
/// run): a live writer holds an exclusive lock on its temporary file until it renames it, and
/// the system drops the lock when a process dies. Best effort: what cannot be checked stays.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(TMP_PREFIX) {
            continue;
        }
        let path = entry.path();
        let old = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if !old {
            continue;
        }
        let Ok(file) = std::fs::File::open(&path) else {
            continue;
        };
        if file.try_lock().is_ok() {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed to disk,
/// then renamed over `path`. A crash leaves either the old file or the new one, never half.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    atomic_write_with(path, |w| w.write_all(bytes).map_err(|e| Error::io(path, e)))
}

/// [`atomic_write`] for content produced piece by piece: `fill` writes into a buffered
/// temporary file; only if it succeeds is the file flushed and renamed over `path` (an error
/// leaves `path` untouched and removes the temporary file).
pub fn atomic_write_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    remove_stale_temporaries(dir);
    let mut tmp = tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    // Held until the file is renamed or this process dies: marks the file as being written.
    let _ = tmp.as_file().try_lock();
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        fill(&mut w)?;
        w.flush().map_err(|e| Error::io(path, e))?;
    }
    make_readable(tmp.as_file(), path)?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Temporary files are created private (0600); the files codifica writes are documents for a
/// team, so they get the usual 0644 (subject to the umask of the folder's owner).
#[cfg(unix)]
fn make_readable(file: &std::fs::File, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
        .map_err(|e| Error::io(path, e))
}

#[cfg(not(unix))]
fn make_readable(_file: &std::fs::File, _path: &Path) -> Result<()> {
    Ok(())
}

/// Test hook: when `CODIFICA_ABORT_AT` names this point, the process kills itself here (SIGKILL:
/// no destructor, no cleanup, no core file), so that crash tests can interrupt a write at an
/// exact step (after a journal, after an index commit…) instead of at a random time. One hook
/// for every writer: codebook edits, reindex.
pub fn fault_point(name: &str) {
    if std::env::var_os("CODIFICA_ABORT_AT").is_some_and(|v| v == name) {
        #[cfg(unix)]
        // SAFETY: kill(2) on our own pid takes no pointers; SIGKILL ends the process at once.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        atomic_write(&p, b"one").unwrap();
        atomic_write(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1);
    }

    fn backdate(path: &Path) {
        let f = std::fs::File::options().write(true).open(path).unwrap();
        let past = std::time::SystemTime::now() - Duration::from_secs(3600);
        f.set_modified(past).unwrap();
    }

    /// A killed writer's temporary file is removed by the next write in its folder; a fresh one,
    /// or one whose writer still holds it, stays.
    #[test]
    fn the_next_write_removes_a_dead_writers_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join(".codifica-tmp-dead");
        let fresh = dir.path().join(".codifica-tmp-fresh");
        let held = dir.path().join(".codifica-tmp-held");
        let other = dir.path().join("notes-tmp.txt");
        for p in [&dead, &fresh, &held, &other] {
            std::fs::write(p, b"half a model").unwrap();
        }
        for p in [&dead, &held, &other] {
            backdate(p);
        }
        let writer = std::fs::File::open(&held).unwrap();
        writer.lock().unwrap();
        atomic_write(&dir.path().join("m.model"), b"new").unwrap();
        assert!(!dead.exists(), "a dead writer's leftover stays");
        assert!(fresh.exists() && held.exists() && other.exists());
    }
}
