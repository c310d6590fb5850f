//! `paraclinic audit [--claims FILE] [--json]`: checks whether a paper's
//! published figures hold together (see `analysis::audit`).
use analysis::audit::{audit, AuditOptions};
use analysis::published::{contracting_model, Claims};
use analysis::AnalysisError;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Published figures of another study (format paraclinic-claims/1);
    /// without it, the first paper's embedded figures are audited.
    #[arg(long, value_name = "FILE")]
    pub claims: Option<PathBuf>,
    /// Print JSON ({"findings": [...]}) instead of text tables.
    #[arg(long)]
    pub json: bool,
    /// Seed of the Likert simulation behind the normality check.
    #[arg(long, default_value_t = AuditOptions::default().seed)]
    pub seed: u64,
    /// Simulated samples per scenario in the normality check.
    #[arg(long, default_value_t = AuditOptions::default().replications)]
    pub replications: usize,
}

pub fn run(args: &Args) -> Result<(), AnalysisError> {
    let claims = match &args.claims {
        Some(path) => Claims::from_path(path)?,
        None => contracting_model(),
    };
    let options = AuditOptions {
        seed: args.seed,
        replications: args.replications,
        ..AuditOptions::default()
    };
    super::emit(&audit(&claims, &options), args.json);
    Ok(())
}
