//! `haul load PATH... [--tag NAME] [--json] [--full] [--dry-run] [-q]`.

use std::path::PathBuf;
use std::process::ExitCode;

use tokio::sync::mpsc::unbounded_channel;

use super::common::{connect, fail, print_loaded, run};
use super::progress::drive;
use crate::daemon::{Daemon, holdings};
use crate::transfer::{DryRun, Jobs, LoadOptions, Phase, dry_run_path, start_load_as};

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
    /// Say what a load would do (route, images already in the daemon, layers and bytes left
    /// out and sent) without sending anything.
    #[arg(long)]
    pub dry_run: bool,
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
        if args.dry_run {
            return dry_run(&daemon, &args).await;
        }
        let (tx, mut events) = unbounded_channel();
        let mut jobs = Jobs::new(tx);
        let opts = LoadOptions { full: args.full };
        let mut code = ExitCode::SUCCESS;
        for path in &args.paths {
            let (id, mut report) = start_load_as(
                &mut jobs,
                daemon.clone(),
                path.clone(),
                opts,
                args.tag.clone(),
            );
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

/// `--dry-run`: one listing of what the daemon holds, then one plan per path.
async fn dry_run(daemon: &Daemon, args: &LoadArgs) -> ExitCode {
    let held = match holdings::fetch(daemon).await {
        Ok(held) => held,
        Err(e) => return fail(e),
    };
    let opts = LoadOptions { full: args.full };
    let mut code = ExitCode::SUCCESS;
    for path in &args.paths {
        match dry_run_path(daemon.engine(), &held, path, opts).await {
            Ok(run) if args.json => match serde_json::to_string(&run) {
                Ok(line) => say!("{line}\n"),
                Err(e) => code = fail(e),
            },
            Ok(run) => print_dry_run(&run),
            Err(e) => code = fail(e),
        }
    }
    code
}

fn print_dry_run(run: &DryRun) {
    let bytes = crate::units::bytes;
    say!(
        "{}: would load {} ({})\n",
        run.path,
        mode_words(run),
        run.engine
    );
    for image in &run.images {
        let name = image
            .tags
            .first()
            .cloned()
            .unwrap_or_else(|| crate::units::short_id(&image.id).to_string());
        let state = if image.present {
            "already in the daemon".to_string()
        } else {
            format!(
                "{} of {} layers already in the daemon",
                image.layers_present, image.layers
            )
        };
        say!("  {name} [{}]: {state}\n", image.platform);
    }
    if run.skipped_layers > 0 {
        say!(
            "  would skip {}, {}, and send {}\n",
            crate::units::count(run.skipped_layers, "layer"),
            bytes(run.skipped_bytes),
            bytes(run.sent_bytes)
        );
    } else {
        say!("  would send {}\n", bytes(run.sent_bytes));
    }
    if let Some(note) = &run.note {
        say!("  note: {note}\n");
    }
}

fn mode_words(run: &DryRun) -> &'static str {
    match run.mode {
        crate::transfer::LoadMode::AsIs => "as it is",
        crate::transfer::LoadMode::Converted => "converted",
        crate::transfer::LoadMode::Delta => "as a delta",
        crate::transfer::LoadMode::SinglePass => "decompressed and listed in one pass",
        crate::transfer::LoadMode::Decompressed => "decompressed",
    }
}
