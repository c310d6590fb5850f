//! `paraclinic sem-compare`: nested models fitted to the same data, tested
//! against each other as lavaan's `lavTestLRT` (satorra.2000 for WLSMV),
//! after a nestedness check as semTools' `net()` for ML, MLM and MLR
//! (`analysis::sem::nesting`).

use analysis::error::AnalysisError;
use analysis::sem::compare::{self, ComparedModel};
use analysis::sem::groups::{self, GroupEqual};
use analysis::sem::nesting::Refit;
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
    /// Estimator: ML or GLS (χ² difference), MLM or MLR (Satorra–Bentler
    /// 2001 scaled difference), WLSMV (Satorra 2000 scaled-shifted
    /// difference), DWLS or ULS (χ² difference, their standard test).
    /// Default: WLSMV with ordered indicators, ML otherwise.
    #[arg(long, value_name = "ML|MLM|MLR|WLSMV|DWLS|ULS|GLS")]
    pub estimator: Option<String>,
    /// Ordered (ordinal) indicators, fitted through thresholds and
    /// polychoric correlations (lavaan's ordered =); the other observed
    /// variables stay continuous. --ordered-all lists them all.
    #[arg(long, value_name = "a,b,…", conflicts_with = "ordered_all")]
    pub ordered: Option<String>,
    /// Treat every observed variable of every model as ordered.
    #[arg(long)]
    pub ordered_all: bool,
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
    let ordered_asked = args.ordered_all || args.ordered.is_some();
    let estimator: sem::Estimator = match &args.estimator {
        Some(e) => e.parse()?,
        None if ordered_asked => sem::Estimator::WLSMV,
        None => sem::Estimator::ML,
    };
    let ordered_list = args
        .ordered
        .as_deref()
        .map(super::sem::ordered_names)
        .transpose()?;
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
        let ordered = if ordered_asked {
            super::sem::ordered_columns(&spec, &data, ordered_list.as_deref())?
        } else {
            Vec::new()
        };
        let options = Options {
            ordered,
            ..options.clone()
        };
        if !options.ordered.is_empty() {
            // The ordinal checks first, with the file, line and value:
            // whole numbers, two categories at least.
            analysis::polychoric::OrderedData::check_dataset(&data, &options.ordered)?;
        }
        let fitted = match &args.group {
            Some(group) => {
                // Multi-group least squares fills the test pieces, so
                // ordered groups get lavTestLRT's satorra.2000 difference.
                let sample = super::sem::grouped_sample(&spec, &args.data, group)?;
                let fit = groups::fit(&spec, &sample, &equal, &options)?;
                ComparedModel {
                    refit: Refit::of_groups(&spec, &options, &fit),
                    ..ComparedModel::of_groups(path, &fit)
                }
            }
            None => {
                let wanted = super::sem::model_columns(&spec, &data)?;
                let sample = SampleMoments::from_dataset(&data, &wanted)?;
                let fit = sem::fit(&spec, &sample, &options)?;
                ComparedModel {
                    refit: Refit::of_fit(&spec, &options, &fit),
                    ..ComparedModel::of_fit(path, &fit)
                }
            }
        };
        models.push(fitted);
    }
    super::emit(&compare::compare(models)?, args.json);
    Ok(())
}
