//! One module per subcommand, plus what they share.

pub mod audit;
pub mod correlate;
pub mod delphi;
pub mod frequencies;
pub mod friedman;
pub mod normality;
pub mod reliability;
pub mod reproduce;
pub mod sample_size;
pub mod sem;

use analysis::{AnalysisError, Dataset, Render};
use std::path::Path;

/// Prints a result as JSON or as text tables.
#[allow(dead_code)] // used as subcommands land
pub fn emit(result: &impl Render, json: bool) {
    if json {
        println!("{}", result.to_json());
    } else {
        print!("{}", result.to_text());
    }
}

/// Splits a `--columns a,b,c` value into names.
#[allow(dead_code)] // used as subcommands land
pub fn parse_columns(columns: &Option<String>) -> Option<Vec<String>> {
    columns.as_ref().map(|c| {
        c.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

/// The shape shared by the subcommands that analyse columns of one CSV
/// file: read `file`, run `analyse` on the `--columns` selection (`None`:
/// all columns) and print the result as JSON or text.
pub fn analyse_columns<R: Render>(
    file: &Path,
    columns: &Option<String>,
    json: bool,
    analyse: impl FnOnce(&Dataset, Option<&[String]>) -> Result<R, AnalysisError>,
) -> Result<(), AnalysisError> {
    let data = Dataset::from_path(file)?;
    let columns = parse_columns(columns);
    emit(&analyse(&data, columns.as_deref())?, json);
    Ok(())
}
