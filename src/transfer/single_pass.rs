//! The single-pass load: a compressed tar or a deflated zip entry, whose listing is not cached,
//! is decompressed once; the listing is made while the decompressed tar goes to the daemon.
//!
//! Without it such a load decompresses twice: once to list (`manifest.json` sits at the end of
//! the tar) and once to send. The daemon takes a decompressed docker-archive tar as it is, so
//! haul sends the tar unchanged and only learns what it held at the end, when the report is
//! also stored in the inspect cache.
//!
//! When it is taken: a full load, that is `--full`, the containerd store (no delta loads), or a
//! daemon without any image (nothing to leave out). When the daemon holds images, a delta load
//! may leave out most of the bytes, and choosing them needs the listing first; two passes are
//! kept there, because one decompression in haul costs less than uploading and unpacking the
//! layers the daemon already has.
//!
//! The archive's tags are unknown before the upload, so the undo of a late cancel works from a
//! snapshot of all the daemon's tags. When the daemon refuses (an OCI archive without
//! `manifest.json`, zstd layers, on Docker Engine 20.10), the load falls back to the converted
//! route, whose listing is now cached: a single pass again.

use std::path::Path;

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::body::{CHANNEL_CHUNKS, ChannelWriter};
use super::delta::verify;
use super::load::{LoadMode, LoadOptions, LoadReport, blocking};
use super::restore::Snapshot;
use super::upload::{complete_ids, upload};
use super::{JobContext, TransferError};
use crate::archive::{self, ArchiveError, Problem, StreamedSource};
use crate::daemon::{Daemon, Store};

/// What the single pass did.
pub(super) enum Route {
    /// Loaded and listed in one pass.
    Done(LoadReport),
    /// Not a case for it: load in two passes.
    NotTaken,
    /// Tried, and the daemon refused or the result was not the archive's: load again, full
    /// and converted if need be. The reason goes into the report's `fallback`.
    Fallback(String),
}

/// Load `path` in one pass when that applies (see the module notes).
pub(super) async fn try_load(
    ctx: &JobContext,
    daemon: &Daemon,
    path: &Path,
    opts: LoadOptions,
) -> Result<Route, TransferError> {
    let cache_dir = crate::paths::cache_dir();
    let (owned, dir) = (path.to_path_buf(), cache_dir.clone());
    let source = blocking(move || -> Result<_, ArchiveError> {
        let source = StreamedSource::open(&owned)?;
        Ok(source
            .filter(|s| !s.is_cached(dir.as_deref()))
            .map(|s| (s, archive::source_len(&owned))))
    })
    .await??;
    let Some((source, source_len)) = source else {
        return Ok(Route::NotTaken);
    };
    let source_len = source_len?;
    let store = daemon.store().await?;
    let snapshot = Snapshot::everything(daemon).await?;
    if !opts.full && store == Store::Classic && !snapshot.is_empty() {
        return Ok(Route::NotTaken);
    }

    ctx.progress.set_total(source.total());
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    let progress = ctx.progress.clone();
    let producer = tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter::new(tx);
        let result =
            source.send_and_inspect(&mut out, progress.done_counter(), cache_dir.as_deref());
        if let Err(e) = &result {
            out.fail(e.to_string());
        }
        result
    });
    let body = Box::pin(ReceiverStream::new(rx));
    let up = upload(ctx, daemon, path, body, Some(producer)).await?;
    if up.cancelled_late {
        snapshot.restore(daemon, &up.loaded).await?;
        return Err(TransferError::Cancelled);
    }
    let report = match up.produced {
        Some(Ok(report)) => report,
        // The daemon stopped reading before the end: no listing; start over in two passes.
        Some(Err(e)) if matches!(e.problem, Problem::Output(_)) => {
            return Ok(Route::Fallback(match up.refused {
                Some(refusal) => refusal.to_string(),
                None => e.to_string(),
            }));
        }
        Some(Err(e)) => {
            // A bad archive. The body broke, so the daemon should have loaded nothing; if it did
            // load what it got, undo that.
            if up.refused.is_none() && !up.loaded.is_empty() {
                snapshot.restore(daemon, &up.loaded).await?;
            }
            return Err(e.into());
        }
        None => return Err(TransferError::Other("single pass: no listing".into())),
    };
    if let Some(refusal) = up.refused {
        if archive::daemon_accepts_decompressed(&report) {
            return Err(refusal.into());
        }
        return Ok(Route::Fallback(format!(
            "the daemon refused the tar as it is ({refusal}); converted it"
        )));
    }
    let loaded = complete_ids(daemon, &report, up.loaded).await?;
    // The containerd store names images by manifest digest, not config digest: nothing to match.
    if store == Store::Classic
        && let Err(why) = verify(daemon, &report, &loaded, "single-pass load").await
    {
        return Ok(Route::Fallback(why));
    }
    ctx.progress.set_done(ctx.progress.total());
    Ok(Route::Done(LoadReport {
        path: path.display().to_string(),
        loaded,
        mode: LoadMode::SinglePass,
        source_bytes: source_len,
        sent_bytes: up.sent,
        skipped_layers: 0,
        skipped_bytes: 0,
        fallback: None,
    }))
}
