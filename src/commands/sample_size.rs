//! `paraclinic sample-size`: Cochran (with the finite-population correction),
//! Yamane, Krejcie–Morgan and the margin of error for a given n.

use analysis::sample_size::{sample_size, SampleSizeInput};
use analysis::AnalysisError;

#[derive(clap::Args)]
pub struct Args {
    /// Confidence level, strictly between 0 and 1 (z is its two-sided normal quantile).
    #[arg(long, default_value_t = 0.95, allow_negative_numbers = true)]
    pub confidence: f64,
    /// Expected proportion p, strictly between 0 and 1.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub proportion: f64,
    /// Margin of error e, strictly between 0 and 1.
    #[arg(long, default_value_t = 0.05, allow_negative_numbers = true)]
    pub margin: f64,
    /// z given directly (e.g. 1.96) instead of from --confidence.
    #[arg(long, allow_negative_numbers = true)]
    pub z: Option<f64>,
    /// Population size N (whole number ≥ 1): finite-population correction, Yamane, Krejcie–Morgan.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub population: Option<String>,
    /// A sample size whose margin of error is wanted (whole number ≥ 1).
    #[arg(long = "n", value_name = "N", allow_hyphen_values = true)]
    pub n: Option<String>,
    /// Print JSON instead of text tables.
    #[arg(long)]
    pub json: bool,
}

/// A whole number ≥ 1, with a message naming the flag and value otherwise
/// (clap's own message for a `u64` would not say what is expected).
fn whole_number(flag: &str, value: &Option<String>) -> Result<Option<u64>, AnalysisError> {
    let Some(text) = value else { return Ok(None) };
    match text.trim().parse::<u64>() {
        Ok(v) if v >= 1 => Ok(Some(v)),
        _ => Err(AnalysisError::invalid_argument(
            flag,
            format!("\"{text}\""),
            "a whole number ≥ 1",
        )),
    }
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    let input = SampleSizeInput {
        confidence: args.confidence,
        z: args.z,
        proportion: args.proportion,
        margin: args.margin,
        population: whole_number("--population", &args.population)?,
        n: whole_number("--n", &args.n)?,
    };
    let result = sample_size(&input)?;
    super::emit(&result, args.json);
    Ok(())
}
