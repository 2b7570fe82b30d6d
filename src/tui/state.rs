//! Building blocks of the App's state: load states, a list cursor, a filtered list pane.

use std::path::PathBuf;

use crate::archive::ArchiveReport;

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

/// A row in one of the list panes.
pub trait Filterable {
    /// A stable identity, to keep the selection across refreshes.
    fn key(&self) -> String;
    /// True when the row matches a lower-case filter text.
    fn matches(&self, needle: &str) -> bool;
}

/// A list pane: its load state, its rows, the filter and the cursor over the visible rows.
#[derive(Debug, Clone)]
pub struct ListPane<R> {
    pub status: LoadState<()>,
    pub rows: Vec<R>,
    pub filter: String,
    pub cursor: Cursor,
    visible: Vec<usize>,
}

impl<R> ListPane<R> {
    /// Rows left after filtering.
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }
}

impl<R> Default for ListPane<R> {
    fn default() -> Self {
        ListPane {
            status: LoadState::Loading,
            rows: Vec::new(),
            filter: String::new(),
            cursor: Cursor::default(),
            visible: Vec::new(),
        }
    }
}

impl<R: Filterable> ListPane<R> {
    /// Replace the rows, keeping the selected row selected when it is still there.
    pub fn set_rows(&mut self, rows: Vec<R>) {
        let keep = self.selected().map(|r| r.key());
        self.rows = rows;
        self.status = LoadState::Ready(());
        self.refilter();
        if let Some(key) = keep
            && let Some(pos) = self.visible.iter().position(|&i| self.rows[i].key() == key)
        {
            self.cursor.selected = pos;
        }
        let len = self.visible.len();
        self.cursor.to(self.cursor.selected, len);
    }

    pub fn fail(&mut self, reason: String) {
        self.rows.clear();
        self.visible.clear();
        self.cursor = Cursor::default();
        self.status = LoadState::Failed(reason);
    }

    pub fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.refilter();
        self.cursor = Cursor::default();
    }

    pub fn refilter(&mut self) {
        let needle = self.filter.to_lowercase();
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| needle.is_empty() || r.matches(&needle))
            .map(|(i, _)| i)
            .collect();
    }

    /// Rows after filtering, in order.
    pub fn visible(&self) -> impl Iterator<Item = &R> {
        self.visible.iter().map(|&i| &self.rows[i])
    }

    pub fn selected(&self) -> Option<&R> {
        self.visible
            .get(self.cursor.selected)
            .map(|&i| &self.rows[i])
    }

    pub fn selected_mut(&mut self) -> Option<&mut R> {
        let i = *self.visible.get(self.cursor.selected)?;
        self.rows.get_mut(i)
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

impl Filterable for crate::daemon::ImageRow {
    fn key(&self) -> String {
        self.id.clone()
    }
    fn matches(&self, needle: &str) -> bool {
        self.id.contains(needle) || self.tags.iter().any(|t| t.to_lowercase().contains(needle))
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
