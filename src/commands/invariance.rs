//! `paraclinic invariance`: configural, metric, scalar and strict models
//! across the groups of a column, each tested against the previous one.

use analysis::error::AnalysisError;
use analysis::sem::{invariance, Missing, ModelSpec, Options};

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
    /// Missing values: listwise (records with a missing value dropped per
    /// group) or ml (full-information ML in each group; ML or MLR).
    #[arg(long, value_name = "listwise|ml", default_value = "listwise")]
    pub missing: String,
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
    let missing: Missing = args.missing.parse()?;
    let options = Options {
        estimator,
        std_lv: args.std_lv,
        meanstructure: true,
        ..Options::default()
    };
    let result = if missing == Missing::Ml {
        let data = super::sem::incomplete_groups(&spec, &args.data, &args.group)?;
        invariance::test_missing(&spec, &data, &options)?
    } else {
        let sample = super::sem::grouped_sample(&spec, &args.data, &args.group)?;
        invariance::test(&spec, &sample, &options)?
    };
    for m in &result.models {
        for w in &m.fit.warnings {
            eprintln!("paraclinic: warning: {} model: {w}", m.name);
        }
    }
    super::emit(&result, args.json);
    Ok(())
}
