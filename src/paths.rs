//! Where haul keeps its files: config, cache and data folders from `directories`.
//! `HAUL_CONFIG_DIR`, `HAUL_CACHE_DIR` and `HAUL_DATA_DIR` override them (tests, portable installs).

use std::path::PathBuf;

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "haul")
}

fn from_env_or(
    var: &str,
    pick: impl FnOnce(&directories::ProjectDirs) -> PathBuf,
) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    project_dirs().map(|d| pick(&d))
}

pub fn config_dir() -> Option<PathBuf> {
    from_env_or("HAUL_CONFIG_DIR", |d| d.config_dir().to_path_buf())
}

pub fn cache_dir() -> Option<PathBuf> {
    from_env_or("HAUL_CACHE_DIR", |d| d.cache_dir().to_path_buf())
}

pub fn data_dir() -> Option<PathBuf> {
    from_env_or("HAUL_DATA_DIR", |d| d.data_dir().to_path_buf())
}

/// The user's download folder, where browsers and `gh run download` usually put artifacts.
pub fn download_dir() -> Option<PathBuf> {
    directories::UserDirs::new().and_then(|u| u.download_dir().map(|p| p.to_path_buf()))
}
