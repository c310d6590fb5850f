//! `paraclinic sem`: fit a structural equation model written in lavaan
//! syntax by maximum likelihood, from raw data or a covariance matrix.

use analysis::error::{AnalysisError, Location};
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
    /// Raw data: CSV with a header row (incomplete records are dropped).
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
    /// Number of observations behind --cov.
    #[arg(long, value_name = "N")]
    pub nobs: Option<usize>,
    /// Likelihood: normal (lavaan) or wishart (AMOS).
    #[arg(long, value_enum, default_value = "normal")]
    pub likelihood: LikelihoodArg,
    /// Identify factors by fixing latent variances to 1 (lavaan's std.lv).
    #[arg(long)]
    pub std_lv: bool,
    /// Also compute modification indices with expected parameter change.
    #[arg(long)]
    pub modindices: bool,
    /// Bootstrap replicates for bootstrap SEs and percentile intervals.
    #[arg(long, value_name = "B")]
    pub bootstrap: Option<usize>,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 20240501)]
    pub seed: u64,
    /// Show bootstrap progress on stderr even when it is not a terminal.
    #[arg(long)]
    pub progress: bool,
    /// AMOS column names (S.E., C.R., P, Standardized) in text/HTML tables.
    #[arg(long)]
    pub amos: bool,
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

/// Reads a covariance matrix CSV: a header of names, optionally a first
/// column of row names (as R's `write.csv(cov(x))`).
fn read_cov(path: &str, nobs: usize) -> Result<SampleMoments, AnalysisError> {
    let (_, text) = analysis::error::read_text(path.as_ref())?;
    // R's write.csv leaves the header cell above the row names empty.
    let text = if text.starts_with("\"\",") {
        format!("row{}", &text[2..])
    } else if text.starts_with(',') {
        format!("row{text}")
    } else {
        text
    };
    let data = Dataset::from_csv_str(path, &text)?;
    let mut names: Vec<String> = data.names().to_vec();
    let first = names[0].clone();
    let first_is_label = data
        .text_column(&first)?
        .iter()
        .any(|c| c.trim().parse::<f64>().is_err());
    if first_is_label {
        let labels = data.text_column(&first)?.to_vec();
        names.remove(0);
        if labels.len() != names.len() || labels.iter().zip(&names).any(|(a, b)| a.trim() != b) {
            return Err(AnalysisError::input(
                Location::source(path).with_column(&first),
                Some(&labels.join(",")),
                format!("row names equal to the column names {}", names.join(",")),
            ));
        }
    }
    if data.n_rows() != names.len() {
        return Err(AnalysisError::input(
            Location::source(path),
            Some(&format!("{} rows", data.n_rows())),
            format!("{} rows, one per variable of the header", names.len()),
        ));
    }
    let p = names.len();
    let mut m = sem::DMatrix::zeros(p, p);
    for (j, name) in names.iter().enumerate() {
        let col = data.numeric_column(name)?;
        for (i, v) in col.iter().enumerate() {
            m[(i, j)] = v.ok_or_else(|| {
                AnalysisError::input(
                    Location::source(path)
                        .with_line(data.line_of(i))
                        .with_column(name),
                    Some(""),
                    "a number (a covariance matrix has no missing values)",
                )
            })?;
        }
    }
    SampleMoments::from_covariance(path, m, names, nobs)
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    let spec = ModelSpec::from_path(&args.model)?;
    let sample = match (&args.data, &args.cov) {
        (Some(path), _) => {
            let data = Dataset::from_path(path)?;
            spec.check_observed(data.names())?;
            // Only the model's variables matter; other columns may hold text.
            let wanted: Vec<String> = data
                .names()
                .iter()
                .filter(|n| {
                    spec.statements
                        .iter()
                        .any(|s| &s.lhs == *n || s.rhs.iter().any(|t| &t.name == *n))
                })
                .cloned()
                .collect();
            SampleMoments::from_dataset(&data, &wanted)?
        }
        (None, Some(path)) => read_cov(path, args.nobs.unwrap_or(0))?,
        (None, None) => {
            return Err(AnalysisError::invalid_argument(
                "input",
                "none",
                "--data FILE.csv or --cov FILE.csv --nobs N",
            ))
        }
    };
    let show_progress = args.progress || std::io::stderr().is_terminal();
    let bootstrap = args.bootstrap.map(|replicates| BootstrapOptions {
        replicates,
        seed: args.seed,
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
    };
    let mut fit = sem::fit(&spec, &sample, &options)?;
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
