//! Finding image files: walk the scan folders, recognise image tarballs by their first bytes,
//! poll cheaply (size + mtime) and inspect only what changed, on blocking threads.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{Receiver, UnboundedSender};

use super::app::Msg;
use super::state::{FileKind, FoundFile, Stamp};

/// Folders never worth descending into.
const SKIP_DIRS: &[&str] = &[
    "node_modules",
    "target",
    "proc",
    "sys",
    "dev",
    "__pycache__",
];
/// Stop walking after this many directory entries, so a scan of `~` stays cheap.
const MAX_ENTRIES: usize = 50_000;
/// How often the folders are polled for changes.
pub const POLL: Duration = Duration::from_secs(2);
/// Inspections running at once.
const INSPECTORS: usize = 2;

/// What a file is for the TUI, from [`crate::archive::probe`]: a tar (plain or compressed) is a
/// tarball; a zip is an artifact when it holds an image tarball, or an entry refused or
/// unreadable, or cannot be read at all (truncated, hostile): those are shown with their error.
pub fn sniff(path: &Path) -> Option<FileKind> {
    use crate::archive::probe::{self, Probed, Verdict};
    match probe::probe_path(path).ok()? {
        Probed::Tar(_) => Some(FileKind::Tarball),
        Probed::Zip => match probe::zip_entries(path) {
            Err(_) => Some(FileKind::Artifact),
            Ok(entries) => entries
                .iter()
                .any(|e| !matches!(e.verdict, Verdict::Skipped(_)))
                .then_some(FileKind::Artifact),
        },
        Probed::Layout | Probed::Other(_) => None,
    }
}

fn stamp_of(meta: &std::fs::Metadata) -> Stamp {
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Stamp {
        size: meta.len(),
        mtime_ns,
    }
}

/// The walker, with a cache of sniff results by path and stamp.
pub struct Scanner {
    folders: Vec<PathBuf>,
    /// Folders whose every child is one artifact (the artifact download folder).
    artifact_roots: Vec<PathBuf>,
    depth: usize,
    cwd: PathBuf,
    cache: HashMap<PathBuf, (Stamp, Option<FileKind>)>,
}

impl Scanner {
    pub fn new(folders: Vec<PathBuf>, depth: usize, cwd: PathBuf) -> Scanner {
        Scanner {
            folders,
            artifact_roots: Vec::new(),
            depth,
            cwd,
            cache: HashMap::new(),
        }
    }

    pub fn with_artifact_roots(mut self, roots: Vec<PathBuf>) -> Scanner {
        self.artifact_roots = roots;
        self
    }

    /// Walk every folder; sniff only files that are new or changed since the last scan.
    pub fn scan(&mut self) -> Vec<FoundFile> {
        let mut seen: BTreeMap<PathBuf, Stamp> = BTreeMap::new();
        let mut budget = MAX_ENTRIES;
        for folder in self.folders.clone() {
            walk(&folder, self.depth, &mut budget, &mut seen);
        }
        self.cache.retain(|p, _| seen.contains_key(p));
        let in_roots = super::artifact_source::find(&self.artifact_roots, &self.cwd);
        let listed: std::collections::HashSet<PathBuf> =
            in_roots.iter().map(|f| f.path.clone()).collect();
        let mut out = Vec::new();
        seen.retain(|path, _| {
            !listed.contains(path) && !listed.iter().any(|a| path.starts_with(a))
        });
        for (path, stamp) in seen {
            let kind = match self.cache.get(&path) {
                Some((s, kind)) if *s == stamp => *kind,
                _ => {
                    let kind = if path.is_dir() {
                        Some(FileKind::Tarball)
                    } else {
                        sniff(&path)
                    };
                    self.cache.insert(path.clone(), (stamp, kind));
                    kind
                }
            };
            if let Some(kind) = kind {
                let display = display_path(&path, &self.cwd);
                let link = path
                    .symlink_metadata()
                    .is_ok_and(|m| m.file_type().is_symlink())
                    .then(|| std::fs::read_link(&path).ok())
                    .flatten();
                out.push(FoundFile {
                    path,
                    display,
                    kind,
                    stamp,
                    link,
                });
            }
        }
        let mut out = super::artifact_source::group_run_folders(out, &self.folders, &self.cwd);
        out.extend(in_roots);
        out.sort_by(|a, b| a.display.cmp(&b.display));
        out
    }
}

pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = match path.strip_prefix(cwd) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => super::format::tilde(path),
    };
    crate::escape::text(&shown).into_owned()
}

fn walk(dir: &Path, depth: usize, budget: &mut usize, seen: &mut BTreeMap<PathBuf, Stamp>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Links to folders are not followed (no loops); a link to a file is listed under its
        // own name (and marked as a link); unreadable entries are skipped.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_symlink() {
            if let Ok(meta) = std::fs::metadata(&path)
                && meta.is_file()
                && meta.len() >= 32
            {
                seen.insert(path, stamp_of(&meta));
            }
            continue;
        }
        if kind.is_dir() {
            if name.starts_with('.') || SKIP_DIRS.contains(&name.as_ref()) {
                continue;
            }
            let layout = path.join("oci-layout");
            if layout.is_file() && path.join("index.json").is_file() {
                if let Ok(meta) = std::fs::metadata(path.join("index.json")) {
                    seen.insert(path, stamp_of(&meta));
                }
                continue;
            }
            if depth > 0 {
                walk(&path, depth - 1, budget, seen);
            }
        } else if kind.is_file()
            && let Ok(meta) = entry.metadata()
            && meta.len() >= 32
        {
            seen.insert(path, stamp_of(&meta));
        }
    }
}

/// Error text without the leading `path: ` (the row already shows the file).
fn without_path(text: &str, path: &Path) -> String {
    // Errors are escaped when displayed: strip the path as it was escaped.
    let prefix = format!("{}: ", crate::escape::path(path));
    let text = crate::escape::text(text);
    text.strip_prefix(&prefix).unwrap_or(&text).to_string()
}

/// Commands for the scanner task.
#[derive(Debug, Clone, Copy)]
pub enum ScanCmd {
    /// Rescan now and re-inspect every file.
    Refresh,
}

/// Run the poller: sends [`Msg::Scanned`] when the set of files changes and
/// [`Msg::Inspected`] for each new or changed file. Ends when `commands` closes.
pub async fn run(mut scanner: Scanner, mut commands: Receiver<ScanCmd>, tx: UnboundedSender<Msg>) {
    let limit = Arc::new(tokio::sync::Semaphore::new(INSPECTORS));
    let mut last: Vec<FoundFile> = Vec::new();
    let mut force = true;
    loop {
        let Ok((back, found)) = tokio::task::spawn_blocking(move || {
            let found = scanner.scan();
            (scanner, found)
        })
        .await
        else {
            let _ = tx.send(Msg::Scanned(Err(
                "the folder scan stopped unexpectedly".into()
            )));
            return;
        };
        scanner = back;
        if force || found != last {
            if tx.send(Msg::Scanned(Ok(found.clone()))).is_err() {
                return;
            }
            // What makes a file need another inspect (a set: thousands of files stay linear).
            let key = |f: &FoundFile| (f.path.clone(), f.stamp, f.kind, f.link.clone());
            let seen: std::collections::HashSet<_> = last.iter().map(key).collect();
            let changed = |f: &&FoundFile| force || !seen.contains(&key(f));
            for file in found.iter().filter(changed) {
                let (file, tx, limit) = (file.clone(), tx.clone(), limit.clone());
                tokio::spawn(async move {
                    let Ok(_permit) = limit.acquire_owned().await else {
                        return;
                    };
                    let path = file.path.clone();
                    let result = tokio::task::spawn_blocking(move || {
                        if path.is_dir() && !path.join("oci-layout").is_file() {
                            return super::artifact_source::inspect_folder(&path).map(Box::new);
                        }
                        crate::archive::inspect(&path)
                            .map(Box::new)
                            .map_err(|e| without_path(&e.to_string(), &path))
                    })
                    .await
                    .unwrap_or_else(|e| Err(format!("inspection crashed: {e}")));
                    let _ = tx.send(Msg::Inspected { file, result });
                });
            }
            last = found;
        }
        force = false;
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            cmd = commands.recv() => match cmd {
                Some(ScanCmd::Refresh) => force = true,
                None => return,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_bytes() -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_ustar();
        header.set_size(4);
        header.set_cksum();
        builder
            .append_data(&mut header, "manifest.json", &b"[]\n\n"[..])
            .expect("append");
        builder.into_inner().expect("tar")
    }

    #[test]
    fn recognises_tars_by_content_not_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let tar = tar_bytes();
        std::fs::write(dir.path().join("image.bin"), &tar).expect("write");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).expect("gz");
        std::fs::write(dir.path().join("image.tgz"), gz.finish().expect("gz")).expect("write");
        std::fs::write(dir.path().join("notes.tar"), vec![b'x'; 1024]).expect("write");
        let zstd = zstd::encode_all(&tar[..], 3).expect("zstd");
        std::fs::create_dir(dir.path().join("deep")).expect("mkdir");
        std::fs::write(dir.path().join("deep/img.zst"), zstd).expect("write");
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file("img.tar", zip::write::SimpleFileOptions::default())
            .expect("zip");
        std::io::Write::write_all(&mut zip, &tar).expect("zip");
        let zip = zip.finish().expect("zip").into_inner();
        std::fs::write(dir.path().join("artifact.zip"), zip).expect("write");

        let mut scanner = Scanner::new(vec![dir.path().to_path_buf()], 2, dir.path().to_path_buf());
        let found = scanner.scan();
        let names: Vec<(&str, FileKind)> =
            found.iter().map(|f| (f.display.as_str(), f.kind)).collect();
        assert_eq!(
            names,
            vec![
                ("artifact.zip", FileKind::Artifact),
                // A folder with image files directly inside: a `gh run download` folder,
                // whose files are also listed as tarballs.
                ("deep", FileKind::Artifact),
                ("deep/img.zst", FileKind::Tarball),
                ("image.bin", FileKind::Tarball),
                ("image.tgz", FileKind::Tarball),
            ]
        );
        // Every child of an artifact root is one artifact, folders included; what is inside
        // is not listed again as a tarball.
        let root = dir.path().join("artifacts");
        std::fs::create_dir_all(root.join("run-1/nested")).expect("mkdir");
        std::fs::write(root.join("run-1/nested/img.tar"), &tar).expect("write");
        let mut with_root =
            Scanner::new(vec![dir.path().to_path_buf()], 4, dir.path().to_path_buf())
                .with_artifact_roots(vec![root.clone()]);
        let found = with_root.scan();
        let run = found
            .iter()
            .find(|f| f.path == root.join("run-1"))
            .expect("folder artifact");
        assert_eq!(run.kind, FileKind::Artifact);
        assert!(!found.iter().any(|f| f.path.ends_with("nested/img.tar")));
        std::fs::remove_dir_all(&root).expect("rm");

        // Depth 0 does not descend.
        let mut shallow = Scanner::new(vec![dir.path().to_path_buf()], 0, dir.path().to_path_buf());
        assert_eq!(shallow.scan().len(), 3);

        // A link to a tarball is listed under its own name, marked with its target; a link
        // to a folder is not followed.
        std::os::unix::fs::symlink(dir.path().join("image.bin"), dir.path().join("link.tar"))
            .expect("symlink");
        std::os::unix::fs::symlink(dir.path().join("deep"), dir.path().join("loop")).expect("ln");
        let found = shallow.scan();
        let link = found
            .iter()
            .find(|f| f.display == "link.tar")
            .expect("the link is listed");
        assert_eq!(link.kind, FileKind::Tarball);
        assert_eq!(
            link.link.as_deref(),
            Some(dir.path().join("image.bin").as_path())
        );
        assert!(!found.iter().any(|f| f.display.starts_with("loop")));
    }
}
