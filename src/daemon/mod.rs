//! The Docker Engine: finding it, listing and inspecting images, which layers it already holds.
//!
//! [`Daemon`] holds two bollard clients (metadata with a timeout, transfers without one);
//! [`endpoint`] finds the daemon like the docker CLI; [`images`] lists and inspects images into
//! the shared [`crate::archive::ImageInfo`] model.

mod client;
pub mod contents;
pub mod endpoint;
pub mod engine;
mod history;
pub mod holdings;
mod images;
pub mod model;
pub mod ssh;
pub mod tags;

pub use client::{CONNECT_TIMEOUT, Daemon, METADATA_TIMEOUT};
pub use endpoint::{Endpoint, EnvVars, Source};
pub use engine::{Delta, Engine, EngineKind, ImageIds};
pub use holdings::{Held, Holdings};
pub use images::{image_info, inspect_report, list_images, sort_rows, summaries};

/// One row of `haul images`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImageRow {
    pub id: String,
    pub tags: Vec<String>,
    /// Unix seconds.
    pub created: i64,
    pub size: u64,
    /// Layers of the image; known only where something inspected it (`haul images --layers`,
    /// the TUI's model of the daemon's images).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_count: Option<usize>,
    pub dangling: bool,
    /// Platforms (`os/arch[/variant]`) the engine holds of this image, where known: every
    /// available one where the listing says (API 1.47+), else the one an inspect shows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
}

/// Something went wrong talking to the daemon. Displays as one line.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("cannot reach the Docker daemon at {endpoint}: {detail}")]
    Unreachable { endpoint: String, detail: String },
    #[error("docker context {name:?}: {detail}")]
    Context { name: String, detail: String },
    #[error(
        "unsupported daemon address {host:?} (expected unix://, tcp://, http://, https:// or ssh://)"
    )]
    BadHost { host: String },
    #[error("bad ssh daemon address {host:?}: {detail}")]
    BadSshHost { host: String, detail: String },
    #[error("docker config: {0}")]
    Config(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{what}: {detail}")]
    Api { what: String, detail: String },
}
