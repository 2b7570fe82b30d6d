//! Artifacts on disk, recognised by content: artifact zips, `gh run download` folders and raw
//! single-file artifacts. Image tarballs inside are found by sniffing first bytes and then
//! described by the archive engine, without extracting anything.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::error::ArtifactError;
use super::model::{ArtifactImage, ArtifactKind, LocalArtifact};
use crate::archive::probe::{self, Probed, Verdict};
use crate::archive::{self, Compression, SkippedEntry};

/// How deep a folder artifact is walked, and how many files are looked at.
const MAX_DEPTH: usize = 8;
const MAX_FILES: usize = 10_000;

/// Where haul looks for local artifacts by default: the cache's `artifacts` folder
/// (where downloads go). Locations that do not exist are left out.
pub fn default_locations() -> Vec<PathBuf> {
    super::cache_folder()
        .into_iter()
        .filter(|p| p.is_dir())
        .collect()
}

/// The artifacts in `dir`, with their images described by the archive engine.
/// Each zip or image file in `dir` is one artifact, each subfolder is one (the layout of
/// `gh run download` and `actions/download-artifact`); other files and hidden names are skipped.
/// Slow for big compressed images (the engine decompresses them): call it off the UI thread.
pub fn scan(dir: &Path) -> Result<Vec<LocalArtifact>, ArtifactError> {
    scan_with_cache(dir, crate::paths::cache_dir().as_deref())
}

/// [`scan`] with the archive engine's cache folder given (`None`: no cache).
pub fn scan_with_cache(
    dir: &Path,
    cache_dir: Option<&Path>,
) -> Result<Vec<LocalArtifact>, ArtifactError> {
    let mut artifacts = list(dir)?;
    for artifact in &mut artifacts {
        inspect_images(artifact, cache_dir);
    }
    Ok(artifacts)
}

/// Like [`scan`], but only sniffs: no image is described (`report` stays empty). Fast.
pub fn list(dir: &Path) -> Result<Vec<LocalArtifact>, ArtifactError> {
    let mut artifacts = Vec::new();
    for path in sorted_children(dir)? {
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            artifacts.push(folder_artifact(&path));
        } else if meta.is_file() {
            match file_artifact(&path) {
                Ok(Some(artifact)) => artifacts.push(artifact),
                Ok(None) => {}
                Err(e) => artifacts.push(failed(&path, ArtifactKind::Raw, e.to_string())),
            }
        }
    }
    Ok(artifacts)
}

/// One path as one artifact: a folder (every image inside), an artifact zip or a raw image
/// file, with images described. `None` for a file that is neither a zip nor an image tarball.
pub fn scan_path(path: &Path) -> Result<Option<LocalArtifact>, ArtifactError> {
    scan_path_with_cache(path, crate::paths::cache_dir().as_deref())
}

/// [`scan_path`] with the archive engine's cache folder given (`None`: no cache).
pub fn scan_path_with_cache(
    path: &Path,
    cache_dir: Option<&Path>,
) -> Result<Option<LocalArtifact>, ArtifactError> {
    let meta = fs::metadata(path).map_err(|e| ArtifactError::io(path, e))?;
    let artifact = if meta.is_dir() {
        Some(folder_artifact(path))
    } else {
        file_artifact(path)?
    };
    Ok(artifact.map(|mut a| {
        inspect_images(&mut a, cache_dir);
        a
    }))
}

/// What to load after a download (the TUI's `l` and `download --load`): the artifact at `path`
/// and the paths of its loadable images (`file.zip!entry`), or why there are none.
pub fn images_to_load(path: &Path) -> Result<(LocalArtifact, Vec<PathBuf>), ArtifactError> {
    let artifact =
        scan_path(path)?.ok_or_else(|| ArtifactError::NotAnArtifact(path.to_path_buf()))?;
    let paths = artifact.load_paths()?;
    Ok((artifact, paths))
}

/// Ask the archive engine about each image not already refused. Entries the engine says are
/// not image archives at all (a tar of sources, say) are dropped; other failures are kept.
pub fn inspect_images(artifact: &mut LocalArtifact, cache_dir: Option<&Path>) {
    let artifact_skipped = &mut artifact.skipped;
    artifact.images.retain_mut(|image| {
        if image.error.is_some() || image.report.is_some() {
            return true;
        }
        match archive::inspect_with_cache(Path::new(&image.path), cache_dir) {
            Ok(report) => image.report = Some(report),
            Err(e) if probe::is_not_an_image(&e.problem) => {
                artifact_skipped.push(SkippedEntry {
                    entry: image.entry.clone(),
                    reason: e.problem.to_string(),
                });
                return false;
            }
            Err(e) => image.error = Some(crate::escape::text(&e.problem.to_string()).into_owned()),
        }
        true
    });
}

fn sorted_children(dir: &Path) -> Result<Vec<PathBuf>, ArtifactError> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| ArtifactError::io(dir, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| !is_hidden(p))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Hidden names are skipped, which also hides haul's own partial downloads (`.haul-*`).
fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn file_artifact(path: &Path) -> Result<Option<LocalArtifact>, ArtifactError> {
    let size = fs::metadata(path)
        .map_err(|e| ArtifactError::io(path, e))?
        .len();
    let file = File::open(path).map_err(|e| ArtifactError::io(path, e))?;
    let probed = probe::probe(file).map_err(|e| ArtifactError::io(path, e))?;
    let name = file_name(path);
    let artifact = match probed {
        Probed::Zip => {
            let (images, skipped, error) = match zip_images(path, "") {
                Ok((images, skipped)) => (images, skipped, None),
                Err(e) => (Vec::new(), Vec::new(), Some(e)),
            };
            LocalArtifact {
                name: strip_zip_suffix(&name).to_string(),
                path: path.to_path_buf(),
                kind: ArtifactKind::Zip,
                size,
                images,
                error,
                skipped,
            }
        }
        Probed::Tar(compression) => LocalArtifact {
            images: vec![ArtifactImage {
                entry: name.clone(),
                path: path.display().to_string(),
                size,
                compression,
                report: None,
                error: None,
            }],
            name,
            path: path.to_path_buf(),
            kind: ArtifactKind::Raw,
            size,
            error: None,
            skipped: Vec::new(),
        },
        Probed::Layout | Probed::Other(_) => return Ok(None),
    };
    Ok(Some(artifact))
}

/// The artifact name of a zip: its file name without a `.zip` suffix (naming only; the
/// content decided that it is a zip).
fn strip_zip_suffix(name: &str) -> &str {
    let cut = name.len().saturating_sub(4);
    match name.get(cut..) {
        Some(ext) if cut > 0 && ext.eq_ignore_ascii_case(".zip") => &name[..cut],
        _ => name,
    }
}

fn failed(path: &Path, kind: ArtifactKind, error: String) -> LocalArtifact {
    LocalArtifact {
        name: file_name(path),
        path: path.to_path_buf(),
        kind,
        size: 0,
        images: Vec::new(),
        error: Some(error),
        skipped: Vec::new(),
    }
}

/// A folder of extracted artifact files: every image tarball in it (and in zips inside it),
/// walked without following symlinks.
fn folder_artifact(dir: &Path) -> LocalArtifact {
    let mut artifact = LocalArtifact {
        name: file_name(dir),
        path: dir.to_path_buf(),
        kind: ArtifactKind::Folder,
        size: 0,
        images: Vec::new(),
        error: None,
        skipped: Vec::new(),
    };
    let mut seen = 0;
    if let Err(e) = walk(dir, "", 0, &mut seen, &mut artifact) {
        artifact.error = Some(e.to_string());
    } else if seen > MAX_FILES {
        artifact.error = Some(format!(
            "more than {MAX_FILES} files: only the first {MAX_FILES} were looked at"
        ));
    }
    artifact
}

fn walk(
    dir: &Path,
    prefix: &str,
    depth: usize,
    seen: &mut usize,
    artifact: &mut LocalArtifact,
) -> Result<(), ArtifactError> {
    for path in sorted_children(dir)? {
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let rel = format!("{prefix}{}", file_name(&path));
        if meta.is_dir() && depth < MAX_DEPTH {
            walk(&path, &format!("{rel}/"), depth + 1, seen, artifact)?;
        } else if meta.is_file() {
            *seen += 1;
            if *seen <= MAX_FILES {
                artifact.size += meta.len();
                folder_file(&path, &rel, meta.len(), artifact);
            }
        }
    }
    Ok(())
}

fn folder_file(path: &Path, rel: &str, size: u64, artifact: &mut LocalArtifact) {
    let image = |compression, error| ArtifactImage {
        entry: rel.to_string(),
        path: path.display().to_string(),
        size,
        compression,
        report: None,
        error,
    };
    match File::open(path).and_then(probe::probe) {
        Ok(Probed::Tar(compression)) => artifact.images.push(image(compression, None)),
        Ok(Probed::Zip) => match zip_images(path, &format!("{rel}!")) {
            Ok((images, skipped)) => {
                artifact.images.extend(images);
                artifact.skipped.extend(skipped);
            }
            Err(e) => artifact.images.push(image(Compression::None, Some(e))),
        },
        Ok(Probed::Layout | Probed::Other(_)) => {}
        Err(e) => artifact
            .images
            .push(image(Compression::None, Some(format!("cannot read: {e}")))),
    }
}

/// The image entries of the zip at `path` (refused and unreadable ones with their error) and the
/// entries skipped as not image tarballs. `shown` prefixes entry names (a zip inside a folder).
fn zip_images(path: &Path, shown: &str) -> Result<(Vec<ArtifactImage>, Vec<SkippedEntry>), String> {
    let entries =
        probe::zip_entries(path).map_err(|e| crate::escape::text(&e.to_string()).into_owned())?;
    let mut images = Vec::new();
    let mut skipped = Vec::new();
    for entry in entries {
        let shown_name = format!("{shown}{}", entry.name);
        let image = |compression, error| ArtifactImage {
            entry: shown_name.clone(),
            path: format!("{}!{}", path.display(), entry.name),
            size: entry.size,
            compression,
            report: None,
            error,
        };
        match entry.verdict {
            Verdict::Image { compression, .. } => images.push(image(compression, None)),
            Verdict::Refused(why) => images.push(image(Compression::None, Some(why))),
            Verdict::Skipped(reason) => skipped.push(SkippedEntry {
                entry: shown_name,
                reason,
            }),
        }
    }
    Ok((images, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_names_lose_only_a_zip_suffix() {
        assert_eq!(strip_zip_suffix("image.zip"), "image");
        assert_eq!(strip_zip_suffix("image.ZIP"), "image");
        assert_eq!(strip_zip_suffix("image"), "image");
        assert_eq!(strip_zip_suffix(".zip"), ".zip");
        assert_eq!(strip_zip_suffix("a.tar"), "a.tar");
    }

    #[test]
    fn hidden_names_are_skipped() {
        assert!(is_hidden(Path::new("/x/.haul-download-1")));
        assert!(!is_hidden(Path::new("/x/image.zip")));
    }
}
