//! Keys while a dialog, the help or the full details view is open.

use crossterm::event::{KeyCode, KeyEvent};

use super::app::{App, Effect, Level, Mode};
use super::dialogs::{Confirm, CopyChoice, Edit, Prompt, PromptKind, SaveDialog, edit};
use super::keymap::Action;
use crate::transfer::{Destination, check_destination};

impl App {
    pub(super) fn modal_key(&mut self, mode: Mode, key: KeyEvent) -> Vec<Effect> {
        match mode {
            Mode::Normal | Mode::Filter => Vec::new(),
            Mode::Help => {
                self.mode = Mode::Normal;
                Vec::new()
            }
            Mode::Details { scroll } => self.details_key(scroll, key),
            Mode::Save(dialog) => self.save_key(dialog, key),
            Mode::Prompt(prompt) => self.prompt_key(prompt, key),
            Mode::Confirm(confirm) => {
                self.mode = Mode::Normal;
                self.confirm_key(confirm, key)
            }
            Mode::Copy(choices) => self.copy_key(choices, key),
            Mode::Files(_) | Mode::Diff(_) => {
                self.mode = mode;
                self.contents_key(key)
            }
        }
    }

    fn details_key(&mut self, scroll: usize, key: KeyEvent) -> Vec<Effect> {
        let (total, height) = super::render::details_extent(self);
        let last = total.saturating_sub(height);
        let page = height.max(1) as isize;
        let delta: isize = match (key.code, self.config.keymap.action(&key)) {
            (KeyCode::Char(' '), _) => page,
            (_, Some(Action::Down)) => 1,
            (_, Some(Action::Up)) => -1,
            (_, Some(Action::PageDown)) => page,
            (_, Some(Action::PageUp)) => -page,
            (_, Some(Action::Top)) => isize::MIN / 2,
            (_, Some(Action::Bottom)) => isize::MAX / 2,
            (_, Some(Action::Copy)) => {
                self.mode = Mode::Normal;
                return self.copy_menu();
            }
            (_, Some(Action::Back | Action::Quit | Action::Inspect | Action::FocusDetails)) => {
                self.mode = Mode::Normal;
                return Vec::new();
            }
            _ => 0,
        };
        let scroll = (scroll.min(last) as isize + delta).clamp(0, last as isize) as usize;
        self.mode = Mode::Details { scroll };
        Vec::new()
    }

    fn save_key(&mut self, mut dialog: SaveDialog, key: KeyEvent) -> Vec<Effect> {
        if key.code == KeyCode::Tab {
            dialog.cycle();
            self.mode = Mode::Save(dialog);
            return Vec::new();
        }
        match edit(&mut dialog.input, &key) {
            Edit::Cancel => {
                self.mode = Mode::Normal;
                Vec::new()
            }
            Edit::Submit if !dialog.input.trim().is_empty() => self.submit_save(dialog),
            _ => {
                self.mode = Mode::Save(dialog);
                Vec::new()
            }
        }
    }

    /// Save now, or ask first: a missing folder is created and an existing file replaced only
    /// after a yes.
    fn submit_save(&mut self, dialog: SaveDialog) -> Vec<Effect> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let request = dialog.request(&cwd, false);
        let problem = match check_destination(&request.dest) {
            Ok(()) => {
                self.mode = Mode::Normal;
                self.notify(Level::Info, format!("saving to {}", request.dest.display()));
                return vec![Effect::Save(request)];
            }
            Err(problem @ Destination::IsFolder(_)) => {
                self.notify(Level::Error, format!("{problem}: type a file name"));
                self.mode = Mode::Save(dialog);
                return Vec::new();
            }
            Err(Destination::MissingFolder(dir)) => {
                format!("Folder {} does not exist. Create it?", dir.display())
            }
            Err(Destination::Exists(file)) => {
                let size = std::fs::metadata(&file)
                    .map(|m| format!(" ({})", crate::units::bytes(m.len())))
                    .unwrap_or_default();
                format!("{}{size} exists. Replace it?", file.display())
            }
        };
        self.mode = Mode::Confirm(Confirm::Save {
            request: dialog.request(&cwd, true),
            problem,
        });
        Vec::new()
    }

    fn prompt_key(&mut self, mut prompt: Prompt, key: KeyEvent) -> Vec<Effect> {
        match edit(&mut prompt.input, &key) {
            Edit::Cancel => {
                self.mode = Mode::Normal;
                Vec::new()
            }
            Edit::Submit if !prompt.input.trim().is_empty() => {
                self.mode = Mode::Normal;
                let name = crate::daemon::tags::with_tag(prompt.input.trim());
                match prompt.kind {
                    PromptKind::Tag { id, shown } => {
                        self.notify(Level::Info, format!("tagging {shown} as {name}"));
                        vec![Effect::TagImage { id, name }]
                    }
                    PromptKind::LoadAs { path, shown } => {
                        self.notify(Level::Info, format!("loading {shown} as {name}"));
                        vec![Effect::Load {
                            path,
                            label: format!("load {shown} as {name}"),
                            tag: Some(name),
                        }]
                    }
                }
            }
            _ => {
                self.mode = Mode::Prompt(prompt);
                Vec::new()
            }
        }
    }

    fn confirm_key(&mut self, confirm: Confirm, key: KeyEvent) -> Vec<Effect> {
        let yes = matches!(
            key.code,
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter
        );
        let effects = match confirm {
            Confirm::DeleteImage { id, tag, tags } if tags.len() > 1 => match key.code {
                KeyCode::Char('u') => {
                    let name = tag.unwrap_or_else(|| tags[0].clone());
                    self.notify(Level::Info, format!("untagging {name}"));
                    vec![Effect::Untag(vec![name])]
                }
                KeyCode::Char('a') => {
                    self.notify(Level::Info, format!("deleting {}", tags.join(", ")));
                    vec![Effect::RemoveImage(id)]
                }
                _ => Vec::new(),
            },
            _ if !yes => Vec::new(),
            Confirm::DeleteImage { id, tags, .. } => {
                let name = tags
                    .first()
                    .cloned()
                    .unwrap_or_else(|| crate::units::short_id(&id).to_string());
                self.notify(Level::Info, format!("deleting {name}"));
                vec![Effect::RemoveImage(id)]
            }
            Confirm::DeleteImages(images) => {
                self.notify(
                    Level::Info,
                    format!("deleting {}", crate::units::count(images.len(), "image")),
                );
                images
                    .into_iter()
                    .map(|(id, _)| Effect::RemoveImage(id))
                    .collect()
            }
            Confirm::Untag(names) => {
                self.notify(
                    Level::Info,
                    format!("removing {}", crate::units::count(names.len(), "tag")),
                );
                vec![Effect::Untag(names.into_iter().map(|u| u.name).collect())]
            }
            Confirm::DeleteFiles(files) => {
                let what = match files.as_slice() {
                    [(path, _)] => path.display().to_string(),
                    _ => crate::units::count(files.len(), "file"),
                };
                self.notify(Level::Info, format!("deleting {what}"));
                vec![Effect::RemoveFiles(
                    files.into_iter().map(|(p, _)| p).collect(),
                )]
            }
            Confirm::Save { request, .. } => {
                self.notify(Level::Info, format!("saving to {}", request.dest.display()));
                vec![Effect::Save(request)]
            }
            Confirm::Clean(items) => {
                self.notify(
                    Level::Info,
                    format!("cleaning up {}", crate::units::count(items.len(), "item")),
                );
                vec![Effect::Clean(items)]
            }
        };
        if effects.is_empty() {
            self.notify(Level::Info, "nothing changed");
        }
        effects
    }

    fn copy_key(&mut self, choices: Vec<CopyChoice>, key: KeyEvent) -> Vec<Effect> {
        let chosen = match key.code {
            KeyCode::Enter => choices.first().cloned(),
            KeyCode::Char(c) => choices.iter().find(|choice| choice.key == c).cloned(),
            _ => None,
        };
        match chosen {
            Some(choice) => self.copy(choice),
            None => {
                self.mode = Mode::Normal;
                Vec::new()
            }
        }
    }
}
