//! Checking what a load produced against the archive, on every engine: each image is in the
//! engine under the ID it should have (the config digest, or on the containerd store the
//! target digest of what was sent) with the archive's layers, and every name the engine
//! reported points at one of them.

use std::collections::{HashMap, HashSet};

use super::TransferError;
use super::types::LoadedImage;
use crate::archive::ArchiveReport;
use crate::daemon::{Daemon, DaemonError, ImageIds};

/// The engine ID each archive image gets when its own manifests are sent (or, on engines whose
/// IDs are config digests, whatever is sent); `None` where the engine writes the manifest itself.
pub fn expected_ids(ids: ImageIds, report: &ArchiveReport) -> Vec<Option<String>> {
    report
        .images
        .iter()
        .map(|image| match ids {
            ImageIds::ConfigDigest => Some(image.id.clone()),
            ImageIds::TargetDigest => image.target_digest.clone(),
        })
        .collect()
}

async fn layers_of(daemon: &Daemon, name: &str) -> Result<(String, Vec<String>), DaemonError> {
    let got = daemon.inspect_raw(name).await?;
    let layers = got.root_fs.and_then(|r| r.layers).unwrap_or_default();
    Ok((got.id.unwrap_or_default(), layers))
}

/// The loaded images with their IDs: looked up by name, or the expected IDs when the engine
/// named nothing.
pub async fn complete_ids(
    daemon: &Daemon,
    expected: &[Option<String>],
    mut loaded: Vec<LoadedImage>,
) -> Result<Vec<LoadedImage>, TransferError> {
    if loaded.is_empty() {
        let mut seen = HashSet::new();
        return Ok(expected
            .iter()
            .flatten()
            .filter(|id| seen.insert(id.as_str()))
            .map(|id| LoadedImage {
                name: None,
                id: id.clone(),
            })
            .collect());
    }
    for image in loaded.iter_mut().filter(|l| l.id.is_empty()) {
        if let Some(name) = &image.name {
            image.id = match daemon.inspect_raw(name).await {
                Ok(inspect) => inspect.id.unwrap_or_default(),
                // A name the engine reported but cannot find (containerd keeps some names
                // unnormalized): the archive's own ID, when there is one.
                Err(DaemonError::NotFound(_)) if expected.iter().flatten().count() == 1 => expected
                    .iter()
                    .flatten()
                    .next()
                    .cloned()
                    .unwrap_or_default(),
                Err(e) => return Err(e.into()),
            };
        }
    }
    Ok(loaded)
}

/// After a load, `what` (e.g. "delta load"): see the module notes. `Err` is the reason, for a
/// fallback or a failure.
pub async fn verify(
    daemon: &Daemon,
    report: &ArchiveReport,
    expected: &[Option<String>],
    loaded: &[LoadedImage],
    what: &str,
) -> Result<(), String> {
    let failed = |e: DaemonError| format!("{what} not verified: {e}");
    // Engine ID -> the diff ID stacks of the archive images that should have it (the
    // platforms of one index share an ID; the engine shows its own).
    let mut wanted: HashMap<String, Vec<Vec<String>>> = HashMap::new();
    for (image, id) in report.images.iter().zip(expected) {
        let id = match id {
            Some(id) => id.clone(),
            // The engine wrote the manifest: find the loaded image holding these layers.
            None => {
                let mut found = None;
                for l in loaded.iter().filter(|l| !l.id.is_empty()) {
                    let (id, layers) = layers_of(daemon, &l.id).await.map_err(failed)?;
                    if layers == image.diff_ids() {
                        found = Some(id);
                        break;
                    }
                }
                found.ok_or_else(|| {
                    format!(
                        "{what} gave no image with the layers of {}",
                        crate::units::short_id(&image.id)
                    )
                })?
            }
        };
        wanted.entry(id).or_default().push(image.diff_ids());
    }
    for (id, stacks) in &wanted {
        let (got, layers) = layers_of(daemon, id).await.map_err(failed)?;
        if &got != id || !stacks.contains(&layers) {
            return Err(format!(
                "{what} gave a different image than {}",
                crate::units::short_id(id)
            ));
        }
    }
    if let Some(l) = loaded.iter().find(|l| !wanted.contains_key(&l.id)) {
        return Err(format!(
            "{what} produced unexpected image {}",
            crate::units::short_id(&l.id)
        ));
    }
    if daemon.engine().ids == ImageIds::TargetDigest {
        complete(daemon, wanted.keys(), what).await?;
    }
    Ok(())
}

/// The containerd store lists an image only when its content store holds every blob its
/// manifest names (a left-out blob it never had leaves the image unlisted, though unpacked).
async fn complete(
    daemon: &Daemon,
    ids: impl Iterator<Item = &String>,
    what: &str,
) -> Result<(), String> {
    let listed: HashSet<String> = crate::daemon::summaries(daemon, true)
        .await
        .map_err(|e| format!("{what} not verified: {e}"))?
        .into_iter()
        .map(|s| s.id)
        .collect();
    for id in ids {
        if !listed.contains(id) {
            return Err(format!(
                "{what} gave image {} without all its blobs (the engine had the layers unpacked, \
                 not the blobs this archive names)",
                crate::units::short_id(id)
            ));
        }
    }
    Ok(())
}
