//! Partial files: everything haul writes goes to a temporary file in the destination folder,
//! named `.haul-<what>-<pid>-<random>.partial`, and is renamed into place only when complete.
//! The owner's pid in the name lets any later run tell a partial whose writer was killed
//! (SIGKILL, a power cut) from one still being written, and remove it.

use std::path::Path;

use tempfile::NamedTempFile;

const PREFIX: &str = ".haul-";
const SUFFIX: &str = ".partial";

/// A new partial file in `dir` for `what` (`save`, `download`, `extract`). Writers call
/// [`remove_stale`] once per folder before writing.
pub fn create(dir: &Path, what: &str) -> std::io::Result<NamedTempFile> {
    tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{what}-{}-", std::process::id()))
        .suffix(SUFFIX)
        .tempfile_in(dir)
}

/// Write `bytes` as the whole file `path` (its folder created if needed): through a partial
/// file for `what` in the same folder, renamed into place once written.
pub fn write_whole(path: &Path, what: &str, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("a file path without a folder"))?;
    std::fs::create_dir_all(dir)?;
    let mut partial = create(dir, what)?;
    std::io::Write::write_all(&mut partial, bytes)?;
    partial.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The owner pid a partial file's name carries, if it is one of haul's.
pub fn owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let mut parts = rest.split('-');
    let _what = parts.next()?;
    parts.next()?.parse().ok()
}

/// True when a process with this pid exists (ours or another user's).
pub fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 only checks that the process exists; no signal is sent.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Remove the partial files in `dir` whose owner is gone. Best effort; returns how many went.
pub fn remove_stale(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = owner(&name.to_string_lossy()) else {
            continue;
        };
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && !alive(pid) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partials_carry_their_owner_and_stale_ones_go() {
        let dir = tempfile::tempdir().unwrap();
        let mine = create(dir.path(), "save").unwrap();
        let name = mine
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert_eq!(owner(&name), Some(std::process::id()));
        // A partial of a process that cannot exist (pid beyond pid_max), and an unrelated file.
        let dead = dir.path().join(".haul-save-99999999-abc.partial");
        std::fs::write(&dead, b"x").unwrap();
        std::fs::write(dir.path().join("keep.tar"), b"x").unwrap();
        assert_eq!(remove_stale(dir.path()), 1);
        assert!(!dead.exists());
        assert!(mine.path().exists(), "a live owner's partial stays");
        assert!(dir.path().join("keep.tar").exists());
        assert_eq!(owner(".haul-download-12-x.partial"), Some(12));
        assert_eq!(owner("image.tar"), None);
    }
}
