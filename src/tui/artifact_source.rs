//! Local workflow artifacts for the Artifacts pane, from `haul::artifacts`: every child of the
//! artifact download folder (a zip, a `gh run download` folder, a raw image file) is one row,
//! besides the artifact zips the scan finds in the scan folders.

use std::path::{Path, PathBuf};

use super::state::{FileKind, FoundFile, Stamp};
use crate::archive::ArchiveReport;
use crate::artifacts::{self, LocalArtifact};

/// Where downloaded artifacts are: the cache's `artifacts` folder, also before it exists
/// (the first download from the Artifacts pane makes it).
pub fn roots() -> Vec<PathBuf> {
    artifacts::cache_folder().into_iter().collect()
}

/// One row per child of each root (hidden names are skipped, as the artifacts module does).
pub fn find(roots: &[PathBuf], cwd: &Path) -> Vec<FoundFile> {
    let mut out = Vec::new();
    for root in roots {
        let Ok(listed) = artifacts::list(root) else {
            continue;
        };
        for artifact in listed {
            let stamp = stamp_of(&artifact.path);
            out.push(FoundFile {
                display: super::scan::display_path(&artifact.path, cwd),
                path: artifact.path,
                kind: FileKind::Artifact,
                stamp,
                link: None,
            });
        }
    }
    out
}

/// `gh run download` (and `actions/download-artifact`) write one folder per artifact, holding
/// the artifact's files. Such a folder is recognised by its shape: a folder below a scan folder
/// (not a scan folder itself) with image files directly inside and none in subfolders. Such a
/// folder gets one Artifacts row (inspected by `haul::artifacts`, as any artifact folder); its
/// image files stay Tarballs rows as well.
pub fn group_run_folders(
    found: Vec<FoundFile>,
    scan_folders: &[PathBuf],
    cwd: &Path,
) -> Vec<FoundFile> {
    use std::collections::{BTreeMap, BTreeSet};
    // Folders holding an image file directly, and folders holding one deeper down.
    let mut direct: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut deeper: BTreeSet<PathBuf> = BTreeSet::new();
    for f in found.iter().filter(|f| f.path.is_file()) {
        let Some(parent) = f.path.parent() else {
            continue;
        };
        *direct.entry(parent.to_path_buf()).or_default() += 1;
        for ancestor in parent.ancestors().skip(1) {
            deeper.insert(ancestor.to_path_buf());
        }
    }
    let folders: BTreeSet<PathBuf> = direct
        .into_keys()
        .filter(|d| !deeper.contains(d) && !scan_folders.contains(d))
        .filter(|d| {
            d.file_name()
                .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
        })
        .collect();
    // Additive: the image files stay in Tarballs too, so a plain folder of tarballs that happens
    // to look like a run download loses nothing from the view a user looks in first.
    let mut out = found;
    out.extend(folders.into_iter().map(|dir| FoundFile {
        display: super::scan::display_path(&dir, cwd),
        stamp: stamp_of(&dir),
        path: dir,
        kind: FileKind::Artifact,
        link: None,
    }));
    out
}

/// Size and newest modification time of a file, or of the files of a folder (two levels deep).
fn stamp_of(path: &Path) -> Stamp {
    fn add(path: &Path, depth: usize, stamp: &mut Stamp) {
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        stamp.mtime_ns = stamp.mtime_ns.max(mtime);
        if meta.is_file() {
            stamp.size += meta.len();
        } else if meta.is_dir()
            && depth > 0
            && let Ok(entries) = std::fs::read_dir(path)
        {
            for entry in entries.flatten() {
                add(&entry.path(), depth - 1, stamp);
            }
        }
    }
    let mut stamp = Stamp {
        size: 0,
        mtime_ns: 0,
    };
    add(path, 2, &mut stamp);
    stamp
}

/// Describe an artifact folder as one report: its images, with one entry per image file
/// (the paths the loader takes).
pub fn inspect_folder(path: &Path) -> Result<ArchiveReport, String> {
    let artifact = artifacts::scan_path(path)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "not an artifact".to_string())?;
    combine(&artifact)
}

fn combine(artifact: &LocalArtifact) -> Result<ArchiveReport, String> {
    let mut reports: Vec<ArchiveReport> = artifact
        .images
        .iter()
        .filter_map(|i| {
            let mut report = i.report.clone()?;
            report.path = i.path.clone();
            Some(report)
        })
        .collect();
    let Some(first) = reports.first().cloned() else {
        let reason = artifact
            .error
            .clone()
            .or_else(|| artifact.images.iter().find_map(|i| i.error.clone()))
            .unwrap_or_else(|| "no image tarball in this artifact".to_string());
        return Err(reason);
    };
    if reports.len() == 1 {
        return Ok(reports.remove(0));
    }
    let mut combined = first;
    combined.path = artifact.path.display().to_string();
    combined.file_size = artifact.size;
    combined.images = reports.iter().flat_map(|r| r.images.clone()).collect();
    combined.layer_count = reports.iter().map(|r| r.layer_count).sum();
    combined.layers_size = reports.iter().map(|r| r.layers_size).sum();
    combined.entries = reports;
    Ok(combined)
}

/// The paths a load of this row takes: each entry of a multi-image artifact, the image file
/// of a folder artifact, else the file itself.
pub fn load_paths(file: &Path, report: Option<&ArchiveReport>) -> Vec<PathBuf> {
    match report {
        Some(r) if !r.entries.is_empty() => {
            r.entries.iter().map(|e| PathBuf::from(&e.path)).collect()
        }
        Some(r) if file.is_dir() && !r.path.is_empty() => vec![PathBuf::from(&r.path)],
        _ => vec![file.to_path_buf()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_download_folders_become_one_artifact_each() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for path in [
            "loose.tar",
            "run-7/app-image/app.tar",
            "run-7/app-image/debug.tar.zst",
            "nested/a/b.tar",
            "nested/c.tar",
        ] {
            std::fs::create_dir_all(root.join(path).parent().expect("parent")).expect("mkdir");
            std::fs::write(root.join(path), b"x").expect("write");
        }
        let file = |p: &str| FoundFile {
            path: root.join(p),
            display: p.to_string(),
            kind: FileKind::Tarball,
            stamp: Stamp {
                size: 1,
                mtime_ns: 1,
            },
            link: None,
        };
        let found = [
            "loose.tar",
            "run-7/app-image/app.tar",
            "run-7/app-image/debug.tar.zst",
            "nested/a/b.tar",
            "nested/c.tar",
        ]
        .map(file)
        .to_vec();
        let mut grouped = group_run_folders(found, &[root.to_path_buf()], root);
        grouped.sort_by(|a, b| a.display.cmp(&b.display));
        let shown: Vec<(&str, FileKind)> = grouped
            .iter()
            .map(|f| (f.display.as_str(), f.kind))
            .collect();
        assert_eq!(
            shown,
            [
                ("loose.tar", FileKind::Tarball),
                ("nested/a", FileKind::Artifact),
                ("nested/a/b.tar", FileKind::Tarball),
                ("nested/c.tar", FileKind::Tarball),
                ("run-7/app-image", FileKind::Artifact),
                ("run-7/app-image/app.tar", FileKind::Tarball),
                ("run-7/app-image/debug.tar.zst", FileKind::Tarball),
            ],
            "a scan folder itself is never an artifact, nor a folder with images in subfolders; \
             the files of an artifact folder stay Tarballs rows"
        );
    }

    #[test]
    fn a_folder_artifact_loads_its_image_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let report = |path: &str| ArchiveReport {
            path: path.to_string(),
            format: crate::archive::Format::DockerArchive,
            compression: crate::archive::Compression::None,
            container: crate::archive::Container::Tar,
            file_size: 1,
            entry: None,
            images: Vec::new(),
            layer_count: 0,
            layers_size: 0,
            missing_manifests: 0,
            entries: Vec::new(),
            skipped: Vec::new(),
        };
        let folder = report(&dir.path().join("img.tar").display().to_string());
        assert_eq!(
            load_paths(dir.path(), Some(&folder)),
            vec![dir.path().join("img.tar")]
        );
        let mut zip = report("/a.zip");
        zip.entries = vec![report("/a.zip!x.tar"), report("/a.zip!y.tar")];
        assert_eq!(
            load_paths(Path::new("/a.zip"), Some(&zip)),
            vec![PathBuf::from("/a.zip!x.tar"), PathBuf::from("/a.zip!y.tar")]
        );
        assert_eq!(
            load_paths(Path::new("/b.tar"), None),
            vec![PathBuf::from("/b.tar")]
        );
    }
}
