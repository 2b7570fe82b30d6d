//! Mouse -> state: a click selects a row, a tab, the details or a job; the wheel scrolls
//! whatever is under the pointer. Uses the same layout as the renderer.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::app::{App, Effect, Focus, Mode};
use super::layout;

impl App {
    pub fn on_mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        let mut effects = self.mouse_action(mouse);
        effects.extend(self.remote_wanted());
        effects
    }

    fn mouse_action(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        let areas = layout::areas(area, self.jobs.snapshots().len());
        let (x, y) = (mouse.column, mouse.row);
        let over_list = layout::contains(areas.list, x, y);
        let over_details = layout::contains(areas.details, x, y);
        let over_jobs = areas.jobs.is_some_and(|j| layout::contains(j, x, y));
        match mouse.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let delta = if mouse.kind == MouseEventKind::ScrollDown {
                    1
                } else {
                    -1
                };
                // The files and comparison views move their selection.
                if matches!(self.mode, Mode::Files(_) | Mode::Diff(_)) {
                    return self.contents_wheel(delta);
                }
                // The full details view scrolls; the dialogs keep the wheel from the panes.
                if let Mode::Details { scroll } = self.mode {
                    let (total, height) = super::render::details_extent(self);
                    let last = total.saturating_sub(height) as isize;
                    let next = (scroll.min(last as usize) as isize + 3 * delta).clamp(0, last);
                    self.mode = Mode::Details {
                        scroll: next as usize,
                    };
                    self.mark_dirty();
                    return Vec::new();
                }
                if self.mode != Mode::Normal && self.mode != Mode::Filter {
                    return Vec::new();
                }
                self.mark_dirty();
                if over_list {
                    self.focus = Focus::List;
                } else if over_details {
                    self.focus = Focus::Details;
                } else if over_jobs {
                    self.focus = Focus::Jobs;
                } else {
                    return Vec::new();
                }
                self.step(delta * if over_list { 1 } else { 3 })
            }
            MouseEventKind::Down(MouseButton::Left) => {
                if self.mode != Mode::Normal {
                    return Vec::new();
                }
                self.mark_dirty();
                if over_list && y == areas.list.y {
                    return self.click_tab(x.saturating_sub(areas.list.x));
                }
                if over_list {
                    self.focus = Focus::List;
                    let first = layout::list_first_row(areas.list);
                    if y >= first {
                        let offset = self.cursor(self.pane).offset;
                        let index = offset + (y - first) as usize;
                        if index < self.current_len() {
                            let current = self.cursor(self.pane).selected;
                            self.move_list(index as isize - current as isize);
                            return self.inspect_selected();
                        }
                    }
                } else if over_details {
                    self.focus = Focus::Details;
                } else if let (true, Some(jobs)) = (over_jobs, areas.jobs) {
                    self.focus = Focus::Jobs;
                    let snaps = self.jobs.snapshots();
                    let selected = self.selected_job();
                    let pos = snaps.iter().position(|j| Some(j.id) == selected);
                    let height = jobs.height.saturating_sub(2) as usize;
                    let row = y.saturating_sub(jobs.y + 1) as usize;
                    let index = layout::jobs_skip(pos.unwrap_or(0), height) + row;
                    if let Some(s) = snaps.get(index) {
                        self.job_cursor = Some(s.id);
                    }
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn click_tab(&mut self, column: u16) -> Vec<Effect> {
        let mut start = 1u16;
        for (i, label) in self.tab_labels().iter().enumerate() {
            let width = label.chars().count() as u16 + 3;
            if column >= start && column < start + width {
                return self.switch(i);
            }
            start += width;
        }
        Vec::new()
    }
}
