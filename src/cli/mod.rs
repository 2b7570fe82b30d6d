//! The command line: `haul inspect|images|load|save|artifacts`; no subcommand opens the TUI.

mod inspect;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "haul",
    version,
    about = "Inspect and move Docker/OCI image tarballs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what is inside image tarballs, OCI layouts and artifact zips.
    Inspect(InspectArgs),
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Image tarballs (plain, gzip, zstd, xz, bzip2), OCI layout folders or artifact zips.
    #[arg(required = true)]
    pub paths: Vec<std::path::PathBuf>,
    /// One JSON object per path on stdout.
    #[arg(long)]
    pub json: bool,
    /// Read compressed archives again instead of using the cached result.
    #[arg(long)]
    pub no_cache: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Inspect(args)) => inspect::run(&args),
        None => crate::tui::run(),
    }
}
