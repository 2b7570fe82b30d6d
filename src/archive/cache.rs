//! Cache of reports for compressed archives, whose listing costs a full decompression.
//! Keyed by path, entry, size and mtime; a changed file simply misses.

use std::fs::Metadata;
use std::path::{Path, PathBuf};

use super::ArchiveReport;

/// Bump when the report format changes, so old entries are ignored.
const VERSION: u32 = 2;

pub struct Key(String);

impl Key {
    pub fn new(file: &Path, entry: Option<&str>, meta: &Metadata) -> Option<Key> {
        let path = std::fs::canonicalize(file).ok()?;
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        let text = format!(
            "v{VERSION}\0{}\0{}\0{}\0{}",
            path.display(),
            entry.unwrap_or(""),
            meta.len(),
            mtime.as_nanos()
        );
        Some(Key(crate::digest::hex_part(&crate::digest::sha256_of(
            text.as_bytes(),
        ))
        .to_string()))
    }

    fn file(&self, dir: &Path) -> PathBuf {
        dir.join("inspect").join(format!("{}.json", self.0))
    }
}

pub fn load(dir: &Path, key: &Key) -> Option<ArchiveReport> {
    let bytes = std::fs::read(key.file(dir)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Reports kept at most; past this the oldest go (a hostile zip of many entries cannot fill
/// the disk with them).
pub const MAX_REPORTS: usize = 512;
/// A report bigger than this is not cached (it would be a hostile one).
pub const MAX_REPORT_BYTES: usize = 4 * 1024 * 1024;

/// Best effort: a cache that cannot be written only costs speed next time. Bounded: at most
/// [`MAX_REPORTS`] reports of at most [`MAX_REPORT_BYTES`] each.
pub fn store(dir: &Path, key: &Key, report: &ArchiveReport) {
    let file = key.file(dir);
    let Some(folder) = file.parent() else { return };
    if std::fs::create_dir_all(folder).is_err() {
        return;
    }
    let Ok(json) = serde_json::to_vec(report) else {
        return;
    };
    if json.len() > MAX_REPORT_BYTES {
        return;
    }
    prune(folder, MAX_REPORTS - 1);
    let _ = crate::partial::write_whole(&file, "cache", &json);
}

/// Keep at most `keep` reports in `folder`, removing the least recently written.
fn prune(folder: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut reports: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if reports.len() <= keep {
        return;
    }
    reports.sort();
    let excess = reports.len() - keep;
    for (_, path) in reports.into_iter().take(excess) {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_a_bounded_number_of_reports() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("inspect");
        std::fs::create_dir_all(&folder).unwrap();
        for i in 0..10 {
            std::fs::write(folder.join(format!("{i}.json")), b"{}").unwrap();
        }
        prune(&folder, 4);
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 4);
    }
}
