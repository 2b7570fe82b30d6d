//! Disk use: what takes space around images, and cleaning up what haul can name.
//!
//! Daemon images (dangling, unused by any container, in use), image files in the scan folders,
//! haul's downloaded artifacts and its inspect cache. Cleaning removes only items listed here by
//! name (an image ID, a path directly inside haul's own cache folders), never forced: an image a
//! container started using since the listing stays, with the daemon's reason.

mod daemon;
mod files;

use std::path::PathBuf;

pub use daemon::{daemon_items, remove_images};
pub use files::{cache_items, file_item, remove_file_item};

/// What an item is, in the order a report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// A daemon image without a tag and without a container.
    Dangling,
    /// A tagged daemon image no container (running or stopped) uses.
    Unused,
    /// A daemon image a container uses: never cleaned.
    InUse,
    /// An image file (tarball, artifact zip, layout folder) in a scan folder.
    ImageFile,
    /// Something `haul artifacts download` or the TUI downloaded into haul's cache.
    Download,
    /// haul's cache of inspection reports (`<cache>/inspect/*.json`).
    InspectCache,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Dangling,
        Category::Unused,
        Category::InUse,
        Category::ImageFile,
        Category::Download,
        Category::InspectCache,
    ];

    /// The plural heading of a report.
    pub fn heading(self) -> &'static str {
        match self {
            Category::Dangling => "dangling images",
            Category::Unused => "unused images",
            Category::InUse => "images in use",
            Category::ImageFile => "image files in scan folders",
            Category::Download => "downloaded artifacts",
            Category::InspectCache => "inspect cache",
        }
    }

    /// The short name used by `haul du --clean` (and shown in the TUI), for cleanable ones.
    pub fn clean_name(self) -> Option<&'static str> {
        match self {
            Category::Dangling => Some("dangling"),
            Category::Unused => Some("unused"),
            Category::Download => Some("downloads"),
            Category::InspectCache => Some("inspect-cache"),
            Category::InUse | Category::ImageFile => None,
        }
    }

    pub fn from_clean_name(name: &str) -> Option<Category> {
        Category::ALL
            .into_iter()
            .find(|c| c.clean_name() == Some(name))
    }

    /// Short, for a table column.
    pub fn short(self) -> &'static str {
        match self {
            Category::Dangling => "dangling",
            Category::Unused => "unused",
            Category::InUse => "in use",
            Category::ImageFile => "file",
            Category::Download => "download",
            Category::InspectCache => "cache",
        }
    }
}

/// One thing that takes space.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Item {
    pub category: Category,
    /// Tags (or `<none>`) for an image, the path as shown for a file.
    pub name: String,
    /// The image ID, for a daemon image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The file or folder, for anything on disk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// Bytes (for images: the daemon's size, layers shared with other images included).
    pub size: u64,
    /// Unix seconds: the image's creation, the file's last change.
    pub time: i64,
    /// A short remark: containers using an image, a link's target, a file count.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Item {
    /// True when `haul du --clean` (and the TUI's cleanup) may remove it.
    pub fn cleanable(&self) -> bool {
        self.category.clean_name().is_some()
    }

    /// A stable identity (selection across refreshes).
    pub fn key(&self) -> String {
        match (&self.id, &self.path) {
            (Some(id), _) => id.clone(),
            (None, Some(path)) => path.display().to_string(),
            (None, None) => self.name.clone(),
        }
    }
}

/// Count and bytes of the items of each category that has any.
pub fn totals(items: &[Item]) -> Vec<(Category, usize, u64)> {
    Category::ALL
        .into_iter()
        .filter_map(|c| {
            let (n, bytes) = items
                .iter()
                .filter(|i| i.category == c)
                .fold((0, 0), |(n, b), i| (n + 1, b + i.size));
            (n > 0).then_some((c, n, bytes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_group_by_category_in_report_order() {
        let item = |category, size| Item {
            category,
            name: String::new(),
            id: None,
            path: None,
            size,
            time: 0,
            note: String::new(),
        };
        let items = vec![
            item(Category::Download, 5),
            item(Category::Dangling, 1),
            item(Category::Download, 7),
        ];
        assert_eq!(
            totals(&items),
            vec![(Category::Dangling, 1, 1), (Category::Download, 2, 12)]
        );
        assert_eq!(Category::from_clean_name("unused"), Some(Category::Unused));
        assert_eq!(Category::from_clean_name("in-use"), None);
        assert!(!item(Category::InUse, 1).cleanable());
    }
}
