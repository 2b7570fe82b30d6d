//! `haul save IMAGE... -o FILE [--compress none|gzip|zstd] [--force] [-q]`.

use std::path::PathBuf;
use std::process::ExitCode;

use tokio::sync::mpsc::unbounded_channel;

use super::common::{connect, fail, run};
use super::progress::drive;
use crate::transfer::{
    Destination, Jobs, Phase, SaveCompression, SaveRequest, check_destination, start_save,
};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CompressArg {
    None,
    Gzip,
    Zstd,
}

impl From<CompressArg> for SaveCompression {
    fn from(arg: CompressArg) -> SaveCompression {
        match arg {
            CompressArg::None => SaveCompression::None,
            CompressArg::Gzip => SaveCompression::Gzip,
            CompressArg::Zstd => SaveCompression::Zstd,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct SaveArgs {
    /// Images to save (names, tags or IDs); several go into one tarball, like `docker save a b`.
    #[arg(required = true)]
    pub images: Vec<String>,
    /// The tarball to write (replaced only once the save is complete).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Compression; default: from the name (`.tar.gz`/`.tgz` gzip, `.tar.zst` zstd, else none).
    #[arg(long, value_enum)]
    pub compress: Option<CompressArg>,
    /// Replace an existing file and create a missing folder.
    #[arg(short, long)]
    pub force: bool,
    /// No progress and no summary.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The destination problem as one line, with the flag that confirms it.
fn refuse(problem: Destination) -> ExitCode {
    let hint = match problem {
        Destination::MissingFolder(_) => "; --force creates it",
        Destination::Exists(_) => "; --force replaces it",
        Destination::IsFolder(_) => "",
    };
    fail(format!("{problem}{hint}"))
}

pub fn main(args: SaveArgs, host: Option<String>) -> ExitCode {
    match check_destination(&args.output) {
        Err(problem @ Destination::IsFolder(_)) => return refuse(problem),
        Err(problem) if !args.force => return refuse(problem),
        _ => {}
    }
    run(async move {
        let daemon = match connect(host).await {
            Ok(d) => d,
            Err(code) => return code,
        };
        let (tx, mut events) = unbounded_channel();
        let mut jobs = Jobs::new(tx);
        let req = SaveRequest {
            images: args.images.clone(),
            compression: SaveCompression::choose(args.compress.map(Into::into), &args.output),
            dest: args.output.clone(),
            force: args.force,
        };
        let (id, report) = start_save(&mut jobs, daemon, req);
        match drive(&mut jobs, &mut events, id, args.quiet).await {
            Phase::Done => {
                if !args.quiet {
                    if let Some(outcome) = jobs.snapshot(id).and_then(|s| s.outcome) {
                        eprintln!("{}", outcome.summary);
                    }
                }
                drop(report);
                ExitCode::SUCCESS
            }
            Phase::Cancelled => super::signals::cancelled("save cancelled; nothing written"),
            Phase::Failed(e) => fail(e),
            other => fail(format!("save ended while {}", other.label())),
        }
    })
}
