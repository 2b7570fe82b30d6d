//! The single-pass load: a compressed tar or a deflated zip entry, whose listing is not cached,
//! is decompressed once; the listing is made while the decompressed tar goes to the engine.
//!
//! Without it such a load decompresses twice: once to list (`manifest.json` sits at the end of
//! the tar) and once to send. Every engine takes a decompressed archive tar as it is when its
//! format suits it (see `plan::accepts_tar`), so haul sends the tar unchanged and only learns
//! what it held at the end, when the report is also stored in the inspect cache.
//!
//! When it is taken: a full load (`--full`), or an engine without any image (nothing to leave
//! out). When the engine holds images, a delta load may leave out most of the bytes, and
//! choosing them needs the listing first; two passes are kept there, because one decompression
//! in haul costs less than uploading and unpacking the layers the engine already has.
//!
//! The archive's tags are unknown before the upload, so the undo works from a snapshot of all
//! the engine's tags. When the engine refuses the tar as it is (an OCI archive without
//! `manifest.json`, or zstd layers, on Docker Engine 20.10) the load falls back to a converted
//! route, whose listing is now cached: a single pass again.

use std::path::Path;

use super::archive_names;
use super::plan::{accepts_tar, names_need_fixing};
use super::{LoadMode, LoadOptions, LoadReport};
use crate::archive::{self, ArchiveError, Problem, StreamedSource};
use crate::daemon::{Daemon, EngineKind};
use crate::transfer::routes::decompressed;
use crate::transfer::types::blocking;
use crate::transfer::undo::Snapshot;
use crate::transfer::upload::upload;
use crate::transfer::verify::{complete_ids, expected_ids, verify};
use crate::transfer::{JobContext, TransferError};

/// What the single pass did.
pub(super) enum Outcome {
    /// Loaded and listed in one pass.
    Done(LoadReport),
    /// Not a case for it: load in two passes.
    NotTaken,
    /// Tried, and the engine refused or the result was not the archive's (undone): load again,
    /// full and converted if need be. The reason goes into the report's `fallback`.
    Fallback(String),
}

/// Load `path` in one pass when that applies (see the module notes).
pub(super) async fn try_load(
    ctx: &JobContext,
    daemon: &Daemon,
    path: &Path,
    opts: LoadOptions,
) -> Result<Outcome, TransferError> {
    let (owned, dir) = (path.to_path_buf(), crate::paths::cache_dir());
    let source = blocking(move || -> Result<_, ArchiveError> {
        let source = StreamedSource::open(&owned)?;
        Ok(source
            .filter(|s| !s.is_cached(dir.as_deref()))
            .map(|s| (s, archive::source_len(&owned))))
    })
    .await??;
    let Some((source, source_len)) = source else {
        return Ok(Outcome::NotTaken);
    };
    let source_len = source_len?;
    let snapshot = Snapshot::everything(daemon).await?;
    // The tags are known only at the end: on the containerd store, where a moved tag deletes
    // its image, an undo could not give it back (see `undo`).
    let moved_tag_deletes = daemon.engine().kind == EngineKind::DockerContainerd;
    if !snapshot.is_empty() && (!opts.full || moved_tag_deletes) {
        return Ok(Outcome::NotTaken);
    }

    let sending = decompressed::sending(ctx, source);
    let up = upload(ctx, daemon, path, sending).await?;
    if up.cancelled_late {
        snapshot.restore(daemon, &up.loaded).await?;
        return Err(TransferError::Cancelled);
    }
    let report = match up.produced {
        Some(Ok(report)) => report,
        // The engine stopped reading before the end: no listing; start over in two passes.
        Some(Err(e)) if matches!(e.problem, Problem::Output(_)) => {
            return Ok(Outcome::Fallback(match up.refused {
                Some(refusal) => refusal.to_string(),
                None => e.to_string(),
            }));
        }
        Some(Err(e)) => {
            // A bad archive. The body broke, so the engine should have loaded nothing; if it
            // did load what it got, undo that.
            if up.refused.is_none() && !up.loaded.is_empty() {
                snapshot.restore(daemon, &up.loaded).await?;
            }
            return Err(e.into());
        }
        None => return Err(TransferError::Other("single pass: no listing".into())),
    };
    let engine = daemon.engine();
    let expected = expected_ids(engine.ids, &report);
    // An engine may import before it refuses or fails to unpack, naming nothing.
    let mut touched = up.loaded.clone();
    touched.extend(archive_names(&report, &expected));
    if let Some(refusal) = up.refused {
        snapshot.restore(daemon, &touched).await?;
        if accepts_tar(engine, &report) {
            return Err(refusal.into());
        }
        return Ok(Outcome::Fallback(format!(
            "{} refused the tar as it is ({refusal}); converted it",
            engine.kind.label()
        )));
    }
    if let Some(first) = up.unpack_errors.first() {
        snapshot.restore(daemon, &touched).await?;
        return Err(TransferError::Other(first.clone()));
    }
    if names_need_fixing(engine, &report) {
        // Known only now: names without a registry, which the containerd store keeps as
        // written (unusable). Removed by ID, then loaded again with the names qualified.
        snapshot.restore(daemon, &touched).await?;
        return Ok(Outcome::Fallback(
            "the containerd store keeps index names without a registry as written; loaded \
             again with the names qualified"
                .into(),
        ));
    }
    let loaded = complete_ids(daemon, &expected, up.loaded).await?;
    if let Err(why) = verify(daemon, &report, &expected, &loaded, "single-pass load").await {
        snapshot.restore(daemon, &loaded).await?;
        return Ok(Outcome::Fallback(why));
    }
    ctx.progress.set_done(ctx.progress.total());
    Ok(Outcome::Done(LoadReport {
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
