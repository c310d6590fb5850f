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

use analysis::Render;

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
