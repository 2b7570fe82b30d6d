//! `load --tag NAME`: the loaded image is named NAME, and the tags the archive carried are put
//! back as they were before the load, so a load under a new name never moves an existing tag
//! (and an archive without names gets one).

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
    let mut report = load(ctx, daemon, path, opts).await?;
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

/// The archive's tags as the daemon had them before the load.
struct Retag {
    name: String,
    before: Vec<(String, Option<String>)>,
}

impl Retag {
    /// Check `name`, list the archive (it must hold exactly one image) and note what its tags
    /// point at now. Nothing is loaded yet, so a refusal here changes nothing.
    pub async fn prepare(daemon: &Daemon, path: &Path, name: &str) -> Result<Retag, TransferError> {
        let name = tags::with_tag(name);
        if !crate::archive::is_loadable_tag(&name) {
            return Err(TransferError::Other(format!(
                "{name:?} is not an image name (lower-case repository, then :tag)"
            )));
        }
        let owned = path.to_path_buf();
        let report = blocking(move || crate::archive::inspect(&owned)).await??;
        if report.images.len() != 1 {
            return Err(TransferError::Other(format!(
                "{}: --tag names one image, but the archive holds {}",
                path.display(),
                crate::units::count(report.images.len(), "image")
            )));
        }
        let mut before = Vec::new();
        for tag in &report.images[0].tags {
            let id = match daemon.inspect_raw(tag).await {
                Ok(inspect) => inspect.id,
                Err(DaemonError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            };
            before.push((tag.clone(), id));
        }
        Ok(Retag { name, before })
    }

    /// After the load: name the loaded image, put the archive's tags back.
    pub async fn apply(
        &self,
        daemon: &Daemon,
        loaded: &mut Vec<LoadedImage>,
    ) -> Result<(), TransferError> {
        let mut ids: Vec<&str> = loaded.iter().map(|l| l.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let [id] = ids.as_slice() else {
            return Err(TransferError::Other(format!(
                "cannot name the load {}: the daemon reported {}",
                self.name,
                crate::units::count(ids.len(), "image")
            )));
        };
        let id = id.to_string();
        tags::tag(daemon, &id, &self.name).await?;
        for (tag, was) in &self.before {
            if *tag == self.name {
                continue;
            }
            match was {
                Some(previous) if *previous != id => tags::tag(daemon, previous, tag).await?,
                Some(_) => {}
                None => match tags::untag(daemon, tag).await {
                    Ok(()) | Err(DaemonError::NotFound(_)) => {}
                    Err(e) => return Err(e.into()),
                },
            }
        }
        *loaded = vec![LoadedImage {
            name: Some(self.name.clone()),
            id,
        }];
        Ok(())
    }
}
