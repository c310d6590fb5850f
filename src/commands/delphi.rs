//! `paraclinic delphi ROUND1.csv [ROUND2.csv ...] [--json]` with options for
//! the scale, the agreement cut and threshold, the IQR and CV bounds and the
//! expert id column.

use analysis::delphi::{delphi, DelphiOptions};
use analysis::{AnalysisError, Dataset};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// One CSV per round, in round order: rows = experts, columns = items.
    #[arg(required = true)]
    pub rounds: Vec<PathBuf>,
    /// Lowest point of the rating scale.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    pub scale_min: f64,
    /// Highest point of the rating scale.
    #[arg(long, default_value_t = 5.0, allow_hyphen_values = true)]
    pub scale_max: f64,
    /// Share of agreeing experts needed for consensus.
    #[arg(long, default_value_t = 0.75, allow_hyphen_values = true)]
    pub agreement_threshold: f64,
    /// Lowest rating counted as agreement / "essential" (default: top-two box, scale max − 1).
    #[arg(long, allow_hyphen_values = true)]
    pub agree_min: Option<f64>,
    /// Largest interquartile range compatible with consensus.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    pub max_iqr: f64,
    /// Largest absolute change of the coefficient of variation between rounds for stability.
    #[arg(long, default_value_t = 0.15, allow_hyphen_values = true)]
    pub stability_cv: f64,
    /// Significance level of the Wilcoxon stability test and of the critical CVR.
    #[arg(long, default_value_t = 0.05, allow_hyphen_values = true)]
    pub alpha: f64,
    /// Column identifying the experts across rounds (otherwise rows are paired by position).
    #[arg(long)]
    pub id_column: Option<String>,
    /// Print JSON instead of text tables.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    let rounds: Vec<Dataset> = args
        .rounds
        .iter()
        .map(Dataset::from_path)
        .collect::<Result<_, _>>()?;
    let options = DelphiOptions {
        scale_min: args.scale_min,
        scale_max: args.scale_max,
        agree_min: args.agree_min,
        agreement_threshold: args.agreement_threshold,
        max_iqr: args.max_iqr,
        cv_bound: args.stability_cv,
        alpha: args.alpha,
        id_column: args.id_column.clone(),
    };
    let result = delphi(&rounds, &options).map_err(|e| {
        super::name_options(
            e,
            &[
                ("scale", "--scale-min/--scale-max"),
                ("agreement cut", "--agree-min"),
                ("agreement threshold", "--agreement-threshold"),
                ("max IQR", "--max-iqr"),
                ("CV bound", "--stability-cv"),
                ("alpha", "--alpha"),
            ],
        )
    })?;
    super::emit(&result, args.json);
    Ok(())
}
