//! Layer scans of analysed images, cached by image (config digest, or the daemon's image ID)
//! in haul's cache folder: a second look at an image is instant. Bounded in size: the least
//! recently used entries go first. Written under a temporary name, then renamed.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::LayerScan;
use crate::archive::ImageInfo;

/// Bump when [`Entry`] or the scan format changes, so old entries are ignored.
const VERSION: u32 = 1;
/// Upper bound on the folder's size (about 100 images of 20,000 files).
const LIMIT_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
pub struct Entry {
    pub version: u32,
    pub image: ImageInfo,
    pub scans: Vec<LayerScan>,
}

fn folder(dir: &Path) -> PathBuf {
    dir.join("contents")
}

fn file(dir: &Path, image_id: &str) -> Option<PathBuf> {
    let hex = crate::digest::hex_part(image_id);
    let ok = !hex.is_empty() && hex.len() <= 128 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| folder(dir).join(format!("{hex}.json")))
}

pub fn load(dir: &Path, image_id: &str) -> Option<Entry> {
    let path = file(dir, image_id)?;
    let bytes = std::fs::read(&path).ok()?;
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    if entry.version != VERSION {
        return None;
    }
    // Recently used: the last to go when the folder is trimmed.
    if let Ok(f) = std::fs::File::options().append(true).open(&path) {
        let _ = f.set_modified(std::time::SystemTime::now());
    }
    Some(entry)
}

/// Best effort: a cache that cannot be written only costs time next time.
pub fn store(dir: &Path, image_ids: &[&str], image: &ImageInfo, scans: &[LayerScan]) {
    let folder = folder(dir);
    if std::fs::create_dir_all(&folder).is_err() {
        return;
    }
    #[derive(Serialize)]
    struct EntryRef<'a> {
        version: u32,
        image: &'a ImageInfo,
        scans: &'a [LayerScan],
    }
    let entry = EntryRef {
        version: VERSION,
        image,
        scans,
    };
    let Ok(json) = serde_json::to_vec(&entry) else {
        return;
    };
    for id in image_ids {
        let Some(path) = file(dir, id) else { continue };
        if crate::partial::write_whole(&path, "cache", &json).is_err() {
            return;
        }
    }
    trim(&folder, LIMIT_BYTES);
}

/// Identifies a file source whose listing costs a pass (a compressed tar, a deflated zip
/// entry) by path, entry, size and modification time: a changed file simply misses.
pub struct SourceKey(String);

pub fn source_key(path: &Path) -> Option<SourceKey> {
    let target = crate::archive::Target::parse(path);
    let file = std::fs::canonicalize(&target.file).ok()?;
    let meta = std::fs::metadata(&file).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let text = format!(
        "v{VERSION}\0{}\0{}\0{}\0{}",
        file.display(),
        target.entry.unwrap_or_default(),
        meta.len(),
        mtime.as_nanos()
    );
    let digest = crate::digest::sha256_of(text.as_bytes());
    Some(SourceKey(crate::digest::hex_part(&digest).to_string()))
}

fn source_file(dir: &Path, key: &SourceKey) -> PathBuf {
    folder(dir).join("sources").join(format!("{}.json", key.0))
}

/// The images a streamed source holds, as its last analysis listed them.
pub fn load_source(dir: &Path, key: &SourceKey) -> Option<Vec<ImageInfo>> {
    serde_json::from_slice(&std::fs::read(source_file(dir, key)).ok()?).ok()
}

pub fn store_source(dir: &Path, key: &SourceKey, images: &[ImageInfo]) {
    if let Ok(json) = serde_json::to_vec(images) {
        let _ = crate::partial::write_whole(&source_file(dir, key), "cache", &json);
    }
}

/// Delete the least recently used entries until the folder holds at most `limit` bytes.
fn trim(folder: &Path, limit: u64) {
    let Ok(read) = std::fs::read_dir(folder) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = read
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            let is_entry = e.path().extension().is_some_and(|x| x == "json");
            let modified = meta.modified().ok()?;
            (meta.is_file() && is_entry).then(|| (modified, meta.len(), e.path()))
        })
        .collect();
    let mut size: u64 = files.iter().map(|f| f.1).sum();
    files.sort();
    for (_, len, path) in files {
        if size <= limit {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            size -= len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_loads_and_trims_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let image = ImageInfo {
            id: "sha256:aa".into(),
            ..Default::default()
        };
        let scans = vec![LayerScan::default()];
        store(dir.path(), &["sha256:aa", "sha256:bb"], &image, &scans);
        assert_eq!(load(dir.path(), "sha256:bb").unwrap().scans, scans);
        assert!(load(dir.path(), "sha256:cc").is_none());
        assert!(
            load(dir.path(), "../etc/passwd").is_none(),
            "never a path outside"
        );
        trim(&folder(dir.path()), 0);
        assert!(load(dir.path(), "sha256:aa").is_none());
    }
}
