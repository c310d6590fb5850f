//! `paraclinic audit [--claims FILE] [--json]`: checks whether a paper's
//! published figures hold together (see `analysis::audit`).
use analysis::audit::{audit, AuditOptions};
use analysis::claims::Claims;
use analysis::AnalysisError;
use std::path::PathBuf;
use study::published::contracting_model;

#[derive(clap::Args)]
pub struct Args {
    /// Published figures of another study (format paraclinic-claims/1);
    /// without it, the first paper's embedded figures are audited.
    #[arg(long, value_name = "FILE")]
    pub claims: Option<PathBuf>,
    /// Print JSON ({"findings": [...]}) instead of text tables.
    #[arg(long)]
    pub json: bool,
    /// Seed of the Likert simulation behind the normality check (0 to 2^64 − 1).
    #[arg(long, default_value_t = AuditOptions::default().seed.to_string(), allow_hyphen_values = true)]
    pub seed: String,
    /// Simulated samples per scenario in the normality check (0 to 100000; 0 skips it).
    #[arg(long, default_value_t = AuditOptions::default().replications.to_string(), allow_hyphen_values = true)]
    pub replications: String,
}

/// The most simulated samples per scenario: 100 000 gives shares to ±0.3 %
/// and takes about a minute; more would only run on.
pub const MAX_REPLICATIONS: u64 = 100_000;

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    let seed = super::whole_number("--seed", &args.seed, 0, u64::MAX)?;
    let replications =
        super::whole_number("--replications", &args.replications, 0, MAX_REPLICATIONS)? as usize;
    let claims = match &args.claims {
        Some(path) => Claims::from_path(path)?,
        None => contracting_model(),
    };
    // The simulation is the audit's only long step (about half a second of
    // CPU per 1 000 replications); say so before a long one starts.
    if replications >= 10_000 {
        eprintln!(
            "paraclinic: simulating {replications} samples per scenario for the normality check; this takes a while"
        );
    }
    let options = AuditOptions {
        seed,
        replications,
        ..AuditOptions::default()
    };
    super::emit(&audit(&claims, &options), args.json);
    Ok(())
}
