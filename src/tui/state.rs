//! Building blocks of the App's state: load states, a list cursor, found files.

use std::path::PathBuf;

use crate::archive::ArchiveReport;

pub use super::list::{Filterable, ListPane, SortBy};

/// Where a pane's (or one item's) data is.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadState<T> {
    Loading,
    Ready(T),
    Failed(String),
}

impl<T> LoadState<T> {
    pub fn from_result(result: Result<T, String>) -> Self {
        match result {
            Ok(v) => LoadState::Ready(v),
            Err(e) => LoadState::Failed(e),
        }
    }
    pub fn ready(&self) -> Option<&T> {
        match self {
            LoadState::Ready(v) => Some(v),
            _ => None,
        }
    }
}

/// A selection and a scroll offset over `len` rows shown `height` at a time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    /// Move by `delta` rows, clamped to the list.
    pub fn step(&mut self, delta: isize, len: usize) {
        if len == 0 {
            self.selected = 0;
            return;
        }
        let max = (len - 1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, max) as usize;
    }
    pub fn to(&mut self, index: usize, len: usize) {
        self.selected = index.min(len.saturating_sub(1));
    }
    /// Keep the selection on screen.
    pub fn follow(&mut self, len: usize, height: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }
}

/// When a file was last seen changing: re-inspect only when this differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: u128,
}

/// What a file or folder holds, as far as sniffing its first bytes tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A tar, possibly compressed, or an OCI layout folder.
    Tarball,
    /// A zip holding an image tar (a workflow artifact), or a `gh run download` folder entry.
    Artifact,
}

/// One image file found by the scanner.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundFile {
    pub path: PathBuf,
    /// The path as shown: relative to the scan folder it was found in.
    pub display: String,
    pub kind: FileKind,
    pub stamp: Stamp,
    /// Where a symbolic link points (the file is listed under the link's own name).
    pub link: Option<PathBuf>,
}

/// A row of the Tarballs or Artifacts pane.
#[derive(Debug, Clone, PartialEq)]
pub struct FileEntry {
    pub file: FoundFile,
    pub report: LoadState<Box<ArchiveReport>>,
}

impl Filterable for FileEntry {
    fn key(&self) -> String {
        self.file.path.to_string_lossy().into_owned()
    }
    fn sort_name(&self) -> String {
        self.file.display.clone()
    }
    fn sort_size(&self) -> u64 {
        self.file.stamp.size
    }
    fn sort_time(&self) -> i64 {
        (self.file.stamp.mtime_ns / 1_000_000_000) as i64
    }
    fn matches(&self, needle: &str) -> bool {
        self.file.display.to_lowercase().contains(needle)
            || self.report.ready().is_some_and(|r| {
                r.images.iter().any(|i| {
                    i.tags.iter().any(|t| t.to_lowercase().contains(needle))
                        || i.id.contains(needle)
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_follows_selection() {
        let mut c = Cursor::default();
        c.step(5, 10);
        c.follow(10, 3);
        assert_eq!((c.selected, c.offset), (5, 3));
        c.step(-100, 10);
        c.follow(10, 3);
        assert_eq!((c.selected, c.offset), (0, 0));
        c.step(100, 10);
        c.follow(10, 3);
        assert_eq!((c.selected, c.offset), (9, 7));
        c.step(1, 0);
        assert_eq!(c.selected, 0);
    }
}
