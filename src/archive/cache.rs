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

/// Best effort: a cache that cannot be written only costs speed next time.
pub fn store(dir: &Path, key: &Key, report: &ArchiveReport) {
    let file = key.file(dir);
    let Some(folder) = file.parent() else { return };
    if std::fs::create_dir_all(folder).is_err() {
        return;
    }
    let Ok(json) = serde_json::to_vec(report) else {
        return;
    };
    let Ok(mut tmp) = tempfile::NamedTempFile::new_in(folder) else {
        return;
    };
    if std::io::Write::write_all(&mut tmp, &json).is_ok() {
        let _ = tmp.persist(&file);
    }
}
