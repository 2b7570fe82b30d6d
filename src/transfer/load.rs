//! Load a tarball (or anything the archive engine reads) into the daemon.
//!
//! Three ways to send it, chosen per path:
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
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bollard::query_parameters::ImportImageOptions;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream};
use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::io::ReaderStream;

use super::body::{CHANNEL_CHUNKS, CHUNK, ChannelWriter};
use super::delta::{plan_delta, verify};
use super::restore::Snapshot;
use super::{JobContext, JobId, JobKind, JobOutcome, Jobs, Phase, TransferError};
use crate::archive::{self, ArchiveReport, WriteSummary};
use crate::daemon::Daemon;

#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Send every layer even when the daemon has some (no delta load).
    pub full: bool,
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
    /// Why a delta load was retried in full, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

/// Load one path. Progress: source bytes read of [`archive::source_len`].
pub async fn load(
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
                set_total(ctx, path, &skip).await?;
                match attempt(ctx, daemon, path, &report, How::Convert(skip), &snapshot).await {
                    Ok(done) => match verify(daemon, &report, &done.loaded).await {
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
        set_total(ctx, path, &HashSet::new()).await?;
        (How::Convert(HashSet::new()), LoadMode::Converted)
    };
    let done = attempt(ctx, daemon, path, &report, how, &snapshot).await?;
    let mut out = done.into_report(path, mode, source_len);
    out.fallback = fallback;
    Ok(out)
}

/// Progress total of a converted load: the source bytes the conversion will read.
async fn set_total(
    ctx: &JobContext,
    path: &Path,
    skip: &HashSet<String>,
) -> Result<(), TransferError> {
    let (owned, skip) = (path.to_path_buf(), skip.clone());
    let total = blocking(move || archive::load_total(&owned, &skip)).await??;
    ctx.progress.set_total(total);
    Ok(())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TransferError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| TransferError::Other(format!("worker thread: {e}")))
}

enum How {
    AsIs,
    Convert(HashSet<String>),
}

struct Attempt {
    loaded: Vec<LoadedImage>,
    sent: u64,
    summary: WriteSummary,
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

type Body = std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// One upload and the daemon's answer.
async fn attempt(
    ctx: &JobContext,
    daemon: &Daemon,
    path: &Path,
    report: &ArchiveReport,
    how: How,
    snapshot: &Snapshot,
) -> Result<Attempt, TransferError> {
    ctx.phase(Phase::Transferring);
    let sent = Arc::new(AtomicU64::new(0));
    let uploaded = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (body, writer): (Body, _) = match how {
        How::AsIs => {
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|e| TransferError::io(path, e))?;
            let progress = ctx.progress.clone();
            let body = ReaderStream::with_capacity(file, CHUNK).inspect(move |chunk| {
                if let Ok(chunk) = chunk {
                    progress.add(chunk.len() as u64);
                }
            });
            (Box::pin(body), None)
        }
        How::Convert(skip) => {
            let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
            let source = path.to_path_buf();
            let progress = ctx.progress.clone();
            let writer =
                tokio::task::spawn_blocking(move || convert(&source, &skip, tx, &progress));
            (Box::pin(ReceiverStream::new(rx)), Some(writer))
        }
    };
    let body = count_and_mark_end(body, sent.clone(), uploaded.clone(), ctx.clone());
    let options = ImportImageOptions {
        quiet: true,
        ..Default::default()
    };
    let mut answers = daemon.transfer().import_image_stream(options, body, None);
    let mut loaded = Vec::new();
    let mut failure = None;
    let mut cancelled_late = false;
    loop {
        tokio::select! {
            _ = ctx.cancel.cancelled(), if !cancelled_late => {
                if !uploaded.load(Ordering::SeqCst) {
                    // Dropping the request mid-upload makes the daemon discard it.
                    drop(answers);
                    if let Some(writer) = writer {
                        let _ = writer.await;
                    }
                    return Err(TransferError::Cancelled);
                }
                cancelled_late = true;
            }
            answer = answers.next() => match answer {
                None => break,
                Some(Ok(info)) => parse_loaded(info.stream.as_deref().unwrap_or(""), &mut loaded),
                Some(Err(e)) => {
                    failure = Some(daemon.error(format!("load {}", path.display()), e));
                    break;
                }
            },
        }
    }
    drop(answers);
    let summary = match writer {
        Some(writer) => writer
            .await
            .map_err(|e| TransferError::Other(format!("conversion thread: {e}")))?,
        None => Ok(WriteSummary::default()),
    };
    // A conversion error explains a broken upload better than the transport error it causes.
    let summary = summary?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    if cancelled_late || ctx.cancel.is_cancelled() {
        snapshot.restore(daemon, &loaded).await?;
        return Err(TransferError::Cancelled);
    }
    if loaded.is_empty() {
        loaded = report
            .images
            .iter()
            .map(|i| LoadedImage {
                name: None,
                id: i.id.clone(),
            })
            .collect();
    } else {
        resolve_ids(daemon, &mut loaded).await?;
    }
    ctx.progress.set_done(ctx.progress.total());
    Ok(Attempt {
        loaded,
        sent: sent.load(Ordering::Relaxed),
        summary,
    })
}

/// Blocking: write the docker-archive stream into the channel.
fn convert(
    source: &Path,
    skip: &HashSet<String>,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    progress: &super::Progress,
) -> Result<WriteSummary, archive::ArchiveError> {
    let mut out = ChannelWriter::new(tx);
    let result = archive::write_docker_archive(source, skip, &mut out, progress.done_counter())
        .and_then(|summary| {
            std::io::Write::flush(&mut out)
                .map(|_| summary)
                .map_err(|e| archive::Problem::Io(e).at(source))
        });
    if let Err(e) = &result {
        out.fail(e.to_string());
    }
    result
}

/// Count request bytes, and announce `DaemonProcessing` when the body is fully read.
fn count_and_mark_end(
    body: Body,
    sent: Arc<AtomicU64>,
    uploaded: Arc<std::sync::atomic::AtomicBool>,
    ctx: JobContext,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let counted = body.inspect(move |chunk| {
        if let Ok(chunk) = chunk {
            sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
    });
    let end = stream::once(async move {
        uploaded.store(true, Ordering::SeqCst);
        ctx.phase(Phase::DaemonProcessing);
        None
    })
    .filter_map(|x: Option<Result<Bytes, std::io::Error>>| async move { x });
    counted.chain(end)
}

/// `Loaded image: NAME` / `Loaded image ID: sha256:...` lines of the daemon's answer.
fn parse_loaded(text: &str, loaded: &mut Vec<LoadedImage>) {
    for line in text.lines() {
        if let Some(id) = line.strip_prefix("Loaded image ID: ") {
            loaded.push(LoadedImage {
                name: None,
                id: id.trim().to_string(),
            });
        } else if let Some(name) = line.strip_prefix("Loaded image: ") {
            loaded.push(LoadedImage {
                name: Some(name.trim().to_string()),
                id: String::new(),
            });
        }
    }
}

async fn resolve_ids(daemon: &Daemon, loaded: &mut [LoadedImage]) -> Result<(), TransferError> {
    for image in loaded.iter_mut().filter(|l| l.id.is_empty()) {
        if let Some(name) = &image.name {
            image.id = daemon.inspect_raw(name).await?.id.unwrap_or_default();
        }
    }
    Ok(())
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
        let report = load(&ctx, &daemon, &path, opts)
            .await
            .map_err(TransferError::into_job_error)?;
        let outcome = JobOutcome {
            summary: summary(&report),
            images: report
                .loaded
                .iter()
                .map(|l| l.name.clone().unwrap_or_else(|| l.id.clone()))
                .collect(),
            files: Vec::new(),
        };
        let _ = tx.send(report);
        Ok(outcome)
    });
    (id, rx)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_daemon_answer() {
        let mut loaded = Vec::new();
        parse_loaded("Loaded image: app:1.0\n", &mut loaded);
        parse_loaded("Loaded image ID: sha256:abc\n", &mut loaded);
        parse_loaded("Loading layer  1.2MB/3MB\n", &mut loaded);
        assert_eq!(
            loaded,
            vec![
                LoadedImage {
                    name: Some("app:1.0".into()),
                    id: String::new()
                },
                LoadedImage {
                    name: None,
                    id: "sha256:abc".into()
                },
            ]
        );
    }
}
