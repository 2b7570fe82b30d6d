//! Where each part of the screen goes. Pure, so input (page size, mouse clicks) and
//! rendering agree on the same rectangles.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

/// Wide terminals put the details beside the list; narrower ones below it.
pub const SIDE_BY_SIDE_MIN_WIDTH: u16 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    /// The list pane, borders included (the tabs are its title).
    pub list: Rect,
    pub details: Rect,
    pub jobs: Option<Rect>,
    pub status: Rect,
}

pub fn areas(area: Rect, job_count: usize) -> Areas {
    let jobs_height = if job_count == 0 {
        0
    } else {
        let max_rows = if area.height >= 40 { 6 } else { 3 };
        job_count.min(max_rows) as u16 + 2
    };
    let [header, body, jobs, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(jobs_height),
        Constraint::Length(1),
    ])
    .areas(area);
    let (direction, split) = if area.width >= SIDE_BY_SIDE_MIN_WIDTH {
        // Half each: long image names and file paths need the room as much as the details.
        (
            Direction::Horizontal,
            [Constraint::Percentage(50), Constraint::Percentage(50)],
        )
    } else {
        (
            Direction::Vertical,
            [Constraint::Percentage(45), Constraint::Percentage(55)],
        )
    };
    let [list, details] = Layout::default()
        .direction(direction)
        .constraints(split)
        .areas(body);
    Areas {
        header,
        list,
        details,
        jobs: (jobs_height > 0).then_some(jobs),
        status,
    }
}

/// Rows of data the list shows (borders and the column header removed).
pub fn list_rows(list: Rect) -> usize {
    list.height.saturating_sub(3) as usize
}

/// The screen row of the first data row of the list.
pub fn list_first_row(list: Rect) -> u16 {
    list.y + 2
}

pub fn contains(rect: Rect, column: u16, row: u16) -> bool {
    column >= rect.x && column < rect.x + rect.width && row >= rect.y && row < rect.y + rect.height
}

/// Jobs scrolled off the top of the jobs area so that the selected one (at `pos`) shows.
pub fn jobs_skip(pos: usize, height: usize) -> usize {
    (pos + 1).saturating_sub(height)
}
