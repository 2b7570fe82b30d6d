//! The archive engine: reads every image tarball format without Docker and without extracting.
//!
//! Read-only and synchronous. An uncompressed tar is listed with header seeks (layer bytes are
//! never read); a compressed one needs one streaming pass, whose result is cached.

mod error;
mod model;

pub use error::{ArchiveError, Problem};
pub use model::*;

use std::path::Path;

/// Inspect one path: a tar (plain or compressed), a zip holding an image tar, or an OCI layout folder.
pub fn inspect(path: &Path) -> Result<ArchiveReport, ArchiveError> {
    Err(Problem::Invalid("archive engine not implemented yet".into()).at(path))
}
