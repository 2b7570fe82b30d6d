//! The three list panes: their rows (via the shared table widget) and their titles.

mod artifacts;
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
    let badge = if app.mode == Mode::Filter {
        Some(Line::from(vec![
            Span::styled(" /", theme.accent()),
            Span::raw(format!("{filter}▏ ")),
        ]))
    } else if !filter.is_empty() {
        Some(Line::from(format!(" filter: {filter} ")))
    } else {
        None
    };
    let framing = |status, empty_text, footer| Framing {
        title: Line::from(tabs.clone()),
        badge: badge.clone(),
        focused: app.focus == Focus::List,
        borders: Borders::ALL,
        status,
        empty_text,
        footer,
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
                app.images.visible(),
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
                app.tarballs.visible(),
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
                app.artifacts.visible(),
                &ctx,
                app.artifacts.cursor,
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
