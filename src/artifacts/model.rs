//! What the artifacts module reports: [`LocalArtifact`] for what is on disk,
//! [`RemoteArtifact`] for what the GitHub API lists. Both serialise as the `--json` output.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::error::ArtifactError;
use crate::archive::{ArchiveReport, Compression, SkippedEntry};

/// How an artifact sits on disk, recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// A zip as the web UI and the REST API deliver it (Deflate or Stored entries).
    Zip,
    /// A folder written by `gh run download` or `actions/download-artifact`.
    Folder,
    /// One file that is itself an image tarball: an upload-artifact v7 `archive: false`
    /// artifact, or a file `gh run download -n NAME` wrote straight into the folder.
    Raw,
}

impl ArtifactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ArtifactKind::Zip => "zip",
            ArtifactKind::Folder => "folder",
            ArtifactKind::Raw => "raw",
        }
    }
}

/// One artifact on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalArtifact {
    /// The artifact name: the file name without `.zip` for a zip, the folder or file name otherwise.
    pub name: String,
    pub path: PathBuf,
    pub kind: ArtifactKind,
    /// Bytes on disk (the zip, the file, or the sum of the folder's files).
    pub size: u64,
    /// The image tarballs inside, in entry order.
    pub images: Vec<ArtifactImage>,
    /// Why the artifact could not be listed (a truncated zip, an unreadable folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Zip entries (or folder files) that are not image tarballs (logs, SBOMs), and what they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedEntry>,
}

/// One image tarball inside an artifact, and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactImage {
    /// The entry name in the zip, the path relative to the folder, or the file name (raw).
    pub entry: String,
    /// What to give [`crate::archive::inspect`] (and the loader): `file.zip!entry` for a zip entry.
    pub path: String,
    /// Uncompressed bytes of the entry (the file size for a folder or raw file).
    pub size: u64,
    /// Outer compression of the image tar, from its magic bytes.
    pub compression: Compression,
    /// What the archive engine found, when it could read the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ArchiveReport>,
    /// Why the entry could not be read or was refused (e.g. a name that escapes the folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl LocalArtifact {
    /// The paths a loader takes (`file.zip!entry` for a zip entry): every image the archive
    /// engine described, none that failed or was refused.
    pub fn loadable(&self) -> Vec<PathBuf> {
        self.images
            .iter()
            .filter(|i| i.report.is_some() && i.error.is_none())
            .map(|i| PathBuf::from(&i.path))
            .collect()
    }

    /// [`LocalArtifact::loadable`], or an error saying why there is nothing to load.
    pub fn load_paths(&self) -> Result<Vec<PathBuf>, ArtifactError> {
        let paths = self.loadable();
        if !paths.is_empty() {
            return Ok(paths);
        }
        let why: Vec<String> = self
            .images
            .iter()
            .filter_map(|i| i.error.as_ref().map(|e| format!("{}: {e}", i.entry)))
            .collect();
        Err(ArtifactError::NoImages {
            name: self.name.clone(),
            why: why.join("; "),
        })
    }
}

impl ArtifactImage {
    /// Image tags the engine found, for one-line listings.
    pub fn tags(&self) -> Vec<String> {
        self.report
            .iter()
            .flat_map(|r| r.images.iter())
            .flat_map(|i| i.tags.iter().cloned())
            .collect()
    }
}

/// One artifact as the GitHub Actions API lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteArtifact {
    pub id: u64,
    pub name: String,
    pub size_in_bytes: u64,
    #[serde(default)]
    pub expired: bool,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    /// `sha256:<hex>` of the artifact's bytes, for artifacts made by upload-artifact v4+.
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub workflow_run: Option<WorkflowRun>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRun {
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub head_branch: Option<String>,
    #[serde(default)]
    pub head_sha: Option<String>,
}

impl RemoteArtifact {
    pub fn run_id(&self) -> Option<u64> {
        self.workflow_run.as_ref().and_then(|r| r.id)
    }

    pub fn branch(&self) -> Option<&str> {
        self.workflow_run.as_ref()?.head_branch.as_deref()
    }

    pub fn head_sha(&self) -> Option<&str> {
        self.workflow_run.as_ref()?.head_sha.as_deref()
    }

    /// "artifact NAME (id N)", for messages.
    pub fn describe(&self) -> String {
        format!("artifact {} (id {})", self.name, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_artifact_reads_the_api_shape() {
        let json = r#"{"id":11,"node_id":"x","name":"image","size_in_bytes":556,
            "url":"u","archive_download_url":"d","expired":false,
            "created_at":"2024-01-01T00:00:00Z","expires_at":"2024-04-01T00:00:00Z",
            "updated_at":"2024-01-01T00:00:00Z","digest":"sha256:ab",
            "workflow_run":{"id":5,"repository_id":1,"head_repository_id":1,
            "head_branch":"main","head_sha":"abc123"}}"#;
        let a: RemoteArtifact = serde_json::from_str(json).expect("parse");
        assert_eq!(a.id, 11);
        assert_eq!(a.run_id(), Some(5));
        assert_eq!(a.branch(), Some("main"));
        assert_eq!(a.head_sha(), Some("abc123"));
        assert_eq!(a.digest.as_deref(), Some("sha256:ab"));
        let minimal: RemoteArtifact =
            serde_json::from_str(r#"{"id":1,"name":"n","size_in_bytes":0,"digest":null}"#)
                .expect("minimal");
        assert_eq!(minimal.branch(), None);
        assert!(!minimal.expired);
    }

    #[test]
    fn kinds_serialise_in_kebab_case() {
        assert_eq!(
            serde_json::to_string(&ArtifactKind::Folder).expect("json"),
            "\"folder\""
        );
        assert_eq!(ArtifactKind::Raw.as_str(), "raw");
    }
}
