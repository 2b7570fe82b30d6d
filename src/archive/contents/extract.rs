//! Copy files and folders out of an image without Docker. Output paths are built component by
//! component under the output folder: a name that climbs out (`..`) is refused, an existing
//! link is never followed (a link met on the way is an error, one in the final place is
//! replaced), and files are written under a temporary name and renamed.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::scan::member_path;
use super::{Analysis, ChangeKind, ContentsError, Control, FileKind, Node};
use crate::archive::blob_walk::{BlobBody, BlobMeta, BlobVisitor, Walk};
use crate::archive::{Problem, open, tar_source::corrupt_tar};

/// What to extract.
#[derive(Debug, Clone)]
pub struct ExtractRequest {
    /// Paths in the image (`/etc`, `usr/bin/x`; `/` for everything).
    pub paths: Vec<String>,
    /// Take the versions one layer (0-based) adds or modifies instead of the final filesystem.
    pub layer: Option<usize>,
    pub out_dir: PathBuf,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtractSummary {
    pub files: usize,
    pub dirs: usize,
    pub links: usize,
    pub bytes: u64,
    /// `path: reason` for every entry not written (unsafe names or places, devices).
    pub refused: Vec<String>,
}

/// The entries to write from one layer blob: by path, the nodes to write there, and for
/// hardlink targets the other paths that get the same content.
#[derive(Default)]
struct Plan {
    items: HashMap<String, Node>,
    copies: HashMap<String, Vec<String>>,
}

fn under(path: &str, prefix: &str) -> bool {
    prefix.is_empty() || path == prefix || path.starts_with(&format!("{prefix}/"))
}

/// Which entries come from which layer blob.
fn plan(
    analysis: &Analysis,
    req: &ExtractRequest,
    refused: &mut Vec<String>,
) -> Result<BTreeMap<String, Plan>, String> {
    let mut prefixes = Vec::new();
    for raw in &req.paths {
        match member_path(raw) {
            Some(p) => prefixes.push(p),
            None => return Err(format!("{raw:?}: a path that climbs out of the image")),
        }
    }
    let selected: Vec<(usize, &Node)> = match req.layer {
        None => analysis
            .tree
            .iter()
            .map(|e| (e.layer, &e.node))
            .filter(|(_, n)| prefixes.iter().any(|p| under(&n.path, p)))
            .collect(),
        Some(layer) => analysis
            .layers
            .get(layer)
            .ok_or_else(|| {
                format!(
                    "no layer {} (the image has {})",
                    layer + 1,
                    analysis.layers.len()
                )
            })?
            .changes
            .iter()
            .filter(|c| c.change != ChangeKind::Removed)
            .map(|c| (layer, &c.node))
            .filter(|(_, n)| prefixes.iter().any(|p| under(&n.path, p)))
            .collect(),
    };
    for prefix in &prefixes {
        if !prefix.is_empty() && !selected.iter().any(|(_, n)| under(&n.path, prefix)) {
            return Err(format!("/{prefix}: not in the image"));
        }
    }
    let mut plans: BTreeMap<String, Plan> = BTreeMap::new();
    for (layer, node) in selected {
        let Some(blob) = analysis.image.layers.get(layer).map(|l| l.path.clone()) else {
            continue;
        };
        let plan = plans.entry(blob).or_default();
        if node.kind == FileKind::Hardlink {
            match node.link.as_deref().and_then(member_path) {
                Some(target) => plan
                    .copies
                    .entry(target)
                    .or_default()
                    .push(node.path.clone()),
                None => refused.push(format!("/{}: a hardlink that climbs out", node.path)),
            }
        } else {
            plan.items.insert(node.path.clone(), node.clone());
        }
    }
    Ok(plans)
}

/// Extract `req.paths` of the analysed image, reading its layers through `walk`.
pub fn extract_path(
    walk: Walk,
    analysis: &Analysis,
    req: &ExtractRequest,
    control: &Control,
) -> Result<ExtractSummary, ContentsError> {
    let origin = req.out_dir.display().to_string();
    let fail = |message: String| ContentsError::Image {
        origin: origin.clone(),
        message,
    };
    let mut summary = ExtractSummary::default();
    let plans = plan(analysis, req, &mut summary.refused).map_err(fail)?;
    fs::create_dir_all(&req.out_dir).map_err(|e| fail(e.to_string()))?;
    // Progress: the source bytes a streamed walk reads, else the layer blobs read.
    let streamed = walk.is_streamed();
    let total = match walk.stream_total() {
        Some(total) => total,
        None if streamed => analysis.image.size,
        None => analysis
            .image
            .layers
            .iter()
            .filter(|l| plans.contains_key(&l.path))
            .map(|l| l.size)
            .sum(),
    };
    control.total.store(total, Ordering::Relaxed);
    let mut writer = Writer {
        out: &req.out_dir,
        plans,
        summary,
        dir_modes: Vec::new(),
        count: (!streamed).then_some(&control.read),
    };
    let unused = AtomicU64::new(0);
    let read = if streamed { &control.read } else { &unused };
    walk.run_until(&mut writer, read, control.flag())
        .map_err(|e| match e.problem {
            Problem::Cancelled => ContentsError::Cancelled,
            _ => ContentsError::Archive(e),
        })?;
    for (dir, mode) in writer.dir_modes.iter().rev() {
        set_mode(dir, *mode);
    }
    let plans = std::mem::take(&mut writer.plans);
    for plan in plans.values() {
        for (path, node) in &plan.items {
            // A folder no layer wrote (implied by a path below it).
            let made = node.kind == FileKind::Dir
                && place(writer.out, path, true)
                    .and_then(|d| fs::create_dir_all(&d).map_err(|e| e.to_string()))
                    .is_ok();
            if made {
                writer.summary.dirs += 1;
            } else {
                writer
                    .summary
                    .refused
                    .push(format!("/{path}: not found in its layer"));
            }
        }
        for (target, paths) in &plan.copies {
            for path in paths {
                writer.summary.refused.push(format!(
                    "/{path}: its hardlink target /{target} is not in its layer"
                ));
            }
        }
    }
    Ok(writer.summary)
}

struct Writer<'a> {
    out: &'a Path,
    plans: BTreeMap<String, Plan>,
    summary: ExtractSummary,
    dir_modes: Vec<(PathBuf, u32)>,
    /// Where a seek walk counts the blob bytes read.
    count: Option<&'a AtomicU64>,
}

/// Counts the bytes read through it.
struct Counted<'a, R> {
    inner: R,
    count: Option<&'a AtomicU64>,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(count) = self.count {
            count.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

impl BlobVisitor for Writer<'_> {
    fn wants(&mut self, blob: &BlobMeta) -> bool {
        self.plans.contains_key(&blob.path)
    }

    fn visit(&mut self, blob: &BlobMeta, body: &mut BlobBody<'_>) -> Result<(), Problem> {
        let Some(mut plan) = self.plans.remove(&blob.path) else {
            return Ok(());
        };
        let counted = Counted {
            inner: body,
            count: self.count,
        };
        let mut archive = tar::Archive::new(open::decoder(blob.compression, counted)?);
        for entry in archive.entries().map_err(corrupt_tar)? {
            let mut entry = entry.map_err(corrupt_tar)?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(path) = member_path(&raw) else {
                continue;
            };
            let node = plan.items.remove(&path);
            let copies = plan.copies.remove(&path).unwrap_or_default();
            if node.is_none() && copies.is_empty() {
                continue;
            }
            if let Err(reason) = self.write(&path, node.as_ref(), &copies, &mut entry) {
                self.summary.refused.push(format!("/{path}: {reason}"));
            }
        }
        self.plans.insert(blob.path.clone(), plan);
        Ok(())
    }
}

impl Writer<'_> {
    fn write(
        &mut self,
        path: &str,
        node: Option<&Node>,
        copies: &[String],
        body: &mut impl Read,
    ) -> Result<(), String> {
        let kind = node.map_or(FileKind::File, |n| n.kind);
        let mode = node.map_or(0o644, |n| n.mode);
        match kind {
            FileKind::Dir => {
                let dest = place(self.out, path, true)?;
                if !dest.is_dir() {
                    fs::create_dir(&dest).map_err(|e| e.to_string())?;
                }
                self.dir_modes.push((dest, mode));
                self.summary.dirs += 1;
            }
            FileKind::Symlink => {
                let dest = place(self.out, path, false)?;
                let target = node.and_then(|n| n.link.clone()).unwrap_or_default();
                symlink(&target, &dest).map_err(|e| e.to_string())?;
                self.summary.links += 1;
            }
            FileKind::File => {
                // The file itself (when selected), then every hardlink selected to it.
                let mut names: Vec<&str> = node.map(|_| path).into_iter().collect();
                names.extend(copies.iter().map(String::as_str));
                let Some((first, rest)) = names.split_first() else {
                    return Ok(());
                };
                let dest = place(self.out, first, false)?;
                let bytes = write_file(&dest, body, mode)?;
                self.summary.files += 1;
                self.summary.bytes += bytes;
                for other in rest {
                    let link = place(self.out, other, false)?;
                    fs::hard_link(&dest, &link)
                        .or_else(|_| fs::copy(&dest, &link).map(|_| ()))
                        .map_err(|e| e.to_string())?;
                    self.summary.files += 1;
                }
            }
            FileKind::Hardlink | FileKind::Other => {
                return Err("not a file, folder or symlink: not extracted".into());
            }
        }
        Ok(())
    }
}

/// The output path for `rel` under `out`, its folders created. Refuses to pass through
/// anything but a real folder; an existing file or link in the final place is removed (a
/// folder stays only when `dir`).
fn place(out: &Path, rel: &str, dir: bool) -> Result<PathBuf, String> {
    let mut current = out.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    let Some((last, parents)) = parts.split_last() else {
        return Err("empty name".into());
    };
    for part in parents {
        current.push(part);
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(format!(
                    "{} is a link or a file, never followed",
                    current.display()
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir(&current).map_err(|e| e.to_string())?;
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    current.push(last);
    match fs::symlink_metadata(&current) {
        Ok(meta) if meta.is_dir() && !dir => {
            Err(format!("{} is a folder already", current.display()))
        }
        Ok(meta) if !meta.is_dir() => {
            fs::remove_file(&current).map_err(|e| e.to_string())?;
            Ok(current)
        }
        _ => Ok(current),
    }
}

fn write_file(dest: &Path, body: &mut impl Read, mode: u32) -> Result<u64, String> {
    let parent = dest.parent().ok_or("no parent folder")?;
    let mut tmp = crate::partial::create(parent, "extract").map_err(|e| e.to_string())?;
    let bytes = io::copy(body, &mut tmp).map_err(|e| e.to_string())?;
    tmp.persist(dest).map_err(|e| e.error.to_string())?;
    set_mode(dest, mode);
    Ok(bytes)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    // Permission bits only: never setuid, setgid or sticky from an image.
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o777));
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}

#[cfg(unix)]
fn symlink(target: &str, dest: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, dest)
}

#[cfg(not(unix))]
fn symlink(_: &str, _: &Path) -> io::Result<()> {
    Err(io::Error::other(
        "symlinks are not extracted on this system",
    ))
}
