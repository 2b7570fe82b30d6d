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
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cancelled")]
    Cancelled,
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

    /// The job engine's error text (`CANCELLED` for a cancellation).
    pub fn into_job_error(self) -> String {
        match self {
            TransferError::Cancelled => super::CANCELLED.to_string(),
            other => other.to_string(),
        }
    }
}
