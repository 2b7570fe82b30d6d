//! The three list panes: their rows (via the shared table widget) and their titles.

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
    let framing = |status, empty_text| Framing {
        title: Line::from(tabs.clone()),
        badge: badge.clone(),
        focused: app.focus == Focus::List,
        borders: Borders::ALL,
        status,
        empty_text,
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
                framing(&app.images.status, text),
                app.images.visible(),
                &ctx,
                app.images.cursor,
                theme,
            );
        }
        pane => {
            let Some(list) = app.files(pane) else { return };
            let text = match (filter.is_empty(), pane) {
                (false, _) => "no file matches the filter".to_string(),
                (true, PaneId::Artifacts) => {
                    "no artifact zips with an image in the scan folders".to_string()
                }
                (true, _) => "no image tarballs in the scan folders".to_string(),
            };
            table::draw(
                frame,
                area,
                framing(&list.status, &text),
                list.visible(),
                &ctx,
                list.cursor,
                theme,
            );
        }
    }
}
