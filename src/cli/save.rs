//! `haul save IMAGE... -o FILE [--compress gzip|zstd] [-q]`.

use std::path::PathBuf;
use std::process::ExitCode;

use tokio::sync::mpsc::unbounded_channel;

use super::common::{connect, fail, run};
use super::progress::drive;
use crate::transfer::{Jobs, Phase, SaveCompression, SaveRequest, start_save};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CompressArg {
    Gzip,
    Zstd,
}

#[derive(Debug, clap::Args)]
pub struct SaveArgs {
    /// Images to save (names, tags or IDs); several go into one tarball, like `docker save a b`.
    #[arg(required = true)]
    pub images: Vec<String>,
    /// The tarball to write (replaced only once the save is complete).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Compress the tarball.
    #[arg(long, value_enum)]
    pub compress: Option<CompressArg>,
    /// No progress and no summary.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn main(args: SaveArgs, host: Option<String>) -> ExitCode {
    run(async move {
        let daemon = match connect(host).await {
            Ok(d) => d,
            Err(code) => return code,
        };
        let (tx, mut events) = unbounded_channel();
        let mut jobs = Jobs::new(tx);
        let req = SaveRequest {
            images: args.images.clone(),
            dest: args.output.clone(),
            compression: match args.compress {
                None => SaveCompression::None,
                Some(CompressArg::Gzip) => SaveCompression::Gzip,
                Some(CompressArg::Zstd) => SaveCompression::Zstd,
            },
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
            Phase::Cancelled => fail("save cancelled; nothing written"),
            Phase::Failed(e) => fail(e),
            other => fail(format!("save ended while {}", other.label())),
        }
    })
}
