//! Undo a load that was cancelled after its upload: the daemon finishes loading on its own, so
//! haul puts the tags back as they were and removes images that did not exist before.

use std::collections::{HashMap, HashSet};

use bollard::query_parameters::{RemoveImageOptions, TagImageOptions};

use super::TransferError;
use super::load::LoadedImage;
use crate::archive::ArchiveReport;
use crate::daemon::{Daemon, DaemonError};

/// The daemon's state for the tags and images an archive touches, taken before a load.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Tag -> image ID it pointed at (`None`: the tag did not exist).
    tags: HashMap<String, Option<String>>,
    /// Image IDs of the archive that the daemon already had.
    present: HashSet<String>,
}

async fn current_id(daemon: &Daemon, name: &str) -> Result<Option<String>, DaemonError> {
    match daemon.inspect_raw(name).await {
        Ok(inspect) => Ok(inspect.id),
        Err(DaemonError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

impl Snapshot {
    pub async fn take(daemon: &Daemon, report: &ArchiveReport) -> Result<Snapshot, DaemonError> {
        let mut snap = Snapshot::default();
        for image in &report.images {
            for tag in &image.tags {
                let id = current_id(daemon, tag).await?;
                snap.tags.insert(tag.clone(), id);
            }
            if current_id(daemon, &image.id).await?.is_some() {
                snap.present.insert(image.id.clone());
            }
        }
        Ok(snap)
    }

    /// Every tag and image of the daemon, in one `list_images` call: for a load whose archive is
    /// listed only at its end (the single pass), so its tags are not known beforehand.
    pub async fn everything(daemon: &Daemon) -> Result<Snapshot, DaemonError> {
        let summaries = crate::daemon::summaries(daemon, true).await?;
        let mut snap = Snapshot::default();
        for image in summaries {
            for tag in image.repo_tags.iter().filter(|t| *t != "<none>:<none>") {
                snap.tags.insert(tag.clone(), Some(image.id.clone()));
            }
            snap.present.insert(image.id);
        }
        Ok(snap)
    }

    /// True when the daemon held no image at all (only meaningful for [`Snapshot::everything`]).
    pub fn is_empty(&self) -> bool {
        self.present.is_empty()
    }

    /// Put back what `loaded` changed.
    pub async fn restore(
        &self,
        daemon: &Daemon,
        loaded: &[LoadedImage],
    ) -> Result<(), TransferError> {
        let mut ids: HashSet<String> = loaded.iter().map(|l| l.id.clone()).collect();
        for image in loaded {
            let Some(name) = &image.name else { continue };
            let now = current_id(daemon, name).await?;
            ids.extend(now.clone());
            match self.tags.get(name).cloned().flatten() {
                Some(before) if Some(&before) != now.as_ref() => {
                    let (repo, tag) = split_tag(name);
                    daemon
                        .meta()
                        .tag_image(
                            &before,
                            Some(TagImageOptions {
                                repo: Some(repo.to_string()),
                                tag: Some(tag.to_string()),
                            }),
                        )
                        .await
                        .map_err(|e| daemon.error(format!("restore tag {name}"), e))?;
                }
                Some(_) => {}
                None => remove(daemon, name).await?,
            }
        }
        ids.retain(|id| !id.is_empty() && !self.present.contains(id));
        for id in ids {
            remove(daemon, &id).await?;
        }
        Ok(())
    }
}

async fn remove(daemon: &Daemon, name: &str) -> Result<(), TransferError> {
    let options = RemoveImageOptions {
        force: false,
        noprune: false,
        ..Default::default()
    };
    match daemon.meta().remove_image(name, Some(options), None).await {
        Ok(_) => Ok(()),
        Err(e) => match daemon.error(format!("undo load: remove {name}"), e) {
            DaemonError::NotFound(_) => Ok(()),
            // Still tagged elsewhere or used by a container: it was not ours alone.
            DaemonError::Api { detail, .. } if detail.contains("conflict") => Ok(()),
            other => Err(other.into()),
        },
    }
}

/// `registry:5000/app:1.0` -> (`registry:5000/app`, `1.0`); no tag means `latest`.
pub fn split_tag(name: &str) -> (&str, &str) {
    match name.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (name, "latest"),
    }
}

#[cfg(test)]
mod tests {
    use super::split_tag;

    #[test]
    fn splits_tags_after_the_last_slash() {
        assert_eq!(split_tag("app:1.0"), ("app", "1.0"));
        assert_eq!(split_tag("reg:5000/app"), ("reg:5000/app", "latest"));
        assert_eq!(split_tag("reg:5000/a/b:x"), ("reg:5000/a/b", "x"));
    }
}
