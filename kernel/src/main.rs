//! `paraclinic-kernel`: run as a Jupyter kernel, or install/uninstall its
//! kernelspec.

use clap::{Args, Parser, Subcommand};
use paraclinic_kernel::{connection::ConnectionInfo, display, fill_cache, kernel, kernelspec};
use std::path::PathBuf;
use std::process::ExitCode;

/// evcxr runs user code in a subprocess that is this same binary with this
/// variable set (see `evcxr::runtime_hook`).
const EVCXR_RUNTIME_VAR: &str = "EVCXR_IS_RUNTIME";

#[derive(Parser)]
#[command(
    name = "paraclinic-kernel",
    version,
    about = "Jupyter kernel for Rust notebooks with the paraclinic analysis library preloaded",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The connection file Jupyter writes for the kernel.
    #[arg(short = 'f', long = "connection-file", value_name = "FILE")]
    connection_file: Option<PathBuf>,
    /// The connection file, given without a flag.
    #[arg(value_name = "CONNECTION_FILE", conflicts_with = "connection_file")]
    connection_file_positional: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Write the kernelspec kernels/paraclinic/ (kernel.json and logos), then
    /// fill the build cache so that the first notebook starts in seconds.
    Install(Install),
    /// Remove the kernelspec written by `install`.
    Uninstall(Where),
}

#[derive(Args)]
struct Install {
    #[command(flatten)]
    place: Where,
    /// Only write the kernelspec; the first kernel start fills the cache.
    #[arg(long)]
    no_fill_cache: bool,
}

#[derive(Args)]
#[group(multiple = false)]
struct Where {
    /// In the user's Jupyter data directory (the default).
    #[arg(long)]
    user: bool,
    /// In the active Python environment (virtualenv or conda).
    #[arg(long)]
    sys_prefix: bool,
    /// In DIR/share/jupyter/kernels.
    #[arg(long, value_name = "DIR")]
    prefix: Option<PathBuf>,
}

impl Where {
    fn location(&self) -> kernelspec::Location {
        match (&self.prefix, self.sys_prefix) {
            (Some(dir), _) => kernelspec::Location::Prefix(dir.clone()),
            (None, true) => kernelspec::Location::SysPrefix,
            _ => kernelspec::Location::User,
        }
    }
}

fn main() -> ExitCode {
    if std::env::var_os(EVCXR_RUNTIME_VAR).is_some() {
        // We are the user-code process: show displays as they happen.
        if let Err(e) = display::interpose_stdout() {
            eprintln!("[paraclinic-kernel] live display unavailable: {e}");
        }
    }
    // Does not return when this process is evcxr's runtime or rustc wrapper.
    evcxr::runtime_hook();

    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Install(install)) => {
            kernelspec::install(&install.place.location()).and_then(|dir| {
                println!(
                    "Installed kernelspec {} in {}",
                    kernelspec::KERNEL_NAME,
                    dir.display()
                );
                if install.no_fill_cache {
                    return Ok(());
                }
                eprintln!(
                    "Filling the build cache (compiles the analysis library for notebooks; \
                     minutes the first time, seconds when it is already filled)"
                );
                let took = fill_cache::fill()?;
                println!("Build cache filled in {:.1} s", took.as_secs_f64());
                Ok(())
            })
        }
        Some(Command::Uninstall(place)) => {
            kernelspec::uninstall(&place.location()).map(|dir| match dir {
                Some(dir) => println!("Removed {}", dir.display()),
                None => println!("No kernelspec {} installed there", kernelspec::KERNEL_NAME),
            })
        }
        None => match cli.connection_file.or(cli.connection_file_positional) {
            Some(path) => run_kernel(path),
            None => Err(anyhow::anyhow!(
                "no connection file: run by Jupyter as `paraclinic-kernel --connection-file FILE`, \
                 or `paraclinic-kernel install` first"
            )),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paraclinic-kernel: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run_kernel(path: PathBuf) -> anyhow::Result<()> {
    let info = ConnectionInfo::from_path(&path)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(kernel::run(info))?;
    // Do not wait for the engine thread (it may be inside a long compile).
    std::process::exit(0)
}
