//! `paraclinic friedman FILE.csv [--columns a,b,c] [--alpha 0.05] [--json]`

use analysis::friedman::{friedman_dataset, DEFAULT_ALPHA, MIN_ALPHA};
use analysis::AnalysisError;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// CSV file: one row per respondent, one column per ranked condition.
    pub file: PathBuf,
    /// Comma-separated columns to rank (default: all columns).
    #[arg(long)]
    pub columns: Option<String>,
    /// Significance level of Demšar's critical difference (from 1e-9, below 1).
    #[arg(long, default_value_t = DEFAULT_ALPHA, allow_hyphen_values = true)]
    pub alpha: f64,
    /// Print JSON instead of text tables.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    // Checked here, before the file is read, with the option's name: deep
    // in the studentized-range quantile a bad level would only be "a
    // probability p".
    analysis::error::check_range("--alpha", args.alpha, MIN_ALPHA, 1.0, true)?;
    super::analyse_columns(&args.file, &args.columns, args.json, |data, columns| {
        friedman_dataset(data, columns, args.alpha)
    })
}
