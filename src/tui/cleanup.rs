//! Removing files and Disk pane items on background threads, with one line for the status bar.

use std::path::PathBuf;

use super::backend::SharedBackend;
use crate::du::{Category, Item};

/// Delete files and folders the user confirmed (links themselves, never their targets).
pub fn remove_files(paths: &[PathBuf]) -> Result<String, String> {
    for path in paths {
        let meta = path
            .symlink_metadata()
            .map_err(|e| format!("cannot delete {}: {e}", crate::escape::path(path)))?;
        if meta.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        }
        .map_err(|e| format!("cannot delete {}: {e}", crate::escape::path(path)))?;
    }
    Ok(match paths {
        [one] => format!("deleted {}", crate::escape::path(one)),
        _ => format!("deleted {}", crate::units::count(paths.len(), "file")),
    })
}

/// Clean up Disk pane items: images through the daemon (each with every tag, skipped when a
/// container uses it now), downloads and the inspect cache where haul keeps them, image files
/// the user marked.
pub async fn clean(backend: SharedBackend, items: Vec<Item>) -> Result<String, String> {
    let (images, files): (Vec<Item>, Vec<Item>) = items.into_iter().partition(|i| i.id.is_some());
    let mut results: Vec<(Item, Result<(), String>)> = Vec::new();
    if !images.is_empty() {
        results.extend(backend.clean_images(images).await?);
    }
    let removed_files = tokio::task::spawn_blocking(move || {
        files
            .into_iter()
            .map(|item| {
                let result = match (&item.category, &item.path) {
                    (Category::ImageFile, Some(path)) => {
                        remove_files(std::slice::from_ref(path)).map(|_| ())
                    }
                    _ => crate::du::remove_file_item(&item),
                };
                (item, result)
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| format!("cleanup stopped: {e}"))?;
    results.extend(removed_files);
    let freed: u64 = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(i, _)| i.size)
        .sum();
    let removed = results.iter().filter(|(_, r)| r.is_ok()).count();
    let errors: Vec<String> = results.into_iter().filter_map(|(_, r)| r.err()).collect();
    let done = format!(
        "removed {}, {} freed",
        crate::units::count(removed, "item"),
        crate::units::bytes(freed)
    );
    match errors.first() {
        None => Ok(done),
        Some(first) => Err(format!("{done}; {} failed: {first}", errors.len())),
    }
}
