//! The Disk pane's rows: what takes space, from the daemon, haul's cache and the files the
//! other panes found (no second walk of the scan folders).

use super::app::App;
use super::state::{FileEntry, Filterable, LoadState};
use crate::du::{Category, Item};

impl Filterable for Item {
    fn key(&self) -> String {
        Item::key(self)
    }
    fn matches(&self, needle: &str) -> bool {
        self.name.to_lowercase().contains(needle)
            || self.category.short().contains(needle)
            || self.id.as_deref().is_some_and(|id| id.contains(needle))
    }
    fn sort_name(&self) -> String {
        self.name.clone()
    }
    fn sort_size(&self) -> u64 {
        self.size
    }
    fn sort_time(&self) -> i64 {
        self.time
    }
}

impl App {
    /// The Disk pane's listing arrived: the daemon's images and haul's cache, with the image
    /// files the Tarballs and Artifacts panes hold (downloads are listed once, as downloads).
    pub(super) fn disk_use(&mut self, daemon: Result<Vec<Item>, String>, cache: Vec<Item>) {
        let (mut items, state) = match daemon {
            Ok(items) => (items, LoadState::Ready(())),
            Err(reason) => (Vec::new(), LoadState::Failed(reason)),
        };
        self.disk_daemon = state;
        let downloads = crate::artifacts::cache_folder();
        let files = self
            .tarballs
            .rows
            .iter()
            .chain(self.artifacts.rows.iter().filter_map(|r| r.local()))
            .filter(|f| {
                !downloads
                    .as_ref()
                    .is_some_and(|d| f.file.path.starts_with(d))
            });
        let mut seen = std::collections::HashSet::new();
        let mut file_items: Vec<Item> = files
            .filter(|f| seen.insert(f.file.path.clone()))
            .map(|f| self.file_item(f))
            .collect();
        file_items.sort_by_key(|b| std::cmp::Reverse(b.size));
        items.extend(file_items);
        items.extend(cache);
        self.disk.set_rows(items);
        self.follow_cursor();
    }

    fn file_item(&self, entry: &FileEntry) -> Item {
        let mut notes = Vec::new();
        if entry.report.ready().is_some_and(|r| self.report_loaded(r)) {
            notes.push("loaded".to_string());
        }
        if let Some(target) = &entry.file.link {
            notes.push(format!("link to {}", target.display()));
        }
        Item {
            category: Category::ImageFile,
            name: entry.file.display.clone(),
            id: None,
            path: Some(entry.file.path.clone()),
            size: entry.file.stamp.size,
            time: (entry.file.stamp.mtime_ns / 1_000_000_000) as i64,
            note: notes.join(", "),
        }
    }
}
