//! Boxes drawn over everything: the help, the full details view; helpers for the dialogs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::keymap::Action;

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [_, rect, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(width),
        Constraint::Fill(1),
    ])
    .areas(mid);
    rect
}

pub(super) fn boxed(
    frame: &mut Frame<'_>,
    app: &App,
    rect: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.config.theme.accent())
        .title(format!(" {title} "));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

pub fn help(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let map = &app.config.keymap;
    let mut lines: Vec<Line<'static>> = Action::ALL
        .iter()
        .map(|a| {
            Line::from(vec![
                Span::styled(format!("{:>11}  ", map.hint(*a)), theme.accent()),
                Span::raw(a.describe()),
            ])
        })
        .collect();
    lines.push(Line::styled(
        "      mouse  click, scroll wheel",
        theme.dim(),
    ));
    lines.push(Line::styled(
        format!("{:>11}  keys in the files view", map.hint(Action::Help)),
        theme.dim(),
    ));
    let height = lines.len() as u16 + 2;
    if height <= area.height || area.width < 78 {
        boxed(frame, app, centered(area, 62, height), "Keys", lines);
        return;
    }
    // Short terminals: two columns.
    let half = lines.len().div_ceil(2);
    let right = lines.split_off(half);
    let rect = centered(area, 80, half as u16 + 2);
    boxed(frame, app, rect, "Keys", Vec::new());
    let inner = Block::default().borders(Borders::ALL).inner(rect);
    let [l, r] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), l);
    frame.render_widget(Paragraph::new(right), r);
}

/// Where the full details view goes: the whole screen.
pub(super) fn details_rect(area: Rect) -> Rect {
    area
}

/// The full details view: everything, wrapped to the width, from line `scroll` on.
pub fn details(frame: &mut Frame<'_>, app: &App, scroll: usize, area: Rect) {
    let theme = &app.config.theme;
    let rect = details_rect(area);
    let (title, lines) = super::full::content(app);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent())
        .title(format!(
            " {} ",
            crate::tui::format::fit(&title, rect.width as usize / 2)
        ));
    let inner = block.inner(rect);
    let wrapped = super::wrap::wrap(&lines, inner.width as usize);
    let height = inner.height as usize;
    let last = wrapped.len().saturating_sub(height);
    let scroll = scroll.min(last);
    let map = &app.config.keymap;
    let position = if wrapped.len() > height {
        format!(
            " {}-{} of {} ",
            scroll + 1,
            (scroll + height).min(wrapped.len()),
            wrapped.len()
        )
    } else {
        String::new()
    };
    let keys = format!(
        " {} {} scroll · {} copy · {} close{position}",
        map.hint(Action::Down),
        map.hint(Action::Up),
        map.hint(Action::Copy),
        map.hint(Action::Back),
    );
    let block = block.title_bottom(Line::styled(keys, theme.dim()));
    frame.render_widget(Clear, rect);
    let visible: Vec<Line<'static>> = wrapped.into_iter().skip(scroll).take(height).collect();
    frame.render_widget(Paragraph::new(visible).block(block), rect);
}

/// (wrapped lines, rows shown) of the full details view at the App's size: for scrolling.
pub fn details_extent(app: &App) -> (usize, usize) {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let inner = Block::default()
        .borders(Borders::ALL)
        .inner(details_rect(area));
    let (_, lines) = super::full::content(app);
    let total = super::wrap::wrap(&lines, inner.width as usize).len();
    (total, inner.height as usize)
}
