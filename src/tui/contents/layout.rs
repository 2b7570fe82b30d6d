//! Where the parts of the files and comparison views go, for the renderer and for input (page
//! sizes) alike. The views take the whole screen but its last line (messages, a running job); a
//! panel (waste, preview) goes beside the tree from 120 columns, instead of it below.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::layout::SIDE_BY_SIDE_MIN_WIDTH;

/// Lines of summary above the tree.
pub const SUMMARY: u16 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewAreas {
    /// The whole view, borders included.
    pub outer: Rect,
    /// The line below it: the latest message, else a running job.
    pub status: Rect,
    pub summary: Rect,
    /// The tree (or the comparison's file list), its column header included; `None` when a
    /// panel takes its place.
    pub list: Option<Rect>,
    pub panel: Option<Rect>,
}

pub fn areas(size: (u16, u16), panel: bool) -> ViewAreas {
    let outer = Rect::new(0, 0, size.0, size.1.saturating_sub(1));
    let status = Rect::new(0, outer.height, size.0, size.1.min(1));
    let inner = Rect::new(
        outer.x + 1,
        outer.y + 1,
        outer.width.saturating_sub(2),
        outer.height.saturating_sub(2),
    );
    let [summary, body] =
        Layout::vertical([Constraint::Length(SUMMARY), Constraint::Min(0)]).areas(inner);
    let (list, panel) = match (panel, size.0 >= SIDE_BY_SIDE_MIN_WIDTH) {
        (false, _) => (Some(body), None),
        (true, true) => {
            let [l, p] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(body);
            (Some(l), Some(p))
        }
        (true, false) => (None, Some(body)),
    };
    ViewAreas {
        outer,
        status,
        summary,
        list,
        panel,
    }
}

/// Rows of the list shown at once (its column header removed).
pub fn list_rows(size: (u16, u16), panel: bool) -> usize {
    areas(size, panel)
        .list
        .map_or(1, |r| r.height.saturating_sub(1).max(1) as usize)
}

/// Lines a panel shows at once (its borders removed).
pub fn panel_rows(size: (u16, u16)) -> usize {
    areas(size, true)
        .panel
        .map_or(1, |r| r.height.saturating_sub(2).max(1) as usize)
}
