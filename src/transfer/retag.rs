//! `load --tag NAME`: the loaded image is named NAME, and the tags the archive carried are put
//! back as they were before the load, so a load under a new name never moves an existing tag
//! (and an archive without names gets one). The images those tags named are kept under a
//! temporary `haul-keep/<pid>-<n>:kept` name during the load, removed after.

use std::path::{Path, PathBuf};

use tokio::sync::oneshot;

use super::types::{LoadedImage, blocking};
use super::{JobContext, JobId, JobKind, Jobs, LoadOptions, LoadReport, TransferError, load};
use crate::daemon::{Daemon, DaemonError, tags};

/// Load one path; with `tag`, the loaded image is named so and the archive's own tags stay as
/// they were (see [`Retag`]). Without one, this is [`load`].
pub async fn load_as(
    ctx: &JobContext,
    daemon: &Daemon,
    path: &Path,
    opts: LoadOptions,
    tag: Option<&str>,
) -> Result<LoadReport, TransferError> {
    let retag = match tag {
        Some(name) => Some(Retag::prepare(daemon, path, name).await?),
        None => None,
    };
    let mut report = match load(ctx, daemon, path, opts).await {
        Ok(report) => report,
        Err(e) => {
            if let Some(retag) = &retag {
                retag.release(daemon).await;
            }
            return Err(e);
        }
    };
    if let Some(retag) = retag {
        retag.apply(daemon, &mut report.loaded).await?;
    }
    Ok(report)
}

/// [`super::start_load`] with a name: a job whose receiver gets the full report.
pub fn start_load_as(
    jobs: &mut Jobs,
    daemon: Daemon,
    path: PathBuf,
    opts: LoadOptions,
    tag: Option<String>,
) -> (JobId, oneshot::Receiver<LoadReport>) {
    let (tx, rx) = oneshot::channel();
    let label = match &tag {
        Some(name) => format!("load {} as {name}", path.display()),
        None => format!("load {}", path.display()),
    };
    let id = jobs.spawn(JobKind::Load, label, move |ctx| async move {
        let report = load_as(&ctx, &daemon, &path, opts, tag.as_deref()).await?;
        let outcome = report.outcome();
        let _ = tx.send(report);
        Ok(outcome)
    });
    (id, rx)
}

/// The archive's tags as the daemon had them before the load. A tag that named an image then
/// keeps that image under a temporary name until the load is done: on the containerd store an
/// image whose last name a load takes over is gone at once, and could not be named again.
struct Retag {
    name: String,
    /// (tag, temporary name of what it named before, when it named something).
    before: Vec<(String, Option<String>)>,
}

static KEEPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Retag {
    /// Check `name`, list the archive (it must hold exactly one image) and keep what its tags
    /// name now. Nothing is loaded yet, so a refusal here changes nothing.
    pub async fn prepare(daemon: &Daemon, path: &Path, name: &str) -> Result<Retag, TransferError> {
        let name = tags::with_tag(name);
        if !crate::archive::is_loadable_tag(&name) {
            return Err(TransferError::Other(format!(
                "{} is not an image name (lower-case repository, then :tag)",
                crate::escape::quoted(&name)
            )));
        }
        let owned = path.to_path_buf();
        let report = blocking(move || crate::archive::inspect(&owned)).await??;
        if report.images.len() != 1 {
            return Err(TransferError::Other(format!(
                "{}: --tag names one image, but the archive holds {}",
                crate::escape::path(path),
                crate::units::count(report.images.len(), "image")
            )));
        }
        let mut retag = Retag {
            name,
            before: Vec::new(),
        };
        for tag in &report.images[0].tags {
            let keep = match daemon.inspect_raw(tag).await {
                Ok(_) => {
                    let n = KEEPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let temp = format!("haul-keep/{}-{n}:kept", std::process::id());
                    if let Err(e) = tags::tag(daemon, tag, &temp).await {
                        retag.release(daemon).await;
                        return Err(e.into());
                    }
                    Some(temp)
                }
                Err(DaemonError::NotFound(_)) => None,
                Err(e) => {
                    retag.release(daemon).await;
                    return Err(e.into());
                }
            };
            retag.before.push((tag.clone(), keep));
        }
        Ok(retag)
    }

    /// The load failed: drop the temporary names (the load undid its own changes).
    pub async fn release(&self, daemon: &Daemon) {
        for temp in self.before.iter().filter_map(|(_, keep)| keep.as_ref()) {
            let _ = tags::untag(daemon, temp).await;
        }
    }

    /// After the load: name the loaded image, put the archive's tags back where they were.
    pub async fn apply(
        &self,
        daemon: &Daemon,
        loaded: &mut Vec<LoadedImage>,
    ) -> Result<(), TransferError> {
        let mut ids: Vec<&str> = loaded.iter().map(|l| l.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let [id] = ids.as_slice() else {
            self.release(daemon).await;
            return Err(TransferError::Other(format!(
                "cannot name the load {}: the daemon reported {}",
                self.name,
                crate::units::count(ids.len(), "image")
            )));
        };
        let id = id.to_string();
        // By the name the engine reported where there is one (it points at the loaded image on
        // every engine, whatever its IDs are), else by the ID it reported.
        let source = loaded
            .iter()
            .find_map(|l| l.name.clone())
            .unwrap_or_else(|| id.clone());
        let named = tags::tag(daemon, &source, &self.name).await;
        let mut result = named.map_err(TransferError::from);
        for (tag, keep) in &self.before {
            if *tag == self.name {
                continue;
            }
            let step = match keep {
                // Back to what it named (the same image when the load changed nothing).
                Some(temp) => tags::tag(daemon, temp, tag).await,
                None => match tags::untag(daemon, tag).await {
                    Err(DaemonError::NotFound(_)) => Ok(()),
                    other => other,
                },
            };
            if let (Ok(()), Err(e)) = (&result, step) {
                result = Err(e.into());
            }
        }
        self.release(daemon).await;
        result?;
        *loaded = vec![LoadedImage {
            name: Some(self.name.clone()),
            id,
        }];
        Ok(())
    }
}
