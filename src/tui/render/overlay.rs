//! Boxes drawn over everything: help, the save prompt, the delete confirmation.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::app::{App, DeleteTarget};
use crate::tui::keymap::Action;

fn centered(area: Rect, width: u16, height: u16) -> Rect {
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

fn boxed(frame: &mut Frame<'_>, app: &App, rect: Rect, title: &str, lines: Vec<Line<'static>>) {
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

pub fn save_prompt(frame: &mut Frame<'_>, app: &App, image: &str, input: &str, area: Rect) {
    let theme = &app.config.theme;
    let lines = vec![
        Line::raw(format!("Save {image} to:")),
        Line::from(vec![
            Span::styled(input.to_string(), theme.accent()),
            Span::raw("▏"),
        ]),
        Line::styled("enter save · esc cancel · ctrl-u clear", theme.dim()),
    ];
    let width = (area.width.saturating_sub(4)).min(90);
    boxed(frame, app, centered(area, width, 6), "Save image", lines);
}

pub fn confirm_delete(frame: &mut Frame<'_>, app: &App, target: &DeleteTarget, area: Rect) {
    let theme = &app.config.theme;
    let what = match target {
        DeleteTarget::Image { name, .. } => format!("Delete image {name} from the daemon?"),
        DeleteTarget::File(path) => format!("Delete the file {}?", path.display()),
    };
    let lines = vec![
        Line::raw(what),
        Line::styled("y / enter: delete · any other key: keep", theme.warn()),
    ];
    let width = (area.width.saturating_sub(4)).min(80);
    boxed(frame, app, centered(area, width, 5), "Confirm", lines);
}
