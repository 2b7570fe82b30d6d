//! The header (daemon, scan folders) and the status line (notice or key hints).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Focus, Level, Mode, PaneId};
use crate::tui::format;
use crate::tui::keymap::Action;
use crate::tui::state::LoadState;

pub fn header(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let mut spans = vec![
        Span::styled(" haul ", theme.accent()),
        Span::styled("│ ", theme.dim()),
    ];
    match &app.daemon {
        LoadState::Loading => spans.push(Span::styled("daemon: connecting…", theme.dim())),
        LoadState::Ready(info) => {
            spans.push(Span::styled("● ", theme.ok()));
            let engine = match info.kind {
                crate::daemon::EngineKind::Podman => format!("Podman {}", info.version),
                crate::daemon::EngineKind::DockerClassic => format!("Engine {}", info.version),
                crate::daemon::EngineKind::DockerContainerd => {
                    format!("Engine {} · containerd store", info.version)
                }
            };
            spans.push(Span::raw(format!(
                "{} · {engine} (API {})",
                info.endpoint, info.api_version
            )));
        }
        LoadState::Failed(reason) => {
            spans.push(Span::styled("daemon not connected: ", theme.error()));
            spans.push(Span::raw(format::fit(
                reason,
                (area.width as usize / 2).max(20),
            )));
        }
    }
    let folders: Vec<String> = app
        .config
        .scan_folders
        .iter()
        .map(|f| format::tilde(f))
        .collect();
    spans.push(Span::styled(" │ scan: ", theme.dim()));
    spans.push(Span::raw(folders.join(", ")));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn status(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let line = if let Some(notice) = &app.notice {
        let style = match notice.level {
            Level::Info => theme.accent(),
            Level::Error => theme.error(),
        };
        let esc = app.config.keymap.hint(Action::Back);
        Line::from(vec![
            Span::styled(format!(" {} ", notice.text), style),
            Span::styled(format!(" ({esc} to dismiss)"), theme.dim()),
        ])
    } else {
        hints(app, area.width as usize)
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn hints(app: &App, width: usize) -> Line<'static> {
    let theme = &app.config.theme;
    let map = &app.config.keymap;
    let first = |a: Action| {
        map.keys_for(a)
            .first()
            .map_or_else(|| "-".to_string(), |k| k.to_string())
    };
    let pairs: Vec<(String, &str)> = match (&app.mode, app.focus, app.pane) {
        (Mode::Filter, _, _) => vec![
            ("type".into(), "filter"),
            ("enter".into(), "keep"),
            ("esc".into(), "clear"),
        ],
        (_, Focus::Jobs, _) => vec![
            (map.hint(Action::Down), "move"),
            (first(Action::Cancel), "cancel"),
            (first(Action::Dismiss), "dismiss"),
            (first(Action::Back), "back"),
            (first(Action::Help), "help"),
        ],
        (_, _, PaneId::Images) => vec![
            (first(Action::Inspect), "details"),
            (first(Action::Save), "save"),
            (first(Action::Delete), "delete"),
            (first(Action::Tag), "tag"),
            (first(Action::Mark), "mark"),
            (first(Action::Filter), "filter"),
            (first(Action::NextPane), "pane"),
            (first(Action::Help), "help"),
            (first(Action::Quit), "quit"),
        ],
        (_, _, PaneId::Disk) => vec![
            (first(Action::Inspect), "details"),
            (first(Action::Mark), "mark"),
            (first(Action::Delete), "clean up"),
            (first(Action::Sort), "sort"),
            (first(Action::Refresh), "refresh"),
            (first(Action::NextPane), "pane"),
            (first(Action::Help), "help"),
            (first(Action::Quit), "quit"),
        ],
        _ => vec![
            (first(Action::Inspect), "details"),
            (first(Action::Load), "load"),
            (first(Action::Delete), "delete"),
            (first(Action::Mark), "mark"),
            (first(Action::Filter), "filter"),
            (first(Action::NextPane), "pane"),
            (first(Action::Help), "help"),
            (first(Action::Quit), "quit"),
        ],
    };
    // As many hints as fit, whole.
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (key, what) in pairs {
        let text = format!(" {what}  ");
        let len = key.chars().count() + text.chars().count();
        if used + len > width {
            break;
        }
        used += len;
        spans.push(Span::styled(key, theme.accent()));
        spans.push(Span::raw(text));
    }
    Line::from(spans)
}
