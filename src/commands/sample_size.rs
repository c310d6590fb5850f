//! `paraclinic sample-size`: Cochran (with the finite-population correction),
//! Yamane, Krejcie–Morgan and the margin of error for a given n; with
//! `--sem`, the RMSEA power or minimum n of an SEM (MacCallum, Browne &
//! Sugawara 1996).

use analysis::sample_size::sem::{
    sem_sample_size, RmseaDesign, SemSampleSizeInput, SemSolve, DEFAULT_ALPHA, DEFAULT_POWER,
    DEFAULT_RMSEA0, DEFAULT_RMSEA1, MAX_DF, MAX_N, MIN_N,
};
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
    /// A sample size whose margin of error is wanted (whole number from 1 to 1e15); with --sem, whose power is wanted (2 to 1e9).
    #[arg(long = "n", value_name = "N", allow_hyphen_values = true)]
    pub n: Option<String>,
    /// Sample size for a structural equation model instead: power of the RMSEA test, or the minimum n (MacCallum, Browne & Sugawara 1996, as semTools).
    #[arg(long, conflicts_with_all = ["confidence", "proportion", "margin", "z", "population"])]
    pub sem: bool,
    /// With --sem: the model's degrees of freedom (whole number from 1 to 1e6).
    #[arg(long, value_name = "D", requires = "sem", allow_hyphen_values = true)]
    pub df: Option<String>,
    /// With --sem: RMSEA under the null hypothesis [default: 0.05].
    #[arg(long, value_name = "R0", requires = "sem", allow_hyphen_values = true)]
    pub rmsea0: Option<f64>,
    /// With --sem: RMSEA under the alternative [default: 0.08]; above R0 tests close fit, below R0 not-close fit.
    #[arg(long, value_name = "R1", requires = "sem", allow_hyphen_values = true)]
    pub rmsea1: Option<f64>,
    /// With --sem: the power wanted, above alpha and at most 0.999999 [default: 0.80]; the minimum n is computed.
    #[arg(
        long,
        value_name = "P",
        requires = "sem",
        conflicts_with = "n",
        allow_hyphen_values = true
    )]
    pub power: Option<f64>,
    /// With --sem: significance level, from 1e-6 to below 1 [default: 0.05].
    #[arg(long, value_name = "A", requires = "sem", allow_hyphen_values = true)]
    pub alpha: Option<f64>,
    /// Print JSON instead of text tables.
    #[arg(long)]
    pub json: bool,
}

/// The largest population or sample size accepted: sizes are computed in
/// f64, exact for whole numbers up to 2^53 ≈ 9.007e15.
pub const MAX_SIZE: u64 = 1_000_000_000_000_000;

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    if args.sem {
        return run_sem(args);
    }
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

/// `sample-size --sem`: power at `--n`, or else the minimum n for `--power`.
fn run_sem(args: &Args) -> Result<(), AnalysisError> {
    let df = match &args.df {
        Some(text) => super::whole_number("--df", text, 1, MAX_DF)?,
        None => {
            return Err(AnalysisError::invalid_argument(
                "--df",
                "(none)",
                "the model's degrees of freedom with --sem (e.g. --df 335)",
            ))
        }
    };
    let design = RmseaDesign {
        df,
        rmsea0: args.rmsea0.unwrap_or(DEFAULT_RMSEA0),
        rmsea1: args.rmsea1.unwrap_or(DEFAULT_RMSEA1),
        alpha: args.alpha.unwrap_or(DEFAULT_ALPHA),
    };
    let solve = match super::optional_whole_number("--n", &args.n, MIN_N, MAX_N)? {
        Some(n) => SemSolve::Power { n },
        None => SemSolve::MinimumN {
            power: args.power.unwrap_or(DEFAULT_POWER),
        },
    };
    let result = sem_sample_size(&SemSampleSizeInput { design, solve }).map_err(|e| {
        super::name_options(
            e,
            &[
                ("df", "--df"),
                ("rmsea0", "--rmsea0"),
                ("rmsea1", "--rmsea1"),
                ("alpha", "--alpha"),
                ("power", "--power"),
                ("n", "--n"),
            ],
        )
    })?;
    super::emit(&result, args.json);
    Ok(())
}
