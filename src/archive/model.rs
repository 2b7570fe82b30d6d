//! What the archive engine reports: one [`ArchiveReport`] per path, one [`ImageInfo`] per image.
//! The daemon module fills the same [`ImageInfo`] for daemon images, so every front end shows
//! tarballs and daemon images with one view and one JSON format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How the image metadata is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `manifest.json` (+ `repositories`): `docker save` up to Docker 24, skopeo, podman.
    DockerArchive,
    /// Docker 25+ `docker save`: OCI `index.json` and blobs, plus a `manifest.json`.
    DockerOciArchive,
    /// OCI image layout in a tar: `index.json`, `oci-layout`, blobs, no `manifest.json`.
    OciArchive,
    /// OCI image layout unpacked in a folder.
    OciLayout,
    /// An image in the Docker daemon (not a file).
    Daemon,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::DockerArchive => "docker-archive",
            Format::DockerOciArchive => "docker-oci-archive",
            Format::OciArchive => "oci-archive",
            Format::OciLayout => "oci-layout",
            Format::Daemon => "daemon",
        }
    }
}

/// Compression of a whole file or of one blob, recognised by magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Compression {
    #[default]
    None,
    Gzip,
    Zstd,
    Xz,
    Bzip2,
}

impl Compression {
    /// Recognise compression from the first bytes of a stream.
    pub fn sniff(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Compression::Xz,
            [b'B', b'Z', b'h', ..] => Compression::Bzip2,
            _ => Compression::None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Xz => "xz",
            Compression::Bzip2 => "bzip2",
        }
    }
}

/// What holds the image archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Container {
    Tar,
    Zip,
    Directory,
    Daemon,
}

/// Everything known about one path (a file, a zip entry, a folder).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchiveReport {
    pub path: String,
    pub format: Format,
    /// Outer compression of the image tar (inside the zip, for a zip).
    pub compression: Compression,
    pub container: Container,
    /// Size of the file on disk (the zip for an artifact zip; 0 for a folder).
    pub file_size: u64,
    /// For a zip: the entry holding the image tar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    pub images: Vec<ImageInfo>,
    /// Distinct layers over all images (layers shared between images count once).
    pub layer_count: usize,
    /// Bytes of distinct layer blobs in the archive.
    pub layers_size: u64,
    /// Index entries whose blobs the archive does not carry (Docker 25+ containerd store saves).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub missing_manifests: usize,
    /// For a zip holding several image tarballs: one report per entry (`images` lists them all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<ArchiveReport>,
    /// For a zip: entries that are not image tarballs (logs, SBOMs, source tarballs) or were
    /// refused (unsafe names, encrypted), with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedEntry>,
}

/// A zip entry left out of a report, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedEntry {
    pub entry: String,
    pub reason: String,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One image: identity, platform, config summary and layers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageInfo {
    /// `sha256:` + digest of the config blob.
    pub id: String,
    /// Tags as written in the archive (or as the daemon reports them).
    pub tags: Vec<String>,
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    pub created: Option<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub exposed_ports: Vec<String>,
    /// `Volumes` of the config: mount points the image declares.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<String>,
    /// `Healthcheck` of the config, when the image has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    pub layers: Vec<LayerInfo>,
    /// Every history entry, including those without a layer (`empty_layer`).
    pub history: Vec<HistoryEntry>,
    /// Sum of this image's layer sizes.
    pub size: u64,
    /// Digest of the OCI manifest, where the archive has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Digest of the `index.json` entry the image was found through: its manifest, or the
    /// index holding it (one per multi-platform image). The containerd store names images by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_digest: Option<String>,
    /// Its index entry names it without a registry (by `org.opencontainers.image.ref.name`
    /// alone, as skopeo writes, or by an unqualified `io.containerd.image.name`): the containerd
    /// store keeps such a name as written, where no `docker` command finds it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unqualified_name: bool,
    /// Path of the config blob inside the archive (empty for daemon images).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub config_path: String,
    /// `name@sha256:...` digests of the image in registries (daemon images that were pulled
    /// or pushed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repo_digests: Vec<String>,
}

/// How the engine checks that a container of the image is healthy (`HEALTHCHECK`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Healthcheck {
    /// `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]`.
    pub test: Vec<String>,
    /// Nanoseconds, as in the config; `None` when not set (the engine's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_ns: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ns: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_period_ns: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i64>,
}

impl Healthcheck {
    /// One line: `CMD-SHELL curl -f localhost || exit 1 (every 30s, timeout 5s, 3 retries)`.
    pub fn describe(&self) -> String {
        let mut text = self.test.join(" ");
        let secs = |ns: i64| format!("{}s", ns / 1_000_000_000);
        let mut facts = Vec::new();
        if let Some(ns) = self.interval_ns.filter(|n| *n > 0) {
            facts.push(format!("every {}", secs(ns)));
        }
        if let Some(ns) = self.timeout_ns.filter(|n| *n > 0) {
            facts.push(format!("timeout {}", secs(ns)));
        }
        if let Some(ns) = self.start_period_ns.filter(|n| *n > 0) {
            facts.push(format!("start period {}", secs(ns)));
        }
        if let Some(n) = self.retries.filter(|n| *n > 0) {
            facts.push(format!("{n} retries"));
        }
        if !facts.is_empty() {
            text.push_str(&format!(" ({})", facts.join(", ")));
        }
        text
    }
}

/// One layer, in stack order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerInfo {
    /// Digest of the uncompressed layer tar (from the config's `rootfs.diff_ids`).
    pub diff_id: String,
    /// Digest of the blob as stored (equals `diff_id` for an uncompressed blob).
    pub digest: Option<String>,
    /// Bytes of the blob in the archive (for daemon images: the layer's size from the history).
    pub size: u64,
    pub compression: Compression,
    pub created_by: Option<String>,
    /// Path of the blob inside the archive (empty for daemon images).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub created: Option<String>,
    pub created_by: Option<String>,
    pub comment: Option<String>,
    pub empty_layer: bool,
    /// Index into `layers` for entries that made a layer.
    pub layer: Option<usize>,
}

impl ImageInfo {
    pub fn diff_ids(&self) -> Vec<String> {
        self.layers.iter().map(|l| l.diff_id.clone()).collect()
    }

    /// `os/architecture[/variant]`.
    pub fn platform(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}/{}/{}", self.os, self.architecture, v),
            None => format!("{}/{}", self.os, self.architecture),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_compression_magic() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(
            Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd]),
            Compression::Zstd
        );
        assert_eq!(Compression::sniff(b"\xfd7zXZ\x00"), Compression::Xz);
        assert_eq!(Compression::sniff(b"BZh9"), Compression::Bzip2);
        assert_eq!(Compression::sniff(b"ustar"), Compression::None);
        assert_eq!(Compression::sniff(&[]), Compression::None);
    }

    #[test]
    fn formats_serialise_as_documented() {
        let json = serde_json::to_string(&Format::DockerOciArchive).unwrap();
        assert_eq!(json, "\"docker-oci-archive\"");
        assert_eq!(Format::OciLayout.as_str(), "oci-layout");
    }
}
