//! `paraclinic sem-compare`: nested models fitted to the same data, tested
//! against each other as lavaan's `lavTestLRT`.

use analysis::error::AnalysisError;
use analysis::sem::compare::{self, ComparedModel};
use analysis::sem::groups::{self, GroupEqual};
use analysis::sem::{self, ModelSpec, Options, SampleMoments};
use analysis::Dataset;

use super::sem::LikelihoodArg;

#[derive(clap::Args)]
pub struct Args {
    /// Raw data: CSV with a header row.
    #[arg(long, value_name = "FILE.csv")]
    pub data: String,
    /// A model in lavaan syntax; give two or more (--model A.lav --model B.lav).
    #[arg(long, value_name = "FILE.lav", required = true)]
    pub model: Vec<String>,
    /// Likelihood: normal (lavaan) or wishart (AMOS).
    #[arg(long, value_enum, default_value = "normal")]
    pub likelihood: LikelihoodArg,
    /// Estimator: ML (χ² difference), MLM or MLR (Satorra–Bentler 2001
    /// scaled difference).
    #[arg(long, value_name = "ML|MLM|MLR", default_value = "ML")]
    pub estimator: String,
    /// Free intercepts of the observed variables (lavaan's meanstructure).
    #[arg(long)]
    pub meanstructure: bool,
    /// Identify factors by fixing latent variances to 1 (lavaan's std.lv).
    #[arg(long)]
    pub std_lv: bool,
    /// Fit every model per group of this column.
    #[arg(long, value_name = "COL")]
    pub group: Option<String>,
    /// With --group, what is equal across groups in every model (lavaan's
    /// `group.equal`).
    #[arg(long, value_name = "LIST", requires = "group")]
    pub group_equal: Option<String>,
    /// Print JSON instead of text tables.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    let estimator: sem::Estimator = args.estimator.parse()?;
    let equal: GroupEqual = args.group_equal.as_deref().unwrap_or("").parse()?;
    if args.model.len() < 2 {
        return Err(AnalysisError::invalid_argument(
            "--model",
            format!("{} model", args.model.len()),
            "at least two models (--model A.lav --model B.lav)",
        ));
    }
    let options = Options {
        likelihood: match args.likelihood {
            LikelihoodArg::Normal => sem::Likelihood::Normal,
            LikelihoodArg::Wishart => sem::Likelihood::Wishart,
        },
        std_lv: args.std_lv,
        estimator,
        meanstructure: args.meanstructure || args.group.is_some(),
        ..Options::default()
    };
    let data = Dataset::from_path(&args.data)?;
    let mut models = Vec::with_capacity(args.model.len());
    for path in &args.model {
        let spec = ModelSpec::from_path(path)?;
        let fitted = match &args.group {
            Some(group) => {
                let sample = super::sem::grouped_sample(&spec, &args.data, group)?;
                ComparedModel::of_groups(path, &groups::fit(&spec, &sample, &equal, &options)?)
            }
            None => {
                let wanted = super::sem::model_columns(&spec, &data)?;
                let sample = SampleMoments::from_dataset(&data, &wanted)?;
                let fit = sem::fit(&spec, &sample, &options)?;
                ComparedModel::of_fit(path, &fit)
            }
        };
        models.push(fitted);
    }
    super::emit(&compare::compare(models)?, args.json);
    Ok(())
}
