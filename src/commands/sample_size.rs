use analysis::AnalysisError;

#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of text tables.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_args: &Args) -> Result<(), AnalysisError> {
    super::not_yet("sample_size")
}
