//! The import's progress on standard error: a spinner while rows are read and validated, then
//! a bar while answers are written. Cleared when dropped.

use std::time::Duration;

use codifica::app::import::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// A terminal progress display for [`Progress`] events.
pub struct Bar(ProgressBar);

impl Bar {
    pub fn new() -> Bar {
        let bar = ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(bar)
    }

    pub fn show(&self, p: Progress) {
        let bar = &self.0;
        match p {
            Progress::Reading { rows } => {
                bar.set_message(format!("reading and validating: {rows} rows"));
            }
            Progress::Writing { done, total } => {
                if bar.length() != Some(total as u64) {
                    bar.set_style(
                        ProgressStyle::with_template(
                            "writing {bar:40} {pos}/{len} answers ({eta})",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    bar.set_length(total as u64);
                }
                bar.set_position(done as u64);
            }
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
