//! `paraclinic reliability FILE.csv [--columns a,b] [--json]`

use analysis::reliability::cronbach_alpha;
use analysis::AnalysisError;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// CSV file with a header row, one item per column; empty cells and NA
    /// are missing (records with a missing item are dropped).
    pub file: PathBuf,
    /// Comma-separated item columns (default: all columns).
    #[arg(long)]
    pub columns: Option<String>,
    /// Print JSON instead of text tables.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    super::analyse_columns(&args.file, &args.columns, args.json, cronbach_alpha)
}
