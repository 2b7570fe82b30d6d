//! `haul waste SOURCE [--json] [--top N]`: bytes in file versions no one can see any more.

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;

use super::{SourceArgs, analyse, image_label};
use crate::archive::contents::Analysis;
use crate::units;

#[derive(Debug, clap::Args)]
pub struct WasteArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// One JSON object: image, total/visible/wasted bytes, efficiency, every wasted path.
    #[arg(long)]
    pub json: bool,
    /// Paths shown in the table (the JSON lists them all).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub top: usize,
}

pub fn run(args: &WasteArgs, host: Option<String>) -> ExitCode {
    let analysis = match analyse(host, &args.source, 1) {
        Ok(a) => a.analysis,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = if args.json {
        serde_json::to_writer(&mut out, &waste_json(&analysis))
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out))
    } else {
        write_human(&mut out, &analysis, args.top)
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

/// The `--json` object; layers are 1-based.
pub fn waste_json(analysis: &Analysis) -> serde_json::Value {
    let w = &analysis.waste;
    let paths: Vec<serde_json::Value> = w
        .paths
        .iter()
        .map(|p| {
            let layers: Vec<usize> = p.layers.iter().map(|l| l + 1).collect();
            json!({"path": format!("/{}", p.path), "wasted_bytes": p.wasted_bytes, "layers": layers})
        })
        .collect();
    json!({
        "image": image_label(&analysis.image),
        "total_bytes": w.total_bytes,
        "visible_bytes": w.visible_bytes,
        "wasted_bytes": w.wasted_bytes,
        "efficiency": w.efficiency,
        "paths": paths,
    })
}

pub fn write_human(out: &mut impl Write, analysis: &Analysis, top: usize) -> std::io::Result<()> {
    let w = &analysis.waste;
    writeln!(
        out,
        "{}: {} in file versions, {} visible, {} wasted (efficiency {:.1}%)",
        image_label(&analysis.image),
        units::bytes(w.total_bytes),
        units::bytes(w.visible_bytes),
        units::bytes(w.wasted_bytes),
        w.efficiency * 100.0
    )?;
    if w.paths.is_empty() {
        return writeln!(out, "No wasted bytes: every file version is visible.");
    }
    writeln!(
        out,
        "\n  {:>5}  {:>10}  {:>10}  CREATED BY",
        "LAYER", "WASTED", "OF"
    )?;
    for (i, layer) in analysis.layers.iter().enumerate() {
        if layer.wasted_bytes == 0 {
            continue;
        }
        let created_by: String = layer
            .created_by
            .as_deref()
            .unwrap_or("")
            .replace('\n', " ")
            .chars()
            .take(70)
            .collect();
        writeln!(
            out,
            "  {:>5}  {:>10}  {:>10}  {created_by}",
            i + 1,
            units::bytes(layer.wasted_bytes),
            units::bytes(layer.file_bytes)
        )?;
    }
    writeln!(out, "\n  {:>10}  {:<12}  PATH", "WASTED", "IN LAYERS")?;
    for path in w.paths.iter().take(top) {
        let layers: Vec<String> = path.layers.iter().map(|l| (l + 1).to_string()).collect();
        writeln!(
            out,
            "  {:>10}  {:<12}  /{}",
            units::bytes(path.wasted_bytes),
            layers.join(","),
            path.path
        )?;
    }
    if w.paths.len() > top {
        writeln!(
            out,
            "  ... and {} more paths (--top N, or --json)",
            w.paths.len() - top
        )?;
    }
    Ok(())
}
