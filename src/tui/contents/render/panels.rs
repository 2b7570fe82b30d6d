//! The files view's panels: the waste summary and the preview (beside the tree, or instead of
//! it on narrow screens), the extract prompt and the view's keys (over everything).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::progress_line;
use crate::tui::app::App;
use crate::tui::contents::keys::ViewAction;
use crate::tui::contents::view::{Browser, Panel, Preview, PreviewStage};
use crate::tui::format::{fit, fit_end};
use crate::tui::keymap::Action;
use crate::units::{bytes, count};

fn block(app: &App, title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.config.theme.accent())
        .title(title)
}

/// The panel beside (or instead of) the tree.
pub fn side(frame: &mut Frame<'_>, app: &App, b: &Browser, area: Rect) {
    frame.render_widget(Clear, area);
    match &b.panel {
        Panel::Waste(cursor) => waste(frame, app, b, *cursor, area),
        Panel::Preview(preview) => self::preview(frame, app, b, preview, area),
        _ => {}
    }
}

fn waste(
    frame: &mut Frame<'_>,
    app: &App,
    b: &Browser,
    cursor: crate::tui::state::Cursor,
    area: Rect,
) {
    let theme = &app.config.theme;
    let a = b.analysis();
    let w = &a.waste;
    let outer = block(app, " Waste ".into()).title_bottom(Line::styled(
        format!(
            " {} shows the path · {} closes ",
            app.config.files_keys.hint(ViewAction::Toggle),
            app.config.keymap.hint(Action::Back)
        ),
        theme.dim(),
    ));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let width = inner.width as usize;
    let mut top = vec![Line::raw(fit(
        &format!(
            "{} wasted of {} in files: {:.1}% efficient",
            bytes(w.wasted_bytes),
            bytes(w.total_bytes),
            w.efficiency * 100.0
        ),
        width,
    ))];
    let wasteful: Vec<(usize, u64)> = a
        .layers
        .iter()
        .enumerate()
        .filter(|(_, l)| l.wasted_bytes > 0)
        .map(|(i, l)| (i, l.wasted_bytes))
        .collect();
    let shown = wasteful.len().min(4);
    for (i, wasted) in wasteful.iter().take(shown) {
        let by = a.layers[*i].created_by.as_deref().unwrap_or("");
        let by = by
            .trim()
            .trim_start_matches("/bin/sh -c ")
            .trim_start_matches("#(nop) ");
        top.push(Line::styled(
            fit(
                &format!("layer {:>2} {:>9}  {by}", i + 1, bytes(*wasted)),
                width,
            ),
            theme.dim(),
        ));
    }
    if wasteful.len() > shown {
        top.push(Line::styled(
            format!("… {} more layers", wasteful.len() - shown),
            theme.dim(),
        ));
    }
    top.push(Line::raw(if w.paths.is_empty() {
        "no path wastes space".to_string()
    } else {
        format!("{}, biggest first:", count(w.paths.len(), "wasted path"))
    }));
    let [head, list] =
        Layout::vertical([Constraint::Length(top.len() as u16), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(top), head);
    let mut cursor = cursor;
    cursor.follow(w.paths.len(), list.height as usize);
    let lines: Vec<Line<'static>> = w
        .paths
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(list.height as usize)
        .map(|(i, p)| {
            let layers: Vec<String> = p.layers.iter().map(|l| (l + 1).to_string()).collect();
            let tail = format!("  (layer {})", layers.join(", "));
            let room = width.saturating_sub(12 + tail.chars().count());
            let line = Line::from(vec![
                Span::styled(format!("{:>9}  ", bytes(p.wasted_bytes)), theme.warn()),
                Span::raw(fit_end(&format!("/{}", p.path), room)),
                Span::styled(tail, theme.dim()),
            ]);
            super::list_row(line, i == cursor.selected, theme)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}

fn preview(frame: &mut Frame<'_>, app: &App, b: &Browser, p: &Preview, area: Rect) {
    let theme = &app.config.theme;
    let title = format!(
        " Preview {} ",
        fit_end(&p.path, area.width.saturating_sub(12) as usize)
    );
    let which = match b.tree.layer {
        Some(n) => format!("layer {}'s version", n + 1),
        None => "the final version".into(),
    };
    let outer = block(app, title).title_bottom(Line::styled(
        format!(
            " {which} · {} scroll · {} closes ",
            app.config.keymap.hint(Action::Down),
            app.config.keymap.hint(Action::Back)
        ),
        theme.dim(),
    ));
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let lines: Vec<Line<'static>> = match &p.stage {
        PreviewStage::Reading(run) => vec![
            Line::raw("reading the layer holding it…"),
            progress_line(run, inner.width as usize, theme),
        ],
        PreviewStage::Note(note) => vec![Line::styled(note.clone(), theme.dim())],
        PreviewStage::Ready(peek) => match peek.text() {
            None => vec![Line::styled(
                format!("a binary file of {}: not shown", bytes(peek.size)),
                theme.dim(),
            )],
            Some(text) => {
                let mut lines: Vec<Line<'static>> = text
                    .lines()
                    .skip(p.scroll)
                    .take(inner.height as usize)
                    .map(|l| Line::raw(crate::escape::text(&l.replace('\t', "    ")).into_owned()))
                    .collect();
                if peek.truncated() && lines.len() < inner.height as usize {
                    lines.push(Line::styled(
                        format!(
                            "… the first {} of {}",
                            bytes(peek.head.len() as u64),
                            bytes(peek.size)
                        ),
                        theme.dim(),
                    ));
                }
                lines
            }
        },
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// The destination prompt of `e`.
pub fn extract(frame: &mut Frame<'_>, app: &App, path: &str, input: &str, area: Rect) {
    let theme = &app.config.theme;
    let width = area.width.saturating_sub(4).min(90);
    let lines = vec![
        Line::raw(format!(
            "Extract {} (and what is below it) into the folder:",
            crate::escape::text(path)
        )),
        Line::from(vec![
            Span::styled(crate::escape::text(input).into_owned(), theme.accent()),
            Span::raw("▏"),
        ]),
        Line::styled(
            "nothing is written outside it; links are never followed out",
            theme.dim(),
        ),
        Line::styled("enter extracts (a job) · esc cancels", theme.dim()),
    ];
    let wrapped = crate::tui::render::wrap::wrap(&lines, width.saturating_sub(2) as usize);
    let rect = centered(area, width, wrapped.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(wrapped).block(block(app, " Extract ".into())),
        rect,
    );
}

/// The keys of the files and comparison views.
pub fn help(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let keys = &app.config.files_keys;
    let map = &app.config.keymap;
    let mut rows: Vec<(String, &str)> = ViewAction::ALL
        .iter()
        .map(|a| (keys.hint(*a), a.describe()))
        .collect();
    let first = |a: Action| {
        map.keys_for(a)
            .first()
            .map_or_else(|| "-".to_string(), |k| k.to_string())
    };
    let moves = [Action::Down, Action::Up, Action::PageDown, Action::PageUp]
        .map(first)
        .join(" ");
    rows.insert(0, (moves, "move"));
    rows.extend([
        (map.hint(Action::Sort), "order: name, size"),
        (map.hint(Action::Filter), "search by path"),
        (map.hint(Action::Copy), "copy the path"),
        (map.hint(Action::Back), "clear the search, close"),
    ]);
    let key_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .min(30);
    let lines: Vec<Line<'static>> = rows
        .into_iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(
                    format!("{:>key_width$}  ", fit(&k, key_width)),
                    theme.accent(),
                ),
                Span::raw(what.to_string()),
            ])
        })
        .collect();
    let width = (key_width as u16 + 40).min(area.width);
    let rect = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(app, " Files view keys ".into())),
        rect,
    );
}
