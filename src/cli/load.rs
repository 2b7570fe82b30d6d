//! `haul load PATH... [--json] [--full] [-q]`.

use std::path::PathBuf;
use std::process::ExitCode;

use tokio::sync::mpsc::unbounded_channel;

use super::common::{connect, fail, run};
use super::progress::drive;
use crate::transfer::{Jobs, LoadOptions, Phase, start_load};

#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// Image tarballs (plain or compressed), OCI archives or layouts, artifact zips or
    /// `FILE.zip!ENTRY` of one entry.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
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
    run(async move {
        let daemon = match connect(host).await {
            Ok(d) => d,
            Err(code) => return code,
        };
        let (tx, mut events) = unbounded_channel();
        let mut jobs = Jobs::new(tx);
        let opts = LoadOptions { full: args.full };
        let mut code = ExitCode::SUCCESS;
        for path in &args.paths {
            let (id, mut report) = start_load(&mut jobs, daemon.clone(), path.clone(), opts);
            match drive(&mut jobs, &mut events, id, args.quiet).await {
                Phase::Done => match report.try_recv() {
                    Ok(report) if args.json => match serde_json::to_string(&report) {
                        Ok(line) => println!("{line}"),
                        Err(e) => code = fail(e),
                    },
                    Ok(report) => {
                        for image in &report.loaded {
                            match &image.name {
                                Some(name) => println!("Loaded image: {name} ({})", image.id),
                                None => println!("Loaded image ID: {}", image.id),
                            }
                        }
                        if report.skipped_layers > 0 {
                            println!(
                                "Skipped {} layer(s), {}, already in the daemon",
                                report.skipped_layers,
                                crate::units::bytes(report.skipped_bytes)
                            );
                        }
                    }
                    Err(_) => code = fail(format!("{}: no report", path.display())),
                },
                Phase::Cancelled => {
                    return fail(format!(
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
