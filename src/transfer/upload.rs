//! One upload to `POST /images/load` and the daemon's answer.
//!
//! The body is either the file's own bytes read in chunks, or a bounded channel a blocking
//! thread writes into (a conversion, or the single-pass listing). Cancelling mid-upload drops
//! the request, so the daemon sees a broken upload and loads nothing.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use bollard::query_parameters::ImportImageOptions;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::io::ReaderStream;

use super::body::{CHANNEL_CHUNKS, CHUNK, ChannelWriter};
use super::load::LoadedImage;
use super::restore::Snapshot;
use super::{JobContext, Phase, TransferError};
use crate::archive::{self, ArchiveError, ArchiveReport, ConversionPlan, WriteSummary};
use crate::daemon::{Daemon, DaemonError};

pub(super) type Body = std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// What an upload gave, before anyone judged it.
pub(super) struct Upload<T> {
    /// The images the daemon named (`Loaded image: ...`); IDs may still be empty.
    pub loaded: Vec<LoadedImage>,
    /// Request bytes sent.
    pub sent: u64,
    /// The daemon's error, when it refused (or the transport broke).
    pub refused: Option<DaemonError>,
    /// The producing thread's result; `None` when the file's own bytes were sent.
    pub produced: Option<Result<T, ArchiveError>>,
    /// Cancelled after the upload was complete: the daemon finished, so the load must be undone.
    pub cancelled_late: bool,
}

/// Send `body` (fed by `producer`, if any) and read the daemon's answer to the end.
/// `Err(Cancelled)` when cancelled mid-upload: the request is dropped and nothing is loaded.
pub(super) async fn upload<T>(
    ctx: &JobContext,
    daemon: &Daemon,
    path: &Path,
    body: Body,
    producer: Option<JoinHandle<Result<T, ArchiveError>>>,
) -> Result<Upload<T>, TransferError> {
    ctx.phase(Phase::Transferring);
    let sent = Arc::new(AtomicU64::new(0));
    let uploaded = Arc::new(AtomicBool::new(false));
    let body = count_and_mark_end(body, sent.clone(), uploaded.clone(), ctx.clone());
    // Not quiet: the classic store then says which layer it is loading (shown as the job's
    // message while the daemon processes); other engines send only their final lines.
    let options = ImportImageOptions {
        quiet: false,
        ..Default::default()
    };
    let mut answers = daemon.transfer().import_image_stream(options, body, None);
    let mut loaded = Vec::new();
    let mut refused = None;
    let mut cancelled_late = false;
    loop {
        tokio::select! {
            _ = ctx.cancel.cancelled(), if !cancelled_late => {
                if !uploaded.load(Ordering::SeqCst) {
                    // Dropping the request mid-upload makes the daemon discard it.
                    drop(answers);
                    if let Some(producer) = producer {
                        let _ = producer.await;
                    }
                    return Err(TransferError::Cancelled);
                }
                cancelled_late = true;
            }
            answer = answers.next() => match answer {
                None => break,
                Some(Ok(info)) => {
                    if let Some(text) = progress_message(&info) {
                        ctx.progress.set_message(text);
                    }
                    parse_loaded(info.stream.as_deref().unwrap_or(""), &mut loaded)
                }
                Some(Err(e)) => {
                    refused = Some(daemon.error(format!("load {}", path.display()), e));
                    break;
                }
            },
        }
    }
    drop(answers);
    let produced = match producer {
        Some(producer) => Some(
            producer
                .await
                .map_err(|e| TransferError::Other(format!("producer thread: {e}")))?,
        ),
        None => None,
    };
    Ok(Upload {
        loaded,
        sent: sent.load(Ordering::Relaxed),
        refused,
        produced,
        cancelled_late: cancelled_late || ctx.cancel.is_cancelled(),
    })
}

/// How the two-pass route sends a path whose report it already has.
pub(super) enum How {
    /// The file's own bytes.
    AsIs,
    /// A docker-archive written by this conversion.
    Convert(Box<ConversionPlan>),
}

pub(super) struct Attempt {
    pub loaded: Vec<LoadedImage>,
    pub sent: u64,
    pub summary: WriteSummary,
}

/// One upload of an already listed path, and the daemon's answer judged.
pub(super) async fn attempt(
    ctx: &JobContext,
    daemon: &Daemon,
    path: &Path,
    report: &ArchiveReport,
    how: How,
    snapshot: &Snapshot,
) -> Result<Attempt, TransferError> {
    let (body, producer): (Body, _) = match how {
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
        How::Convert(plan) => {
            let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
            let source = path.to_path_buf();
            let progress = ctx.progress.clone();
            let producer =
                tokio::task::spawn_blocking(move || convert(&plan, &source, tx, &progress));
            (Box::pin(ReceiverStream::new(rx)), Some(producer))
        }
    };
    let up = upload(ctx, daemon, path, body, producer).await?;
    // A conversion error explains a broken upload better than the transport error it causes.
    let summary = up.produced.unwrap_or(Ok(WriteSummary::default()))?;
    if let Some(e) = up.refused {
        return Err(e.into());
    }
    if up.cancelled_late {
        snapshot.restore(daemon, &up.loaded).await?;
        return Err(TransferError::Cancelled);
    }
    let loaded = complete_ids(daemon, report, up.loaded).await?;
    ctx.progress.set_done(ctx.progress.total());
    Ok(Attempt {
        loaded,
        sent: up.sent,
        summary,
    })
}

/// Blocking: write the docker-archive stream into the channel.
fn convert(
    plan: &ConversionPlan,
    source: &Path,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    progress: &super::Progress,
) -> Result<WriteSummary, ArchiveError> {
    let mut out = ChannelWriter::new(tx);
    let result = plan
        .write(&mut out, progress.done_counter())
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
    uploaded: Arc<AtomicBool>,
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

/// The daemon's progress word (`Loading layer 0123456789ab 12.50 MB / 30 MB`), in haul's units.
fn progress_message(info: &bollard::models::BuildInfo) -> Option<String> {
    let status = info.status.as_deref()?.trim();
    if status.is_empty() {
        return None;
    }
    let mut text = status.to_string();
    if let Some(id) = info.id.as_deref().filter(|id| !id.is_empty()) {
        text.push(' ');
        text.push_str(crate::units::short_id(id));
    }
    if let Some(detail) = &info.progress_detail
        && let (Some(current), Some(total)) = (detail.current, detail.total)
        && total > 0
    {
        text.push_str(&format!(
            " {} / {}",
            crate::units::bytes(current.max(0) as u64),
            crate::units::bytes(total as u64)
        ));
    }
    Some(text)
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

/// The loaded images with their IDs: looked up by name, or the archive's own images when the
/// daemon named none.
pub(super) async fn complete_ids(
    daemon: &Daemon,
    report: &ArchiveReport,
    mut loaded: Vec<LoadedImage>,
) -> Result<Vec<LoadedImage>, TransferError> {
    if loaded.is_empty() {
        return Ok(report
            .images
            .iter()
            .map(|i| LoadedImage {
                name: None,
                id: i.id.clone(),
            })
            .collect());
    }
    for image in loaded.iter_mut().filter(|l| l.id.is_empty()) {
        if let Some(name) = &image.name {
            image.id = daemon.inspect_raw(name).await?.id.unwrap_or_default();
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_messages_use_haul_units() {
        let info = bollard::models::BuildInfo {
            id: Some("0123456789abcdef".into()),
            status: Some("Loading layer".into()),
            progress_detail: Some(bollard::models::ProgressDetail {
                current: Some(12_500_000),
                total: Some(30_000_000),
            }),
            ..Default::default()
        };
        assert_eq!(
            progress_message(&info).as_deref(),
            Some("Loading layer 0123456789ab 12.50 MB / 30 MB")
        );
        assert_eq!(
            progress_message(&bollard::models::BuildInfo::default()),
            None
        );
    }

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
