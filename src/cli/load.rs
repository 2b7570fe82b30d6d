//! `haul load PATH... [--tag NAME] [--json] [--full] [-q]`.

use std::path::PathBuf;
use std::process::ExitCode;

use tokio::sync::mpsc::unbounded_channel;

use super::common::{connect, fail, print_loaded, run};
use super::progress::drive;
use crate::transfer::{Jobs, LoadOptions, Phase, start_load};

#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// Image tarballs (plain or compressed), OCI archives or layouts, artifact zips or
    /// `FILE.zip!ENTRY` of one entry.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Name the loaded image NAME (`repo[:tag]`), leaving the tags the archive carries as they
    /// were in the daemon: for archives without names, or to keep an existing tag. One path,
    /// holding one image.
    #[arg(long, short = 't', value_name = "NAME")]
    pub tag: Option<String>,
    /// One JSON object per path on stdout.
    #[arg(long)]
    pub json: bool,
    /// Send every layer, even those the daemon already holds.
    #[arg(long)]
    pub full: bool,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn main(args: LoadArgs, host: Option<String>) -> ExitCode {
    if args.tag.is_some() && args.paths.len() > 1 {
        return fail("--tag names one image: give one path");
    }
    run(async move {
        let daemon = match connect(host).await {
            Ok(d) => d,
            Err(code) => return code,
        };
        let (tx, mut events) = unbounded_channel();
        let mut jobs = Jobs::new(tx);
        let opts = LoadOptions {
            full: args.full,
            tag: args.tag.clone(),
        };
        let mut code = ExitCode::SUCCESS;
        for path in &args.paths {
            let (id, mut report) =
                start_load(&mut jobs, daemon.clone(), path.clone(), opts.clone());
            match drive(&mut jobs, &mut events, id, args.quiet).await {
                Phase::Done => match report.try_recv() {
                    Ok(report) => {
                        if let Err(failed) = print_loaded(&report, args.json) {
                            code = failed;
                        }
                    }
                    Err(_) => code = fail(format!("{}: no report", path.display())),
                },
                Phase::Cancelled => {
                    return super::signals::cancelled(format!(
                        "{}: load cancelled; nothing loaded",
                        path.display()
                    ));
                }
                Phase::Failed(e) => code = fail(e),
                other => code = fail(format!("load ended while {}", other.label())),
            }
        }
        code
    })
}
