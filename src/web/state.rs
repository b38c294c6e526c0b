//! Web stage: the server's shared state and every call it makes into the library. Pages never
//! touch the store or the file system directly; they go through [`App`].
//!
//! In: the opened workspace. Out: answers, codebooks, the review queue, and code saves that are
//! serialized through one writer (no lost update, workspace lock held only while writing).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use crate::answer::Answer;
use crate::app::codebook as codebook_app;
use crate::app::review::{self, Queue, QueueRequest};
use crate::app::team;
use crate::codebook::{self, Codebook};
use crate::error::{Error, Result};
use crate::month::Month;
use crate::report::{MapInput, ReportData};
use crate::store::{AnswerFilter, Store};
use crate::trends::{self, EntitySeries, FlaggedEntity};
use crate::workspace::Workspace;

use super::security::Secrets;

/// What a page says about a failure that is not the request's fault: a full disk in plain
/// Spanish (HTTP 507); anything else without its details, which may be a debug dump of paths and
/// system errors — those go to the server's standard error, never to the page (HTTP 500).
/// Returns the status, the page title and the message.
pub fn internal_failure(err: &Error) -> (axum::http::StatusCode, &'static str, &'static str) {
    use axum::http::StatusCode;
    if err.is_out_of_space() {
        return (
            StatusCode::INSUFFICIENT_STORAGE,
            "Disco lleno",
            "No queda espacio en disco; no se guardó nada. Libere espacio y vuelva a intentarlo.",
        );
    }
    eprintln!("codifica serve: internal error: {err}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Error interno",
        "No se pudo completar la operación por un error interno; no se guardó nada. El detalle \
         quedó en la consola donde corre «codifica serve».",
    )
}

/// Everything a request handler needs.
pub struct App {
    pub ws: Workspace,
    pub store: Store,
    pub secrets: Secrets,
    /// True when listening beyond loopback: every request must show the access token.
    pub require_token: bool,
    /// Department boundaries and gazetteer for the Tablero's map (paths given to `serve`).
    pub map: MapInput,
    /// Serializes code saves inside this process (the workspace lock guards against others).
    writer: Mutex<()>,
}

/// Everything the Entidad page shows about one entity.
pub struct EntityView {
    pub series: EntitySeries,
    pub answers: Vec<Answer>,
    /// Months in which it was flagged, with the flag (reasons, severity).
    pub flags: Vec<(Month, FlaggedEntity)>,
    pub codebooks: trends::Codebooks,
}

/// What happened to a save.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveOutcome {
    /// The human codes are now these.
    Saved(Vec<String>),
    /// Someone else changed this answer's human codes since the form was shown: nothing was
    /// written; these are the codes stored now.
    Conflict(Vec<String>),
}

impl App {
    /// Opens the store of `ws` and draws fresh secrets.
    pub fn new(ws: Workspace, require_token: bool, map: MapInput) -> Result<App> {
        let store = Store::open(&ws)?;
        Ok(App {
            ws,
            store,
            secrets: Secrets::new(),
            require_token,
            map,
            writer: Mutex::new(()),
        })
    }

    /// The answer with this key.
    pub fn answer(&self, key: &str) -> Result<Option<Answer>> {
        self.store.get(key)
    }

    /// The months present in the store, oldest first (no answer is loaded).
    pub fn months(&self) -> Result<Vec<Month>> {
        self.store.months()
    }

    /// The codebook of `question`: the workspace's, else the built-in default. Only questions of
    /// the config are looked up, so a request never names a file.
    pub fn codebook(&self, question: &str) -> Result<Option<Codebook>> {
        let known = self.ws.config().question(question).is_some();
        let safe = !question.is_empty()
            && question
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !known || !safe {
            return Ok(None);
        }
        codebook::load_or_default(&self.ws, question)
    }

    /// The codebooks of every coded question of the config, by question id: the one loading rule
    /// of the report and the exports ([`trends::load_codebooks`]).
    pub fn codebooks(&self) -> Result<BTreeMap<String, Codebook>> {
        trends::load_codebooks(&self.ws)
    }

    /// The month's report data, computed exactly as `codifica report` computes it.
    pub fn report(&self, month: Month) -> Result<ReportData> {
        let codebooks = trends::load_codebooks(&self.ws)?;
        ReportData::from_store(&self.store, self.ws.config(), &codebooks, month, &self.map)
    }

    /// One entity's series of interviews (trends stage), its answers, and the flags raised in
    /// each month it was interviewed (month, reasons), oldest first.
    pub fn entity(&self, code: &str) -> Result<Option<EntityView>> {
        let filter = AnswerFilter {
            entity: Some(code.to_string()),
            ..AnswerFilter::default()
        };
        let answers = self.store.answers(&filter)?;
        let config = self.ws.config();
        let Some(series) = trends::build_series(&answers, config).into_iter().next() else {
            return Ok(None);
        };
        let codebooks = trends::load_codebooks(&self.ws)?;
        let mut flags = Vec::new();
        for iv in &series.interviews {
            let report = trends::flags_for_month(
                std::slice::from_ref(&series),
                config,
                &codebooks,
                iv.month,
            );
            if let Some(f) = report.flagged.into_iter().next() {
                flags.push((iv.month, f));
            }
        }
        Ok(Some(EntityView {
            series,
            answers,
            flags,
            codebooks,
        }))
    }

    /// The review queue of `app::review` — the one `codifica review` prints: answers to coded
    /// questions that no person has coded yet, least sure first, those without any suggestion
    /// last (never dropped), with the coding counts.
    pub fn review_queue(&self, req: &QueueRequest) -> Result<Queue> {
        review::queue(&self.ws, &self.store, req)
    }

    /// Saves human codes for one answer. `seen` are the human codes the analyst's form showed:
    /// when the stored ones differ (someone else saved meanwhile) and differ from the new ones
    /// too, nothing is written and the caller shows the conflict. Codes must belong to the
    /// question's codebook. Writes are serialized; the workspace lock is held only while writing.
    pub fn save_codes(&self, key: &str, codes: &[String], seen: &[String]) -> Result<SaveOutcome> {
        self.save_codes_as(key, codes, seen, None)
    }

    /// [`App::save_codes`], stamping the change with the analyst's name (`app::team`).
    pub fn save_codes_as(
        &self,
        key: &str,
        codes: &[String],
        seen: &[String],
        coder: Option<&str>,
    ) -> Result<SaveOutcome> {
        let codes = normalize(codes);
        let seen = normalize(seen);
        let _turn = self
            .writer
            .lock()
            .map_err(|_| Error::internal("the writer was poisoned by an earlier failure"))?;
        let _lock = self.ws.lock()?;
        let current = self.store.get(key)?.ok_or_else(|| {
            Error::not_found(format!("no hay ninguna respuesta con la clave «{key}»"))
        })?;
        let stored = normalize(&current.codes);
        if stored != seen && stored != codes {
            return Ok(SaveOutcome::Conflict(current.codes));
        }
        self.check_codes(&current.question, &codes)?;
        if stored != codes {
            let update = [(key.to_string(), codes.clone())];
            self.store.set_human_codes(&update)?;
            team::record(&self.ws, &update, coder)?;
        }
        Ok(SaveOutcome::Saved(codes))
    }

    /// Accepts the suggestions an analyst saw on one page of the queue (answer key, codes): each
    /// becomes the answer's human codes unless an analyst coded it meanwhile (never
    /// overwritten). All checked first, then written in one commit. Returns how many were saved.
    pub fn accept_suggestions(
        &self,
        proposed: &[(String, Vec<String>)],
        coder: Option<&str>,
    ) -> Result<usize> {
        let _turn = self
            .writer
            .lock()
            .map_err(|_| Error::invalid("the writer was poisoned by an earlier failure"))?;
        let _lock = self.ws.lock()?;
        let updates = review::accept_plan(&self.ws, &self.store, proposed)?;
        if updates.is_empty() {
            return Ok(0);
        }
        let n = self.store.set_human_codes(&updates)?;
        team::record(&self.ws, &updates, coder)?;
        Ok(n)
    }

    /// Applies one codebook edit as one transaction (`app::codebook::apply`, as `codifica
    /// codebook` does), serialized with the code saves of this process.
    pub fn edit_codebook(
        &self,
        question: &str,
        edit: codebook_app::Edit,
    ) -> Result<codebook_app::EditReport> {
        let _turn = self
            .writer
            .lock()
            .map_err(|_| Error::invalid("the writer was poisoned by an earlier failure"))?;
        codebook_app::apply(&self.ws, &self.store, question, edit)
    }

    /// Draws a month's double-coding sample (`app::team::draw`), serialized with the saves.
    pub fn draw_round(&self, month: Month, size: usize, seed: u64) -> Result<team::Round> {
        let _turn = self
            .writer
            .lock()
            .map_err(|_| Error::invalid("the writer was poisoned by an earlier failure"))?;
        team::draw(&self.ws, &self.store, month, size, seed)
    }

    /// Stores one analyst's codes for one answer of a double-coding round.
    pub fn code_in_round(
        &self,
        month: Month,
        coder: &str,
        key: &str,
        codes: &[String],
    ) -> Result<()> {
        let _turn = self
            .writer
            .lock()
            .map_err(|_| Error::invalid("the writer was poisoned by an earlier failure"))?;
        team::code_in_round(&self.ws, &self.store, month, coder, key, codes)
    }

    /// The one code-validity check (`app::review::check_codes`, as `import` applies it), worded
    /// in Spanish.
    fn check_codes(&self, question: &str, codes: &[String]) -> Result<()> {
        match review::check_codes(&self.ws, question, codes)? {
            Ok(()) => Ok(()),
            Err(r) => Err(Error::argument("codigos", review::refusal_es(question, &r))),
        }
    }
}

/// Codes sorted, deduplicated and without blanks, so two forms of one set compare equal.
fn normalize(codes: &[String]) -> Vec<String> {
    let set: BTreeSet<String> = codes
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    set.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn app() -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path(), Config::monitoreo360_text(), false).unwrap();
        let app = App::new(ws, false, MapInput::default()).unwrap();
        (dir, app)
    }

    #[test]
    fn codes_compare_as_sets() {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(normalize(&v(&["b", " a", "", "b"])), v(&["a", "b"]));
    }

    #[test]
    fn codebooks_only_for_configured_questions() {
        let (_dir, app) = app();
        assert!(app.codebook("necesidades_debilidades").unwrap().is_some());
        for bad in ["../codifica", "", "no_existe", "calificacion_general/../x"] {
            assert!(app.codebook(bad).unwrap().is_none(), "{bad}");
        }
    }

    #[test]
    fn empty_store_has_no_months_and_an_empty_queue() {
        let (_dir, app) = app();
        assert!(app.months().unwrap().is_empty());
        let q = app.review_queue(&QueueRequest::default()).unwrap();
        assert!(q.items.is_empty());
        assert_eq!(q.counts, crate::model::review::CodingCounts::default());
        let err = app.save_codes("x|2020-11|q|", &[], &[]).unwrap_err();
        assert!(err.to_string().contains("clave"), "{err}");
    }

    #[test]
    fn internal_failures_show_no_details_and_a_full_disk_in_plain_words() {
        let enospc = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let full = Error::Index(tantivy::TantivyError::IoError(std::sync::Arc::new(enospc)));
        let (status, _, message) = internal_failure(&full);
        assert_eq!(status.as_u16(), 507);
        assert!(message.contains("No queda espacio en disco; no se guardó nada"));
        let other = Error::io(
            "/secreto/index/meta.json",
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        let (status, _, message) = internal_failure(&other);
        assert_eq!(status.as_u16(), 500);
        assert!(!message.contains("secreto") && !message.contains("Os {"));
    }
}
