//! One module per subcommand, plus what they share.

pub mod audit;
pub mod correlate;
pub mod delphi;
pub mod frequencies;
pub mod friedman;
pub mod invariance;
pub mod normality;
pub mod reliability;
pub mod reproduce;
pub mod sample_size;
pub mod sem;
pub mod sem_compare;

use analysis::{AnalysisError, Dataset, Render};
use std::path::Path;

/// Reads a whole-number option within its documented range, with a
/// message naming the option, the value (shortened) and the range. Counts
/// are taken as text (with `allow_hyphen_values`) so that `--nobs -1` gets
/// this message rather than clap's "unexpected argument '-1'", and so
/// that `1e6` is accepted as the whole number it is.
pub fn whole_number(flag: &str, text: &str, lo: u64, hi: u64) -> Result<u64, AnalysisError> {
    let t = text.trim();
    let parsed = t.parse::<u64>().ok().or_else(|| {
        // 1e6, 2.0: whole numbers written as decimals. Only values inside
        // the range and below 2^53 pass, so the conversion below is exact.
        t.parse::<f64>()
            .ok()
            .filter(|v| {
                v.fract() == 0.0 && *v >= lo as f64 && *v <= hi as f64 && *v <= F64_EXACT_INTEGER
            })
            .map(|v| v as u64)
    });
    match parsed {
        Some(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(AnalysisError::invalid_argument(
            flag,
            format!("\"{t}\""),
            &format!("a whole number from {} to {}", group(lo), group(hi)),
        )),
    }
}

/// Names the command-line option in a library error about a parameter:
/// the library says "invalid alpha …", the user typed `--alpha`.
/// `names` maps the library's parameter names to the options.
pub fn name_options(e: AnalysisError, names: &[(&str, &str)]) -> AnalysisError {
    match e {
        AnalysisError::InvalidArgument {
            name,
            value,
            expected,
        } => {
            let name = names
                .iter()
                .find(|(lib, _)| *lib == name)
                .map_or(name, |(_, flag)| (*flag).to_owned());
            AnalysisError::InvalidArgument {
                name,
                value,
                expected,
            }
        }
        other => other,
    }
}

/// 2^53: the largest f64 below which every whole number is exact, so that
/// "1e6" is read as the integer it names and "18446744073709551616" (which
/// rounds to u64::MAX as a float) is not.
const F64_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// [`whole_number`] for an optional option.
pub fn optional_whole_number(
    flag: &str,
    text: &Option<String>,
    lo: u64,
    hi: u64,
) -> Result<Option<u64>, AnalysisError> {
    text.as_deref()
        .map(|t| whole_number(flag, t, lo, hi))
        .transpose()
}

/// A bound as written in messages and `--help`: 1000000000 as 10^9 reads
/// better, but digits are unambiguous; powers of ten are shown as 1e9.
fn group(v: u64) -> String {
    if v == u64::MAX {
        "2^64 − 1".to_owned()
    } else if v >= 1_000_000
        && v.to_string()
            .trim_start_matches('1')
            .chars()
            .all(|c| c == '0')
    {
        format!("1e{}", v.to_string().len() - 1)
    } else {
        v.to_string()
    }
}

/// Prints a result as JSON or as text tables.
#[allow(dead_code)] // used as subcommands land
pub fn emit(result: &impl Render, json: bool) {
    if json {
        println!("{}", result.to_json());
    } else {
        print!("{}", result.to_text());
    }
}

/// Splits a `--columns a,b,c` value into names (a name listed twice is
/// rejected by `Dataset::select`).
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
