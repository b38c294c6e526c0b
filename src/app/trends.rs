//! Use case: each entity's interviews in month order, each compared with the entity's previous
//! interview. Read one entity at a time, so memory stays that of one entity.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::store::{AnswerFilter, Store};
use crate::trends::{EntitySeries, stream_series};

/// Spanish numbers (decimal comma: "4,0", "+0,5", "—" for none), the one formatter the report and
/// the web app use, for ratings printed beside them.
pub use crate::trends::spanish::{es_num, es_opt_num, es_signed};

/// The series of every entity (`entity: None`) or of one. One entity is read whole first, so
/// that an entity without interviews is an error before anything is shown.
pub fn series<'a>(
    store: &'a Store,
    config: &'a Config,
    entity: Option<&str>,
) -> Result<Box<dyn Iterator<Item = Result<EntitySeries>> + 'a>> {
    let filter = AnswerFilter {
        entity: entity.map(str::to_string),
        ..AnswerFilter::default()
    };
    let all = stream_series(store, &filter, None, config)?.map(|e| e.map(|e| e.series));
    let Some(code) = entity else {
        return Ok(Box::new(all));
    };
    let one: Vec<Result<EntitySeries>> = all.collect();
    if one.is_empty() {
        return Err(Error::invalid(format!(
            "no interviews of entity '{code}' in the workspace"
        )));
    }
    Ok(Box::new(one.into_iter()))
}
