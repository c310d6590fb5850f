//! `paraclinic correlate FILE.csv [--method pearson|spearman] [--columns a,b]
//! [--threshold 0.8] [--missing listwise|pairwise] [--json]`

use analysis::correlation::{correlate, CorrelationOptions, Method, Missing, DEFAULT_THRESHOLD};
use analysis::{AnalysisError, Dataset};
use std::path::PathBuf;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum MethodArg {
    Pearson,
    Spearman,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum MissingArg {
    /// Drop every record with a missing value in a selected column.
    Listwise,
    /// Each correlation uses the records complete on its two columns (VIF
    /// always uses complete records).
    Pairwise,
}

#[derive(clap::Args)]
pub struct Args {
    /// CSV file with a header row (comma-, semicolon- or tab-separated); empty cells and NA are missing.
    pub file: PathBuf,
    /// Correlation coefficient.
    #[arg(long, value_enum, default_value = "pearson")]
    pub method: MethodArg,
    /// Comma-separated columns to correlate (default: all columns).
    #[arg(long)]
    pub columns: Option<String>,
    /// Flag pairs with |r| at or above this value (0 to 1).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, allow_hyphen_values = true)]
    pub threshold: f64,
    /// How missing values are handled; VIF always uses complete records.
    #[arg(long, value_enum, default_value = "listwise")]
    pub missing: MissingArg,
    /// Print JSON instead of text tables.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    let data = Dataset::from_path(&args.file)?;
    let columns = super::parse_columns(&args.columns);
    let options = CorrelationOptions {
        method: match args.method {
            MethodArg::Pearson => Method::Pearson,
            MethodArg::Spearman => Method::Spearman,
        },
        threshold: args.threshold,
        missing: match args.missing {
            MissingArg::Listwise => Missing::Listwise,
            MissingArg::Pairwise => Missing::Pairwise,
        },
    };
    let report = correlate(&data, columns.as_deref(), &options)
        .map_err(|e| super::name_options(e, &[("threshold", "--threshold")]))?;
    super::emit(&report, args.json);
    Ok(())
}
