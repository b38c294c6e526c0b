//! The filter options of `codifica search`, turned into the library's [`Filters`].

use codifica::month::Month;
use codifica::search::{CodeSource, Filters};

/// Which answers `codifica search` looks at.
#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// Only answers of this month (YYYY-MM, or e.g. "julio 2020"); repeat for several months.
    #[arg(long, value_parser = Month::parse_arg)]
    month: Vec<Month>,
    /// Only answers from this month on (YYYY-MM, inclusive).
    #[arg(long, value_parser = Month::parse_arg)]
    from: Option<Month>,
    /// Only answers up to this month (YYYY-MM, inclusive).
    #[arg(long, value_parser = Month::parse_arg)]
    to: Option<Month>,
    /// Only answers to this question id; repeat for several.
    #[arg(long, short = 'Q')]
    question: Vec<String>,
    /// Only this entity: its code (e.g. 05001) or words of its name ("santa marta"); repeatable.
    #[arg(long)]
    entity: Vec<String>,
    /// Only this department (case and accents ignored); repeatable.
    #[arg(long)]
    department: Vec<String>,
    /// Only this region (case and accents ignored: "Pacifico" = "Pacífico"); repeatable.
    #[arg(long)]
    region: Vec<String>,
    /// Only answers with this code; repeatable (any of them).
    #[arg(long)]
    code: Vec<String>,
    /// Which codes --code looks at.
    #[arg(long, value_enum, default_value_t = Source::Any)]
    code_source: Source,
    /// Only answers rated at least this.
    #[arg(long)]
    min_rating: Option<f64>,
    /// Only answers rated at most this.
    #[arg(long)]
    max_rating: Option<f64>,
    /// Only answers an analyst has coded.
    #[arg(long, conflicts_with = "uncoded")]
    coded: bool,
    /// Only answers no analyst has coded yet.
    #[arg(long)]
    uncoded: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Source {
    Human,
    Machine,
    Any,
}

impl FilterArgs {
    /// The filters these options ask for.
    pub fn filters(&self) -> Filters {
        Filters {
            months: self.month.clone(),
            from: self.from,
            to: self.to,
            questions: self.question.clone(),
            entities: self.entity.clone(),
            departments: self.department.clone(),
            regions: self.region.clone(),
            codes: self.code.clone(),
            code_source: match self.code_source {
                Source::Human => CodeSource::Human,
                Source::Machine => CodeSource::Machine,
                Source::Any => CodeSource::Any,
            },
            min_rating: self.min_rating,
            max_rating: self.max_rating,
            coded: (self.coded || self.uncoded).then_some(self.coded),
        }
    }
}
