//! What the keyboard is doing besides moving around: the modes and their dialogs. The types
//! live here, their keys in `modal.rs`, their drawing in `render/dialogs.rs`.

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::du;
use crate::transfer::{SaveCompression, SaveRequest};

/// One enum, not a pile of flags.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Normal,
    /// Typing a filter for the current pane (kept in the pane).
    Filter,
    Help,
    /// Everything known about the selected item (or job), wrapped and scrolled.
    Details {
        scroll: usize,
    },
    /// Where to save, and how compressed.
    Save(SaveDialog),
    /// A name to type: a new tag, or the name to load an archive under.
    Prompt(Prompt),
    /// Yes or no (or which) before anything is removed or replaced.
    Confirm(Confirm),
    /// What to copy to the clipboard.
    Copy(Vec<CopyChoice>),
    /// Inside an image's layers: its files (`f`).
    Files(Box<super::contents::view::FilesView>),
    /// Two images compared (`m`, then `D`).
    Diff(Box<super::contents::diff_view::DiffView>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SaveDialog {
    pub images: Vec<String>,
    pub input: String,
    /// Chosen with tab where the name does not say; `None`: the name decides.
    pub explicit: Option<SaveCompression>,
}

/// The canonical ending for each compression, and the endings recognised as "an image tar".
const ENDINGS: [&str; 5] = [".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar"];

fn ending(c: SaveCompression) -> &'static str {
    match c {
        SaveCompression::None => ".tar",
        SaveCompression::Gzip => ".tar.gz",
        SaveCompression::Zstd => ".tar.zst",
    }
}

impl SaveDialog {
    pub fn new(images: Vec<String>, input: String) -> SaveDialog {
        SaveDialog {
            images,
            input,
            explicit: None,
        }
    }

    /// The destination, `~` and relative paths resolved.
    pub fn dest(&self, cwd: &Path) -> PathBuf {
        super::config::expand(self.input.trim(), cwd)
    }

    /// The one rule: the explicit choice, else the name.
    pub fn compression(&self) -> SaveCompression {
        SaveCompression::choose(self.explicit, Path::new(self.input.trim()))
    }

    /// `tab`: none -> gzip -> zstd -> none. A name ending like an image tar gets the new
    /// ending (so the name keeps deciding); any other name keeps its ending and the choice is
    /// remembered.
    pub fn cycle(&mut self) {
        let next = match self.compression() {
            SaveCompression::None => SaveCompression::Gzip,
            SaveCompression::Gzip => SaveCompression::Zstd,
            SaveCompression::Zstd => SaveCompression::None,
        };
        let trimmed = self.input.trim_end();
        let lower = trimmed.to_lowercase();
        if let Some(old) = ENDINGS.iter().find(|e| lower.ends_with(*e)) {
            let base = &trimmed[..trimmed.len() - old.len()];
            self.input = format!("{base}{}", ending(next));
        }
        self.explicit =
            (SaveCompression::for_path(Path::new(self.input.trim())) != next).then_some(next);
    }

    pub fn request(&self, cwd: &Path, force: bool) -> SaveRequest {
        SaveRequest {
            images: self.images.clone(),
            dest: self.dest(cwd),
            compression: self.compression(),
            force,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PromptKind {
    /// A new name for the image `id` (shown as `shown`).
    Tag { id: String, shown: String },
    /// Load `path` under a new name.
    LoadAs { path: PathBuf, shown: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: String,
}

/// A name to untag, and whether it is the image's last (then the image goes too).
#[derive(Debug, Clone, PartialEq)]
pub struct Untag {
    pub name: String,
    pub last: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Confirm {
    /// `d` on an image row. With several tags the user chooses: `u` this tag only, `a` the
    /// image with every tag. With one tag or none: yes or no.
    DeleteImage {
        id: String,
        tag: Option<String>,
        tags: Vec<String>,
    },
    /// Several images, each with every tag: (ID, what it is called).
    DeleteImages(Vec<(String, String)>),
    Untag(Vec<Untag>),
    /// Files and folders, with their sizes.
    DeleteFiles(Vec<(PathBuf, u64)>),
    /// A save whose destination needs a yes (a missing folder, an existing file).
    Save {
        request: SaveRequest,
        problem: String,
    },
    /// Disk pane items to clean up.
    Clean(Vec<du::Item>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CopyChoice {
    pub key: char,
    pub what: &'static str,
    pub text: String,
}

/// What a key did to a text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Submit,
    Cancel,
    Changed,
    Ignored,
}

/// Line editing for the dialogs: type, backspace, ctrl-u clears, ctrl-w deletes a word.
pub fn edit(text: &mut String, key: &KeyEvent) -> Edit {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Enter => Edit::Submit,
        KeyCode::Esc => Edit::Cancel,
        KeyCode::Backspace => {
            text.pop();
            Edit::Changed
        }
        KeyCode::Char('u') if ctrl => {
            text.clear();
            Edit::Changed
        }
        KeyCode::Char('w') if ctrl => {
            let kept = text.trim_end().len();
            text.truncate(kept);
            let cut = text
                .rfind(|c: char| c == '/' || c.is_whitespace())
                .map_or(0, |i| i + 1);
            text.truncate(cut);
            Edit::Changed
        }
        KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
            text.push(c);
            Edit::Changed
        }
        _ => Edit::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_cycles_compression_through_the_name() {
        let mut d = SaveDialog::new(vec!["a".into()], "/x/app.tar".into());
        assert_eq!(d.compression(), SaveCompression::None);
        d.cycle();
        assert_eq!(
            (d.input.as_str(), d.compression()),
            ("/x/app.tar.gz", SaveCompression::Gzip)
        );
        assert_eq!(d.explicit, None, "the name says it");
        d.cycle();
        assert_eq!(d.input, "/x/app.tar.zst");
        d.cycle();
        assert_eq!(d.input, "/x/app.tar");
        let mut odd = SaveDialog::new(vec!["a".into()], "/x/app.img".into());
        odd.cycle();
        assert_eq!(
            (odd.input.as_str(), odd.compression()),
            ("/x/app.img", SaveCompression::Gzip)
        );
        let req = odd.request(Path::new("/"), false);
        assert_eq!(req.compression, SaveCompression::Gzip);
        assert!(!req.force);
    }

    #[test]
    fn editing_keys() {
        let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        let mut text = String::from("/a/b");
        assert_eq!(edit(&mut text, &key('c')), Edit::Changed);
        assert_eq!(text, "/a/bc");
        edit(&mut text, &ctrl('w'));
        assert_eq!(text, "/a/");
        edit(&mut text, &ctrl('u'));
        assert_eq!(text, "");
        assert_eq!(
            edit(&mut text, &KeyEvent::from(KeyCode::Enter)),
            Edit::Submit
        );
    }
}
