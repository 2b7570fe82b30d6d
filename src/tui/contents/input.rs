//! Keys while the files view or the comparison view is open. The view is taken out of the
//! mode while its key is handled (no copy of the tree per key) and put back unless closed.

use crossterm::event::KeyEvent;

use super::keys::ViewAction;
use super::layout;
use super::view::{Browser, FilesView, Panel, Preview, PreviewStage, Stage};
use super::{ContentsEffect, Target};
use crate::archive::contents::{ChangeKind, FileKind};
use crate::tui::app::{App, Effect, Level, Mode};
use crate::tui::dialogs::{Edit, edit};
use crate::tui::keymap::Action;
use crate::tui::state::Cursor;

/// Whether the view stays open after a key.
pub(super) enum After {
    Stay(Vec<Effect>),
    Close(Vec<Effect>),
}

/// Rows a move key asks for (`None`: not a move).
pub(super) fn moves(action: Option<Action>, page: usize) -> Option<isize> {
    let page = page.max(1) as isize;
    match action? {
        Action::Up => Some(-1),
        Action::Down => Some(1),
        Action::PageUp => Some(-page),
        Action::PageDown => Some(page),
        Action::Top => Some(isize::MIN / 2),
        Action::Bottom => Some(isize::MAX / 2),
        _ => None,
    }
}

impl App {
    /// The wheel in a view: the keys bound to up and down, three times.
    pub(in crate::tui) fn contents_wheel(&mut self, delta: isize) -> Vec<Effect> {
        let action = if delta > 0 { Action::Down } else { Action::Up };
        let Some(key) = self.config.keymap.keys_for(action).first().copied() else {
            return Vec::new();
        };
        self.mark_dirty();
        (0..3)
            .flat_map(|_| self.contents_key(KeyEvent::new(key.code, key.mods)))
            .collect()
    }

    pub(in crate::tui) fn contents_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let (after, mode) = match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Files(mut view) => {
                let after = self.files_key(&mut view, key);
                (after, Mode::Files(view))
            }
            Mode::Diff(mut view) => {
                let after = self.diff_key(&mut view, key);
                (after, Mode::Diff(view))
            }
            other => (After::Stay(Vec::new()), other),
        };
        match after {
            After::Stay(effects) => {
                // A key may have opened something else (the copy menu): keep that.
                if self.mode == Mode::Normal {
                    self.mode = mode;
                }
                effects
            }
            After::Close(effects) => effects,
        }
    }

    fn files_key(&mut self, view: &mut FilesView, key: KeyEvent) -> After {
        let action = self.config.keymap.action(&key);
        let view_action = self.config.files_keys.action(&key);
        let stop = matches!(action, Some(Action::Back | Action::Quit));
        match &view.stage {
            Stage::Reading(run) if stop => {
                run.control.cancel();
                self.notify(
                    Level::Info,
                    format!("stopped reading the files of {}", view.target.name()),
                );
                return After::Close(Vec::new());
            }
            Stage::Reading(_) => return After::Stay(Vec::new()),
            Stage::Failed(_) if stop || view_action == Some(ViewAction::Toggle) => {
                return After::Close(Vec::new());
            }
            Stage::Failed(_) => return After::Stay(Vec::new()),
            Stage::Ready(b) if b.panel == Panel::Tree => {
                let count = b.analysis().layers.len();
                let next = match view_action {
                    Some(ViewAction::NextLayer) => Some(match view.layer {
                        None if count > 0 => Some(0),
                        Some(n) if n + 1 < count => Some(n + 1),
                        _ => None,
                    }),
                    Some(ViewAction::PrevLayer) => Some(match view.layer {
                        None => count.checked_sub(1),
                        Some(0) => None,
                        Some(n) => Some(n - 1),
                    }),
                    _ => None,
                };
                if let Some(layer) = next {
                    view.show_layer(layer);
                    return After::Stay(Vec::new());
                }
            }
            Stage::Ready(_) => {}
        }
        let target = view.target.clone();
        let layer = view.layer;
        let jump = match view.browser_mut() {
            Some(b) => match self.browse_key(&target, layer, b, key, action, view_action) {
                Ok(after) => return after,
                Err(jump) => jump,
            },
            None => return After::Stay(Vec::new()),
        };
        // The waste summary jumps to a path: in the final tree when it is there, else in the
        // first layer holding a version no one sees.
        let (path, layers) = jump;
        let in_final = view
            .browser()
            .is_some_and(|b| b.analysis().find(&path).is_some());
        let layer = if in_final {
            None
        } else {
            layers.first().copied()
        };
        if view.layer != layer {
            view.show_layer(layer);
        }
        if let Some(b) = view.browser_mut() {
            b.panel = Panel::Tree;
            b.reveal(&path);
            let height = layout::list_rows(self.size, false);
            b.cursor.follow(b.rows.len(), height);
        }
        After::Stay(Vec::new())
    }

    /// Keys of a read tree. `Err` asks the caller to jump to a wasted path (in its layers).
    fn browse_key(
        &mut self,
        target: &Target,
        layer: Option<usize>,
        b: &mut Browser,
        key: KeyEvent,
        action: Option<Action>,
        view_action: Option<ViewAction>,
    ) -> Result<After, (String, Vec<usize>)> {
        let stay = |effects| Ok(After::Stay(effects));
        match &mut b.panel {
            Panel::Search => {
                let height = layout::list_rows(self.size, false);
                if let Some(delta) = moves(action, height).filter(|_| !is_text(&key)) {
                    b.step(delta, height);
                    return stay(Vec::new());
                }
                let mut text = b.search.clone();
                match edit(&mut text, &key) {
                    Edit::Submit => b.panel = Panel::Tree,
                    Edit::Cancel => {
                        b.panel = Panel::Tree;
                        b.set_search(String::new());
                    }
                    Edit::Changed => b.set_search(text),
                    Edit::Ignored => {}
                }
                return stay(Vec::new());
            }
            Panel::Help => {
                b.panel = Panel::Tree;
                return stay(Vec::new());
            }
            Panel::Extract { path, input } => {
                let path = path.clone();
                match edit(input, &key) {
                    Edit::Cancel => b.panel = Panel::Tree,
                    Edit::Submit if !input.trim().is_empty() => {
                        let cwd = std::env::current_dir().unwrap_or_default();
                        let out_dir = crate::tui::config::expand(input.trim(), &cwd);
                        self.notify(
                            Level::Info,
                            format!("extracting {path} to {}", crate::escape::path(&out_dir)),
                        );
                        b.panel = Panel::Tree;
                        return stay(vec![Effect::from(ContentsEffect::Extract {
                            target: target.clone(),
                            analysis: b.tree.analysis.clone(),
                            path,
                            layer,
                            out_dir,
                        })]);
                    }
                    _ => {}
                }
                return stay(Vec::new());
            }
            Panel::Waste(cursor) => {
                let paths = &b.tree.analysis.waste.paths;
                if let Some(delta) = moves(action, layout::panel_rows(self.size)) {
                    cursor.step(delta, paths.len());
                    return stay(Vec::new());
                }
                match (action, view_action) {
                    (_, Some(ViewAction::Toggle)) => {
                        if let Some(p) = paths.get(cursor.selected) {
                            return Err((p.path.clone(), p.layers.clone()));
                        }
                    }
                    (Some(Action::Back | Action::Quit), _) | (_, Some(ViewAction::Waste)) => {
                        b.panel = Panel::Tree;
                    }
                    _ => {}
                }
                return stay(Vec::new());
            }
            Panel::Preview(preview) => {
                let rows = layout::panel_rows(self.size);
                if let Some(delta) = moves(action, rows) {
                    let lines = match &preview.stage {
                        PreviewStage::Ready(peek) => peek.text().map_or(0, |t| t.lines().count()),
                        _ => 0,
                    };
                    let last = lines.saturating_sub(rows) as isize;
                    preview.scroll = (preview.scroll as isize + delta).clamp(0, last) as usize;
                    return stay(Vec::new());
                }
                let close = matches!(action, Some(Action::Back | Action::Quit))
                    || matches!(view_action, Some(ViewAction::Preview | ViewAction::Toggle));
                if close {
                    if let Preview {
                        stage: PreviewStage::Reading(run),
                        ..
                    } = preview
                    {
                        run.control.cancel();
                    }
                    b.panel = Panel::Tree;
                }
                return stay(Vec::new());
            }
            Panel::Tree => {}
        }
        let height = layout::list_rows(self.size, false);
        if let Some(delta) = moves(action, height) {
            b.step(delta, height);
            return stay(Vec::new());
        }
        match view_action {
            Some(ViewAction::Toggle) => {
                if !b.set_open(None) {
                    return stay(self.preview(target, b));
                }
            }
            Some(ViewAction::Expand) => {
                b.set_open(Some(true));
            }
            Some(ViewAction::Collapse) => b.collapse_or_up(),
            Some(ViewAction::ExpandAll) => b.open_all(true),
            Some(ViewAction::CollapseAll) => b.open_all(false),
            Some(ViewAction::Changes) => b.cycle_filter(),
            Some(ViewAction::Waste) => b.panel = Panel::Waste(Cursor::default()),
            Some(ViewAction::Preview) => return stay(self.preview(target, b)),
            Some(ViewAction::Extract) => self.extract_prompt(target, b),
            Some(ViewAction::PrevLayer | ViewAction::NextLayer) | None => match action {
                Some(Action::Back) if !b.search.is_empty() => b.set_search(String::new()),
                Some(Action::Back | Action::Quit) => return Ok(After::Close(Vec::new())),
                Some(Action::Sort) => b.cycle_order(),
                Some(Action::Filter) => b.panel = Panel::Search,
                Some(Action::Help) => b.panel = Panel::Help,
                Some(Action::Copy) => {
                    if let Some(path) = b.selected_path() {
                        self.notify(Level::Info, format!("copied the path {path}"));
                        return stay(vec![Effect::Copy(path)]);
                    }
                }
                _ => {}
            },
        }
        b.cursor.follow(b.rows.len(), height);
        stay(Vec::new())
    }

    /// Show the head of the selected file (read in the background), or why there is none.
    fn preview(&mut self, target: &Target, b: &mut Browser) -> Vec<Effect> {
        let Some(id) = b.selected() else {
            return Vec::new();
        };
        let tree = b.tree.clone();
        let node = tree.node(id);
        let shown = format!("/{}", node.path);
        let note = match tree.node_entry(id) {
            _ if tree.is_dir(id) => Some("a folder".to_string()),
            None => Some("a folder".to_string()),
            Some(_) if node.change == Some(ChangeKind::Removed) && tree.layer.is_some() => {
                Some("removed by this layer: nothing to show".to_string())
            }
            Some(n) => match n.kind {
                FileKind::Symlink => Some(format!(
                    "a symbolic link to {}",
                    crate::escape::text(n.link.as_deref().unwrap_or(""))
                )),
                FileKind::Other => Some("not a regular file".to_string()),
                _ if n.size == 0 => Some("an empty file".to_string()),
                _ => None,
            },
        };
        if let Some(note) = note {
            b.panel = Panel::Preview(Preview {
                path: shown,
                stage: PreviewStage::Note(note),
                scroll: 0,
            });
            return Vec::new();
        }
        let run = self.contents.start();
        b.panel = Panel::Preview(Preview {
            path: shown,
            stage: PreviewStage::Reading(run.clone()),
            scroll: 0,
        });
        vec![Effect::from(ContentsEffect::Preview {
            target: target.clone(),
            analysis: tree.analysis.clone(),
            path: node.path.clone(),
            layer: tree.layer,
            run,
        })]
    }

    /// `e`: ask where to extract the selected path.
    fn extract_prompt(&mut self, target: &Target, b: &mut Browser) {
        let Some(id) = b.selected() else { return };
        if b.tree.layer.is_some() && b.tree.node(id).change == Some(ChangeKind::Removed) {
            self.notify(Level::Info, "removed by this layer: nothing to extract");
            return;
        }
        let safe: String = target
            .name()
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '.' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let folder = self.config.export_folder.join(format!("{safe}-files"));
        b.panel = Panel::Extract {
            path: format!("/{}", b.tree.node(id).path),
            input: folder.display().to_string(),
        };
    }
}

/// A key that types a character (so `j` in a search is a letter, not a move).
fn is_text(key: &KeyEvent) -> bool {
    matches!(key.code, crossterm::event::KeyCode::Char(_))
}
