//! The full details view (`i`): everything the archive or the daemon knows about the selected
//! item, or everything about the selected job, as lines to wrap and scroll.

use ratatui::text::{Line, Span};

use crate::archive::{ArchiveReport, ImageInfo};
use crate::transfer::{JobSnapshot, Phase};
use crate::tui::app::{App, Focus, PaneId};
use crate::tui::state::{FileEntry, LoadState};
use crate::tui::theme::Theme;
use crate::units::{bytes, count};

/// The view's title and its lines (not yet wrapped).
pub fn content(app: &App) -> (String, Vec<Line<'static>>) {
    let theme = &app.config.theme;
    if app.focus == Focus::Jobs
        && let Some(job) = app.selected_job().and_then(|id| app.jobs.snapshot(id))
    {
        return (format!("Job {}", job.id), job_lines(&job, theme));
    }
    let mut lines = Vec::new();
    let title = match app.pane {
        PaneId::Images => match app.selected_entry() {
            None => "nothing selected".to_string(),
            Some(entry) => {
                match app.image_info.get(&entry.image.id) {
                    Some(LoadState::Ready(info)) => image(&mut lines, info, theme),
                    Some(LoadState::Failed(reason)) => lines.push(Line::styled(
                        format!("cannot inspect: {reason}"),
                        theme.error(),
                    )),
                    _ => lines.push(Line::styled("inspecting…", theme.dim())),
                }
                entry.name().to_string()
            }
        },
        PaneId::Disk => match app.disk.selected() {
            None => "nothing selected".to_string(),
            Some(item) => {
                field(&mut lines, theme, "kind", item.category.heading());
                field(&mut lines, theme, "name", &item.name);
                if let Some(id) = &item.id {
                    field(&mut lines, theme, "ID", id);
                }
                if let Some(path) = &item.path {
                    field(&mut lines, theme, "path", &path.display().to_string());
                }
                field(&mut lines, theme, "size", &bytes(item.size));
                field(
                    &mut lines,
                    theme,
                    "time",
                    &crate::tui::format::date(item.time),
                );
                if !item.note.is_empty() {
                    field(&mut lines, theme, "note", &item.note);
                }
                let clean = if item.cleanable() || item.path.is_some() {
                    "d removes it, after a confirmation"
                } else {
                    "in use by a container: haul does not remove it"
                };
                lines.push(Line::styled(clean, theme.dim()));
                item.name.clone()
            }
        },
        _ => match (app.selected_file(), app.selected_remote()) {
            (Some(entry), _) => {
                file(&mut lines, entry, theme);
                entry.file.display.clone()
            }
            (None, Some(a)) => {
                field(&mut lines, theme, "remote artifact", &a.name);
                field(&mut lines, theme, "ID", &a.id.to_string());
                field(&mut lines, theme, "size", &bytes(a.size_in_bytes));
                let or = |v: Option<String>| v.unwrap_or_else(|| "?".into());
                field(
                    &mut lines,
                    theme,
                    "run",
                    &or(a.run_id().map(|r| r.to_string())),
                );
                field(
                    &mut lines,
                    theme,
                    "branch",
                    &or(a.branch().map(str::to_string)),
                );
                field(
                    &mut lines,
                    theme,
                    "commit",
                    &or(a.head_sha().map(str::to_string)),
                );
                field(&mut lines, theme, "created", &or(a.created_at.clone()));
                let expiry = if a.expired {
                    "expired".into()
                } else {
                    or(a.expires_at.clone())
                };
                field(&mut lines, theme, "expires", &expiry);
                field(&mut lines, theme, "digest", &or(a.digest.clone()));
                a.name.clone()
            }
            (None, None) => "nothing selected".to_string(),
        },
    };
    (title, lines)
}

fn heading(lines: &mut Vec<Line<'static>>, theme: &Theme, text: String) {
    if !lines.is_empty() {
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(text, theme.accent()));
}

/// `  label     value`: wrapped lines keep the value's column.
fn field(lines: &mut Vec<Line<'static>>, theme: &Theme, label: &str, value: &str) {
    for (i, part) in value.split('\n').enumerate() {
        let label = if i == 0 { label } else { "" };
        lines.push(Line::from(vec![
            Span::styled(format!("  {label:<12} "), theme.dim()),
            Span::raw(crate::escape::text(part).into_owned()),
        ]));
    }
}

fn file(lines: &mut Vec<Line<'static>>, entry: &FileEntry, theme: &Theme) {
    heading(lines, theme, "File".into());
    field(lines, theme, "path", &entry.file.path.display().to_string());
    if let Some(target) = &entry.file.link {
        field(lines, theme, "link to", &target.display().to_string());
    }
    field(lines, theme, "size", &bytes(entry.file.stamp.size));
    match &entry.report {
        LoadState::Loading => lines.push(Line::styled("  inspecting…", theme.dim())),
        LoadState::Failed(reason) => {
            field(lines, theme, "error", reason);
        }
        LoadState::Ready(report) => archive(lines, report, theme),
    }
}

fn archive(lines: &mut Vec<Line<'static>>, report: &ArchiveReport, theme: &Theme) {
    let container = match (&report.entry, report.container) {
        (Some(entry), _) => format!("zip entry {entry}"),
        (None, c) => format!("{c:?}").to_lowercase(),
    };
    field(lines, theme, "format", report.format.as_str());
    field(lines, theme, "container", &container);
    field(lines, theme, "compression", report.compression.as_str());
    field(
        lines,
        theme,
        "layers",
        &format!(
            "{}, {}",
            count(report.layer_count, "distinct layer"),
            bytes(report.layers_size)
        ),
    );
    if report.missing_manifests > 0 {
        field(
            lines,
            theme,
            "missing",
            &format!(
                "{} whose blobs the archive does not carry",
                count(report.missing_manifests, "index entry")
            ),
        );
    }
    for entry in &report.entries {
        field(
            lines,
            theme,
            "entry",
            &format!(
                "{} ({}, {})",
                entry.entry.as_deref().unwrap_or(&entry.path),
                entry.format.as_str(),
                count(entry.images.len(), "image")
            ),
        );
    }
    let platforms: Vec<String> = report.images.iter().map(ImageInfo::platform).collect();
    if report.images.len() > 1 {
        field(lines, theme, "platforms", &platforms.join(", "));
    }
    for (i, info) in report.images.iter().enumerate() {
        if report.images.len() > 1 {
            heading(
                lines,
                theme,
                format!("Image {} of {}", i + 1, report.images.len()),
            );
        }
        image(lines, info, theme);
    }
}

fn image(lines: &mut Vec<Line<'static>>, info: &ImageInfo, theme: &Theme) {
    heading(lines, theme, "Identity".into());
    let tags = if info.tags.is_empty() {
        "<untagged>".to_string()
    } else {
        info.tags.join("\n")
    };
    field(lines, theme, "tags", &tags);
    field(lines, theme, "ID", &info.id);
    if let Some(digest) = &info.manifest_digest {
        field(lines, theme, "manifest", digest);
    }
    for digest in &info.repo_digests {
        field(lines, theme, "digest", digest);
    }
    field(lines, theme, "platform", &info.platform());
    if let Some(created) = &info.created {
        field(lines, theme, "created", created);
    }
    field(
        lines,
        theme,
        "size",
        &format!(
            "{} in {}",
            bytes(info.size),
            count(info.layers.len(), "layer")
        ),
    );

    heading(lines, theme, "Config".into());
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_default();
    let config: [(&str, Option<String>); 7] = [
        ("entrypoint", info.entrypoint.as_ref().map(json)),
        ("cmd", info.cmd.as_ref().map(json)),
        ("user", info.user.clone()),
        ("workdir", info.working_dir.clone()),
        (
            "ports",
            (!info.exposed_ports.is_empty()).then(|| info.exposed_ports.join(", ")),
        ),
        (
            "volumes",
            (!info.volumes.is_empty()).then(|| info.volumes.join(", ")),
        ),
        (
            "healthcheck",
            info.healthcheck.as_ref().map(|h| h.describe()),
        ),
    ];
    for (label, value) in config {
        field(lines, theme, label, value.as_deref().unwrap_or("-"));
    }
    let env = if info.env.is_empty() {
        "-".to_string()
    } else {
        info.env.join("\n")
    };
    field(lines, theme, &format!("env ({})", info.env.len()), &env);
    let labels: Vec<String> = info
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let labels_text = if labels.is_empty() {
        "-".to_string()
    } else {
        labels.join("\n")
    };
    field(
        lines,
        theme,
        &format!("labels ({})", labels.len()),
        &labels_text,
    );

    let made = info.history.iter().filter(|h| h.layer.is_some()).count();
    heading(
        lines,
        theme,
        format!(
            "History: {}, {} with a layer",
            count(info.history.len(), "step"),
            made
        ),
    );
    for step in &info.history {
        let (mark, size) = match step.layer.and_then(|i| info.layers.get(i).map(|l| (i, l))) {
            Some((i, layer)) => (format!("#{}", i + 1), bytes(layer.size)),
            None => ("-".to_string(), "no layer".to_string()),
        };
        let when = step
            .created
            .as_deref()
            .map(crate::tui::format::rfc3339_short)
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!("  {mark:<4}"), theme.accent()),
            Span::raw(format!("{size:>10}  ")),
            Span::styled(when, theme.dim()),
        ]));
        let command = step
            .created_by
            .as_deref()
            .unwrap_or("(no command recorded)");
        lines.push(Line::raw(format!("        {}", command.replace('\n', " "))));
        if let Some(comment) = step.comment.as_deref().filter(|c| !c.is_empty()) {
            lines.push(Line::styled(format!("        # {comment}"), theme.dim()));
        }
    }

    heading(
        lines,
        theme,
        format!("Layers: {}", count(info.layers.len(), "layer")),
    );
    for (i, layer) in info.layers.iter().enumerate() {
        lines.push(Line::from(vec![
            Span::styled(format!("  #{:<3}", i + 1), theme.accent()),
            Span::raw(format!(
                "{:>10}  {}",
                bytes(layer.size),
                layer.compression.as_str()
            )),
        ]));
        field(lines, theme, "  diff ID", &layer.diff_id);
        if let Some(digest) = layer.digest.as_ref().filter(|d| **d != layer.diff_id) {
            field(lines, theme, "  blob", digest);
        }
        if !layer.path.is_empty() {
            field(lines, theme, "  in archive", &layer.path);
        }
    }
    if !info.config_path.is_empty() {
        field(lines, theme, "config blob", &info.config_path);
    }
}

fn job_lines(job: &JobSnapshot, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    field(&mut lines, theme, "job", &job.label);
    field(&mut lines, theme, "kind", job.kind.as_str());
    field(&mut lines, theme, "phase", job.phase.label());
    field(&mut lines, theme, "progress", &job.facts().join("  "));
    if let Phase::Failed(reason) = &job.phase {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<12} ", "error"), theme.dim()),
            Span::styled(reason.clone(), theme.error()),
        ]));
    }
    if let Some(message) = &job.message {
        field(&mut lines, theme, "daemon", message);
    }
    if let Some(outcome) = &job.outcome {
        if !outcome.summary.is_empty() {
            field(&mut lines, theme, "result", &outcome.summary);
        }
        for image in &outcome.images {
            field(&mut lines, theme, "image", image);
        }
        for file in &outcome.files {
            field(&mut lines, theme, "file", &file.display().to_string());
        }
    }
    lines
}
