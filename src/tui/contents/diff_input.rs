//! Keys of the comparison view: move, change filter, order, search, copy, keys, close; `esc`
//! while the images are read cancels both.

use crossterm::event::KeyEvent;

use super::diff_view::{DiffPanel, DiffStage, DiffView};
use super::input::{After, moves};
use super::keys::ViewAction;
use crate::tui::app::{App, Effect, Level};
use crate::tui::dialogs::{Edit, edit};
use crate::tui::keymap::Action;

impl App {
    pub(super) fn diff_key(&mut self, view: &mut DiffView, key: KeyEvent) -> After {
        let action = self.config.keymap.action(&key);
        let view_action = self.config.files_keys.action(&key);
        let stop = matches!(action, Some(Action::Back | Action::Quit));
        let b = match &mut view.stage {
            DiffStage::Reading { a, b } => {
                if stop {
                    a.control.cancel();
                    b.control.cancel();
                    self.notify(Level::Info, "stopped the comparison");
                    return After::Close(Vec::new());
                }
                return After::Stay(Vec::new());
            }
            DiffStage::Failed(_) if stop => return After::Close(Vec::new()),
            DiffStage::Failed(_) => return After::Stay(Vec::new()),
            DiffStage::Ready(b) => b,
        };
        let height = super::render::diff_list_rows(self.size, &b.compared.diff);
        match b.panel {
            DiffPanel::Help => b.panel = DiffPanel::List,
            DiffPanel::Search => {
                let mut text = b.search.clone();
                match edit(&mut text, &key) {
                    Edit::Submit => b.panel = DiffPanel::List,
                    Edit::Cancel => {
                        b.panel = DiffPanel::List;
                        b.set_search(String::new());
                    }
                    Edit::Changed => b.set_search(text),
                    Edit::Ignored => {}
                }
            }
            DiffPanel::List => {
                if let Some(delta) = moves(action, height) {
                    b.step(delta, height);
                    return After::Stay(Vec::new());
                }
                if view_action == Some(ViewAction::Changes) {
                    b.cycle_filter();
                    return After::Stay(Vec::new());
                }
                match action {
                    Some(Action::Back) if !b.search.is_empty() => b.set_search(String::new()),
                    Some(Action::Back | Action::Quit) => return After::Close(Vec::new()),
                    Some(Action::Sort) => b.cycle_order(),
                    Some(Action::Filter) => b.panel = DiffPanel::Search,
                    Some(Action::Help) => b.panel = DiffPanel::Help,
                    Some(Action::Copy) => {
                        if let Some(path) = b.selected_path().map(str::to_string) {
                            self.notify(Level::Info, format!("copied the path {path}"));
                            return After::Stay(vec![Effect::Copy(path)]);
                        }
                    }
                    _ => {}
                }
            }
        }
        After::Stay(Vec::new())
    }
}
