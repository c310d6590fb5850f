//! `paraclinic invariance`: configural, metric, scalar and strict models
//! across the groups of a column, each tested against the previous one
//! (with ordered indicators: configural, metric, scalar; see
//! `analysis::sem::invariance`).

use analysis::error::AnalysisError;
use analysis::sem::{invariance, Estimator, Missing, ModelSpec, Options};
use analysis::Dataset;

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
    /// scaled difference); with ordered indicators WLSMV (the default for
    /// them), DWLS or ULS. Default: WLSMV with --ordered/--ordered-all, ML
    /// otherwise.
    #[arg(long, value_name = "ML|MLM|MLR|WLSMV|DWLS|ULS")]
    pub estimator: Option<String>,
    /// Ordered (ordinal) indicators (lavaan's ordered =; every observed
    /// variable of the model, or use --ordered-all). The levels are then
    /// configural; metric (equal loadings); scalar (equal loadings and
    /// thresholds: lavaan's group.equal = c("thresholds", "loadings",
    /// "intercepts"), scale factors and latent means free from group 2 on)
    /// — semTools' measurementInvarianceCat sequence (Svetina, Rutkowski &
    /// Rutkowski 2020; Wu & Estabrook 2016). No strict level: residual
    /// variances are not parameters in the delta parameterization (semTools
    /// refuses them there too). The χ² difference of WLSMV fits is
    /// lavTestLRT's satorra.2000.
    #[arg(long, value_name = "a,b,…", conflicts_with = "ordered_all")]
    pub ordered: Option<String>,
    /// Treat every observed variable of the model as ordered.
    #[arg(long)]
    pub ordered_all: bool,
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
    let ordered_asked = args.ordered_all || args.ordered.is_some();
    let estimator = match &args.estimator {
        Some(e) => e.parse()?,
        None if ordered_asked => Estimator::WLSMV,
        None => Estimator::ML,
    };
    let ordered_list = args
        .ordered
        .as_deref()
        .map(super::sem::ordered_names)
        .transpose()?;
    let spec = ModelSpec::from_path(&args.model)?;
    let ordered = if ordered_asked {
        let data = Dataset::from_path(&args.data)?;
        let ordered = super::sem::ordered_columns(&spec, &data, ordered_list.as_deref())?;
        // The ordinal checks first, with the file, line and value.
        analysis::polychoric::OrderedData::from_dataset(&data, &ordered)?;
        ordered
    } else {
        Vec::new()
    };
    let missing: Missing = args.missing.parse()?;
    let options = Options {
        estimator,
        std_lv: args.std_lv,
        meanstructure: true,
        ordered,
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
