//! The jobs area: one line per job with a gauge and its facts (bytes, rate and ETA while bytes
//! flow, elapsed time while the daemon works), or its error. `i` shows a job whole.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::transfer::{JobSnapshot, Phase};
use crate::tui::app::{App, Focus};
use crate::tui::format;
use crate::tui::widgets::layers::bar;

pub fn draw(frame: &mut Frame<'_>, app: &App, jobs: &[JobSnapshot], area: Rect) {
    let theme = &app.config.theme;
    let focused = app.focus == Focus::Jobs;
    let running = jobs.iter().filter(|j| !j.phase.is_finished()).count();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(format!(" Jobs: {running} running, {} total ", jobs.len()));
    let inner = block.inner(area);
    let selected = app.selected_job();
    let height = inner.height as usize;
    let pos = jobs
        .iter()
        .position(|j| Some(j.id) == selected)
        .unwrap_or(0);
    let skip = crate::tui::layout::jobs_skip(pos, height);
    let width = inner.width as usize;
    let lines: Vec<Line<'static>> = jobs
        .iter()
        .skip(skip)
        .take(height)
        .map(|job| {
            let mut line = job_line(job, width, theme);
            if Some(job.id) == selected && focused {
                line = line.style(theme.selected(true));
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn job_line(job: &JobSnapshot, width: usize, theme: &crate::tui::theme::Theme) -> Line<'static> {
    let (icon, style) = match &job.phase {
        Phase::Done => ("✓", theme.ok()),
        Phase::Failed(_) => ("✗", theme.error()),
        Phase::Cancelled => ("-", theme.dim()),
        _ => ("▶", theme.accent()),
    };
    let label_width = (width / 4).clamp(12, 40);
    let mut spans = vec![
        Span::styled(format!("{icon} "), style),
        Span::raw(format!(
            "{:<label_width$} ",
            format::fit(&job.label, label_width)
        )),
    ];
    if let Phase::Failed(reason) = &job.phase {
        let room = width.saturating_sub(label_width + 12);
        spans.push(Span::styled(
            format!("failed: {}", format::fit(reason, room)),
            theme.error(),
        ));
        return Line::from(spans);
    }
    let gauge_width = if width >= 100 { 20 } else { 10 };
    let ratio = job.ratio();
    let filled = bar(ratio, gauge_width);
    let pad = gauge_width.saturating_sub(filled.chars().count());
    spans.push(Span::styled(filled, theme.bar()));
    spans.push(Span::styled(format!("{}│", "·".repeat(pad)), theme.dim()));
    spans.push(Span::raw(format!(" {:>3.0}% ", ratio * 100.0)));
    // Bytes, rate and ETA only while bytes flow; elapsed time while haul or the daemon
    // prepares or processes; the daemon's own word where it sends one.
    let mut facts = job.facts();
    if let (Phase::Done, Some(outcome)) = (&job.phase, &job.outcome)
        && !outcome.summary.is_empty()
    {
        facts.push(outcome.summary.clone());
    }
    spans.push(Span::raw(facts.join("  ")));
    Line::from(spans)
}
