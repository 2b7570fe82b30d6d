//! Workflow artifacts: downloaded zips and folders, and the GitHub Actions REST API.
//!
//! - [`local`]: recognise artifacts on disk by content (artifact zips, `gh run download`
//!   folders, raw single-file artifacts) and list the image tarballs inside, without extracting.
//! - [`github`]: list artifacts of a repository or a run through the REST API.
//! - [`download`]: fetch one artifact into haul's cache with progress, cancel and digest check,
//!   as a background job ([`start_download`]) or directly ([`download_artifact`]).
//! - [`repo`] and [`token`]: which repository, and the credential (never printed).

pub mod download;
mod error;
pub mod github;
pub mod local;
mod model;
pub mod repo;
mod response;
pub mod token;

pub use download::{default_destination, download_artifact, start_download};
pub use error::ArtifactError;
pub use github::{GitHub, ListFilter, ListPage};
pub use local::{
    default_locations, images_to_load, inspect_images, list, scan, scan_path, scan_path_with_cache,
    scan_with_cache,
};
pub use model::{ArtifactImage, ArtifactKind, LocalArtifact, RemoteArtifact, WorkflowRun};
pub use repo::Repo;
pub use token::Token;

/// The folder downloads go to by default: `<cache>/artifacts`. Also a scan location.
pub fn cache_folder() -> Option<std::path::PathBuf> {
    crate::paths::cache_dir().map(|d| d.join("artifacts"))
}
