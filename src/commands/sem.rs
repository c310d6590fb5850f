//! `paraclinic sem`: fit a structural equation model written in lavaan
//! syntax by maximum likelihood, from raw data or a covariance matrix.

use analysis::error::AnalysisError;
use analysis::sem::groups::{self, GroupEqual, GroupedSample};
use analysis::sem::{self, BootstrapOptions, Likelihood, ModelSpec, Options, SampleMoments};
use analysis::{Dataset, Render};
use std::io::{IsTerminal, Write};
use std::sync::Arc;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum LikelihoodArg {
    /// S with divisor N, χ² = N·F (lavaan's default).
    Normal,
    /// S with divisor N − 1, χ² = (N − 1)·F (as AMOS reports).
    Wishart,
}

#[derive(clap::Args)]
pub struct Args {
    /// Model in lavaan syntax (=~, ~, ~~, modifiers 1*x NA*x a*x start(v)*x).
    #[arg(long, value_name = "FILE.lav")]
    pub model: String,
    /// Raw data: CSV with a header row (incomplete records are dropped
    /// unless --missing ml).
    #[arg(
        long,
        value_name = "FILE.csv",
        conflicts_with = "cov",
        required_unless_present = "cov"
    )]
    pub data: Option<String>,
    /// Covariance matrix (divisor N − 1) as CSV with a header of names and
    /// optionally a first column of the same names; needs --nobs.
    #[arg(long, value_name = "FILE.csv", requires = "nobs")]
    pub cov: Option<String>,
    /// Number of observations behind --cov (a whole number from 2 to 1e9).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub nobs: Option<String>,
    /// Likelihood: normal (lavaan) or wishart (AMOS).
    #[arg(long, value_enum, default_value = "normal")]
    pub likelihood: LikelihoodArg,
    /// Estimator, as lavaan's: ML, MLM (robust SEs, Satorra–Bentler scaled
    /// test), MLR (Huber–White SEs, Yuan–Bentler scaled test), WLSMV (DWLS
    /// with robust SEs and the scaled-and-shifted test), DWLS, ULS, GLS.
    /// Default: WLSMV with ordered indicators, ML otherwise.
    #[arg(long, value_name = "ML|MLM|MLR|WLSMV|DWLS|ULS|GLS")]
    pub estimator: Option<String>,
    /// Ordered (ordinal) indicators, fitted through thresholds and
    /// polychoric correlations (lavaan's ordered = c("a", "b")); the model's
    /// other observed variables stay continuous (polyserial correlations
    /// with the ordered ones). --ordered-all lists them all.
    #[arg(
        long,
        value_name = "a,b,…",
        conflicts_with = "ordered_all",
        requires = "data"
    )]
    pub ordered: Option<String>,
    /// Treat every observed variable of the model as ordered.
    #[arg(long, requires = "data")]
    pub ordered_all: bool,
    /// Missing values: listwise (drop incomplete records, lavaan's default)
    /// or ml (full-information ML: every case with a value; implies a mean
    /// structure; raw data, the ML or MLR estimator, also with --group).
    #[arg(long, value_name = "listwise|ml", default_value = "listwise")]
    pub missing: String,
    /// Free intercepts of the observed variables, latent means fixed at 0
    /// (lavaan's meanstructure = TRUE; a `x ~ 1` statement implies it).
    #[arg(long)]
    pub meanstructure: bool,
    /// Identify factors by fixing latent variances to 1 (lavaan's std.lv).
    #[arg(long)]
    pub std_lv: bool,
    /// Also compute modification indices with expected parameter change.
    #[arg(long)]
    pub modindices: bool,
    /// Bootstrap replicates for bootstrap SEs and percentile intervals (2 to 100000).
    #[arg(long, value_name = "B", allow_hyphen_values = true)]
    pub bootstrap: Option<String>,
    /// Seed of the bootstrap (a whole number from 0 to 2^64 − 1).
    #[arg(long, default_value = "20240501", allow_hyphen_values = true)]
    pub seed: String,
    /// Show bootstrap progress on stderr even when it is not a terminal.
    #[arg(long)]
    pub progress: bool,
    /// AMOS column names (S.E., C.R., P, Standardized) in text/HTML tables.
    #[arg(long)]
    pub amos: bool,
    /// Fit one model per group of this column (lavaan's `group =`): groups
    /// numbered in order of first appearance; needs --data.
    #[arg(long, value_name = "COL", conflicts_with = "cov")]
    pub group: Option<String>,
    /// With --group, what is equal across groups: a comma-separated list of
    /// loadings, intercepts, residuals, residual.covariances, lv.variances,
    /// lv.covariances, means, regressions, thresholds (lavaan's
    /// `group.equal`). With ordered indicators (WLSMV, DWLS, ULS; delta
    /// parameterization) equal thresholds (or intercepts, which lavaan
    /// takes to include them) free the scale factors and latent means from
    /// group 2 on.
    #[arg(long, value_name = "LIST", requires = "group")]
    pub group_equal: Option<String>,
    /// Print the wall-clock time of each phase on stderr.
    #[arg(long)]
    pub timings: bool,
    /// Print JSON instead of text tables.
    #[arg(long, conflicts_with = "html")]
    pub json: bool,
    /// Print HTML tables instead of text.
    #[arg(long)]
    pub html: bool,
}

/// The largest --nobs: beyond it N·F multiplies the optimiser's rounding
/// (F ≈ 1e-13 at a perfect fit) into χ² values of no meaning (the library
/// warns there), and no study has a billion observations.
pub const MAX_NOBS: u64 = sem::ACCURATE_NOBS as u64;

/// The most bootstrap replicates: 100 000 is ten times what percentile
/// intervals need; each replicate is a full fit.
pub const MAX_BOOTSTRAP: u64 = 100_000;

/// The data a fit reads: moments (listwise deletion or a covariance
/// matrix) or incomplete raw data (--missing ml).
enum Input {
    Moments(SampleMoments),
    Incomplete(sem::IncompleteData),
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    // Options first, before any file is read or any model fitted.
    let ordered_asked = args.ordered_all || args.ordered.is_some();
    let estimator: sem::Estimator = match &args.estimator {
        Some(e) => e.parse()?,
        None if ordered_asked => sem::Estimator::WLSMV,
        None => sem::Estimator::ML,
    };
    let ordered_list = args.ordered.as_deref().map(ordered_names).transpose()?;
    if ordered_asked && args.data.is_none() {
        return Err(AnalysisError::invalid_argument(
            if args.ordered_all { "--ordered-all" } else { "--ordered" },
            args.ordered.as_deref().unwrap_or("(all)"),
            "raw data (--data FILE.csv): thresholds and polychoric correlations come from the answers, not from a covariance matrix",
        ));
    }
    let missing: sem::Missing = args.missing.parse()?;
    if missing == sem::Missing::Ml && args.cov.is_some() {
        return Err(AnalysisError::invalid_argument(
            "--missing",
            "ml",
            "raw data (--data FILE.csv): full-information ML uses each case's values, which a covariance matrix does not have",
        ));
    }
    if missing == sem::Missing::Ml && ordered_asked {
        return Err(AnalysisError::invalid_argument(
            "--missing",
            "ml",
            "listwise with --ordered or --ordered-all (full-information ML of ordered indicators is not supported)",
        ));
    }
    let nobs = super::optional_whole_number("--nobs", &args.nobs, 2, MAX_NOBS)?;
    let replicates =
        super::optional_whole_number("--bootstrap", &args.bootstrap, 2, MAX_BOOTSTRAP)?;
    let seed = super::whole_number("--seed", &args.seed, 0, u64::MAX)?;
    let group_equal: GroupEqual = args.group_equal.as_deref().unwrap_or("").parse()?;
    let spec = ModelSpec::from_path(&args.model)?;
    if let Some(group) = &args.group {
        let path = args.data.as_deref().unwrap_or_default();
        let ordered = if ordered_asked {
            let data = Dataset::from_path(path)?;
            let ordered = ordered_columns(&spec, &data, ordered_list.as_deref())?;
            // The ordinal checks first, with the file, line and value.
            analysis::polychoric::OrderedData::from_dataset(&data, &ordered)?;
            ordered
        } else {
            Vec::new()
        };
        if missing == sem::Missing::Ml {
            let data = incomplete_groups(&spec, path, group)?;
            return run_groups(args, estimator, ordered, |options| {
                sem::missing_groups::fit(&spec, &data, &group_equal, options)
            });
        }
        let sample = grouped_sample(&spec, path, group)?;
        return run_groups(args, estimator, ordered, |options| {
            groups::fit(&spec, &sample, &group_equal, options)
        });
    }
    let mut ordered = Vec::new();
    let sample = match (&args.data, &args.cov) {
        (Some(path), _) => {
            let data = Dataset::from_path(path)?;
            let wanted = model_columns(&spec, &data)?;
            if ordered_asked {
                ordered = ordered_columns(&spec, &data, ordered_list.as_deref())?;
                // The ordinal checks first, with the file, line and value:
                // whole numbers, two categories at least, not all missing.
                analysis::polychoric::OrderedData::check_dataset(&data, &ordered)?;
            }
            if missing == sem::Missing::Ml {
                let p = wanted.len();
                let moments = p * (p + 3) / 2;
                if estimator == sem::Estimator::MLR
                    && moments > sem::missing_robust::ROBUST_MOMENTS_LIMIT
                {
                    // Say why the wait, before it starts.
                    eprintln!(
                        "paraclinic: MLR with missing data over {p} variables forms the {moments} × {moments} information of the unrestricted model: expect a minute or more"
                    );
                }
                Input::Incomplete(sem::IncompleteData::from_dataset(&data, &wanted)?)
            } else {
                Input::Moments(SampleMoments::from_dataset(&data, &wanted)?)
            }
        }
        (None, Some(path)) => {
            let (name, text) = analysis::error::read_text(path.as_ref())?;
            Input::Moments(SampleMoments::from_covariance_csv(
                &name,
                &text,
                nobs.unwrap_or(0) as usize,
            )?)
        }
        (None, None) => {
            return Err(AnalysisError::invalid_argument(
                "input",
                "none",
                "--data FILE.csv or --cov FILE.csv --nobs N",
            ))
        }
    };
    let show_progress = args.progress || std::io::stderr().is_terminal();
    let bootstrap = replicates.map(|replicates| BootstrapOptions {
        replicates: replicates as usize,
        seed,
        level: 0.95,
        progress: show_progress.then(|| {
            Arc::new(|done: usize, total: usize| {
                if done == total || done % (total / 100).max(1) == 0 {
                    let mut err = std::io::stderr();
                    let _ = write!(err, "\rbootstrap {done}/{total}");
                    if done == total {
                        let _ = writeln!(err);
                    }
                }
            }) as Arc<sem::bootstrap::Progress>
        }),
    });
    let options = Options {
        likelihood: match args.likelihood {
            LikelihoodArg::Normal => Likelihood::Normal,
            LikelihoodArg::Wishart => Likelihood::Wishart,
        },
        std_lv: args.std_lv,
        modindices: args.modindices,
        bootstrap,
        estimator,
        meanstructure: args.meanstructure,
        ordered,
    };
    let mut fit = match &sample {
        Input::Moments(sample) => sem::fit(&spec, sample, &options)?,
        Input::Incomplete(data) => sem::fit_missing(&spec, data, &options)?,
    };
    fit.amos_columns = args.amos;
    if args.timings {
        for (phase, secs) in &fit.timings {
            eprintln!("paraclinic: timing: {:>9.3} ms  {phase}", secs * 1e3);
        }
    }
    for w in &fit.warnings {
        eprintln!("paraclinic: warning: {w}");
    }
    if args.html {
        println!("{}", fit.to_html());
    } else {
        super::emit(&fit, args.json);
    }
    Ok(())
}

/// The ordered columns: those of `--ordered` (each a column of the data),
/// or with `--ordered-all` (`list` None) every column of the model.
pub fn ordered_columns(
    spec: &ModelSpec,
    data: &Dataset,
    list: Option<&[String]>,
) -> Result<Vec<String>, AnalysisError> {
    let Some(list) = list else {
        return model_columns(spec, data);
    };
    for name in list {
        if !data.names().contains(name) {
            return Err(AnalysisError::invalid_argument(
                "--ordered",
                name,
                &format!("a column of {} ({})", data.source, data.names_for_message()),
            ));
        }
    }
    Ok(list.to_vec())
}

/// The names of `--ordered a,b,…`: none empty, none twice.
pub fn ordered_names(list: &str) -> Result<Vec<String>, AnalysisError> {
    let names: Vec<String> = list.split(',').map(|n| n.trim().to_owned()).collect();
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(AnalysisError::invalid_argument(
                "--ordered",
                list,
                "column names separated by commas, none empty",
            ));
        }
        if names[..i].contains(name) {
            return Err(AnalysisError::invalid_argument(
                "--ordered",
                name,
                "each column once",
            ));
        }
    }
    Ok(names)
}

/// The columns of `data` that the model uses (other columns may hold
/// text), after checking that every name of the model is one of them.
pub fn model_columns(spec: &ModelSpec, data: &Dataset) -> Result<Vec<String>, AnalysisError> {
    spec.check_observed(data.names())?;
    Ok(data
        .names()
        .iter()
        .filter(|n| {
            spec.statements
                .iter()
                .any(|s| &s.lhs == *n || s.rhs.iter().any(|t| &t.name == *n))
        })
        .cloned()
        .collect())
}

/// The model's columns of the data file at `path`, split by `group`.
pub fn grouped_sample(
    spec: &ModelSpec,
    path: &str,
    group: &str,
) -> Result<GroupedSample, AnalysisError> {
    let data = Dataset::from_path(path)?;
    let wanted = model_columns(spec, &data)?;
    if wanted.iter().any(|c| c == group) {
        return Err(AnalysisError::invalid_argument(
            "--group",
            group,
            "a column that is not also a variable of the model",
        ));
    }
    GroupedSample::from_dataset(&data, group, &wanted)
}

/// [`grouped_sample`] with missing values kept (`--missing ml`).
pub fn incomplete_groups(
    spec: &ModelSpec,
    path: &str,
    group: &str,
) -> Result<sem::missing_groups::IncompleteGroups, AnalysisError> {
    let data = Dataset::from_path(path)?;
    let wanted = model_columns(spec, &data)?;
    if wanted.iter().any(|c| c == group) {
        return Err(AnalysisError::invalid_argument(
            "--group",
            group,
            "a column that is not also a variable of the model",
        ));
    }
    sem::missing_groups::IncompleteGroups::from_dataset(&data, group, &wanted)
}

/// The options of a fit that apply to groups; those that do not are
/// refused by the library with a message.
pub fn fit_options(args: &Args, estimator: sem::Estimator) -> Options {
    Options {
        likelihood: match args.likelihood {
            LikelihoodArg::Normal => Likelihood::Normal,
            LikelihoodArg::Wishart => Likelihood::Wishart,
        },
        std_lv: args.std_lv,
        modindices: args.modindices,
        bootstrap: None,
        estimator,
        meanstructure: true,
        ordered: Vec::new(),
    }
}

fn run_groups(
    args: &Args,
    estimator: sem::Estimator,
    ordered: Vec<String>,
    fit_groups: impl FnOnce(&Options) -> Result<groups::MultiGroupFit, AnalysisError>,
) -> Result<(), AnalysisError> {
    if args.bootstrap.is_some() {
        return Err(AnalysisError::invalid_argument(
            "--bootstrap",
            args.bootstrap.as_deref().unwrap_or_default(),
            "no --bootstrap with --group (bootstrap standard errors are not yet computed for groups)",
        ));
    }
    let options = Options {
        ordered,
        ..fit_options(args, estimator)
    };
    let fit = fit_groups(&options)?;
    for w in &fit.warnings {
        eprintln!("paraclinic: warning: {w}");
    }
    if args.html {
        println!("{}", fit.to_html());
    } else {
        super::emit(&fit, args.json);
    }
    Ok(())
}
