//! Delta loads: which layers the daemon already holds, and checking the result.

use std::collections::HashSet;

use super::load::LoadedImage;
use crate::archive::ArchiveReport;
use crate::daemon::{Daemon, DaemonError, Store};
use crate::digest;

/// The diff IDs to leave out, or `None` when a delta load cannot help (containerd store,
/// nothing present). A diff ID is left out only if every place it sits in is present.
pub(super) async fn plan_delta(
    daemon: &Daemon,
    report: &ArchiveReport,
) -> Result<Option<HashSet<String>>, DaemonError> {
    if daemon.store().await? != Store::Classic {
        return Ok(None);
    }
    let present = crate::daemon::chain_ids_present(daemon).await?;
    let mut skip = HashSet::new();
    let mut keep = HashSet::new();
    for image in &report.images {
        let chain = digest::chain_ids(&image.diff_ids());
        for (layer, chain_id) in image.layers.iter().zip(chain) {
            if present.contains(&chain_id) {
                skip.insert(layer.diff_id.clone());
            } else {
                keep.insert(layer.diff_id.clone());
            }
        }
    }
    skip.retain(|d| !keep.contains(d));
    Ok((!skip.is_empty()).then_some(skip))
}

/// After a delta (or single-pass) load, `what`: every image of the archive is in the daemon under its config digest,
/// with the archive's layers, and every reported tag points at one of them.
pub(super) async fn verify(
    daemon: &Daemon,
    report: &ArchiveReport,
    loaded: &[LoadedImage],
    what: &str,
) -> Result<(), String> {
    let ids: HashSet<&str> = report.images.iter().map(|i| i.id.as_str()).collect();
    for image in &report.images {
        let got = daemon
            .inspect_raw(&image.id)
            .await
            .map_err(|e| format!("{what} not verified: {e}"))?;
        let layers = got.root_fs.and_then(|r| r.layers).unwrap_or_default();
        if got.id.as_deref() != Some(image.id.as_str()) || layers != image.diff_ids() {
            return Err(format!("{what} gave a different image than {}", image.id));
        }
    }
    match loaded.iter().find(|l| !ids.contains(l.id.as_str())) {
        Some(l) => Err(format!("{what} produced unexpected image {}", l.id)),
        None => Ok(()),
    }
}
