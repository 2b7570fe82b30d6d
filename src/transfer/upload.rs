//! One upload to `POST /images/load` and the engine's answer, before anyone judges it.
//!
//! The body is either the file's own bytes read in chunks, or a bounded channel a blocking
//! thread writes into (a conversion, or a single pass). Cancelling mid-upload drops the request,
//! so the engine sees a broken upload and loads nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use bollard::query_parameters::ImportImageOptions;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::io::ReaderStream;

use super::answer::Answer;
use super::body::{CHANNEL_CHUNKS, CHUNK, ChannelWriter};
use super::types::LoadedImage;
use super::{JobContext, Phase, Progress, TransferError};
use crate::archive::{ArchiveError, Problem};
use crate::daemon::engine::LoadProgress;
use crate::daemon::{Daemon, DaemonError};

pub type Body = std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// A request body, and the blocking thread producing it (if any) with what it returns.
pub struct Sending<T> {
    pub body: Body,
    pub producer: Option<JoinHandle<Result<T, ArchiveError>>>,
}

impl<T: Send + 'static> Sending<T> {
    /// A body written by `write` on a blocking thread into a bounded channel, with `progress`
    /// counting the source bytes read. The writer is flushed after `write` succeeds; on any
    /// failure the body ends with that error, so the engine sees a broken upload, not a short tar.
    pub fn written_by<F>(progress: Arc<Progress>, source: PathBuf, write: F) -> Sending<T>
    where
        F: FnOnce(&mut ChannelWriter, &AtomicU64) -> Result<T, ArchiveError> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
        let producer = tokio::task::spawn_blocking(move || {
            let mut out = ChannelWriter::new(tx);
            let result = write(&mut out, progress.done_counter()).and_then(|produced| {
                std::io::Write::flush(&mut out)
                    .map(|_| produced)
                    .map_err(|e| Problem::Io(e).at(&source))
            });
            if let Err(e) = &result {
                out.fail(e.to_string());
            }
            result
        });
        Sending {
            body: Box::pin(ReceiverStream::new(rx)),
            producer: Some(producer),
        }
    }
}

/// What an upload gave.
pub struct Upload<T> {
    /// The images the engine named (`Loaded image: ...`); IDs may still be empty.
    pub loaded: Vec<LoadedImage>,
    /// `Error unpacking image ...` lines (the containerd store).
    pub unpack_errors: Vec<String>,
    /// Request bytes sent.
    pub sent: u64,
    /// The engine's error, when it refused (or the transport broke).
    pub refused: Option<DaemonError>,
    /// The producing thread's result; `None` when the file's own bytes were sent.
    pub produced: Option<Result<T, ArchiveError>>,
    /// Cancelled after the upload was complete: the engine finished, so the load must be undone.
    pub cancelled_late: bool,
    /// The refusal came after the whole body was sent: the engine may have loaded it anyway
    /// (a connection lost while it processed), so ask it again before calling it a failure.
    pub refused_after_upload: bool,
    /// The refusal is the engine's own answer (an error in its stream or an HTTP error status),
    /// not a lost connection.
    pub refused_by_engine: bool,
}

/// The file's own bytes, read in chunks; progress counts them.
pub async fn file_body(ctx: &JobContext, path: &Path) -> Result<Body, TransferError> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| TransferError::io(path, e))?;
    let progress = ctx.progress.clone();
    let body = ReaderStream::with_capacity(file, CHUNK).inspect(move |chunk| {
        if let Ok(chunk) = chunk {
            progress.add(chunk.len() as u64);
        }
    });
    Ok(Box::pin(body))
}

/// Send `sending` and read the engine's answer to the end.
/// `Err(Cancelled)` when cancelled mid-upload: the request is dropped and nothing is loaded.
pub async fn upload<T>(
    ctx: &JobContext,
    daemon: &Daemon,
    path: &Path,
    sending: Sending<T>,
) -> Result<Upload<T>, TransferError> {
    let Sending { body, producer } = sending;
    ctx.phase(Phase::Transferring);
    let sent = Arc::new(AtomicU64::new(0));
    let uploaded = Arc::new(AtomicBool::new(false));
    let silent = silent_phase(daemon.engine().progress);
    let body = count_and_mark_end(body, sent.clone(), uploaded.clone(), ctx.clone(), silent);
    // Not quiet: the classic store then says which layer it is loading (shown as the job's
    // message while the daemon processes); other engines send only their final lines.
    let options = ImportImageOptions {
        quiet: false,
        ..Default::default()
    };
    let mut answers = daemon.transfer().import_image_stream(options, body, None);
    let mut answer = Answer::default();
    let mut refused = None;
    let mut refused_after_upload = false;
    let mut refused_by_engine = false;
    let mut cancelled_late = false;
    loop {
        tokio::select! {
            _ = ctx.cancel.cancelled(), if !cancelled_late => {
                if !uploaded.load(Ordering::SeqCst) {
                    // Dropping the request mid-upload makes the engine discard it.
                    drop(answers);
                    if let Some(producer) = producer {
                        let _ = producer.await;
                    }
                    return Err(TransferError::Cancelled);
                }
                cancelled_late = true;
            }
            next = answers.next() => match next {
                None => break,
                Some(Ok(info)) => {
                    if let Some(text) = progress_message(&info) {
                        ctx.progress.set_message(text);
                    }
                    answer.read(info.stream.as_deref().unwrap_or(""))
                }
                Some(Err(e)) => {
                    refused_after_upload = uploaded.load(Ordering::SeqCst);
                    refused_by_engine = matches!(
                        e,
                        bollard::errors::Error::DockerStreamError { .. }
                            | bollard::errors::Error::DockerResponseServerError { .. }
                    );
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
        loaded: answer.loaded,
        unpack_errors: answer.unpack_errors,
        sent: sent.load(Ordering::Relaxed),
        refused,
        produced,
        cancelled_late: cancelled_late || ctx.cancel.is_cancelled(),
        refused_after_upload,
        refused_by_engine,
    })
}

/// What the engine does after the upload when it says nothing until the end.
fn silent_phase(progress: LoadProgress) -> Option<&'static str> {
    match progress {
        LoadProgress::PerLayer => None,
        LoadProgress::FinalLines => Some("unpacking: the containerd store reports no progress"),
        LoadProgress::Spooled => Some("loading: Podman reports no progress"),
    }
}

/// Count request bytes, and announce `DaemonProcessing` when the body is fully read (with what
/// the engine does then, when it reports nothing while it does it).
fn count_and_mark_end(
    body: Body,
    sent: Arc<AtomicU64>,
    uploaded: Arc<AtomicBool>,
    ctx: JobContext,
    silent: Option<&'static str>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let counted = body.inspect(move |chunk| {
        if let Ok(chunk) = chunk {
            sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
    });
    let end = stream::once(async move {
        uploaded.store(true, Ordering::SeqCst);
        if let Some(text) = silent {
            ctx.progress.set_message(text);
        }
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
}
