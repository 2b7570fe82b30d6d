//! The detail area: what the selected image or file holds, and its layer table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::archive::{ArchiveReport, ImageInfo};
use crate::tui::app::{App, Focus, PaneId};
use crate::tui::format;
use crate::tui::keymap::Action;
use crate::tui::state::{Cursor, LoadState};
use crate::tui::theme::Theme;
use crate::tui::widgets::layers::{self, LayerCtx};
use crate::tui::widgets::table::{self, Framing};

pub fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let focused = app.focus == Focus::Details;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(" Details ")
        .title(
            Line::styled(
                format!(" {}: everything ", app.config.keymap.hint(Action::Inspect)),
                theme.dim(),
            )
            .alignment(ratatui::layout::Alignment::Right),
        );
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let (lines, image): (Vec<Line<'static>>, Option<&ImageInfo>) = match app.pane {
        PaneId::Disk => (disk_lines(app, theme), None),
        PaneId::Images => match app.selected_image() {
            None => (vec![Line::styled("no image selected", theme.dim())], None),
            Some(row) => match app.image_info.get(&row.id) {
                Some(LoadState::Ready(info)) => (image_lines(info, theme), Some(info)),
                Some(LoadState::Failed(reason)) => (
                    vec![
                        Line::styled(row.tags.join(", "), theme.accent()),
                        Line::styled(format!("cannot inspect: {reason}"), theme.error()),
                    ],
                    None,
                ),
                _ => (
                    vec![
                        Line::styled(row.tags.join(", "), theme.accent()),
                        Line::styled("inspecting…", theme.dim()),
                    ],
                    None,
                ),
            },
        },
        _ => match app.selected_file() {
            None => match app.selected_remote() {
                Some(artifact) => (remote_lines(app, artifact), None),
                None => (vec![Line::styled("no file selected", theme.dim())], None),
            },
            Some(entry) => match &entry.report {
                LoadState::Loading => (
                    vec![Line::styled(
                        format!("inspecting {}…", entry.file.display),
                        theme.dim(),
                    )],
                    None,
                ),
                LoadState::Failed(reason) => (
                    vec![
                        Line::raw(entry.file.display.clone()),
                        Line::styled(reason.clone(), theme.error()),
                    ],
                    None,
                ),
                LoadState::Ready(report) => file_lines(app, report, theme),
            },
        },
    };

    let Some(image) = image else {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    };
    // Wrapped, not cut; keep at least a few layer rows visible on small screens.
    let max_text = inner.height.saturating_sub(4).max(1) as usize;
    let mut lines = super::wrap::wrap(&lines, inner.width as usize);
    lines.truncate(max_text);
    let [text, table_area] =
        Layout::vertical([Constraint::Length(lines.len() as u16), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), text);

    let rows = layers::rows(image);
    let total = image
        .layers
        .iter()
        .map(|l| l.size)
        .sum::<u64>()
        .max(image.size);
    let ctx = LayerCtx {
        theme,
        total,
        present: (app.pane != PaneId::Images)
            .then(|| app.holdings.ready())
            .flatten(),
    };
    let mut cursor = Cursor {
        selected: app.detail_scroll.min(rows.len().saturating_sub(1)),
        offset: 0,
    };
    cursor.follow(rows.len(), table_area.height.saturating_sub(2) as usize);
    if !focused {
        cursor.selected = usize::MAX;
    }
    table::draw(
        frame,
        table_area,
        Framing {
            title: Line::styled(
                format!(" {} ", crate::units::count(rows.len(), "layer")),
                theme.dim(),
            ),
            badge: None,
            focused,
            borders: Borders::TOP,
            status: &LoadState::Ready(()),
            empty_text: "no layers",
            footer: None,
            marks: false,
        },
        rows.iter().map(|r| (r, false)),
        &ctx,
        cursor,
        theme,
    );
}

fn image_lines(info: &ImageInfo, theme: &Theme) -> Vec<Line<'static>> {
    let tags = if info.tags.is_empty() {
        "<untagged>".to_string()
    } else {
        info.tags.join(", ")
    };
    let mut facts = vec![
        format!("ID {}", crate::units::short_id(&info.id)),
        info.platform(),
    ];
    if let Some(created) = &info.created {
        facts.push(format!("created {}", format::rfc3339_short(created)));
    }
    facts.push(format!(
        "{}, {}",
        crate::units::count(info.layers.len(), "layer"),
        crate::units::bytes(info.size)
    ));
    let mut config = Vec::new();
    if let Some(ep) = info.entrypoint.as_ref().filter(|v| !v.is_empty()) {
        config.push(format!("entrypoint {}", ep.join(" ")));
    }
    if let Some(cmd) = info.cmd.as_ref().filter(|v| !v.is_empty()) {
        config.push(format!("cmd {}", cmd.join(" ")));
    }
    if let Some(dir) = info.working_dir.as_ref().filter(|d| !d.is_empty()) {
        config.push(format!("workdir {dir}"));
    }
    if let Some(user) = info.user.as_ref().filter(|u| !u.is_empty()) {
        config.push(format!("user {user}"));
    }
    if !info.exposed_ports.is_empty() {
        config.push(format!("ports {}", info.exposed_ports.join(",")));
    }
    config.push(format!("env {}", info.env.len()));
    config.push(format!("labels {}", info.labels.len()));
    vec![
        Line::styled(tags, theme.accent()),
        Line::raw(facts.join(" · ")),
        Line::styled(config.join(" · "), theme.dim()),
    ]
}

fn file_lines<'r>(
    app: &App,
    report: &'r ArchiveReport,
    theme: &Theme,
) -> (Vec<Line<'static>>, Option<&'r ImageInfo>) {
    let mut fmt = report.format.as_str().to_string();
    if report.compression != crate::archive::Compression::None {
        fmt = format!("{fmt}, {}", report.compression.as_str());
    }
    let head = Line::raw(format!(
        "{fmt} · {} on disk · {}, {}",
        crate::units::bytes(report.file_size),
        crate::units::count(report.images.len(), "image"),
        crate::units::count(report.layer_count, "distinct layer")
    ));
    let index = app.detail_image.min(report.images.len().saturating_sub(1));
    let Some(image) = report.images.get(index) else {
        return (
            vec![head, Line::styled("no image in this file", theme.warn())],
            None,
        );
    };
    let mut lines = image_lines(image, theme);
    lines.insert(1, head);
    let daemon = if app.in_daemon(image) {
        Line::styled("already loaded: the daemon has this image ID", theme.ok())
    } else {
        match (app.layers_present(image), &app.holdings) {
            (Some((have, send)), _) => Line::from(vec![
                Span::styled(
                    format!(
                        "{have} of {} already in the daemon",
                        crate::units::count(image.layers.len(), "layer")
                    ),
                    theme.ok(),
                ),
                Span::raw(format!(", {} to send", crate::units::bytes(send))),
            ]),
            (None, LoadState::Failed(reason)) => Line::styled(
                format!("cannot compare with the daemon: {reason}"),
                theme.dim(),
            ),
            (None, _) => Line::styled("comparing with the daemon…", theme.dim()),
        }
    };
    lines.insert(2, daemon);
    if let Some(line) = platforms_line(app, report) {
        lines.insert(3, line);
    }
    if report.images.len() > 1 {
        let keys = format!(
            "{} {}",
            app.config.keymap.hint(Action::PrevImage),
            app.config.keymap.hint(Action::NextImage)
        );
        lines.insert(
            1,
            Line::styled(
                format!(
                    "image {} of {} in this file ({keys} to switch)",
                    index + 1,
                    report.images.len()
                ),
                theme.accent(),
            ),
        );
    }
    (lines, Some(image))
}

/// A multi-platform archive: each platform, marked `●` when the daemon has that image with all
/// its layers (the containerd store names every platform of an index by one ID, but unpacks
/// only its own), `n/m` with the layers it has otherwise.
fn platforms_line(app: &App, report: &ArchiveReport) -> Option<Line<'static>> {
    let mut platforms: Vec<String> = report.images.iter().map(|i| i.platform()).collect();
    platforms.dedup();
    if platforms.len() < 2 {
        return None;
    }
    let theme = &app.config.theme;
    let mut spans = vec![Span::raw("platforms: ")];
    for (n, image) in report.images.iter().enumerate() {
        if n > 0 {
            spans.push(Span::raw(" · "));
        }
        spans.push(Span::raw(image.platform()));
        if let Some(h) = app.holdings.ready() {
            let have = h.layers_present(image).iter().filter(|p| **p).count();
            if h.has_image(image) && have == image.layers.len() {
                spans.push(Span::styled(" ●", theme.ok()));
            } else {
                let text = format!(" {have}/{}", image.layers.len());
                spans.push(Span::styled(text, theme.dim()));
            }
        }
    }
    Some(Line::from(spans))
}

/// A remote artifact: what the API says about it; its images are known once downloaded.
fn remote_lines(app: &App, a: &crate::artifacts::RemoteArtifact) -> Vec<Line<'static>> {
    use crate::tui::artifact_rows::short_time;
    let theme = &app.config.theme;
    let or_unknown = |v: Option<String>| v.unwrap_or_else(|| "?".to_string());
    let mut lines = vec![
        Line::styled(format!("☁ {}", a.name), theme.accent()),
        Line::raw(format!(
            "remote artifact · ID {} · {}",
            a.id,
            crate::units::bytes(a.size_in_bytes)
        )),
        Line::raw(format!(
            "run {} · branch {} · commit {}",
            or_unknown(a.run_id().map(|r| r.to_string())),
            or_unknown(a.branch().map(str::to_string)),
            or_unknown(a.head_sha().map(|c| c.chars().take(12).collect())),
        )),
    ];
    let until = if a.expired {
        Span::styled("expired", theme.error())
    } else {
        Span::raw(format!("expires {}", short_time(a.expires_at.as_deref())))
    };
    lines.push(Line::from(vec![
        Span::raw(format!(
            "created {} · ",
            short_time(a.created_at.as_deref())
        )),
        until,
    ]));
    if let Some(digest) = &a.digest {
        lines.push(Line::styled(format!("digest {digest}"), theme.dim()));
    }
    let hint = if a.expired {
        "expired: it can no longer be downloaded".to_string()
    } else {
        format!(
            "{} downloads it, then loads the images inside",
            app.config.keymap.hint(Action::Load)
        )
    };
    lines.push(Line::styled(hint, theme.dim()));
    lines
}

/// The Disk pane: totals by kind, and what cleaning up does.
fn disk_lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let rows: Vec<crate::du::Item> = app.disk.rows.clone();
    let mut lines: Vec<Line<'static>> = crate::du::totals(&rows)
        .into_iter()
        .map(|(category, n, bytes)| {
            Line::from(vec![
                Span::raw(format!(
                    "{:>10}  {:<28}",
                    crate::units::bytes(bytes),
                    category.heading()
                )),
                Span::styled(format!("{n:>5}"), theme.dim()),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled("nothing listed yet", theme.dim()));
    }
    let map = &app.config.keymap;
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "{} marks, {} removes (after a yes): dangling and unused images with every tag, \
             downloads, the inspect cache, image files. Images in use are never removed; \
             image sizes count shared layers in each image.",
            map.hint(Action::Mark),
            map.hint(Action::Delete)
        ),
        theme.dim(),
    ));
    lines
}
