//! Save daemon images to a tarball: the export stream goes through a bounded channel to a
//! blocking thread that (optionally) compresses into a temporary file in the destination folder,
//! renamed over the destination only when everything went well.

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use tempfile::NamedTempFile;
use tokio::sync::{mpsc, oneshot};

use super::destination::{Destination, check_destination, folder_of};
use super::{JobContext, JobId, JobKind, JobOutcome, Jobs, Phase, TransferError};

use crate::daemon::{Daemon, image_info};

/// Outer compression of a saved tarball.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SaveCompression {
    #[default]
    None,
    /// gzip level 1: fast; the archive engine and `docker load` read it.
    Gzip,
    /// zstd level 3 (Docker 20.10 cannot load it; haul can).
    Zstd,
}

/// What to save where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveRequest {
    pub images: Vec<String>,
    pub dest: PathBuf,
    pub compression: SaveCompression,
    /// Confirmed: create a missing folder and replace an existing file.
    pub force: bool,
}

/// What a save wrote.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SaveReport {
    pub path: PathBuf,
    /// The names asked for, with the image ID each resolved to.
    pub images: Vec<(String, String)>,
    pub compression: SaveCompression,
    /// Tar bytes received from the daemon.
    pub tar_bytes: u64,
    /// Bytes of the file written.
    pub file_bytes: u64,
}

/// Bytes handed to the writer thread at a time.
const BATCH: usize = 128 * 1024;
/// Batches in flight (bounds memory to a few MiB).
const SAVE_BATCHES: usize = 16;

/// Rough tar overhead per layer and per image (headers, config, manifest), for the estimate.
const TAR_OVERHEAD_PER_LAYER: u64 = 3 * 512;
const TAR_OVERHEAD_PER_IMAGE: u64 = 16 * 1024;

/// Save `req.images` into `req.dest`. Progress: tar bytes received of the estimated total.
pub async fn save(
    ctx: &JobContext,
    daemon: &Daemon,
    req: &SaveRequest,
) -> Result<SaveReport, TransferError> {
    if req.images.is_empty() {
        return Err(TransferError::Other("no image to save".into()));
    }
    match check_destination(&req.dest) {
        Ok(()) => {}
        Err(e @ Destination::IsFolder(_)) => return Err(e.into()),
        Err(Destination::MissingFolder(dir)) if req.force => {
            std::fs::create_dir_all(&dir).map_err(|e| TransferError::io(&dir, e))?;
        }
        Err(Destination::Exists(_)) if req.force => {}
        Err(e) => return Err(e.into()),
    }
    // Preparing: every image must exist; the total is estimated from distinct layer sizes.
    let mut images = Vec::new();
    let mut seen = HashSet::new();
    let mut estimate = 0u64;
    for name in &req.images {
        let info = image_info(daemon, name).await?;
        for layer in &info.layers {
            if seen.insert(layer.diff_id.clone()) {
                estimate += layer.size + TAR_OVERHEAD_PER_LAYER;
            }
        }
        estimate += TAR_OVERHEAD_PER_IMAGE;
        images.push((name.clone(), info.id));
    }
    ctx.progress.set_total(estimate);
    let dir = folder_of(&req.dest);
    crate::partial::remove_stale(&dir);
    let temp = crate::partial::create(&dir, "save").map_err(|e| TransferError::io(&dir, e))?;

    let compression = req.compression;
    let mut sink = Sink::new(temp, compression);

    // The daemon builds the archive before its first byte (the classic store, Podman): that
    // wait is the daemon preparing, not a transfer at 0 B/s.
    ctx.phase(Phase::DaemonPreparing);
    let names: Vec<&str> = req.images.iter().map(String::as_str).collect();
    let pump = async {
        let mut stream = daemon.transfer().export_images(&names);
        let mut received = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| daemon.error("save", e))?;
            if received == 0 {
                ctx.phase(Phase::Transferring);
            }
            received += chunk.len() as u64;
            ctx.progress.add(chunk.len() as u64);
            sink.put(chunk)
                .await
                .map_err(|e| TransferError::io(&req.dest, e))?;
        }
        Ok::<u64, TransferError>(received)
    };
    let pumped = tokio::select! {
        result = pump => result,
        _ = ctx.cancel.cancelled() => Err(TransferError::Cancelled),
    };
    let received = match pumped {
        Ok(received) => received,
        Err(e) => {
            let writer = sink.abort().await;
            return Err(match (e, writer) {
                // "The compressor stopped" hides why: its own error (No space left on device).
                (TransferError::Io { source, .. }, Some(root))
                    if source.kind() == std::io::ErrorKind::BrokenPipe =>
                {
                    TransferError::io(&req.dest, root)
                }
                (e, _) => e,
            });
        }
    };
    let (temp, file_bytes) = sink
        .finish()
        .await
        .map_err(|e| TransferError::io(&req.dest, e))?;
    if ctx.cancel.is_cancelled() {
        return Err(TransferError::Cancelled);
    }
    // The containerd store's exporter may leave content out (see `save_check`); the temporary
    // file goes away with `temp` when the check fails.
    if daemon.engine().kind == crate::daemon::EngineKind::DockerContainerd {
        let (path, dest, asked) = (temp.path().to_path_buf(), req.dest.clone(), images.clone());
        super::types::blocking(move || super::save_check::check(&path, &dest, &asked)).await??;
    }
    set_readable(temp.as_file());
    if req.force {
        temp.persist(&req.dest)
            .map_err(|e| TransferError::io(&req.dest, e.error))?;
    } else {
        // Something appeared there during the save: still never replaced unasked.
        temp.persist_noclobber(&req.dest).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Destination::Exists(req.dest.clone()).into()
            } else {
                TransferError::io(&req.dest, e.error)
            }
        })?;
    }
    ctx.progress.set_total(received);
    ctx.progress.set_done(received);
    Ok(SaveReport {
        path: req.dest.clone(),
        images,
        compression,
        tar_bytes: received,
        file_bytes,
    })
}

/// Where saved bytes go.
enum Sink {
    /// Uncompressed: written from the receiving task itself, while the bytes are still in this
    /// core's cache (handing them to another thread first made writes about 3x costlier).
    Direct { temp: NamedTempFile },
    /// Compressed: batches go to a blocking thread that compresses into the file.
    Thread {
        tx: mpsc::Sender<Bytes>,
        batch: BytesMut,
        handle: tokio::task::JoinHandle<std::io::Result<(NamedTempFile, u64)>>,
    },
}

impl Sink {
    fn new(temp: NamedTempFile, compression: SaveCompression) -> Sink {
        if compression == SaveCompression::None {
            return Sink::Direct { temp };
        }
        let (tx, rx) = mpsc::channel::<Bytes>(SAVE_BATCHES);
        let handle = tokio::task::spawn_blocking(move || write_file(temp, rx, compression));
        Sink::Thread {
            tx,
            batch: BytesMut::with_capacity(BATCH),
            handle,
        }
    }

    async fn put(&mut self, chunk: Bytes) -> std::io::Result<()> {
        match self {
            // A page-cache write of one socket chunk (about 32 KiB): short enough for a task.
            Sink::Direct { temp } => temp.as_file_mut().write_all(&chunk),
            Sink::Thread { tx, batch, .. } => {
                batch.extend_from_slice(&chunk);
                if batch.len() >= BATCH {
                    let full = std::mem::replace(batch, BytesMut::with_capacity(BATCH));
                    if tx.send(full.freeze()).await.is_err() {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::BrokenPipe,
                            "the compressor stopped",
                        ));
                    }
                }
                Ok(())
            }
        }
    }

    async fn finish(self) -> std::io::Result<(NamedTempFile, u64)> {
        match self {
            Sink::Direct { temp } => {
                let len = temp.as_file().metadata()?.len();
                Ok((temp, len))
            }
            Sink::Thread { tx, batch, handle } => {
                // A failed send means the writer stopped; its result says why.
                let _ = tx.send(batch.freeze()).await;
                drop(tx);
                handle.await.map_err(std::io::Error::other)?
            }
        }
    }

    /// Stop and delete the temporary file (after the writer thread let go of it); the writer's
    /// own error, when it had stopped first (a full disk), is the root cause to report.
    async fn abort(self) -> Option<std::io::Error> {
        match self {
            Sink::Direct { temp } => {
                drop(temp);
                None
            }
            Sink::Thread { tx, handle, .. } => {
                drop(tx);
                match handle.await {
                    Ok(Err(e)) => Some(e),
                    _ => None,
                }
            }
        }
    }
}

/// Blocking: drain `rx` into `temp`, compressing as asked. Returns the file and its size.
fn write_file(
    temp: NamedTempFile,
    mut rx: mpsc::Receiver<Bytes>,
    compression: SaveCompression,
) -> std::io::Result<(NamedTempFile, u64)> {
    let file = temp.as_file().try_clone()?;
    let out = BufWriter::with_capacity(BATCH, file);
    let mut sink: Box<dyn FinishWrite> = match compression {
        SaveCompression::None => Box::new(out),
        SaveCompression::Gzip => Box::new(flate2::write::GzEncoder::new(
            out,
            flate2::Compression::fast(),
        )),
        SaveCompression::Zstd => Box::new(zstd::Encoder::new(out, 3)?),
    };
    while let Some(chunk) = rx.blocking_recv() {
        sink.write_all(&chunk)?;
    }
    sink.finish()?;
    let len = temp.as_file().metadata()?.len();
    Ok((temp, len))
}

/// A writer that must be finished (compression trailers) and flushed.
trait FinishWrite: Write + Send {
    fn finish(self: Box<Self>) -> std::io::Result<()>;
}

impl FinishWrite for BufWriter<std::fs::File> {
    fn finish(mut self: Box<Self>) -> std::io::Result<()> {
        self.flush()
    }
}

impl FinishWrite for flate2::write::GzEncoder<BufWriter<std::fs::File>> {
    fn finish(self: Box<Self>) -> std::io::Result<()> {
        (*self).finish()?.flush()
    }
}

impl FinishWrite for zstd::Encoder<'static, BufWriter<std::fs::File>> {
    fn finish(self: Box<Self>) -> std::io::Result<()> {
        (*self).finish()?.flush()
    }
}

/// Temporary files are created 0600; a saved tarball gets the usual 0644.
fn set_readable(file: &std::fs::File) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// Start a save as a job. The receiver gets the full report when it succeeds.
pub fn start_save(
    jobs: &mut Jobs,
    daemon: Daemon,
    req: SaveRequest,
) -> (JobId, oneshot::Receiver<SaveReport>) {
    let (tx, rx) = oneshot::channel();
    let label = format!("save {} -> {}", req.images.join(" "), display(&req.dest));
    let id = jobs.spawn(JobKind::Save, label, move |ctx| async move {
        let report = save(&ctx, &daemon, &req).await?;
        let outcome = JobOutcome {
            summary: format!(
                "saved {} to {} ({})",
                req.images.join(" "),
                display(&report.path),
                crate::units::bytes(report.file_bytes)
            ),
            images: report.images.iter().map(|(n, _)| n.clone()).collect(),
            files: vec![report.path.clone()],
        };
        let _ = tx.send(report);
        Ok(outcome)
    });
    (id, rx)
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
