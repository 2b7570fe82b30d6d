//! Where a save may write: the one compression rule for a destination's name, and the check
//! that nothing is replaced and no folder made without a confirmation (`--force`, or a yes in
//! the TUI).

use std::path::{Path, PathBuf};

use super::SaveCompression;

impl SaveCompression {
    /// The one rule for a destination's name, in the CLI and the TUI alike: `.tar.gz`/`.tgz`
    /// (any `.gz`) gzip, `.tar.zst`/`.tzst` (any `.zst`) zstd, anything else plain.
    pub fn for_path(path: &Path) -> SaveCompression {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if name.ends_with(".gz") || name.ends_with(".tgz") {
            SaveCompression::Gzip
        } else if name.ends_with(".zst") || name.ends_with(".tzst") {
            SaveCompression::Zstd
        } else {
            SaveCompression::None
        }
    }

    /// An explicit choice wins; else the destination's name decides.
    pub fn choose(explicit: Option<SaveCompression>, dest: &Path) -> SaveCompression {
        explicit.unwrap_or_else(|| SaveCompression::for_path(dest))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SaveCompression::None => "none",
            SaveCompression::Gzip => "gzip",
            SaveCompression::Zstd => "zstd",
        }
    }
}

/// Why a destination needs a confirmation before a save writes there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Destination {
    #[error("folder {} does not exist", crate::escape::path(.0))]
    MissingFolder(PathBuf),
    #[error("{} already exists", crate::escape::path(.0))]
    Exists(PathBuf),
    #[error("{} is a folder", crate::escape::path(.0))]
    IsFolder(PathBuf),
}

/// Check `dest` before a save: its folder must exist and nothing may be there yet, unless the
/// user confirmed (`--force`, or yes in the TUI). A folder is never replaced.
pub fn check_destination(dest: &Path) -> Result<(), Destination> {
    if dest.is_dir() {
        return Err(Destination::IsFolder(dest.to_path_buf()));
    }
    let dir = folder_of(dest);
    if !dir.is_dir() {
        return Err(Destination::MissingFolder(dir));
    }
    if dest.symlink_metadata().is_ok() {
        return Err(Destination::Exists(dest.to_path_buf()));
    }
    Ok(())
}

pub(super) fn folder_of(dest: &Path) -> PathBuf {
    match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_compression_rule_explicit_then_the_name() {
        let c = |name: &str| SaveCompression::for_path(Path::new(name));
        assert_eq!(c("/x/a.tar.gz"), SaveCompression::Gzip);
        assert_eq!(c("a.TGZ"), SaveCompression::Gzip);
        assert_eq!(c("a.tar.zst"), SaveCompression::Zstd);
        assert_eq!(c("a.tar"), SaveCompression::None);
        assert_eq!(
            SaveCompression::choose(Some(SaveCompression::None), Path::new("a.tar.gz")),
            SaveCompression::None
        );
    }

    #[test]
    fn destinations_that_need_a_confirmation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fresh = dir.path().join("a.tar");
        assert_eq!(check_destination(&fresh), Ok(()));
        std::fs::write(&fresh, b"x").expect("write");
        assert_eq!(
            check_destination(&fresh),
            Err(Destination::Exists(fresh.clone()))
        );
        let deep = dir.path().join("no/such/b.tar");
        assert_eq!(
            check_destination(&deep),
            Err(Destination::MissingFolder(dir.path().join("no/such")))
        );
        assert_eq!(
            check_destination(dir.path()),
            Err(Destination::IsFolder(dir.path().to_path_buf()))
        );
    }
}
