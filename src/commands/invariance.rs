//! `paraclinic invariance`: configural, metric, scalar and strict models
//! across the groups of a column, each tested against the previous one.

use analysis::error::AnalysisError;
use analysis::sem::{invariance, ModelSpec, Options};

#[derive(clap::Args)]
pub struct Args {
    /// Model in lavaan syntax.
    #[arg(long, value_name = "FILE.lav")]
    pub model: String,
    /// Raw data: CSV with a header row (incomplete records are dropped per group).
    #[arg(long, value_name = "FILE.csv")]
    pub data: String,
    /// The group column (groups numbered in order of first appearance).
    #[arg(long, value_name = "COL")]
    pub group: String,
    /// Estimator: ML (χ² difference), MLM or MLR (Satorra–Bentler 2001
    /// scaled difference).
    #[arg(long, value_name = "ML|MLM|MLR", default_value = "ML")]
    pub estimator: String,
    /// Identify factors by fixing latent variances to 1 (lavaan's std.lv).
    #[arg(long)]
    pub std_lv: bool,
    /// Print JSON instead of text tables.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    let estimator = args.estimator.parse()?;
    let spec = ModelSpec::from_path(&args.model)?;
    let sample = super::sem::grouped_sample(&spec, &args.data, &args.group)?;
    let options = Options {
        estimator,
        std_lv: args.std_lv,
        meanstructure: true,
        ..Options::default()
    };
    let result = invariance::test(&spec, &sample, &options)?;
    for m in &result.models {
        for w in &m.fit.warnings {
            eprintln!("paraclinic: warning: {} model: {w}", m.name);
        }
    }
    super::emit(&result, args.json);
    Ok(())
}
