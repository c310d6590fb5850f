//! `paraclinic normality FILE.csv [--columns a,b] [--json]`: Kolmogorov–Smirnov
//! (with Lilliefors p), Shapiro–Wilk, skewness and kurtosis per variable,
//! missing values dropped per variable.

use analysis::normality::normality;
use analysis::AnalysisError;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// CSV file with a header row (comma-, semicolon- or tab-separated); empty cells and NA are missing.
    pub file: PathBuf,
    /// Comma-separated columns to analyse (default: all columns, which must
    /// then all be numeric).
    #[arg(long)]
    pub columns: Option<String>,
    /// Print JSON instead of text tables.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    super::analyse_columns(&args.file, &args.columns, args.json, normality)
}
