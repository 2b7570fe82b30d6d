//! What is inside an image's layers, without extracting anything: every layer streamed once
//! (from any source the archive module reads, or any `Read` of a tar such as the daemon's export
//! stream), each layer tar scanned on its own into its entries and whiteouts, then the scans
//! stacked in order the way the engines do: the final filesystem, each layer's changes, and the
//! bytes no one can see any more (waste). Memory grows with the number of paths, never with
//! file sizes. Results are cached by image (config digest).

mod cache;
mod diff;
mod engine;
mod extract;
#[cfg(test)]
pub(crate) mod fixture;
mod peek;
mod scan;
mod stack;

pub use diff::{ConfigChange, FileDiff, ImageDiff, LayerDiff, diff};
pub use engine::{analyse_path, analyse_reader, cached, cached_by_id, select_image};
pub use extract::{ExtractRequest, ExtractSummary, extract_path};
pub use peek::{Peek, peek};
pub use scan::{member_path, scan_layer};
pub use stack::stack;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::{ArchiveError, ImageInfo};

/// The type of an entry in a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Other,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::File => "file",
            FileKind::Dir => "dir",
            FileKind::Symlink => "symlink",
            FileKind::Hardlink => "hardlink",
            FileKind::Other => "other",
        }
    }
}

/// One entry of a layer: a path with its metadata and a hash of its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// Normalised path without a leading `/` (`etc/passwd`).
    pub path: String,
    pub kind: FileKind,
    /// Content bytes (a hardlink: its target's).
    pub size: u64,
    /// Permission bits (`0o7777`).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Symlink or hardlink target, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// xxh3 of the content (a symlink: of its target; a hardlink: its target's content).
    pub hash: u64,
}

impl Node {
    /// Bytes this entry occupies in its layer tar (a hardlink carries no body).
    pub fn stored_bytes(&self) -> u64 {
        if self.kind == FileKind::File {
            self.size
        } else {
            0
        }
    }

    /// A hardlink has its target's content: it compares as a file.
    fn content_kind(&self) -> FileKind {
        match self.kind {
            FileKind::Hardlink => FileKind::File,
            k => k,
        }
    }

    /// Modified as dive defines it: type, content hash, mode, uid or gid differ (mtime ignored).
    pub fn differs_from(&self, other: &Node) -> bool {
        self.content_kind() != other.content_kind()
            || self.hash != other.hash
            || self.mode != other.mode
            || self.uid != other.uid
            || self.gid != other.gid
    }
}

/// One layer tar, scanned on its own (independent of the layers below).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerScan {
    /// Entries in tar order; a path written twice keeps its last version.
    pub nodes: Vec<Node>,
    /// Paths deleted from the layers below (`.wh.NAME`).
    pub whiteouts: Vec<String>,
    /// Folders made opaque (`DIR/.wh..wh..opq`): lower layers' entries below them are hidden.
    pub opaque: Vec<String>,
    /// Names that climb out of the root (`..`): never applied.
    pub refused: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Modified,
    Removed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Modified => "modified",
            ChangeKind::Removed => "removed",
        }
    }
}

/// A change a layer makes to the filesystem below it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub change: ChangeKind,
    /// The new version (added, modified) or the one removed.
    pub node: Node,
    /// Size of the version below, for a modification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_before: Option<u64>,
}

/// One layer of an analysed image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerContents {
    pub diff_id: String,
    pub created_by: Option<String>,
    /// Changes in path order.
    pub changes: Vec<Change>,
    /// Entries in the layer tar (whiteouts not counted).
    pub entries: usize,
    /// Bytes of the file bodies in the layer.
    pub file_bytes: u64,
    /// Of those, bytes no longer visible in the final filesystem.
    pub wasted_bytes: u64,
}

/// A path of the final filesystem, with the layer (0-based) that last wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeEntry {
    pub node: Node,
    pub layer: usize,
}

/// Bytes of one path in versions that are not visible in the final filesystem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WastedPath {
    pub path: String,
    pub wasted_bytes: u64,
    /// Layers (0-based) holding the invisible versions.
    pub layers: Vec<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Waste {
    /// Bytes of every file version in every layer.
    pub total_bytes: u64,
    pub visible_bytes: u64,
    pub wasted_bytes: u64,
    /// visible / total (1 for an image without file bytes).
    pub efficiency: f64,
    /// Biggest first.
    pub paths: Vec<WastedPath>,
}

/// Everything known about the contents of one image.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub image: ImageInfo,
    pub layers: Vec<LayerContents>,
    /// The final filesystem, in path order.
    pub tree: Vec<TreeEntry>,
    pub waste: Waste,
    /// Layer entries with names that climb out of the root, never applied.
    pub refused: Vec<String>,
}

impl Analysis {
    /// The final filesystem entry at `path` (with or without a leading `/`).
    pub fn find(&self, path: &str) -> Option<&TreeEntry> {
        let key = path.trim_start_matches('/');
        self.tree
            .binary_search_by(|e| e.node.path.as_str().cmp(key))
            .ok()
            .map(|i| &self.tree[i])
    }
}

/// Progress and cancellation of one analysis, shared with whoever shows it.
#[derive(Debug, Default)]
pub struct Control {
    /// Bytes of layer blobs (or of the streamed source) read so far.
    pub read: AtomicU64,
    /// What `read` goes up to (an estimate for the daemon's export stream).
    pub total: AtomicU64,
    cancelled: AtomicBool,
}

impl Control {
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    pub(crate) fn flag(&self) -> &AtomicBool {
        &self.cancelled
    }

    /// `(read, total)`.
    pub fn progress(&self) -> (u64, u64) {
        (
            self.read.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// How to run an analysis.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// haul's cache folder (`None`: neither read nor write a cache).
    pub cache_dir: Option<std::path::PathBuf>,
    /// Which image of several (a tag, an ID or its prefix); `None` when there is one.
    pub image: Option<String>,
    pub control: std::sync::Arc<Control>,
}

/// Why an image's contents could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ContentsError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// The source was read but the image or a layer is not usable.
    #[error("{origin}: {message}")]
    Image { origin: String, message: String },
    #[error("cancelled")]
    Cancelled,
}

#[cfg(test)]
mod tests;
