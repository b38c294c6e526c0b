//! Use case: the entities interviewed in a month that need priority attention, and those that
//! improved most (the trends stage's flags over the whole store, with the report's codebooks).

use crate::error::Result;
use crate::month::Month;
use crate::store::Store;
use crate::trends::{FlagReport, flags_from_store, load_codebooks};
use crate::workspace::Workspace;

/// The flags of `month`, computed as the report computes them.
pub fn flags(ws: &Workspace, month: Month) -> Result<FlagReport> {
    let store = Store::open(ws)?;
    let codebooks = load_codebooks(ws)?;
    flags_from_store(&store, ws.config(), &codebooks, month)
}
