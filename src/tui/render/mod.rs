//! Drawing: a pure function of the App (and a snapshot of the jobs), so tests draw on a
//! `TestBackend` exactly what the terminal shows.

mod bars;
mod details;
mod dialogs;
pub(crate) mod full;
mod jobs;
mod overlay;
pub(crate) mod wrap;

use ratatui::Frame;
use ratatui::widgets::Clear;

use super::app::{App, Mode};
use super::layout;
use super::panes;
use crate::transfer::JobSnapshot;

pub use overlay::details_extent;

/// Draw the whole screen. `jobs` is the App's jobs sampled now (tests pass fixed ones).
pub fn draw(frame: &mut Frame<'_>, app: &App, jobs: &[JobSnapshot]) {
    let area = frame.area();
    frame.render_widget(Clear, area);
    let areas = layout::areas(area, jobs.len());
    bars::header(frame, app, areas.header);
    panes::draw_list(frame, app, areas.list);
    details::draw(frame, app, areas.details);
    if let Some(rect) = areas.jobs {
        jobs::draw(frame, app, jobs, rect);
    }
    bars::status(frame, app, areas.status);
    match &app.mode {
        Mode::Help => overlay::help(frame, app, area),
        Mode::Details { scroll } => overlay::details(frame, app, *scroll, area),
        Mode::Save(dialog) => dialogs::save(frame, app, dialog, area),
        Mode::Prompt(prompt) => dialogs::prompt(frame, app, prompt, area),
        Mode::Confirm(confirm) => dialogs::confirm(frame, app, confirm, area),
        Mode::Copy(choices) => dialogs::copy(frame, app, choices, area),
        Mode::Files(view) => super::contents::render::draw(frame, app, view),
        Mode::Diff(view) => super::contents::render::diff(frame, app, view),
        Mode::Normal | Mode::Filter => {}
    }
    no_control_characters(frame);
}

/// The last line of defence: text from outside (paths, entry names, tags, history lines) is
/// escaped where it is formatted ([`crate::escape`]); a control character that still reached
/// a cell is shown as `�` rather than sent raw to the terminal.
fn no_control_characters(frame: &mut Frame<'_>) {
    for cell in frame.buffer_mut().content.iter_mut() {
        if cell.symbol().chars().any(char::is_control) {
            cell.set_symbol("\u{fffd}");
        }
    }
}
