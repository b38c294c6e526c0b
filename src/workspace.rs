//! The on-disk workspace: a folder holding `codifica.toml`, the tantivy `index/`, trained
//! `models/` and the questions' `codebooks/`. Writers take an exclusive lock first, so two
//! processes never write at once: the second gets a clear "busy" error.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::fsutil::atomic_write;

/// File name of the configuration inside a workspace.
pub const CONFIG_FILE: &str = "codifica.toml";
const LOCK_FILE: &str = ".codifica.lock";

/// An opened workspace with its validated config.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    config: Config,
}

/// Held while writing; dropping it releases the lock.
#[derive(Debug)]
pub struct WorkspaceLock {
    _file: File,
}

impl Workspace {
    /// Creates a workspace in `root` with `config`. Refuses to overwrite an existing
    /// `codifica.toml` unless `force`.
    pub fn init(root: &Path, config_text: &str, force: bool) -> Result<Workspace> {
        std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
        let path = root.join(CONFIG_FILE);
        if path.exists() && !force {
            return Err(Error::conflict(format!(
                "{} already exists: this folder is a workspace (use --force to overwrite its config)",
                path.display()
            )));
        }
        Config::parse(config_text, &path)?;
        atomic_write(&path, config_text.as_bytes())?;
        let ws = Workspace::open(root)?;
        for dir in [ws.index_dir(), ws.models_dir(), ws.codebooks_dir()] {
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        Ok(ws)
    }

    /// Opens the workspace in `root`.
    pub fn open(root: &Path) -> Result<Workspace> {
        let path = root.join(CONFIG_FILE);
        if !path.exists() {
            return Err(Error::not_found(format!(
                "{} is not a codifica workspace (no {CONFIG_FILE}); run `codifica init` there first, \
                 or pass --workspace DIR",
                root.display()
            )));
        }
        let config = Config::load(&path)?;
        let ws = Workspace {
            root: root.to_path_buf(),
            config,
        };
        // A codebook edit killed half-way is finished before anything reads the workspace.
        crate::codebook::edit::recover(&ws)?;
        Ok(ws)
    }

    /// The validated configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Replaces the configuration on disk (atomically) and in memory.
    pub fn save_config(&mut self, config: Config) -> Result<()> {
        atomic_write(&self.config_path(), config.to_toml().as_bytes())?;
        self.config = config;
        Ok(())
    }

    /// The workspace folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `codifica.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// The tantivy index folder.
    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }

    /// Trained models, one file per question.
    pub fn models_dir(&self) -> PathBuf {
        self.root.join("models")
    }

    /// Codebooks, one TOML file per coded question.
    pub fn codebooks_dir(&self) -> PathBuf {
        self.root.join("codebooks")
    }

    /// Takes the exclusive write lock, or fails at once with [`Error::Busy`].
    pub fn lock(&self) -> Result<WorkspaceLock> {
        let path = self.root.join(LOCK_FILE);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(WorkspaceLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::Busy {
                path: self.root.clone(),
            }),
            Err(TryLockError::Error(e)) => Err(Error::io(&path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_open_and_lock() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
        assert!(ws.index_dir().is_dir() && ws.models_dir().is_dir());
        assert!(Workspace::init(dir.path(), Config::monitoreo360_text(), false).is_err());
        let again = Workspace::open(dir.path()).unwrap();
        assert_eq!(again.config(), ws.config());
        let held = ws.lock().unwrap();
        assert!(matches!(again.lock(), Err(Error::Busy { .. })));
        drop(held);
        assert!(again.lock().is_ok());
    }

    #[test]
    fn open_without_config_explains() {
        let dir = tempfile::tempdir().unwrap();
        let err = Workspace::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("codifica init"), "{err}");
    }
}
