//! Load a tarball (or anything the archive engine reads) into the daemon.
//!
//! Four ways to send it, chosen per path:
//! - single pass: a compressed tar or a deflated zip entry whose listing is not cached yet, in a
//!   full load, is decompressed once by haul and listed while its tar goes to the daemon
//!   (see `single_pass.rs`, which also explains when it is taken);
//! - as is: a plain or gzip docker-archive file goes out byte for byte, read in chunks;
//! - converted: `archive::write_docker_archive` runs on a blocking thread and writes a
//!   docker-archive tar into a bounded channel that is the request body (OCI, zstd, zip...);
//! - delta: the same conversion leaving out the layers the daemon already holds (classic store),
//!   verified after the load and retried in full on any refusal or mismatch.
//!
//! Cancellation: while uploading, the request is dropped, so the daemon sees a broken upload and
//! loads nothing. Once the upload is complete the daemon finishes on its own; haul then waits for
//! it and undoes the load (restores the tags as they were, removes images that were not there).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use tokio::sync::oneshot;

use super::delta::{plan_delta, verify};
use super::restore::Snapshot;
use super::single_pass::{self, Route};
use super::upload::{Attempt, How, attempt};
use super::{JobContext, JobId, JobKind, JobOutcome, Jobs, TransferError};
use crate::archive::{self, ArchiveReport, ConversionPlan};
use crate::daemon::Daemon;

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Send every layer even when the daemon has some (no delta load).
    pub full: bool,
    /// Name the loaded image this (`repo[:tag]`) and leave the archive's own tags as they were.
    pub tag: Option<String>,
}

/// How the bytes were sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoadMode {
    /// The file's own bytes.
    AsIs,
    /// Converted to a docker-archive stream on the fly.
    Converted,
    /// Converted, leaving out layers the daemon already had.
    Delta,
    /// Decompressed once by haul, listed while its tar went to the daemon unchanged.
    SinglePass,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadedImage {
    /// The tag the daemon reported, when the archive carried one.
    pub name: Option<String>,
    pub id: String,
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LoadReport {
    pub path: String,
    pub loaded: Vec<LoadedImage>,
    pub mode: LoadMode,
    /// Source bytes (the file, or the zip entry) and request bytes sent to the daemon.
    pub source_bytes: u64,
    pub sent_bytes: u64,
    pub skipped_layers: usize,
    pub skipped_bytes: u64,
    /// Why a delta or single-pass load was retried as a full two-pass load, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

/// Load one path. Progress: source bytes read of the route's total.
pub async fn load(
    ctx: &JobContext,
    daemon: &Daemon,
    path: &Path,
    opts: LoadOptions,
) -> Result<LoadReport, TransferError> {
    let retag = match &opts.tag {
        Some(name) => Some(super::retag::Retag::prepare(daemon, path, name).await?),
        None => None,
    };
    let mut report = load_as_named(ctx, daemon, path, opts).await?;
    if let Some(retag) = retag {
        retag.apply(daemon, &mut report.loaded).await?;
    }
    Ok(report)
}

/// Load one path under the names the archive carries.
async fn load_as_named(
    ctx: &JobContext,
    daemon: &Daemon,
    path: &Path,
    mut opts: LoadOptions,
) -> Result<LoadReport, TransferError> {
    let fallback = match single_pass::try_load(ctx, daemon, path, opts.clone()).await? {
        Route::Done(report) => return Ok(report),
        Route::NotTaken => None,
        Route::Fallback(why) => {
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

/// List the path (from the cache when it is there), then send it: delta, as is, or converted.
async fn two_pass(
    ctx: &JobContext,
    daemon: &Daemon,
    path: &Path,
    opts: LoadOptions,
) -> Result<LoadReport, TransferError> {
    let owned = path.to_path_buf();
    let report = blocking(move || archive::inspect(&owned)).await??;
    let owned = path.to_path_buf();
    let source_len = blocking(move || archive::source_len(&owned)).await??;
    let snapshot = Snapshot::take(daemon, &report).await?;

    let mut fallback = None;
    if !opts.full {
        match plan_delta(daemon, &report).await {
            Ok(Some(skip)) => {
                let plan = conversion_plan(ctx, &report, skip).await?;
                match attempt(ctx, daemon, path, &report, How::Convert(plan), &snapshot).await {
                    Ok(done) => match verify(daemon, &report, &done.loaded, "delta load").await {
                        Ok(()) => return Ok(done.into_report(path, LoadMode::Delta, source_len)),
                        Err(why) => fallback = Some(why),
                    },
                    Err(TransferError::Cancelled) => return Err(TransferError::Cancelled),
                    Err(e) => fallback = Some(e.to_string()),
                }
                ctx.progress.set_done(0);
            }
            Ok(None) => {}
            Err(e) => fallback = Some(e.to_string()),
        }
    }
    let (how, mode) = if archive::daemon_accepts_as_is(&report) {
        ctx.progress.set_total(source_len);
        (How::AsIs, LoadMode::AsIs)
    } else {
        let plan = conversion_plan(ctx, &report, HashSet::new()).await?;
        (How::Convert(plan), LoadMode::Converted)
    };
    let done = attempt(ctx, daemon, path, &report, how, &snapshot).await?;
    let mut out = done.into_report(path, mode, source_len);
    out.fallback = fallback;
    Ok(out)
}

/// The conversion of an already listed archive, leaving out `skip`; its source bytes become the
/// progress total.
async fn conversion_plan(
    ctx: &JobContext,
    report: &ArchiveReport,
    skip: HashSet<String>,
) -> Result<Box<ConversionPlan>, TransferError> {
    let report = report.clone();
    let plan = blocking(move || ConversionPlan::from_report(report, &skip)).await??;
    ctx.progress.set_total(plan.total_bytes());
    Ok(Box::new(plan))
}

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TransferError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| TransferError::Other(format!("worker thread: {e}")))
}

impl Attempt {
    fn into_report(self, path: &Path, mode: LoadMode, source_len: u64) -> LoadReport {
        LoadReport {
            path: path.display().to_string(),
            loaded: self.loaded,
            mode,
            source_bytes: source_len,
            sent_bytes: self.sent,
            skipped_layers: self.summary.skipped_layers,
            skipped_bytes: self.summary.skipped_bytes,
            fallback: None,
        }
    }
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

impl LoadReport {
    /// What a load job shows when it is done: the summary line and the loaded images.
    pub fn outcome(&self) -> JobOutcome {
        JobOutcome {
            summary: summary(self),
            images: self
                .loaded
                .iter()
                .map(|l| l.name.clone().unwrap_or_else(|| l.id.clone()))
                .collect(),
            files: Vec::new(),
        }
    }
}

/// One line: "loaded app:1.0 (0123456789ab); skipped 3 layers (812 MB)".
pub fn summary(report: &LoadReport) -> String {
    let names: Vec<String> = report
        .loaded
        .iter()
        .map(|l| match &l.name {
            Some(name) => format!("{name} ({})", crate::units::short_id(&l.id)),
            None => crate::units::short_id(&l.id).to_string(),
        })
        .collect();
    let mut line = format!("loaded {}", names.join(", "));
    if report.skipped_layers > 0 {
        line.push_str(&format!(
            "; skipped {} layer{} ({}) the daemon already had",
            report.skipped_layers,
            if report.skipped_layers == 1 { "" } else { "s" },
            crate::units::bytes(report.skipped_bytes)
        ));
    }
    line
}
