//! `haul files SOURCE [--layer N] [--json]`: the final filesystem, or one layer's changes.

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;

use super::{SourceArgs, analyse, layer_index, mode_string};
use crate::archive::contents::{Analysis, ChangeKind, Node};
use crate::units;

#[derive(Debug, clap::Args)]
pub struct FilesArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Show the changes of layer N (1 = the bottom layer, as `haul inspect` numbers them).
    #[arg(long, value_name = "N")]
    pub layer: Option<usize>,
    /// One JSON object per line: path, type, size, mode, uid, gid, layer, link (and change).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &FilesArgs, host: Option<String>) -> ExitCode {
    let analysis = match analyse(host, &args.source, 1) {
        Ok(a) => a.analysis,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match layer_index(args.layer, &analysis) {
        Ok(None) => write_tree(&mut out, &analysis, args.json),
        Ok(Some(layer)) => write_layer(&mut out, &analysis, layer, args.json),
        Err(code) => return code,
    };
    match written.and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE, // stdout closed (a pipe to `head`)
    }
}

/// The JSON line of one entry; `layer` is 1-based.
pub fn entry_json(node: &Node, layer: usize, change: Option<ChangeKind>) -> serde_json::Value {
    let mut value = json!({
        "path": format!("/{}", node.path),
        "type": node.kind.as_str(),
        "size": node.size,
        "mode": node.mode,
        "uid": node.uid,
        "gid": node.gid,
        "layer": layer,
        "link": node.link,
    });
    if let Some(change) = change {
        value["change"] = json!(change.as_str());
    }
    value
}

fn human_line(node: &Node, layer: usize, mark: &str) -> String {
    let size = match node.kind {
        crate::archive::contents::FileKind::File | crate::archive::contents::FileKind::Hardlink => {
            units::bytes(node.size)
        }
        _ => "-".into(),
    };
    let link = match (&node.link, node.kind) {
        (Some(l), crate::archive::contents::FileKind::Hardlink) => format!(" => {l}"),
        (Some(l), _) => format!(" -> {l}"),
        _ => String::new(),
    };
    format!(
        "{mark}{} {:>9} {:>10} {:>5}  /{}{link}",
        mode_string(node.kind, node.mode),
        format!("{}:{}", node.uid, node.gid),
        size,
        layer,
        node.path
    )
}

fn write_tree(out: &mut impl Write, analysis: &Analysis, json: bool) -> std::io::Result<()> {
    if !json {
        writeln!(
            out,
            "{:<10} {:>9} {:>10} {:>5}  PATH",
            "MODE", "UID:GID", "SIZE", "LAYER"
        )?;
    }
    for entry in &analysis.tree {
        if json {
            serde_json::to_writer(&mut *out, &entry_json(&entry.node, entry.layer + 1, None))?;
            writeln!(out)?;
        } else {
            writeln!(out, "{}", human_line(&entry.node, entry.layer + 1, ""))?;
        }
    }
    Ok(())
}

fn write_layer(
    out: &mut impl Write,
    analysis: &Analysis,
    layer: usize,
    json: bool,
) -> std::io::Result<()> {
    let contents = &analysis.layers[layer];
    if !json {
        let created_by = contents
            .created_by
            .as_deref()
            .unwrap_or("")
            .replace('\n', " ");
        writeln!(
            out,
            "Layer {} {}  {created_by}",
            layer + 1,
            units::short_id(&contents.diff_id)
        )?;
        writeln!(
            out,
            "  {:<10} {:>9} {:>10} {:>5}  PATH   (+ added, ~ modified, - removed)",
            "MODE", "UID:GID", "SIZE", "LAYER"
        )?;
    }
    for change in &contents.changes {
        if json {
            let value = entry_json(&change.node, layer + 1, Some(change.change));
            serde_json::to_writer(&mut *out, &value)?;
            writeln!(out)?;
        } else {
            let mark = match change.change {
                ChangeKind::Added => "+ ",
                ChangeKind::Modified => "~ ",
                ChangeKind::Removed => "- ",
            };
            writeln!(out, "{}", human_line(&change.node, layer + 1, mark))?;
        }
    }
    Ok(())
}
