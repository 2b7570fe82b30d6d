//! Key and mouse -> action -> state change. Synchronous and terminal-free: tests call these
//! directly and look at the state and the returned effects.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::{App, DeleteTarget, Effect, Focus, Level, Mode, PaneId};
use super::keymap::Action;
use super::layout;

impl App {
    pub fn on_resize(&mut self, columns: u16, rows: u16) {
        self.size = (columns, rows);
        self.follow_cursor();
        self.mark_dirty();
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        // Ctrl-C always quits, whatever the mode and the keymap say.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.request_quit();
            return Vec::new();
        }
        self.mark_dirty();
        match self.mode.clone() {
            Mode::Normal => match self.config.keymap.action(&key) {
                Some(action) => self.act(action),
                None => Vec::new(),
            },
            Mode::Help => {
                self.mode = Mode::Normal;
                Vec::new()
            }
            Mode::Filter => {
                self.filter_key(key);
                Vec::new()
            }
            Mode::SavePrompt { image, mut input } => {
                match key.code {
                    KeyCode::Enter if !input.trim().is_empty() => {
                        self.mode = Mode::Normal;
                        let cwd = std::env::current_dir().unwrap_or_default();
                        let dest = super::config::expand(input.trim(), &cwd);
                        self.notify(Level::Info, format!("saving {image} to {}", dest.display()));
                        return vec![Effect::Save { image, dest }];
                    }
                    KeyCode::Esc => {
                        self.mode = Mode::Normal;
                        return Vec::new();
                    }
                    KeyCode::Backspace => {
                        input.pop();
                    }
                    KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                        input.clear();
                    }
                    KeyCode::Char(c) => input.push(c),
                    _ => {}
                }
                self.mode = Mode::SavePrompt { image, input };
                Vec::new()
            }
            Mode::ConfirmDelete(target) => {
                self.mode = Mode::Normal;
                match key.code {
                    KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => match target {
                        DeleteTarget::Image { id, name } => {
                            self.notify(Level::Info, format!("deleting {name}"));
                            vec![Effect::RemoveImage(id)]
                        }
                        DeleteTarget::File(path) => {
                            self.notify(Level::Info, format!("deleting {}", path.display()));
                            vec![Effect::RemoveFile(path)]
                        }
                    },
                    _ => {
                        self.notify(Level::Info, "delete cancelled");
                        Vec::new()
                    }
                }
            }
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
            Action::NextPane => return self.switch((self.pane.index() + 1) % 3),
            Action::PrevPane => return self.switch((self.pane.index() + 2) % 3),
            Action::ImagesPane => return self.switch(0),
            Action::TarballsPane => return self.switch(1),
            Action::ArtifactsPane => return self.switch(2),
            Action::FocusDetails => self.focus = Focus::Details,
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
            Action::Save => self.save_prompt(),
            Action::Delete => self.confirm_delete(),
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
                self.images.status = super::state::LoadState::Loading;
                self.image_info.clear();
                self.remote = super::state::LoadState::Loading;
                self.notify(Level::Info, "refreshing");
                return vec![Effect::RefreshDaemon, Effect::Rescan, Effect::RefreshRemote];
            }
            Action::Filter => {
                self.focus = Focus::List;
                self.mode = Mode::Filter;
            }
            Action::Help => self.mode = Mode::Help,
        }
        Vec::new()
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
    }

    pub(super) fn switch(&mut self, index: usize) -> Vec<Effect> {
        self.pane = PaneId::ALL[index.min(2)];
        self.focus = Focus::List;
        self.detail_scroll = 0;
        self.detail_image = 0;
        if self.mode == Mode::Filter {
            self.mode = Mode::Normal;
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
        self.image_info
            .insert(id.clone(), super::state::LoadState::Loading);
        vec![Effect::InspectImage(id)]
    }

    fn load(&mut self) -> Vec<Effect> {
        if let Some(artifact) = self.selected_remote() {
            return self.download(artifact.clone());
        }
        let Some(entry) = self.selected_file() else {
            let text = match self.pane {
                PaneId::Images => "load works on a tarball or an artifact: switch to pane 2 or 3",
                _ => "nothing selected to load",
            };
            self.notify(Level::Info, text);
            return Vec::new();
        };
        let paths = super::artifact_source::load_paths(
            &entry.file.path,
            entry.report.ready().map(|r| r.as_ref()),
        );
        let single = paths.len() == 1;
        let effects: Vec<Effect> = paths
            .into_iter()
            .map(|path| {
                let label = if single && path == entry.file.path {
                    format!("load {}", entry.file.display)
                } else {
                    let name = path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    format!("load {name}")
                };
                Effect::Load { path, label }
            })
            .collect();
        let what = if single { "a load" } else { "loads" };
        self.notify(
            Level::Info,
            format!("started {what} of {}", entry.file.display),
        );
        effects
    }

    fn save_prompt(&mut self) {
        let Some(row) = self.selected_image() else {
            self.notify(
                Level::Info,
                "save works on a daemon image: switch to pane 1",
            );
            return;
        };
        let image = row.tags.first().cloned().unwrap_or_else(|| row.id.clone());
        let name: String = image
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = name.trim_start_matches("sha256_");
        let input = self
            .config
            .export_folder
            .join(format!("{name}.tar"))
            .to_string_lossy()
            .into_owned();
        self.mode = Mode::SavePrompt { image, input };
    }

    fn confirm_delete(&mut self) {
        let target = match self.pane {
            PaneId::Images => self.selected_image().map(|r| DeleteTarget::Image {
                id: r.id.clone(),
                name: r
                    .tags
                    .first()
                    .cloned()
                    .unwrap_or_else(|| crate::units::short_id(&r.id).to_string()),
            }),
            _ if self.selected_remote().is_some() => {
                return self.notify(
                    Level::Info,
                    "a remote artifact is deleted on GitHub, not here (its local copy can be)",
                );
            }
            _ => self
                .selected_file()
                .map(|f| DeleteTarget::File(f.file.path.clone())),
        };
        match target {
            Some(t) => self.mode = Mode::ConfirmDelete(t),
            None => self.notify(Level::Info, "nothing selected to delete"),
        }
    }

    /// The tab titles, also used by the renderer: a count, `…` while loading, `!` on failure.
    pub fn tab_labels(&self) -> [String; 3] {
        fn count<R>(list: &super::state::ListPane<R>) -> String {
            match (&list.status, list.visible_len()) {
                (super::state::LoadState::Loading, 0) => "…".to_string(),
                (super::state::LoadState::Failed(_), _) => "!".to_string(),
                (_, n) => n.to_string(),
            }
        }
        [
            format!("1 Images {}", count(&self.images)),
            format!("2 Tarballs {}", count(&self.tarballs)),
            format!("3 Artifacts {}", count(&self.artifacts)),
        ]
    }
}
