//! `paraclinic`: reproduce and audit the study from the command line.
//!
//! Each subcommand lives in `commands/<name>.rs`, parses its own flags and
//! calls the `analysis` library. Every failure is printed as one clear message
//! on stderr with exit code 2; success exits 0.

mod commands;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "paraclinic",
    version,
    about = "Reproduce and audit a mixed-methods health-policy study"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sample size: Cochran (with finite-population correction), Yamane, Krejcie–Morgan, margin of error; --sem: RMSEA power and minimum n of an SEM.
    SampleSize(commands::sample_size::Args),
    /// Frequency table of one column: counts, percentages, total, missing.
    Frequencies(commands::frequencies::Args),
    /// Normality per variable: Kolmogorov–Smirnov, Lilliefors, Shapiro–Wilk, skewness, kurtosis.
    Normality(commands::normality::Args),
    /// Pearson or Spearman correlations with p-values, VIF and tolerance, flagged pairs.
    Correlate(commands::correlate::Args),
    /// Cronbach's alpha with alpha-if-item-deleted and item-total correlations.
    Reliability(commands::reliability::Args),
    /// Friedman ranking test with Kendall's W, post-hoc tests and critical difference.
    Friedman(commands::friedman::Args),
    /// Delphi consensus per item and round, Kendall's W per round, stability.
    Delphi(commands::delphi::Args),
    /// Structural equation model (lavaan syntax) by maximum likelihood.
    Sem(commands::sem::Args),
    /// Measurement invariance across groups: configural, metric, scalar, strict, each tested against the previous.
    Invariance(commands::invariance::Args),
    /// Nested SEMs compared by χ² difference tests (lavTestLRT; Satorra–Bentler 2001 for MLM/MLR).
    SemCompare(commands::sem_compare::Args),
    /// Reproduce the whole study and write a report.
    Reproduce(commands::reproduce::Args),
    /// Audit the published figures of the study (or of --claims).
    Audit(commands::audit::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::SampleSize(a) => commands::sample_size::run(a),
        Command::Frequencies(a) => commands::frequencies::run(a),
        Command::Normality(a) => commands::normality::run(a),
        Command::Correlate(a) => commands::correlate::run(a),
        Command::Reliability(a) => commands::reliability::run(a),
        Command::Friedman(a) => commands::friedman::run(a),
        Command::Delphi(a) => commands::delphi::run(a),
        Command::Sem(a) => commands::sem::run(a),
        Command::Invariance(a) => commands::invariance::run(a),
        Command::SemCompare(a) => commands::sem_compare::run(a),
        Command::Reproduce(a) => commands::reproduce::run(a),
        Command::Audit(a) => commands::audit::run(a),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paraclinic: error: {e}");
            ExitCode::from(2)
        }
    }
}
