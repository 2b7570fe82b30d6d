//! Key and mouse -> action -> state change. Synchronous and terminal-free: tests call these
//! directly and look at the state and the returned effects. Dialog keys are in `modal.rs`,
//! the actions that change things in `actions.rs`.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::{App, Effect, Focus, Level, Mode, PaneId};
use super::keymap::Action;
use super::layout;
use super::state::{LoadState, SortBy};

impl App {
    pub fn on_resize(&mut self, columns: u16, rows: u16) {
        self.size = (columns, rows);
        self.follow_cursor();
        self.mark_dirty();
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let mut effects = self.key_action(key);
        effects.extend(self.remote_wanted());
        effects
    }

    fn key_action(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        // Ctrl-C always quits, whatever the mode and the keymap say.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.request_quit();
            return Vec::new();
        }
        self.mark_dirty();
        if matches!(self.mode, Mode::Files(_) | Mode::Diff(_)) {
            return self.contents_key(key);
        }
        match self.mode.clone() {
            Mode::Normal => match self.config.keymap.action(&key) {
                Some(action) => self.act(action),
                None => Vec::new(),
            },
            Mode::Filter => {
                self.filter_key(key);
                Vec::new()
            }
            mode => self.modal_key(mode, key),
        }
    }

    fn filter_key(&mut self, key: KeyEvent) {
        let mut text = self.current_filter().to_string();
        match key.code {
            KeyCode::Enter => {
                self.mode = Mode::Normal;
                return;
            }
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                text.clear();
            }
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Down => return self.move_list(1),
            KeyCode::Up => return self.move_list(-1),
            KeyCode::Char(c) => text.push(c),
            _ => return,
        }
        self.set_filter(self.pane, text);
        self.detail_scroll = 0;
        self.detail_image = 0;
    }

    /// Normal-mode actions.
    pub fn act(&mut self, action: Action) -> Vec<Effect> {
        self.mark_dirty();
        let page = self.page() as isize;
        match action {
            Action::Quit => self.request_quit(),
            Action::Up => return self.step(-1),
            Action::Down => return self.step(1),
            Action::PageUp => return self.step(-page),
            Action::PageDown => return self.step(page),
            Action::Top => return self.step(isize::MIN / 2),
            Action::Bottom => return self.step(isize::MAX / 2),
            Action::NextPane => return self.switch((self.pane.index() + 1) % PaneId::ALL.len()),
            Action::PrevPane => {
                let n = PaneId::ALL.len();
                return self.switch((self.pane.index() + n - 1) % n);
            }
            Action::ImagesPane => return self.switch(0),
            Action::TarballsPane => return self.switch(1),
            Action::ArtifactsPane => return self.switch(2),
            Action::DiskPane => return self.switch(3),
            Action::FocusDetails => self.focus = Focus::Details,
            Action::Inspect => self.mode = Mode::Details { scroll: 0 },
            Action::FocusJobs => {
                if !self.jobs.is_empty() {
                    self.focus = Focus::Jobs;
                    self.job_cursor = self.selected_job();
                }
            }
            Action::Back => {
                if self.focus != Focus::List {
                    self.focus = Focus::List;
                } else if self.notice.is_some() {
                    self.notice = None;
                } else if !self.current_filter().is_empty() {
                    self.mode = Mode::Filter;
                    self.filter_key(KeyEvent::from(KeyCode::Esc));
                }
            }
            Action::NextImage | Action::PrevImage => {
                let count = self
                    .selected_file()
                    .and_then(|f| f.report.ready())
                    .map_or(1, |r| r.images.len().max(1));
                self.detail_image = if action == Action::NextImage {
                    (self.detail_image + 1) % count
                } else {
                    (self.detail_image + count - 1) % count
                };
                self.detail_scroll = 0;
            }
            Action::Load => return self.load(),
            Action::LoadAs => self.load_as(),
            Action::Save => self.save_prompt(),
            Action::Delete => self.confirm_delete(),
            Action::Tag => self.tag_prompt(),
            Action::Untag => self.confirm_untag(),
            Action::Copy => return self.copy_menu(),
            Action::Mark => {
                self.mark(false);
                return self.step(1);
            }
            Action::MarkAll => self.mark(true),
            Action::Sort => self.sort(),
            Action::ToggleTags => self.toggle_tags(),
            Action::Cancel => match self.selected_job() {
                Some(id) if self.jobs.cancel(id) => {
                    self.notify(Level::Info, format!("cancelling job {id}"))
                }
                _ => self.notify(Level::Info, "no running job selected"),
            },
            Action::Dismiss => {
                if let Some(id) = self.selected_job()
                    && self.jobs.dismiss(id)
                {
                    self.job_cursor = None;
                    if self.jobs.is_empty() && self.focus == Focus::Jobs {
                        self.focus = Focus::List;
                    }
                }
            }
            Action::Refresh => {
                self.images.status = LoadState::Loading;
                self.image_info.clear();
                self.remote = LoadState::Loading;
                self.notify(Level::Info, "refreshing");
                let mut effects =
                    vec![Effect::RefreshDaemon, Effect::Rescan, Effect::RefreshRemote];
                if self.pane == PaneId::Disk || self.disk.status != LoadState::Loading {
                    self.disk.status = LoadState::Loading;
                    effects.push(Effect::DiskUse);
                }
                return effects;
            }
            Action::Filter => {
                self.focus = Focus::List;
                self.mode = Mode::Filter;
            }
            Action::Help => self.mode = Mode::Help,
            Action::Files => return self.open_files(),
            Action::CompareMark => self.mark_compare(),
            Action::Diff => return self.open_diff(),
        }
        Vec::new()
    }

    /// `o`: the current pane's next order (name, size, age).
    fn sort(&mut self) {
        let next = SortBy::next(self.current_sort_and_marks().0);
        match self.pane {
            PaneId::Images => self.images.set_sort(next),
            PaneId::Tarballs => self.tarballs.set_sort(next),
            PaneId::Artifacts => self.artifacts.set_sort(next),
            PaneId::Disk => self.disk.set_sort(next),
        }
        self.follow_cursor();
        self.notify(Level::Info, format!("sorted by {}", next.label()));
    }

    /// `space` (the row) or `v` (all visible rows, or none).
    fn mark(&mut self, all: bool) {
        macro_rules! toggle {
            ($list:expr) => {
                if all {
                    $list.toggle_all()
                } else {
                    $list.toggle_mark()
                }
            };
        }
        match self.pane {
            PaneId::Images => toggle!(self.images),
            PaneId::Tarballs => toggle!(self.tarballs),
            PaneId::Artifacts => toggle!(self.artifacts),
            PaneId::Disk => toggle!(self.disk),
        }
    }

    /// Rows per page in the list.
    pub(super) fn page(&self) -> usize {
        let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        layout::list_rows(layout::areas(area, self.jobs.snapshots().len()).list).max(1)
    }

    pub(super) fn step(&mut self, delta: isize) -> Vec<Effect> {
        match self.focus {
            Focus::List => {
                self.move_list(delta);
                self.inspect_selected()
            }
            Focus::Details => {
                let last = self.detail_len().saturating_sub(1) as isize;
                self.detail_scroll = (self.detail_scroll as isize + delta).clamp(0, last) as usize;
                Vec::new()
            }
            Focus::Jobs => {
                let ids: Vec<_> = self.jobs.snapshots().iter().map(|s| s.id).collect();
                let pos = self
                    .selected_job()
                    .and_then(|id| ids.iter().position(|i| *i == id))
                    .unwrap_or(0) as isize;
                let next = (pos + delta).clamp(0, ids.len().saturating_sub(1) as isize) as usize;
                self.job_cursor = ids.get(next).copied();
                Vec::new()
            }
        }
    }

    pub(super) fn move_list(&mut self, delta: isize) {
        let len = self.current_len();
        self.cursor_mut(self.pane).step(delta, len);
        self.detail_scroll = 0;
        self.detail_image = 0;
        self.follow_cursor();
    }

    /// Keep every pane's selection on screen for the current size.
    pub fn follow_cursor(&mut self) {
        let rows = self.page();
        let len = self.images.visible_len();
        self.images.cursor.follow(len, rows);
        let len = self.tarballs.visible_len();
        self.tarballs.cursor.follow(len, rows);
        let len = self.artifacts.visible_len();
        self.artifacts.cursor.follow(len, rows);
        let len = self.disk.visible_len();
        self.disk.cursor.follow(len, rows);
    }

    pub(super) fn switch(&mut self, index: usize) -> Vec<Effect> {
        self.pane = PaneId::ALL[index.min(PaneId::ALL.len() - 1)];
        self.focus = Focus::List;
        self.detail_scroll = 0;
        self.detail_image = 0;
        if self.mode == Mode::Filter {
            self.mode = Mode::Normal;
        }
        if self.pane == PaneId::Disk && self.disk.status == LoadState::Loading {
            return vec![Effect::DiskUse];
        }
        self.inspect_selected()
    }

    /// Ask for the selected daemon image's details if they are not known yet.
    pub fn inspect_selected(&mut self) -> Vec<Effect> {
        let Some(id) = self.selected_image().map(|r| r.id.clone()) else {
            return Vec::new();
        };
        if self.image_info.contains_key(&id) {
            return Vec::new();
        }
        self.image_info.insert(id.clone(), LoadState::Loading);
        vec![Effect::InspectImage(id)]
    }

    /// The tab titles, also used by the renderer: a count, `…` while loading, `!` on failure.
    pub fn tab_labels(&self) -> [String; 4] {
        fn count<R>(list: &super::state::ListPane<R>) -> String {
            match (&list.status, list.visible_len()) {
                (LoadState::Loading, 0) => "…".to_string(),
                (LoadState::Failed(_), _) => "!".to_string(),
                (_, n) => n.to_string(),
            }
        }
        [
            format!("1 Images {}", count(&self.images)),
            format!("2 Tarballs {}", count(&self.tarballs)),
            format!(
                "3 Artifacts {}{}",
                count(&self.artifacts),
                if self.remote_next.is_some() { "+" } else { "" }
            ),
            format!("4 Disk {}", count(&self.disk)),
        ]
    }
}
