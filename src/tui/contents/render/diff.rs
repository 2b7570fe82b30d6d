//! Drawing the comparison: the layers both images share, the file counts, the config
//! differences, then every file added, removed or modified with its sizes before and after.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{change_style, frame_block, mark, progress_line, showing};
use crate::archive::contents::{ChangeKind, ImageDiff};
use crate::tui::app::App;
use crate::tui::contents::diff_view::{DiffBrowser, DiffPanel, DiffStage, DiffView};
use crate::tui::contents::keys::ViewAction;
use crate::tui::contents::layout;
use crate::tui::format::{fit, fit_end};
use crate::tui::keymap::Action;
use crate::units::{bytes, count};

/// Config differences shown above the list (the rest are counted).
pub const CONFIG_LINES: usize = 3;

fn value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "–".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The lines above the list.
pub fn summary_lines(diff: &ImageDiff, width: usize) -> Vec<String> {
    let l = &diff.layers;
    let mut lines = vec![format!(
        "layers: {} shared (the bottom {} in common) · {} only in A · {} only in B",
        l.shared.len(),
        l.common_base,
        l.only_a.len(),
        l.only_b.len()
    )];
    let mut sums = [(0usize, 0u64); 3];
    for f in &diff.files {
        let (i, size) = match f.change {
            ChangeKind::Added => (0, f.size_after.unwrap_or(0)),
            ChangeKind::Modified => (1, f.size_after.unwrap_or(0)),
            ChangeKind::Removed => (2, f.size_before.unwrap_or(0)),
        };
        sums[i].0 += 1;
        sums[i].1 += size;
    }
    lines.push(format!(
        "files: +{} added ({}) · ~{} modified ({} now) · -{} removed ({})",
        sums[0].0,
        bytes(sums[0].1),
        sums[1].0,
        bytes(sums[1].1),
        sums[2].0,
        bytes(sums[2].1)
    ));
    if diff.config.is_empty() {
        lines.push("config: the same".into());
    }
    for (i, c) in diff.config.iter().enumerate() {
        if i == CONFIG_LINES && diff.config.len() > CONFIG_LINES + 1 {
            lines.push(format!(
                "config: … {} more",
                diff.config.len() - CONFIG_LINES
            ));
            break;
        }
        lines.push(format!(
            "config {}: {} → {}",
            c.field,
            value(&c.before),
            value(&c.after)
        ));
    }
    lines.into_iter().map(|l| fit(&l, width)).collect()
}

/// Rows of the file list shown at once, for paging.
pub fn list_rows(size: (u16, u16), diff: &ImageDiff) -> usize {
    let above = summary_lines(diff, size.0 as usize).len() as u16 + 1;
    let areas = layout::areas(size, false);
    let inner = areas.outer.height.saturating_sub(2);
    inner.saturating_sub(above + 1).max(1) as usize
}

pub fn draw(frame: &mut Frame<'_>, app: &App, view: &DiffView) {
    let theme = &app.config.theme;
    let map = &app.config.keymap;
    let esc = map.hint(Action::Back);
    let title = format!(" Compare · A {} → B {} ", view.a.name(), view.b.name());
    let hints = match &view.stage {
        DiffStage::Ready(_) => format!(
            " {} changes · {} order · {} search · {} copy · {} keys · {esc} close ",
            app.config.files_keys.hint(ViewAction::Changes),
            map.hint(Action::Sort),
            map.hint(Action::Filter),
            map.hint(Action::Copy),
            map.hint(Action::Help)
        ),
        DiffStage::Reading { .. } => format!(" {esc} cancels "),
        DiffStage::Failed(_) => format!(" {esc} closes "),
    };
    let areas = layout::areas(app.size, false);
    frame.render_widget(Clear, areas.outer);
    super::status(frame, app, areas.status);
    let outer = frame_block(app, title, hints);
    let inner = outer.inner(areas.outer);
    frame.render_widget(outer, areas.outer);
    match &view.stage {
        DiffStage::Reading { a, b } => {
            let width = inner.width as usize;
            let lines = vec![
                Line::raw(format!("A {}", fit(view.a.name(), width.saturating_sub(2)))),
                progress_line(a, width, theme),
                Line::raw(format!("B {}", fit(view.b.name(), width.saturating_sub(2)))),
                progress_line(b, width, theme),
                Line::raw(""),
                Line::styled(
                    "each image's layers are read once, then the engine's cache answers",
                    theme.dim(),
                ),
            ];
            frame.render_widget(Paragraph::new(lines), inner);
        }
        DiffStage::Failed(reason) => {
            let lines = vec![
                Line::styled("cannot compare them:", theme.error()),
                Line::raw(crate::escape::text(reason).into_owned()),
            ];
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        DiffStage::Ready(b) => ready(frame, app, b, inner),
    }
    if let DiffStage::Ready(b) = &view.stage
        && b.panel == DiffPanel::Help
    {
        super::panels::help(frame, app, areas.outer);
    }
}

fn ready(frame: &mut Frame<'_>, app: &App, b: &DiffBrowser, area: Rect) {
    let theme = &app.config.theme;
    let diff = &b.compared.diff;
    let width = area.width as usize;
    let mut top: Vec<Line<'static>> = summary_lines(diff, width)
        .into_iter()
        .map(Line::raw)
        .collect();
    let mut state = vec![Span::styled(
        format!(
            "order: {} · showing: {} · {}",
            b.order.label(),
            showing(b.filter),
            count(b.rows.len(), "file")
        ),
        theme.dim(),
    )];
    if b.panel == DiffPanel::Search {
        state.push(Span::styled("  /", theme.accent()));
        state.push(Span::raw(format!("{}▏", crate::escape::text(&b.search))));
    } else if !b.search.is_empty() {
        state.push(Span::raw(format!(
            "  search: {}",
            crate::escape::text(&b.search)
        )));
    }
    top.push(Line::from(state));
    let [head, header, list] = Layout::vertical([
        Constraint::Length(top.len() as u16),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(top), head);
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!("  {:>10}  {:>9}  path", "before", "after"),
            theme.dim(),
        )),
        header,
    );
    if b.rows.is_empty() {
        let text = if diff.files.is_empty() {
            "the two images have the same files"
        } else {
            "no file matches"
        };
        frame.render_widget(Paragraph::new(Line::styled(text, theme.dim())), list);
        return;
    }
    let mut cursor = b.cursor;
    cursor.follow(b.rows.len(), list.height as usize);
    let size = |s: Option<u64>| s.map_or_else(|| "–".to_string(), bytes);
    let lines: Vec<Line<'static>> = b
        .rows
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(list.height as usize)
        .map(|(i, at)| {
            let f = &diff.files[*at];
            let room = width.saturating_sub(24);
            let line = Line::from(vec![
                mark(Some(f.change), theme),
                Span::raw(format!(
                    " {:>9}  {:>9}  ",
                    size(f.size_before),
                    size(f.size_after)
                )),
                Span::styled(fit_end(&f.path, room), change_style(Some(f.change), theme)),
            ]);
            super::list_row(line, i == cursor.selected, theme)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}
