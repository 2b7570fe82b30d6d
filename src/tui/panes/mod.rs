//! The four list panes: their rows (via the shared table widget) and their titles.

mod artifacts;
mod disk;
mod files;
mod images;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Borders;

use super::app::{App, Focus, Mode, PaneId};
use super::widgets::table::{self, Framing};

/// What a row needs besides itself.
pub struct RowCtx<'a> {
    pub app: &'a App,
}

/// Draw the current pane's list with the tabs as its title.
pub fn draw_list(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let mut tabs: Vec<Span<'static>> = vec![Span::raw(" ")];
    for (i, label) in app.tab_labels().into_iter().enumerate() {
        let style = if PaneId::ALL[i] == app.pane {
            theme.selected(true)
        } else {
            theme.dim()
        };
        tabs.push(Span::styled(format!(" {label} "), style));
        tabs.push(Span::styled("│", theme.dim()));
    }
    tabs.pop();
    let filter = app.current_filter();
    let (sort, marked) = app.current_sort_and_marks();
    let mut badges: Vec<Span<'static>> = Vec::new();
    if marked > 0 {
        badges.push(Span::styled(format!(" {marked} marked "), theme.accent()));
    }
    if let Some(by) = sort {
        badges.push(Span::raw(format!(" by {} ", by.label())));
    }
    // The image `m` marked for `D`.
    if let Some(marked) = &app.contents.compare {
        let name = crate::tui::format::fit(marked.name(), 30);
        badges.push(Span::styled(format!(" A: {name} "), theme.accent()));
    }
    if app.mode == Mode::Filter {
        badges.push(Span::styled(" /", theme.accent()));
        badges.push(Span::raw(format!("{filter}▏ ")));
    } else if !filter.is_empty() {
        badges.push(Span::raw(format!(" filter: {filter} ")));
    }
    let badge = (!badges.is_empty()).then(|| Line::from(badges));
    let marks = marked > 0;
    let framing = |status, empty_text, footer| Framing {
        title: Line::from(tabs.clone()),
        badge: badge.clone(),
        focused: app.focus == Focus::List,
        borders: Borders::ALL,
        status,
        empty_text,
        footer,
        marks,
    };
    let ctx = RowCtx { app };
    match app.pane {
        PaneId::Images => {
            let text = if filter.is_empty() {
                "no images in the daemon"
            } else {
                "no image matches the filter"
            };
            table::draw(
                frame,
                area,
                framing(&app.images.status, text, watch_line(app)),
                app.images.visible_marked(),
                &ctx,
                app.images.cursor,
                theme,
            );
        }
        PaneId::Tarballs => {
            let text = if filter.is_empty() {
                "no image tarballs in the scan folders"
            } else {
                "no file matches the filter"
            };
            table::draw(
                frame,
                area,
                framing(&app.tarballs.status, text, None),
                app.tarballs.visible_marked(),
                &ctx,
                app.tarballs.cursor,
                theme,
            );
        }
        PaneId::Artifacts => {
            let text = if filter.is_empty() {
                "no artifacts in the scan folders or on GitHub"
            } else {
                "no artifact matches the filter"
            };
            let (line, failed) = app.remote_line();
            let style = if failed { theme.warn() } else { theme.dim() };
            let footer = Line::styled(format!(" {line} "), style);
            table::draw(
                frame,
                area,
                framing(&app.artifacts.status, text, Some(footer)),
                app.artifacts.visible_marked(),
                &ctx,
                app.artifacts.cursor,
                theme,
            );
        }
        PaneId::Disk => {
            let text = if filter.is_empty() {
                "nothing found that takes space"
            } else {
                "nothing matches the filter"
            };
            let footer = match &app.disk_daemon {
                crate::tui::state::LoadState::Failed(reason) => Some(Line::styled(
                    format!(" daemon images missing: {reason} "),
                    theme.warn(),
                )),
                _ => None,
            };
            table::draw(
                frame,
                area,
                framing(&app.disk.status, text, footer),
                app.disk.visible_marked(),
                &ctx,
                app.disk.cursor,
                theme,
            );
        }
    }
}

/// Why the Images pane does not follow the daemon live, when it does not.
fn watch_line(app: &App) -> Option<Line<'static>> {
    match &app.watch {
        crate::tui::state::LoadState::Failed(reason) if app.daemon.ready().is_some() => {
            Some(Line::styled(
                format!(" live updates paused: {reason} (retrying) "),
                app.config.theme.warn(),
            ))
        }
        _ => None,
    }
}
