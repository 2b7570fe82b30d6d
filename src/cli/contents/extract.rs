//! `haul extract SOURCE PATH... [-o DIR] [--layer N]`: copy files or folders out of an image.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Analysed, SourceArgs, analyse, fail, layer_index};
use crate::archive::contents::{ExtractRequest, extract_path};
use crate::units;

#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Paths in the image (`/etc/os-release`, `/usr/share`; `/` for everything).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// The folder to write into (created if needed); nothing is ever written outside it.
    #[arg(short, long, default_value = ".", value_name = "DIR")]
    pub output: PathBuf,
    /// Take what layer N (1 = the bottom layer) adds or modifies instead of the final filesystem.
    #[arg(long, value_name = "N")]
    pub layer: Option<usize>,
}

pub fn run(args: &ExtractArgs, host: Option<String>) -> ExitCode {
    let Analysed {
        mut session,
        source,
        analysis,
    } = match analyse(host, &args.source, 1) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let layer = match layer_index(args.layer, &analysis) {
        Ok(layer) => layer,
        Err(code) => return code,
    };
    let req = ExtractRequest {
        paths: args.paths.clone(),
        layer,
        out_dir: args.output.clone(),
    };
    let result = session.with_walk(&source, move |walk, control| {
        extract_path(walk, &analysis, &req, control)
    });
    let summary = match result {
        Ok(s) => s,
        Err(e) => return fail(e, 1),
    };
    for refused in &summary.refused {
        eprintln!("refused: {refused}");
    }
    if !args.source.quiet {
        eprintln!(
            "Extracted {} file(s) ({}), {} folder(s), {} link(s) into {}",
            summary.files,
            units::bytes(summary.bytes),
            summary.dirs,
            summary.links,
            args.output.display()
        );
    }
    if summary.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
