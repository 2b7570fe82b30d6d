//! `haul inspect PATH... [--json]`.

use std::io::Write;
use std::process::ExitCode;

use crate::archive::{self, ArchiveReport, ImageInfo};
use crate::{escape, units};

use super::InspectArgs;

pub fn run(args: &InspectArgs, host: Option<String>) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = false;
    let cache = if args.no_cache {
        None
    } else {
        crate::paths::cache_dir()
    };
    for path in &args.paths {
        let result = match path.to_str().and_then(|p| p.strip_prefix("docker://")) {
            Some("") => Err("docker://: no image name (docker://NAME[:TAG] or docker://ID)".into()),
            Some(name) => super::images::daemon_inspect(name, host.clone()),
            None => archive::inspect_with_cache(path, cache.as_deref()).map_err(|e| e.to_string()),
        };
        match result {
            Ok(report) => {
                let written = if args.json {
                    write_json(&mut out, &report)
                } else {
                    write_human(&mut out, &report)
                };
                if written.is_err() {
                    return ExitCode::FAILURE; // stdout closed (a pipe to `head`): nothing more to say
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("error: {}", escape::text(&e));
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn write_json(out: &mut impl Write, report: &ArchiveReport) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, report)?;
    writeln!(out)
}

pub fn write_human(out: &mut impl Write, report: &ArchiveReport) -> std::io::Result<()> {
    let container = match (&report.entry, report.container) {
        (Some(entry), _) => format!("zip entry {}", escape::text(entry)),
        (None, c) => format!("{c:?}").to_lowercase(),
    };
    writeln!(
        out,
        "{}: {} ({}, compression {}, {}), {}, {}, {}",
        escape::text(&report.path),
        report.format.as_str(),
        container,
        report.compression.as_str(),
        units::bytes(report.file_size),
        units::count(report.images.len(), "image"),
        units::count(report.layer_count, "distinct layer"),
        units::bytes(report.layers_size),
    )?;
    if report.missing_manifests > 0 {
        writeln!(
            out,
            "  ({} index entries name blobs the archive does not carry)",
            report.missing_manifests
        )?;
    }
    for skipped in &report.skipped {
        writeln!(
            out,
            "  skipped {}: {}",
            escape::text(&skipped.entry),
            escape::text(&skipped.reason)
        )?;
    }
    for image in &report.images {
        write_image(out, image)?;
    }
    Ok(())
}

pub fn write_image(out: &mut impl Write, image: &ImageInfo) -> std::io::Result<()> {
    let tags = if image.tags.is_empty() {
        "<untagged>".to_string()
    } else {
        image.tags.join(", ")
    };
    writeln!(out, "\n  {tags}")?;
    writeln!(out, "    ID        {}", image.id)?;
    writeln!(out, "    Platform  {}", image.platform())?;
    if let Some(created) = &image.created {
        writeln!(out, "    Created   {created}")?;
    }
    let joined = |v: &Option<Vec<String>>| v.as_ref().map(|v| v.join(" "));
    if let Some(ep) = joined(&image.entrypoint) {
        writeln!(out, "    Entrypoint {ep}")?;
    }
    if let Some(cmd) = joined(&image.cmd) {
        writeln!(out, "    Cmd       {cmd}")?;
    }
    if let Some(wd) = &image.working_dir {
        writeln!(out, "    WorkDir   {wd}")?;
    }
    if let Some(user) = &image.user {
        writeln!(out, "    User      {user}")?;
    }
    for env in &image.env {
        writeln!(out, "    Env       {env}")?;
    }
    if !image.exposed_ports.is_empty() {
        writeln!(out, "    Ports     {}", image.exposed_ports.join(", "))?;
    }
    if !image.volumes.is_empty() {
        writeln!(out, "    Volumes   {}", image.volumes.join(", "))?;
    }
    if let Some(health) = &image.healthcheck {
        writeln!(out, "    Health    {}", health.describe())?;
    }
    for (k, v) in &image.labels {
        writeln!(out, "    Label     {k}={v}")?;
    }
    if let Some(digest) = &image.manifest_digest {
        writeln!(out, "    Manifest  {digest}")?;
    }
    for digest in &image.repo_digests {
        writeln!(out, "    Digest    {digest}")?;
    }
    writeln!(
        out,
        "    Size      {} in {}",
        units::bytes(image.size),
        units::count(image.layers.len(), "layer")
    )?;
    writeln!(
        out,
        "\n    {:>3}  {:>10}  {:<5}  {:<12}  CREATED BY",
        "#", "SIZE", "COMP", "DIFF ID"
    )?;
    for entry in &image.history {
        // Whole: a long RUN line is what someone inspecting an image wants to read.
        let line = entry.created_by.as_deref().unwrap_or("").replace('\n', " ");
        match entry
            .layer
            .and_then(|i| image.layers.get(i).map(|l| (i, l)))
        {
            Some((i, layer)) => writeln!(
                out,
                "    {:>3}  {:>10}  {:<5}  {:<12}  {line}",
                i + 1,
                units::bytes(layer.size),
                layer.compression.as_str(),
                units::short_id(&layer.diff_id),
            )?,
            None => writeln!(
                out,
                "    {:>3}  {:>10}  {:<5}  {:<12}  {line}",
                "-", "", "", "(no layer)"
            )?,
        }
    }
    // Layers the history does not describe (images built without history).
    let described: std::collections::HashSet<usize> =
        image.history.iter().filter_map(|h| h.layer).collect();
    for (i, layer) in image
        .layers
        .iter()
        .enumerate()
        .filter(|(i, _)| !described.contains(i))
    {
        writeln!(
            out,
            "    {:>3}  {:>10}  {:<5}  {:<12}",
            i + 1,
            units::bytes(layer.size),
            layer.compression.as_str(),
            units::short_id(&layer.diff_id)
        )?;
    }
    Ok(())
}
