//! The command line: `haul inspect|images|load|save|artifacts|files|waste|diff|extract|check|du`;
//! no subcommand opens the TUI.

/// `println!` for command output: a closed stdout ends the command quietly ([`common::say`]).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::common::say(format_args!($($arg)*))
    };
}

pub mod artifacts;
mod inspect;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod common;
pub mod contents;
pub mod du;
pub mod images;
pub mod load;
mod progress;
pub mod save;
pub mod signals;

#[derive(Debug, Parser)]
#[command(
    name = "haul",
    version,
    about = "Inspect and move Docker/OCI image tarballs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Docker daemon address (unix://, tcp://, https://); default: DOCKER_HOST, then the docker context.
    #[arg(long, short = 'H', global = true, value_name = "URL")]
    pub host: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what is inside image tarballs, OCI layouts and artifact zips.
    Inspect(InspectArgs),
    /// List the Docker daemon's images.
    Images(images::ImagesArgs),
    /// Save daemon images to a tarball (optionally gzip or zstd), with progress.
    Save(save::SaveArgs),
    /// Load tarballs into the daemon, sending only the layers it lacks.
    Load(load::LoadArgs),
    /// List GitHub Actions workflow artifacts (remote or on disk) and download them.
    Artifacts(artifacts::ArtifactsArgs),
    /// The files of an image (its final filesystem), or one layer's changes.
    Files(contents::FilesArgs),
    /// Bytes in file versions no longer visible (overwritten or deleted by a later layer).
    Waste(contents::WasteArgs),
    /// Compare two images: layers, files added/removed/modified, config.
    Diff(contents::DiffArgs),
    /// Copy files or folders out of an image, without Docker.
    Extract(contents::ExtractArgs),
    /// A CI gate on image size and waste (also reads dive's .dive-ci rules).
    Check(contents::CheckArgs),
    /// What takes space: daemon images (dangling, unused), image files in the scan folders,
    /// haul's downloads and cache; `--clean` removes what haul can name, after a confirmation.
    Du(du::DuArgs),
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Image tarballs (plain, gzip, zstd, xz, bzip2), OCI layout folders, artifact zips
    /// (`file.zip!entry.tar` for one entry), or `docker://IMAGE` for an image in the daemon.
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
    let code = match cli.command {
        Some(Command::Inspect(args)) => inspect::run(&args, cli.host),
        Some(Command::Images(args)) => images::main(args, cli.host),
        Some(Command::Save(args)) => save::main(args, cli.host),
        Some(Command::Load(args)) => load::main(args, cli.host),
        Some(Command::Artifacts(args)) => artifacts::run(args, cli.host),
        Some(Command::Files(args)) => contents::files::run(&args, cli.host),
        Some(Command::Waste(args)) => contents::waste::run(&args, cli.host),
        Some(Command::Diff(args)) => contents::diff::run(&args, cli.host),
        Some(Command::Extract(args)) => contents::extract::run(&args, cli.host),
        Some(Command::Check(args)) => contents::check::run(&args, cli.host),
        Some(Command::Du(args)) => du::main(args, cli.host),
        None => crate::tui::run(cli.host),
    };
    // Interrupted by a signal (the job was cancelled and cleaned up): say so in the exit code.
    signals::received().map_or(code, signals::Stop::exit_code)
}
