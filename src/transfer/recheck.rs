//! After a refusal that came once the whole upload was sent (the connection dropped, the engine
//! was stopped gracefully mid-load), the engine may have loaded the archive all the same: ask it
//! again, waiting a little for an engine that restarts, before calling the load a failure.

use std::time::Duration;

use super::TransferError;
use super::types::LoadedImage;
use crate::archive::ArchiveReport;
use crate::daemon::{Daemon, DaemonError};

/// What the engine says on a second look.
#[derive(Debug)]
pub enum Recheck {
    /// Every image is there under the ID it should have.
    Loaded(Vec<LoadedImage>),
    /// The engine answers, and at least one image is not there.
    Absent,
    /// The engine did not answer (or the IDs cannot be told): it may have loaded it.
    Unknown(String),
}

/// How long an engine gets to come back.
const PATIENCE: Duration = Duration::from_secs(30);
const STEP: Duration = Duration::from_millis(500);

/// Run `f` again while the engine cannot be reached, for up to [`PATIENCE`]: for the lookups
/// that follow a load the engine reported done, when it stops right after answering.
pub async fn patiently<T, F, Fut>(mut f: F) -> Result<T, TransferError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, TransferError>>,
{
    let started = std::time::Instant::now();
    loop {
        match f().await {
            Err(TransferError::Daemon(DaemonError::Unreachable { .. }))
                if started.elapsed() < PATIENCE =>
            {
                tokio::time::sleep(STEP).await
            }
            other => return other,
        }
    }
}

/// Look for each archive image under its expected engine ID (`expected[i]` for `report.images[i]`).
pub async fn recheck(
    daemon: &Daemon,
    report: &ArchiveReport,
    expected: &[Option<String>],
) -> Recheck {
    let started = std::time::Instant::now();
    loop {
        match look(daemon, report, expected).await {
            Ok(found) => return found,
            Err(e) if started.elapsed() >= PATIENCE => return Recheck::Unknown(e.to_string()),
            Err(_) => tokio::time::sleep(STEP).await,
        }
    }
}

async fn look(
    daemon: &Daemon,
    report: &ArchiveReport,
    expected: &[Option<String>],
) -> Result<Recheck, DaemonError> {
    let mut loaded = Vec::new();
    for (image, id) in report.images.iter().zip(expected) {
        let Some(id) = id else {
            return Ok(Recheck::Unknown(
                "the engine names this image by a digest haul cannot predict".into(),
            ));
        };
        match daemon.inspect_raw(id).await {
            Ok(found) if found.id.as_deref() == Some(id.as_str()) => loaded.push(LoadedImage {
                name: image.tags.first().cloned(),
                id: id.clone(),
            }),
            Ok(_) | Err(DaemonError::NotFound(_)) => return Ok(Recheck::Absent),
            Err(e) => return Err(e),
        }
    }
    Ok(Recheck::Loaded(loaded))
}
