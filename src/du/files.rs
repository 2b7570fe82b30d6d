//! Files: image files found in the scan folders, haul's downloads and inspect cache.

use std::path::{Path, PathBuf};

use super::{Category, Item};

/// Bytes of a file, or of everything below a folder (symlinks not followed).
pub fn size_of(path: &Path) -> u64 {
    let Ok(meta) = path.symlink_metadata() else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|entries| entries.flatten().map(|e| size_of(&e.path())).sum())
        .unwrap_or(0)
}

fn mtime(path: &Path) -> i64 {
    path.symlink_metadata()
        .ok()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() as i64)
}

/// An image file found in a scan folder (shown as `display`).
pub fn file_item(path: &Path, display: &str, note: String) -> Item {
    Item {
        category: Category::ImageFile,
        name: display.to_string(),
        id: None,
        path: Some(path.to_path_buf()),
        size: size_of(path),
        time: mtime(path),
        note,
    }
}

/// haul's downloads (one item per file or folder in `<cache>/artifacts`) and its inspect
/// cache (one item for `<cache>/inspect`, when it holds reports).
pub fn cache_items() -> Vec<Item> {
    let mut items = Vec::new();
    if let Some(downloads) = crate::artifacts::cache_folder()
        && let Ok(entries) = std::fs::read_dir(&downloads)
    {
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            items.push(Item {
                category: Category::Download,
                name: path.display().to_string(),
                id: None,
                size: size_of(&path),
                time: mtime(&path),
                path: Some(path),
                note: String::new(),
            });
        }
    }
    if let Some(folder) = inspect_folder() {
        let reports = reports_in(&folder);
        if !reports.is_empty() {
            items.push(Item {
                category: Category::InspectCache,
                name: folder.display().to_string(),
                id: None,
                size: reports.iter().map(|p| size_of(p)).sum(),
                time: mtime(&folder),
                note: crate::units::count(reports.len(), "report"),
                path: Some(folder),
            });
        }
    }
    items.sort_by(|a, b| a.category.cmp(&b.category).then(b.size.cmp(&a.size)));
    items
}

fn inspect_folder() -> Option<PathBuf> {
    crate::paths::cache_dir().map(|d| d.join("inspect"))
}

/// The cached reports: `*.json` files directly in the folder, nothing else.
fn reports_in(folder: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default()
}

/// Remove a download or the inspect cache, only where haul keeps them: a download must be
/// directly inside `<cache>/artifacts`; the inspect cache loses its `*.json` reports only.
pub fn remove_file_item(item: &Item) -> Result<(), String> {
    let Some(path) = &item.path else {
        return Err(format!("{}: not a file", item.name));
    };
    let shown = crate::escape::path(path);
    match item.category {
        Category::Download => {
            let inside = crate::artifacts::cache_folder()
                .is_some_and(|root| path.parent() == Some(root.as_path()));
            if !inside {
                return Err(format!("{shown}: not in haul's download folder; kept"));
            }
            let meta = path
                .symlink_metadata()
                .map_err(|e| format!("{shown}: {e}"))?;
            if meta.is_dir() {
                std::fs::remove_dir_all(path)
            } else {
                std::fs::remove_file(path)
            }
            .map_err(|e| format!("cannot delete {shown}: {e}"))
        }
        Category::InspectCache => {
            if inspect_folder().as_deref() != Some(path.as_path()) {
                return Err(format!("{shown}: not haul's inspect cache; kept"));
            }
            for report in reports_in(path) {
                std::fs::remove_file(&report)
                    .map_err(|e| format!("cannot delete {}: {e}", crate::escape::path(&report)))?;
            }
            Ok(())
        }
        _ => Err(format!("{}: not cleaned by haul", item.name)),
    }
}
