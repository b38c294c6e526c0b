//! Errors of the coding engine (features → model → classify). The type lives in
//! [`crate::error`], below the engine's stages; these names are kept for existing callers.

pub use crate::error::{EngineError, EngineResult as Result};
