//! Undo a load: one cancelled after its upload (the engine finishes loading on its own), one
//! whose result failed verification, one the engine could not unpack. haul puts the tags back
//! as they were and removes images that did not exist before.
//!
//! Names are compared as the engine writes them in listings and in its answer (Podman writes
//! `docker.io/...` and `localhost/...` in both), with Docker Hub's prefixes dropped.
//!
//! On the containerd store an image exists only through its names: a load that moves a tag
//! away from an image deletes that image. Before such a load haul keeps each image the
//! archive's tags point at under a temporary name (`haul-undo/<pid>-<n>:keep`), so an undo can
//! point the tag back; the temporary names are removed when the load is over.

use std::collections::{HashMap, HashSet};

use bollard::query_parameters::{RemoveImageOptions, TagImageOptions};

use super::TransferError;
use super::types::LoadedImage;
use crate::daemon::{Daemon, DaemonError, Holdings};

/// The engine's tags and images, taken before a load.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Tag (see [`familiar`]) -> image ID it pointed at.
    tags: HashMap<String, String>,
    /// Every image ID the engine had.
    present: HashSet<String>,
    /// Temporary names keeping images alive during the load (see the module notes).
    keep: Vec<String>,
}

static KEEP_NAMES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// `docker.io/library/app:1` and `docker.io/app:1` -> `app:1`; other names unchanged.
fn familiar(name: &str) -> &str {
    name.strip_prefix("docker.io/library/")
        .or_else(|| name.strip_prefix("docker.io/"))
        .unwrap_or(name)
}

async fn current_id(daemon: &Daemon, name: &str) -> Result<Option<String>, DaemonError> {
    match daemon.inspect_raw(name).await {
        Ok(inspect) => Ok(inspect.id),
        Err(DaemonError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

impl Snapshot {
    /// From what the engine holds (already fetched for planning the load).
    pub fn from_holdings(holdings: &Holdings) -> Snapshot {
        let mut snap = Snapshot::default();
        for image in holdings.images() {
            for tag in &image.tags {
                snap.tags
                    .insert(familiar(tag).to_string(), image.id.clone());
            }
            snap.present.insert(image.id.clone());
        }
        snap
    }

    /// Every tag and image of the engine, in one `list_images` call.
    pub async fn everything(daemon: &Daemon) -> Result<Snapshot, DaemonError> {
        let summaries = crate::daemon::summaries(daemon, true).await?;
        let mut snap = Snapshot::default();
        for image in summaries {
            for tag in image.repo_tags.iter().filter(|t| *t != "<none>:<none>") {
                snap.tags
                    .insert(familiar(tag).to_string(), image.id.clone());
            }
            snap.present.insert(image.id);
        }
        Ok(snap)
    }

    /// True when the engine held no image at all.
    pub fn is_empty(&self) -> bool {
        self.present.is_empty()
    }

    /// Keep the images `tags` point at now alive under temporary names, on engines where a
    /// moved tag deletes its image (the containerd store). Undo with [`Snapshot::release`].
    pub async fn protect(&mut self, daemon: &Daemon, tags: &[String]) -> Result<(), TransferError> {
        if daemon.engine().kind != crate::daemon::EngineKind::DockerContainerd {
            return Ok(());
        }
        let mut ids: Vec<String> = tags
            .iter()
            .filter_map(|t| self.tags.get(familiar(t)).cloned())
            .collect();
        ids.sort();
        ids.dedup();
        for id in ids {
            let n = KEEP_NAMES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let temp = format!("haul-undo/{}-{n}:keep", std::process::id());
            crate::daemon::tags::tag(daemon, &id, &temp).await?;
            self.keep.push(temp);
        }
        Ok(())
    }

    /// Remove the temporary names of [`Snapshot::protect`] (the images they kept go the way a
    /// load sends them: deleted when no other name is left).
    pub async fn release(&self, daemon: &Daemon) -> Result<(), TransferError> {
        for name in &self.keep {
            match crate::daemon::tags::untag(daemon, name).await {
                Ok(()) | Err(DaemonError::NotFound(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
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
            match self.tags.get(familiar(name)).cloned() {
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
    use super::{familiar, split_tag};

    #[test]
    fn splits_tags_after_the_last_slash() {
        assert_eq!(split_tag("app:1.0"), ("app", "1.0"));
        assert_eq!(split_tag("reg:5000/app"), ("reg:5000/app", "latest"));
        assert_eq!(split_tag("reg:5000/a/b:x"), ("reg:5000/a/b", "x"));
    }

    #[test]
    fn docker_hub_prefixes_are_dropped() {
        assert_eq!(familiar("docker.io/library/app:1"), "app:1");
        assert_eq!(familiar("docker.io/team/app:1"), "team/app:1");
        assert_eq!(familiar("localhost/app:1"), "localhost/app:1");
    }
}
