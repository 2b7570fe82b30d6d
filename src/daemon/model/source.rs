//! The two calls the model makes, behind a trait so tests can count them: list every image
//! (one call), inspect one. [`refresh`] is the whole update; the TUI runs its two halves
//! ([`ImageSource::list`], [`look`]) on background tasks and applies the results itself.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;

use bollard::models::ImageInspect;
use bollard::query_parameters::ListImagesOptions;
use futures_util::{StreamExt, TryStreamExt, stream};

use super::{ImageModel, Listed, Looked, Touched};
use crate::daemon::images::{clean_tags, list_with, row_of};
use crate::daemon::{Daemon, DaemonError};

/// How many inspect calls run at once.
const PARALLEL_INSPECTS: usize = 8;

/// Where the model's facts come from: an engine, or a fake in tests.
pub trait ImageSource: Send + Sync {
    /// One listing of every image, dangling and intermediate ones too; with `reference`, only
    /// the images that name matches.
    fn list(
        &self,
        reference: Option<&str>,
    ) -> impl Future<Output = Result<Vec<Listed>, DaemonError>> + Send;

    /// Inspect one image by ID or name; `None` when there is no such image.
    fn inspect(
        &self,
        reference: &str,
    ) -> impl Future<Output = Result<Option<ImageInspect>, DaemonError>> + Send;
}

impl ImageSource for Daemon {
    async fn list(&self, reference: Option<&str>) -> Result<Vec<Listed>, DaemonError> {
        let options = ListImagesOptions {
            all: true,
            filters: reference.map(|r| HashMap::from([("reference".into(), vec![r.into()])])),
            ..Default::default()
        };
        let summaries = list_with(self, options).await?;
        Ok(summaries
            .into_iter()
            .map(|s| Listed {
                parent: s.parent_id.clone(),
                row: row_of(s),
            })
            .collect())
    }

    async fn inspect(&self, reference: &str) -> Result<Option<ImageInspect>, DaemonError> {
        match self.inspect_raw(reference).await {
            Ok(inspect) => Ok(Some(inspect)),
            Err(DaemonError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Inspect each reference once (a few at a time). An image that may be new is also listed by
/// one of its tags, for the size and time a listing gives.
pub async fn look<S: ImageSource>(
    source: &S,
    references: &BTreeMap<String, bool>,
) -> Result<Vec<Looked>, DaemonError> {
    stream::iter(references.iter())
        .map(|(reference, new)| async move {
            let Some(inspect) = source.inspect(reference).await? else {
                return Ok(Looked::Gone {
                    reference: reference.clone(),
                });
            };
            let tag = clean_tags(inspect.repo_tags.clone().unwrap_or_default())
                .into_iter()
                .next();
            let listed = match tag {
                Some(tag) if *new => {
                    let id = inspect.id.as_deref().unwrap_or_default();
                    source
                        .list(Some(&tag))
                        .await?
                        .into_iter()
                        .map(|l| l.row)
                        .find(|r| r.id == id)
                }
                _ => None,
            };
            Ok(Looked::Found {
                inspect: Box::new(inspect),
                listed,
            })
        })
        .buffer_unordered(PARALLEL_INSPECTS)
        .try_collect()
        .await
}

/// Bring `model` up to date with what a burst of events `touched`: one listing when it asks
/// for one (then an inspect only for the images the listing shows new), one inspect per image
/// it names. Returns the IDs that changed.
pub async fn refresh<S: ImageSource>(
    source: &S,
    model: &mut ImageModel,
    touched: &Touched,
) -> Result<Vec<String>, DaemonError> {
    let mut references = touched.images.clone();
    let mut changed = Vec::new();
    if touched.relist {
        let new = model.listed(source.list(None).await?);
        changed.extend(new.iter().cloned());
        // Listed: its size and time are known, no second listing needed.
        references.extend(new.into_iter().map(|id| (id, false)));
    }
    for looked in look(source, &references).await? {
        changed.extend(model.looked(looked));
    }
    changed.sort();
    changed.dedup();
    Ok(changed)
}

/// A model of everything the engine holds: one listing, one inspect per image.
pub async fn load<S: ImageSource>(
    source: &S,
    ids: crate::daemon::ImageIds,
) -> Result<ImageModel, DaemonError> {
    let mut model = ImageModel::new(ids);
    let everything = Touched {
        relist: true,
        ..Default::default()
    };
    refresh(source, &mut model, &everything).await?;
    Ok(model)
}
