//! Keys of the files and comparison views that the panes do not have (expand, collapse, change
//! filter, waste, preview, extract, layer). They are looked up first in those views, then the
//! panes' keymap (moving, `o` order, `/` search, `y` copy, `esc`, `?`). Overridable in the
//! `[files_keys]` table of the config, like `[keys]`.

use std::collections::HashMap;

use crossterm::event::KeyEvent;

use crate::tui::key::Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViewAction {
    Toggle,
    Expand,
    Collapse,
    ExpandAll,
    CollapseAll,
    Changes,
    Waste,
    Preview,
    Extract,
    PrevLayer,
    NextLayer,
}

impl ViewAction {
    pub const ALL: [ViewAction; 11] = [
        ViewAction::Toggle,
        ViewAction::Expand,
        ViewAction::Collapse,
        ViewAction::ExpandAll,
        ViewAction::CollapseAll,
        ViewAction::Changes,
        ViewAction::Waste,
        ViewAction::Preview,
        ViewAction::Extract,
        ViewAction::PrevLayer,
        ViewAction::NextLayer,
    ];

    /// The name in the `[files_keys]` table.
    pub fn name(self) -> &'static str {
        match self {
            ViewAction::Toggle => "toggle",
            ViewAction::Expand => "expand",
            ViewAction::Collapse => "collapse",
            ViewAction::ExpandAll => "expand_all",
            ViewAction::CollapseAll => "collapse_all",
            ViewAction::Changes => "changes",
            ViewAction::Waste => "waste",
            ViewAction::Preview => "preview",
            ViewAction::Extract => "extract",
            ViewAction::PrevLayer => "prev_layer",
            ViewAction::NextLayer => "next_layer",
        }
    }

    pub fn from_name(name: &str) -> Option<ViewAction> {
        ViewAction::ALL.into_iter().find(|a| a.name() == name)
    }

    pub fn describe(self) -> &'static str {
        match self {
            ViewAction::Toggle => "open/close folder, preview file",
            ViewAction::Expand => "open the folder",
            ViewAction::Collapse => "close, or go to the folder above",
            ViewAction::ExpandAll => "open every folder",
            ViewAction::CollapseAll => "close every folder",
            ViewAction::Changes => "show: all, added, modified, removed",
            ViewAction::Waste => "waste summary (enter jumps)",
            ViewAction::Preview => "preview the file",
            ViewAction::Extract => "extract the path to a folder",
            ViewAction::PrevLayer => "previous layer / final tree",
            ViewAction::NextLayer => "next layer / final tree",
        }
    }

    fn defaults(self) -> &'static [&'static str] {
        match self {
            ViewAction::Toggle => &["enter", "space"],
            ViewAction::Expand => &["right", "l"],
            ViewAction::Collapse => &["left", "h"],
            ViewAction::ExpandAll => &["+"],
            ViewAction::CollapseAll => &["-"],
            ViewAction::Changes => &["c"],
            ViewAction::Waste => &["w"],
            ViewAction::Preview => &["p"],
            ViewAction::Extract => &["e"],
            ViewAction::PrevLayer => &["["],
            ViewAction::NextLayer => &["]"],
        }
    }
}

/// Key -> view action, with each action's keys in order for the help.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewKeys {
    lookup: HashMap<Key, ViewAction>,
    keys: Vec<(ViewAction, Vec<Key>)>,
}

impl Default for ViewKeys {
    fn default() -> Self {
        ViewKeys::with_overrides(&[])
    }
}

impl ViewKeys {
    /// The defaults with some actions' keys replaced; a key given to one action leaves the
    /// action that had it.
    pub fn with_overrides(overrides: &[(ViewAction, Vec<Key>)]) -> ViewKeys {
        let mut keys: Vec<(ViewAction, Vec<Key>)> = ViewAction::ALL
            .iter()
            .map(|a| {
                let parsed = a.defaults().iter().filter_map(|k| Key::parse(k).ok());
                (*a, parsed.collect())
            })
            .collect();
        for (action, new_keys) in overrides {
            for (other, list) in keys.iter_mut() {
                if other == action {
                    *list = new_keys.clone();
                } else {
                    list.retain(|k| !new_keys.contains(k));
                }
            }
        }
        let mut lookup = HashMap::new();
        for (action, list) in &keys {
            for key in list {
                lookup.insert(*key, *action);
            }
        }
        ViewKeys { lookup, keys }
    }

    pub fn action(&self, event: &KeyEvent) -> Option<ViewAction> {
        self.lookup.get(&Key::from_event(event)).copied()
    }

    /// `enter/space` for hints and the help.
    pub fn hint(&self, action: ViewAction) -> String {
        let keys = self.keys.iter().find(|(a, _)| *a == action);
        let names: Vec<String> = keys
            .map(|(_, k)| k.iter().map(|k| k.to_string()).collect())
            .unwrap_or_default();
        names.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn defaults_and_overrides() {
        let keys = ViewKeys::default();
        let plus = KeyEvent::new(KeyCode::Char('+'), KeyModifiers::SHIFT);
        assert_eq!(keys.action(&plus), Some(ViewAction::ExpandAll));
        assert_eq!(keys.hint(ViewAction::Toggle), "enter/space");
        let keys =
            ViewKeys::with_overrides(&[(ViewAction::Preview, vec![Key::parse("enter").unwrap()])]);
        let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(keys.action(&enter), Some(ViewAction::Preview));
        assert_eq!(keys.hint(ViewAction::Toggle), "space");
        assert_eq!(
            ViewAction::from_name("next_layer"),
            Some(ViewAction::NextLayer)
        );
    }
}
