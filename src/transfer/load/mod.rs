//! Load a tarball (or anything the archive engine reads) into the engine: list it, ask the
//! engine what it holds, choose a route from the engine's description ([`plan`]), send, judge
//! the answer, verify, and fall back to a full load on any doubt.
//!
//! Routes (see `super::routes`): as is (the file's bytes); decompressed (the tar inside,
//! decompressed once by haul); a docker-archive conversion (engines that need `manifest.json`
//! or refuse zstd; with layers left out, the classic store's delta); an OCI layout stream (the
//! containerd store's and Podman's delta, a folder or zip entry on engines that load OCI).
//! A compressed source whose listing is not cached is sent and listed in one pass when no delta
//! can help (see [`single_pass`]).
//!
//! Failures leave nothing: a cancel after the upload, an unpack error, or a delta that does not
//! verify undo what the load created (tags put back, new images removed).

pub mod dry_run;
pub mod plan;
mod single_pass;

use std::path::{Path, PathBuf};

use tokio::sync::oneshot;

use self::plan::{Plan, Route, Source};
use super::recheck::{Recheck, patiently, recheck};
use super::routes::{decompressed, docker_archive, oci_layout};
use super::types::blocking;
use super::undo::Snapshot;
use super::upload::{Sending, Upload, file_body, upload};
use super::verify::{complete_ids, expected_ids, verify};
use super::{
    JobContext, JobId, JobKind, Jobs, LoadMode, LoadOptions, LoadReport, LoadedImage, TransferError,
};
use crate::archive::{self, ArchiveReport, Problem, StreamedSource};
use crate::daemon::{Daemon, ImageIds, holdings};

/// Load one path. Progress: source bytes read of the route's total.
pub async fn load(
    ctx: &JobContext,
    daemon: &Daemon,
    path: &Path,
    mut opts: LoadOptions,
) -> Result<LoadReport, TransferError> {
    let fallback = match single_pass::try_load(ctx, daemon, path, opts).await? {
        single_pass::Outcome::Done(report) => return Ok(report),
        single_pass::Outcome::NotTaken => None,
        single_pass::Outcome::Fallback(why) => {
            // Only full loads take the single pass: stay full.
            ctx.progress.set_done(0);
            opts.full = true;
            Some(why)
        }
    };
    let mut out = two_pass(ctx, daemon, path, opts).await?;
    out.fallback = fallback.or(out.fallback);
    Ok(out)
}

/// What the source is beyond its listing (blocking: sniffs the file).
pub(crate) fn source_of(path: &Path, report: &ArchiveReport) -> Result<Source, TransferError> {
    Ok(Source::of(report, StreamedSource::open(path)?.is_some()))
}

/// List the path (from the cache when it is there), then send it by the planned route.
async fn two_pass(
    ctx: &JobContext,
    daemon: &Daemon,
    path: &Path,
    opts: LoadOptions,
) -> Result<LoadReport, TransferError> {
    let owned = path.to_path_buf();
    let (report, source_len, source) = blocking(move || {
        let report = archive::inspect(&owned)?;
        let len = archive::source_len(&owned)?;
        let source = source_of(&owned, &report)?;
        Ok::<_, TransferError>((report, len, source))
    })
    .await??;
    let held = holdings::fetch(daemon).await?;
    let mut snapshot = Snapshot::from_holdings(&held);
    let tags: Vec<String> = report.images.iter().flat_map(|i| i.tags.clone()).collect();
    snapshot.protect(daemon, &tags).await?;
    let loading = Loading {
        ctx,
        daemon,
        path,
        report: &report,
        snapshot: &snapshot,
        source_len,
    };
    let planned = plan::choose(daemon.engine(), &report, &held, opts, source);
    let result = loading.planned(planned, source).await;
    let released = snapshot.release(daemon).await;
    let out = result?;
    released?;
    Ok(out)
}

/// One load under way: what every send of it needs.
struct Loading<'a> {
    ctx: &'a JobContext,
    daemon: &'a Daemon,
    path: &'a Path,
    report: &'a ArchiveReport,
    snapshot: &'a Snapshot,
    source_len: u64,
}

/// What one send did, once judged.
struct Sent {
    loaded: Vec<LoadedImage>,
    sent: u64,
    /// The engine ID each archive image should now have (see `verify`).
    expected: Vec<Option<String>>,
}

impl Loading<'_> {
    /// The planned route (a delta first where one applies), with its fallback to a full load.
    async fn planned(&self, planned: Plan, source: Source) -> Result<LoadReport, TransferError> {
        let (ctx, daemon) = (self.ctx, self.daemon);
        let mut fallback = planned.note.clone();
        if planned.mode == LoadMode::Delta {
            match self.send(&planned).await {
                Ok(done) => {
                    let verified = verify(
                        daemon,
                        self.report,
                        &done.expected,
                        &done.loaded,
                        "delta load",
                    );
                    match verified.await {
                        Ok(()) => return Ok(self.report_of(done, &planned)),
                        Err(why) => {
                            self.snapshot.restore(daemon, &done.loaded).await?;
                            fallback = Some(why);
                        }
                    }
                }
                Err(TransferError::Cancelled) => return Err(TransferError::Cancelled),
                Err(e) => fallback = Some(e.to_string()),
            }
            ctx.progress.set_done(0);
        }
        let planned = plan::full(daemon.engine(), self.report, source);
        let done = self.send(&planned).await?;
        let mut out = self.report_of(done, &planned);
        out.fallback = fallback;
        Ok(out)
    }

    fn report_of(&self, sent: Sent, plan: &Plan) -> LoadReport {
        LoadReport {
            path: self.path.display().to_string(),
            loaded: sent.loaded,
            mode: plan.mode,
            source_bytes: self.source_len,
            sent_bytes: sent.sent,
            skipped_layers: plan.skipped_layers,
            skipped_bytes: plan.skipped_bytes,
            fallback: None,
        }
    }

    /// Send the path by `plan`'s route and judge the answer.
    async fn send(&self, plan: &Plan) -> Result<Sent, TransferError> {
        let (ctx, daemon, path, report) = (self.ctx, self.daemon, self.path, self.report);
        let mut expected = expected_ids(daemon.engine().ids, report);
        let (loaded, sent) = match &plan.route {
            Route::AsIs => {
                ctx.progress.set_total(self.source_len);
                let body = file_body(ctx, path).await?;
                let sending: Sending<()> = Sending {
                    body,
                    producer: None,
                };
                let up = upload(ctx, daemon, path, sending).await?;
                judge(daemon, up, self.snapshot, (report, &expected))
                    .await?
                    .0
            }
            Route::Decompressed => {
                let owned = path.to_path_buf();
                let source = blocking(move || StreamedSource::open(&owned))
                    .await??
                    .ok_or_else(|| {
                        TransferError::Other(format!("{}: not compressed", path.display()))
                    })?;
                let sending = decompressed::sending(ctx, source);
                judge(
                    daemon,
                    upload(ctx, daemon, path, sending).await?,
                    self.snapshot,
                    (report, &expected),
                )
                .await?
                .0
            }
            Route::DockerArchive { skip } => {
                let sending = docker_archive::sending(ctx, report, skip).await?;
                judge(
                    daemon,
                    upload(ctx, daemon, path, sending).await?,
                    self.snapshot,
                    (report, &expected),
                )
                .await?
                .0
            }
            Route::OciLayout { skip, how } => {
                let sending = oci_layout::sending(ctx, report, skip, *how).await?;
                let up = upload(ctx, daemon, path, sending).await?;
                let (answer, written) =
                    judge(daemon, up, self.snapshot, (report, &expected)).await?;
                // The containerd store names an image by the manifest haul wrote for it.
                if daemon.engine().ids == ImageIds::TargetDigest
                    && let Some(written) = written
                {
                    expected = written.targets;
                }
                answer
            }
        };
        // The engine may stop right after answering (a graceful stop finishes the load first):
        // wait for it to come back rather than call a reported load a failure.
        let loaded = patiently(|| complete_ids(daemon, &expected, loaded.clone())).await?;
        ctx.progress.set_done(ctx.progress.total());
        Ok(Sent {
            loaded,
            sent,
            expected,
        })
    }
}

/// The engine's answer judged: a producer's error (it explains a broken upload better than the
/// transport error it causes), a refusal, a late cancel and unpack errors all fail the send,
/// after undoing whatever the engine loaded: the names it reported and the archive's own (an
/// engine may import before refusing, without naming anything). A connection lost once the
/// whole archive was sent is not a refusal: the engine is asked again (see `recheck`).
async fn judge<T>(
    daemon: &Daemon,
    up: Upload<T>,
    snapshot: &Snapshot,
    (report, expected): (&ArchiveReport, &[Option<String>]),
) -> Result<((Vec<LoadedImage>, u64), Option<T>), TransferError> {
    let undo = |loaded: Vec<LoadedImage>| async move {
        let mut all = loaded;
        all.extend(archive_names(report, expected));
        snapshot.restore(daemon, &all).await
    };
    let lost_after_upload = up.refused_after_upload
        && !up.refused_by_engine
        && up.loaded.is_empty()
        && !up.cancelled_late;
    let failure = match (up.produced, up.refused) {
        // The engine stopped reading: its refusal says why.
        (Some(Err(e)), Some(refusal)) if matches!(e.problem, Problem::Output(_)) => {
            Some(refusal.into())
        }
        (Some(Err(e)), _) => Some(TransferError::from(e)),
        (_, Some(e)) if lost_after_upload => {
            return match recheck(daemon, report, expected).await {
                Recheck::Loaded(loaded) => Ok(((loaded, up.sent), None)),
                Recheck::Absent => Err(TransferError::Other(format!(
                    "{e}; checked again after the upload: the image is not in the engine"
                ))),
                Recheck::Unknown(why) => Err(TransferError::Other(format!(
                    "the connection to the engine was lost after the upload finished ({e}): the \
                     daemon may have loaded it; check with `haul images` ({why})"
                ))),
            };
        }
        (_, Some(refusal)) => Some(refusal.into()),
        (Some(Ok(produced)), None) => {
            if up.cancelled_late {
                Some(TransferError::Cancelled)
            } else if let Some(first) = up.unpack_errors.first() {
                Some(TransferError::Other(first.clone()))
            } else {
                return Ok(((up.loaded, up.sent), Some(produced)));
            }
        }
        (None, None) => {
            if up.cancelled_late {
                Some(TransferError::Cancelled)
            } else {
                up.unpack_errors
                    .first()
                    .map(|first| TransferError::Other(first.clone()))
            }
        }
    };
    match failure {
        Some(e) => {
            undo(up.loaded).await?;
            Err(e)
        }
        None => Ok(((up.loaded, up.sent), None)),
    }
}

/// The names and IDs a load of `report` may create.
fn archive_names(report: &ArchiveReport, expected: &[Option<String>]) -> Vec<LoadedImage> {
    let mut out = Vec::new();
    for (image, id) in report.images.iter().zip(expected) {
        let id = id.clone().unwrap_or_default();
        if image.tags.is_empty() {
            out.push(LoadedImage {
                name: None,
                id: id.clone(),
            });
        }
        for tag in image.tags.iter().filter(|t| archive::is_loadable_tag(t)) {
            out.push(LoadedImage {
                name: Some(tag.clone()),
                id: id.clone(),
            });
        }
    }
    out
}

/// Start a load as a job. The receiver gets the full report when it succeeds.
pub fn start_load(
    jobs: &mut Jobs,
    daemon: Daemon,
    path: PathBuf,
    opts: LoadOptions,
) -> (JobId, oneshot::Receiver<LoadReport>) {
    let (tx, rx) = oneshot::channel();
    let label = format!("load {}", path.display());
    let id = jobs.spawn(JobKind::Load, label, move |ctx| async move {
        let report = load(&ctx, &daemon, &path, opts).await?;
        let outcome = report.outcome();
        let _ = tx.send(report);
        Ok(outcome)
    });
    (id, rx)
}
