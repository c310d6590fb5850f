//! `paraclinic frequencies`: counts and percentages of one column's categories.

use analysis::frequency::FrequencyTable;
use analysis::{AnalysisError, Dataset};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// CSV file with a header row (comma-, semicolon- or tab-separated).
    pub file: PathBuf,
    /// The column whose categories are counted (empty cells and NA are missing).
    #[arg(long)]
    pub column: String,
    /// Print JSON instead of text tables.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    let data = Dataset::from_path(&args.file)?;
    let table = FrequencyTable::from_column(&data, &args.column)?;
    super::emit(&table, args.json);
    Ok(())
}
