//! Keys and actions: the default bindings, config overrides, and the key -> action lookup.

use std::collections::HashMap;

use crossterm::event::KeyEvent;

pub use super::key::Key;

/// Everything a key can ask for in normal mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    NextPane,
    PrevPane,
    ImagesPane,
    TarballsPane,
    ArtifactsPane,
    DiskPane,
    FocusDetails,
    Inspect,
    FocusJobs,
    NextImage,
    PrevImage,
    Back,
    Load,
    LoadAs,
    Save,
    Delete,
    Tag,
    Untag,
    Copy,
    Mark,
    MarkAll,
    Sort,
    ToggleTags,
    Cancel,
    Dismiss,
    Refresh,
    Filter,
    Help,
    /// Inside the layers: the selected image's files.
    Files,
    /// Mark an image to compare another with.
    CompareMark,
    /// Compare the selected image with the marked one.
    Diff,
}

impl Action {
    /// Every action, in the order the help overlay lists them.
    pub const ALL: [Action; 38] = [
        Action::Up,
        Action::Down,
        Action::Top,
        Action::Bottom,
        Action::PageUp,
        Action::PageDown,
        Action::NextPane,
        Action::PrevPane,
        Action::ImagesPane,
        Action::TarballsPane,
        Action::ArtifactsPane,
        Action::DiskPane,
        Action::FocusDetails,
        Action::Inspect,
        Action::Files,
        Action::FocusJobs,
        Action::NextImage,
        Action::PrevImage,
        Action::Back,
        Action::Load,
        Action::LoadAs,
        Action::Save,
        Action::Delete,
        Action::Tag,
        Action::Untag,
        Action::Copy,
        Action::CompareMark,
        Action::Diff,
        Action::Mark,
        Action::MarkAll,
        Action::Sort,
        Action::ToggleTags,
        Action::Cancel,
        Action::Dismiss,
        Action::Refresh,
        Action::Filter,
        Action::Help,
        Action::Quit,
    ];

    /// The name used in the `[keys]` table of the config file.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Up => "up",
            Action::Down => "down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::ImagesPane => "images_pane",
            Action::TarballsPane => "tarballs_pane",
            Action::ArtifactsPane => "artifacts_pane",
            Action::DiskPane => "disk_pane",
            Action::FocusDetails => "details",
            Action::Inspect => "inspect",
            Action::FocusJobs => "jobs",
            Action::NextImage => "next_image",
            Action::PrevImage => "prev_image",
            Action::Back => "back",
            Action::Load => "load",
            Action::LoadAs => "load_as",
            Action::Save => "save",
            Action::Delete => "delete",
            Action::Tag => "tag",
            Action::Untag => "untag",
            Action::Copy => "copy",
            Action::Mark => "mark",
            Action::MarkAll => "mark_all",
            Action::Sort => "sort",
            Action::ToggleTags => "toggle_tags",
            Action::Cancel => "cancel",
            Action::Dismiss => "dismiss",
            Action::Refresh => "refresh",
            Action::Filter => "filter",
            Action::Help => "help",
            Action::Files => "files",
            Action::CompareMark => "compare_mark",
            Action::Diff => "diff",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// One line for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::Top => "first item",
            Action::Bottom => "last item",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::ImagesPane => "Images pane",
            Action::TarballsPane => "Tarballs pane",
            Action::ArtifactsPane => "Artifacts pane",
            Action::DiskPane => "Disk use pane",
            Action::FocusDetails => "focus details (layers)",
            Action::Inspect => "everything, scrollable",
            Action::FocusJobs => "focus the jobs",
            Action::NextImage => "next image in the file",
            Action::PrevImage => "previous image in file",
            Action::Back => "back / clear the message",
            Action::Load => "load (marked) files",
            Action::LoadAs => "load under a new name",
            Action::Save => "save (marked) images",
            Action::Delete => "delete, asks first",
            Action::Tag => "tag / retag an image",
            Action::Untag => "untag (marked) tags",
            Action::Copy => "copy ID, digest, tag, path",
            Action::Mark => "mark the row",
            Action::MarkAll => "mark all / none",
            Action::Sort => "sort: name, size, age",
            Action::ToggleTags => "a row per tag / image",
            Action::Cancel => "cancel the selected job",
            Action::Dismiss => "dismiss a finished job",
            Action::Refresh => "refresh everything",
            Action::Filter => "filter the list",
            Action::Help => "this help",
            Action::Files => "files of the image/layer",
            Action::CompareMark => "mark an image to compare",
            Action::Diff => "diff with the marked image",
        }
    }

    fn defaults(self) -> &'static [&'static str] {
        match self {
            Action::Quit => &["q", "ctrl-c"],
            Action::Up => &["k", "up"],
            Action::Down => &["j", "down"],
            Action::Top => &["g", "home"],
            Action::Bottom => &["G", "end"],
            Action::PageUp => &["pgup", "ctrl-b"],
            Action::PageDown => &["pgdn", "ctrl-f"],
            Action::NextPane => &["tab"],
            Action::PrevPane => &["backtab"],
            Action::ImagesPane => &["1"],
            Action::TarballsPane => &["2"],
            Action::ArtifactsPane => &["3"],
            Action::DiskPane => &["4"],
            Action::FocusDetails => &["enter"],
            Action::Inspect => &["i"],
            Action::FocusJobs => &["J"],
            Action::NextImage => &["]"],
            Action::PrevImage => &["["],
            Action::Back => &["esc"],
            Action::Load => &["l"],
            Action::LoadAs => &["L"],
            Action::Save => &["s"],
            Action::Delete => &["d"],
            Action::Tag => &["t"],
            Action::Untag => &["u"],
            Action::Copy => &["y"],
            Action::Mark => &["space"],
            Action::MarkAll => &["v"],
            Action::Sort => &["o"],
            Action::ToggleTags => &["T"],
            Action::Cancel => &["c"],
            Action::Dismiss => &["x"],
            Action::Refresh => &["r"],
            Action::Filter => &["/"],
            Action::Help => &["?"],
            Action::Files => &["f"],
            Action::CompareMark => &["m"],
            Action::Diff => &["D"],
        }
    }
}

/// Key -> action, with the keys of each action kept in order for the help overlay.
#[derive(Debug, Clone)]
pub struct KeyMap {
    lookup: HashMap<Key, Action>,
    keys: Vec<(Action, Vec<Key>)>,
}

impl Default for KeyMap {
    fn default() -> Self {
        let mut keys = Vec::new();
        for action in Action::ALL {
            let parsed = action
                .defaults()
                .iter()
                .filter_map(|k| Key::parse(k).ok())
                .collect();
            keys.push((action, parsed));
        }
        KeyMap::from_keys(keys)
    }
}

impl KeyMap {
    fn from_keys(keys: Vec<(Action, Vec<Key>)>) -> KeyMap {
        let mut lookup = HashMap::new();
        for (action, list) in &keys {
            for key in list {
                lookup.insert(*key, *action);
            }
        }
        KeyMap { lookup, keys }
    }

    /// The defaults with the keys of some actions replaced. A key taken by an override is
    /// removed from the action that had it by default.
    pub fn with_overrides(overrides: &[(Action, Vec<Key>)]) -> KeyMap {
        let mut keys = KeyMap::default().keys;
        for (action, new_keys) in overrides {
            for (other, list) in keys.iter_mut() {
                if other == action {
                    *list = new_keys.clone();
                } else {
                    list.retain(|k| !new_keys.contains(k));
                }
            }
        }
        KeyMap::from_keys(keys)
    }

    pub fn action(&self, event: &KeyEvent) -> Option<Action> {
        self.lookup.get(&Key::from_event(event)).copied()
    }

    pub fn keys_for(&self, action: Action) -> &[Key] {
        self.keys
            .iter()
            .find(|(a, _)| *a == action)
            .map_or(&[], |(_, k)| k.as_slice())
    }

    /// `j/↓` for a hint line.
    pub fn hint(&self, action: Action) -> String {
        let keys: Vec<String> = self
            .keys_for(action)
            .iter()
            .map(|k| k.to_string())
            .collect();
        keys.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn default_map_resolves_shifted_and_control_keys() {
        let map = KeyMap::default();
        assert_eq!(
            map.action(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            map.action(&ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevPane)
        );
        assert_eq!(
            map.action(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            map.action(&ev(KeyCode::Char('c'), KeyModifiers::NONE)),
            Some(Action::Cancel)
        );
    }

    #[test]
    fn overrides_replace_and_steal_keys() {
        let map = KeyMap::with_overrides(&[(
            Action::Load,
            vec![Key::parse("L").unwrap(), Key::parse("j").unwrap()],
        )]);
        assert_eq!(
            map.action(&ev(KeyCode::Char('l'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            map.action(&ev(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Load)
        );
        assert_eq!(map.hint(Action::Down), "↓");
        assert_eq!(Action::from_name("page_down"), Some(Action::PageDown));
    }
}
