//! Where `train` and `evaluate` take their coded examples from: a file (`--examples`, with its
//! columns and row filters) or the workspace.

use std::path::PathBuf;

use anyhow::bail;
use codifica::app::train::ByQuestion;
use codifica::model::examples::{ExampleSpec, RowFilter};
use codifica::store::Store;

use super::Global;
use super::learn::workspace;

/// Where the coded examples come from (shared with `evaluate`).
#[derive(Debug, Clone, clap::Args)]
pub struct ExampleArgs {
    /// A CSV/XLSX of coded examples instead of the workspace's human codes.
    #[arg(long, value_name = "FILE")]
    pub examples: Option<PathBuf>,
    /// Column with the answer text (with --examples).
    #[arg(long, value_name = "C", default_value = "text")]
    pub text_column: String,
    /// Column with the code(s), several separated by `;` (with --examples).
    #[arg(long, value_name = "C", default_value = "code")]
    pub code_column: String,
    /// Column naming the question: one classifier per distinct value (with --examples).
    #[arg(long, value_name = "C")]
    pub question_column: Option<String>,
    /// Keep only rows where COL=VAL (or COL!=VAL); repeatable (with --examples).
    #[arg(long = "where", value_name = "COL=VAL")]
    pub filters: Vec<RowFilter>,
    /// Only this question (workspace mode, or one value of --question-column).
    #[arg(long, value_name = "Q")]
    pub question: Option<String>,
    /// Column naming each answer's group (cabildo, region, month…): validation keeps whole
    /// groups on one side, as a new month does (with --examples).
    #[arg(long, value_name = "C")]
    pub group_column: Option<String>,
}

impl ExampleArgs {
    /// The example file's reading rules (with `--examples`).
    pub fn spec(&self) -> Option<ExampleSpec> {
        Some(ExampleSpec {
            file: self.examples.clone()?,
            text_column: self.text_column.clone(),
            code_column: self.code_column.clone(),
            question_column: self.question_column.clone(),
            filters: self.filters.clone(),
            group_column: self.group_column.clone(),
        })
    }

    /// Coded examples grouped by question, from the file or the workspace.
    pub fn gather(&self, g: &Global) -> anyhow::Result<ByQuestion> {
        if let Some(spec) = self.spec() {
            return Ok(codifica::app::train::file_examples(
                &spec,
                self.question.as_deref(),
            )?);
        }
        self.no_groups()?;
        let ws = workspace(g, "(or pass --examples FILE)")?;
        let store = Store::open(&ws)?;
        let q = self.question.as_deref();
        Ok(codifica::app::train::workspace_examples_for(
            &ws, &store, q,
        )?)
    }
}

impl ExampleArgs {
    /// Refuses `--group-column` without `--examples`.
    pub fn no_groups(&self) -> anyhow::Result<()> {
        if self.group_column.is_some() {
            bail!("--group-column goes with --examples (a workspace is grouped by month)");
        }
        Ok(())
    }
}
