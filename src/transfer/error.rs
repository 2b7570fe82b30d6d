use std::path::PathBuf;

use crate::archive::ArchiveError;
use crate::daemon::DaemonError;

/// Why a load or save failed. Displays as one line.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Daemon(#[from] DaemonError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("{}: {source}", crate::escape::Shown(path))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cancelled")]
    Cancelled,
    #[error(transparent)]
    Destination(#[from] super::destination::Destination),
    #[error("{0}")]
    Other(String),
}

impl TransferError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> TransferError {
        TransferError::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<TransferError> for super::JobFailure {
    fn from(err: TransferError) -> super::JobFailure {
        match err {
            TransferError::Cancelled => super::JobFailure::Cancelled,
            other => super::JobFailure::Failed(other.to_string()),
        }
    }
}
