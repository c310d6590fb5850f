//! `paraclinic sample-size`: Cochran (with the finite-population correction),
//! Yamane, Krejcie–Morgan and the margin of error for a given n.

use analysis::sample_size::{sample_size, SampleSizeInput};
use analysis::AnalysisError;

#[derive(clap::Args)]
pub struct Args {
    /// Confidence level, strictly between 0 and 1 (z is its two-sided normal quantile).
    #[arg(long, default_value_t = 0.95, allow_hyphen_values = true)]
    pub confidence: f64,
    /// Expected proportion p, strictly between 0 and 1.
    #[arg(long, default_value_t = 0.5, allow_hyphen_values = true)]
    pub proportion: f64,
    /// Margin of error e, strictly between 0 and 1.
    #[arg(long, default_value_t = 0.05, allow_hyphen_values = true)]
    pub margin: f64,
    /// z given directly (e.g. 1.96) instead of from --confidence.
    #[arg(long, allow_hyphen_values = true)]
    pub z: Option<f64>,
    /// Population size N (whole number from 1 to 1e15): finite-population correction, Yamane, Krejcie–Morgan.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub population: Option<String>,
    /// A sample size whose margin of error is wanted (whole number from 1 to 1e15).
    #[arg(long = "n", value_name = "N", allow_hyphen_values = true)]
    pub n: Option<String>,
    /// Print JSON instead of text tables.
    #[arg(long)]
    pub json: bool,
}

/// The largest population or sample size accepted: sizes are computed in
/// f64, exact for whole numbers up to 2^53 ≈ 9.007e15.
pub const MAX_SIZE: u64 = 1_000_000_000_000_000;

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    let input = SampleSizeInput {
        confidence: args.confidence,
        z: args.z,
        proportion: args.proportion,
        margin: args.margin,
        population: super::optional_whole_number("--population", &args.population, 1, MAX_SIZE)?,
        n: super::optional_whole_number("--n", &args.n, 1, MAX_SIZE)?,
    };
    let result = sample_size(&input).map_err(|e| {
        super::name_options(
            e,
            &[
                ("confidence", "--confidence"),
                ("proportion", "--proportion"),
                ("margin", "--margin"),
                ("z", "--z"),
                ("n", "--n"),
                ("population", "--population"),
            ],
        )
    })?;
    super::emit(&result, args.json);
    Ok(())
}
