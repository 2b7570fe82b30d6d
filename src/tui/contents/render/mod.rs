//! Drawing the files view: a summary, the tree (marks and colours for added, modified and
//! removed, so NO_COLOR still shows them), and the panel beside or instead of it; the progress
//! while the layers are read, the error when they cannot be.

mod diff;
mod panels;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub use diff::{draw as diff, list_rows as diff_list_rows};

use super::keys::ViewAction;
use super::layout;
use super::tree::Tree;
use super::view::{Browser, FilesView, Panel, Stage};
use super::{Running, Target};
use crate::archive::contents::{ChangeKind, FileKind};
use crate::tui::app::App;
use crate::tui::format::fit;
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;
use crate::units::{bytes, count};

/// The mark in front of a change (the colour only repeats it).
pub fn mark(change: Option<ChangeKind>, theme: &Theme) -> Span<'static> {
    match change {
        Some(ChangeKind::Added) => Span::styled("+", theme.ok()),
        Some(ChangeKind::Modified) => Span::styled("~", theme.warn()),
        Some(ChangeKind::Removed) => Span::styled("-", theme.error()),
        None => Span::raw(" "),
    }
}

pub fn change_style(change: Option<ChangeKind>, theme: &Theme) -> Style {
    match change {
        Some(ChangeKind::Added) => theme.ok(),
        Some(ChangeKind::Modified) => theme.warn(),
        Some(ChangeKind::Removed) => theme.error(),
        None => Style::new(),
    }
}

/// What the filter shows, for the summary.
pub fn showing(filter: Option<ChangeKind>) -> &'static str {
    match filter {
        None => "all",
        Some(kind) => kind.as_str(),
    }
}

/// `text` in a frame over the whole view: title, hints at the bottom.
pub(super) fn frame_block(app: &App, title: String, hints: String) -> Block<'static> {
    let theme = &app.config.theme;
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent())
        .title(fit(&title, app.size.0.saturating_sub(4) as usize))
        .title_bottom(Line::styled(
            fit(&hints, app.size.0.saturating_sub(4) as usize),
            theme.dim(),
        ))
}

/// The last line: the latest message, else the first running job (an extraction) with its
/// facts.
pub(super) fn status(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let theme = &app.config.theme;
    let line = match &app.notice {
        Some(notice) => {
            let style = match notice.level {
                crate::tui::app::Level::Info => theme.accent(),
                crate::tui::app::Level::Error => theme.error(),
            };
            Line::styled(format!(" {}", notice.text), style)
        }
        None => match app
            .jobs
            .snapshots()
            .into_iter()
            .find(|j| !j.phase.is_finished())
        {
            Some(job) => Line::styled(
                format!(
                    " ▶ {} {:>3.0}% {}",
                    job.label,
                    job.ratio() * 100.0,
                    job.facts().join("  ")
                ),
                theme.dim(),
            ),
            None => Line::raw(""),
        },
    };
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(fit_line(line, area.width as usize)), area);
}

/// A one-style line cut to `width`.
fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    Line::styled(fit(&text, width), line.style)
}

/// The progress of a read: a gauge and bytes read of the total.
pub(super) fn progress_line(run: &Running, width: usize, theme: &Theme) -> Line<'static> {
    let (read, total) = run.control.progress();
    let total = total.max(read);
    let ratio = if total == 0 {
        0.0
    } else {
        read as f64 / total as f64
    };
    let gauge = 20.min(width.saturating_sub(30)).max(4);
    let filled = crate::tui::widgets::layers::bar(ratio, gauge);
    let pad = gauge.saturating_sub(filled.chars().count());
    Line::from(vec![
        Span::styled(filled, theme.bar()),
        Span::styled(format!("{}│", "·".repeat(pad)), theme.dim()),
        Span::raw(format!(
            " {:>3.0}%  {} / {}",
            ratio * 100.0,
            bytes(read),
            bytes(total)
        )),
    ])
}

fn title(view: &FilesView) -> String {
    let count = view.browser().map(|b| b.analysis().layers.len());
    match (view.layer, count) {
        (None, _) => format!(" Files · {} · final filesystem ", view.target.name()),
        (Some(n), Some(of)) => format!(
            " Files · {} · layer {} of {of}: its changes ",
            view.target.name(),
            n + 1
        ),
        (Some(n), None) => format!(" Files · {} · layer {} ", view.target.name(), n + 1),
    }
}

fn hints(app: &App, view: &FilesView) -> String {
    let keys = &app.config.files_keys;
    let map = &app.config.keymap;
    let esc = map.hint(Action::Back);
    match &view.stage {
        Stage::Reading(_) => format!(" {esc} cancels "),
        Stage::Failed(_) => format!(" {esc} closes "),
        Stage::Ready(_) => format!(
            " {} keys · {esc} close · {} open · {} preview · {} extract · {} waste · {} changes · {} order · {} search · {} {} layer ",
            map.hint(Action::Help),
            keys.hint(ViewAction::Toggle),
            keys.hint(ViewAction::Preview),
            keys.hint(ViewAction::Extract),
            keys.hint(ViewAction::Waste),
            keys.hint(ViewAction::Changes),
            map.hint(Action::Sort),
            map.hint(Action::Filter),
            keys.hint(ViewAction::PrevLayer),
            keys.hint(ViewAction::NextLayer),
        ),
    }
}

pub fn draw(frame: &mut Frame<'_>, app: &App, view: &FilesView) {
    let theme = &app.config.theme;
    let browser = view.browser();
    let panel = browser.is_some_and(|b| matches!(b.panel, Panel::Waste(_) | Panel::Preview(_)));
    let areas = layout::areas(app.size, panel);
    frame.render_widget(Clear, areas.outer);
    status(frame, app, areas.status);
    frame.render_widget(frame_block(app, title(view), hints(app, view)), areas.outer);
    let inner = Rect {
        height: areas.outer.height.saturating_sub(2),
        ..areas.summary
    };
    match &view.stage {
        Stage::Reading(run) => reading(frame, app, &view.target, run, inner),
        Stage::Failed(reason) => {
            let lines = vec![
                Line::styled(
                    format!("cannot read the files of {}:", view.target.name()),
                    theme.error(),
                ),
                Line::raw(crate::escape::text(reason).into_owned()),
            ];
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        Stage::Ready(b) => {
            summary(frame, app, b, areas.summary);
            if let Some(list) = areas.list {
                tree(frame, app, b, list);
            }
            if let Some(rect) = areas.panel {
                panels::side(frame, app, b, rect);
            }
            match &b.panel {
                Panel::Help => panels::help(frame, app, areas.outer),
                Panel::Extract { path, input } => {
                    panels::extract(frame, app, path, input, areas.outer)
                }
                _ => {}
            }
        }
    }
}

fn reading(frame: &mut Frame<'_>, app: &App, target: &Target, run: &Running, area: Rect) {
    let theme = &app.config.theme;
    let lines = vec![
        Line::raw(format!("reading the layers of {}…", fit(target.name(), 60))),
        Line::raw(""),
        progress_line(run, area.width as usize, theme),
        Line::raw(""),
        Line::styled(
            format!(
                "{} cancels; the result is cached, so the next look is instant",
                app.config.keymap.hint(Action::Back)
            ),
            theme.dim(),
        ),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn summary(frame: &mut Frame<'_>, app: &App, b: &Browser, area: Rect) {
    let theme = &app.config.theme;
    let a = b.analysis();
    let first = match b.tree.layer {
        None => format!(
            "{} · {} in files · {} wasted ({:.1}% efficient) · {}",
            count(a.tree.len(), "path"),
            bytes(a.waste.visible_bytes),
            bytes(a.waste.wasted_bytes),
            a.waste.efficiency * 100.0,
            count(a.layers.len(), "layer")
        ),
        Some(n) => {
            let [added, modified, removed] = b.tree.counts();
            let layer = &a.layers[n];
            let by = layer.created_by.as_deref().unwrap_or("").trim();
            format!(
                "+{added} added · ~{modified} modified · -{removed} removed · {} in files · {}",
                bytes(layer.file_bytes),
                by.trim_start_matches("/bin/sh -c ")
                    .trim_start_matches("#(nop) ")
            )
        }
    };
    let mut second = vec![Span::styled(
        format!(
            "order: {} · showing: {} · {}",
            b.order.label(),
            showing(b.filter),
            count(b.rows.len(), "row")
        ),
        theme.dim(),
    )];
    if b.panel == Panel::Search {
        second.push(Span::styled("  /", theme.accent()));
        second.push(Span::raw(format!("{}▏", crate::escape::text(&b.search))));
    } else if !b.search.is_empty() {
        second.push(Span::raw(format!(
            "  search: {}",
            crate::escape::text(&b.search)
        )));
    }
    let width = area.width as usize;
    let lines = vec![Line::raw(fit(&first, width)), Line::from(second)];
    frame.render_widget(Paragraph::new(lines), area);
}

/// The cursor column: `▶` on the selected row (reverse video shows it too).
/// A row of a list: the `▶` pointer before `line`, and the selection style when `selected`.
pub fn list_row(mut line: Line<'static>, selected: bool, theme: &Theme) -> Line<'static> {
    line.spans
        .insert(0, Span::raw(if selected { "▶" } else { " " }));
    if selected {
        line.style(theme.selected(true))
    } else {
        line
    }
}

/// One row of the tree: mark, size (and before, in a layer), layer, indented name.
fn row(tree: &Tree, id: u32, open: bool, width: usize, wide: bool, theme: &Theme) -> Line<'static> {
    let node = tree.node(id);
    let entry = tree.node_entry(id);
    let dir = tree.is_dir(id);
    let size = match entry {
        Some(n) if !dir => n.size,
        _ => node.size,
    };
    let mut spans = vec![
        mark(node.change, theme),
        Span::raw(format!(" {:>9}", bytes(size))),
    ];
    let mut used = 12;
    match tree.layer {
        Some(_) => {
            let before = tree.size_before(id).map_or(String::new(), bytes);
            spans.push(Span::styled(format!(" {before:>9}"), theme.dim()));
            used += 10;
        }
        None => {
            let layer = tree
                .layer_of(id)
                .map_or(String::new(), |l| (l + 1).to_string());
            spans.push(Span::styled(format!(" {layer:>3}"), theme.dim()));
            used += 4;
        }
    }
    if wide {
        let (mode, owner) = match entry {
            Some(n) => (mode_text(n.kind, n.mode), format!("{}:{}", n.uid, n.gid)),
            None => (String::new(), String::new()),
        };
        spans.push(Span::styled(format!(" {mode:<10} {owner:>9}"), theme.dim()));
        used += 21;
    }
    let indent = "  ".repeat(node.depth as usize);
    let name = match (entry.map(|n| n.kind), dir) {
        (_, true) if open => format!("▾ {}/", node.name()),
        (_, true) => format!("▸ {}/", node.name()),
        (Some(FileKind::Symlink), _) => format!(
            "  {} → {}",
            node.name(),
            entry.and_then(|n| n.link.as_deref()).unwrap_or("")
        ),
        (Some(FileKind::Hardlink), _) => format!(
            "  {} (hardlink to /{})",
            node.name(),
            entry.and_then(|n| n.link.as_deref()).unwrap_or("")
        ),
        _ => format!("  {}", node.name()),
    };
    let room = width.saturating_sub(used + 2 + indent.chars().count());
    spans.push(Span::raw(format!("  {indent}")));
    spans.push(Span::styled(
        fit(&name, room),
        change_style(node.change, theme),
    ));
    Line::from(spans)
}

/// `drwxr-xr-x` style permission bits.
fn mode_text(kind: FileKind, mode: u32) -> String {
    let first = match kind {
        FileKind::Dir => 'd',
        FileKind::Symlink => 'l',
        FileKind::Hardlink => 'h',
        FileKind::Other => '?',
        FileKind::File => '-',
    };
    let mut out = String::from(first);
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        out.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    out
}

fn tree(frame: &mut Frame<'_>, app: &App, b: &Browser, area: Rect) {
    let theme = &app.config.theme;
    let [header, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let wide = area.width >= 100;
    let mut head = format!("  {:>10}", "size");
    head.push_str(&if b.tree.layer.is_some() {
        format!(" {:>9}", "before")
    } else {
        format!(" {:>3}", "L")
    });
    if wide {
        head.push_str(&format!(" {:<10} {:>9}", "mode", "uid:gid"));
    }
    head.push_str("  path");
    frame.render_widget(Paragraph::new(Line::styled(head, theme.dim())), header);
    if b.rows.is_empty() {
        let text = if b.tree.is_empty() {
            "no files".to_string()
        } else {
            format!(
                "nothing shown: {} clears the search, {} changes the filter",
                app.config.keymap.hint(Action::Back),
                app.config.files_keys.hint(ViewAction::Changes)
            )
        };
        frame.render_widget(Paragraph::new(Line::styled(text, theme.dim())), body);
        return;
    }
    let mut cursor = b.cursor;
    cursor.follow(b.rows.len(), body.height as usize);
    let width = body.width as usize;
    let lines: Vec<Line<'static>> = b
        .rows
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(body.height as usize)
        .map(|(i, id)| {
            // Shown open when its first child follows (a search opens folders by itself).
            let open = b
                .rows
                .get(i + 1)
                .is_some_and(|next| b.tree.node(*next).parent == *id);
            let line = row(&b.tree, *id, open, width, wide, theme);
            list_row(line, i == cursor.selected, theme)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}
