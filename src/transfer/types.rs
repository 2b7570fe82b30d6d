//! What loads are asked and what they report: the shared types of every load route.

use super::JobOutcome;

#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Send every layer even when the engine has some (no delta load).
    pub full: bool,
}

/// How the bytes were sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoadMode {
    /// The file's own bytes.
    AsIs,
    /// Converted on the fly: a docker-archive for engines that need `manifest.json` or refuse
    /// zstd, an OCI layout stream for a folder or a zip entry on engines that load OCI.
    Converted,
    /// Leaving out layers the engine already had (a docker-archive on the classic store, an OCI
    /// layout stream on the containerd store and Podman).
    Delta,
    /// Decompressed once by haul, its tar sent to the engine unchanged and listed on the way
    /// (the listing was not cached).
    SinglePass,
    /// Decompressed by haul (outer compression or zip entry removed), its tar sent unchanged.
    Decompressed,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadedImage {
    /// The name the engine reported, when the archive carried one.
    pub name: Option<String>,
    pub id: String,
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LoadReport {
    pub path: String,
    pub loaded: Vec<LoadedImage>,
    pub mode: LoadMode,
    /// Source bytes (the file, or the zip entry) and request bytes sent to the engine.
    pub source_bytes: u64,
    pub sent_bytes: u64,
    pub skipped_layers: usize,
    pub skipped_bytes: u64,
    /// Why a delta or single-pass load was retried as a full load, or why no delta was tried
    /// although the engine held some layers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

impl LoadReport {
    /// What a load job shows when it is done: the summary line and the loaded images.
    pub fn outcome(&self) -> JobOutcome {
        JobOutcome {
            summary: summary(self),
            images: self
                .loaded
                .iter()
                .map(|l| l.name.clone().unwrap_or_else(|| l.id.clone()))
                .collect(),
            files: Vec::new(),
        }
    }
}

/// One line: "loaded app:1.0 (0123456789ab); skipped 3 layers (812 MB) the daemon already had".
pub fn summary(report: &LoadReport) -> String {
    let names: Vec<String> = report
        .loaded
        .iter()
        .map(|l| match &l.name {
            Some(name) => format!("{name} ({})", crate::units::short_id(&l.id)),
            None => crate::units::short_id(&l.id).to_string(),
        })
        .collect();
    let mut line = format!("loaded {}", names.join(", "));
    if report.skipped_layers > 0 {
        line.push_str(&format!(
            "; skipped {} layer{} ({}) the daemon already had",
            report.skipped_layers,
            if report.skipped_layers == 1 { "" } else { "s" },
            crate::units::bytes(report.skipped_bytes)
        ));
    }
    line
}

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, super::TransferError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| super::TransferError::Other(format!("worker thread: {e}")))
}
