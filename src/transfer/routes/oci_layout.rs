//! An OCI layout stream written by haul: the containerd store's delta (the archive's own index
//! and manifests without the blobs of layers whose chain snapshot exists), Podman's delta
//! (manifests naming present layers by diff ID), and a folder or zip entry on engines that
//! load OCI archives.

use std::collections::HashSet;
use std::path::Path;

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::archive::{self, ArchiveError, ArchiveReport, OciHow, OciPlan, OciWritten};
use crate::transfer::body::{CHANNEL_CHUNKS, ChannelWriter};
use crate::transfer::types::blocking;
use crate::transfer::upload::Sending;
use crate::transfer::{JobContext, Progress, TransferError};

/// The body of the OCI layout of an already listed archive, leaving out `skip` (diff IDs);
/// its source bytes become the progress total. The producer returns the targets written.
pub async fn sending(
    ctx: &JobContext,
    report: &ArchiveReport,
    skip: &HashSet<String>,
    how: OciHow,
) -> Result<Sending<OciWritten>, TransferError> {
    let (report, skip) = (report.clone(), skip.clone());
    let (plan, total) = blocking(move || {
        let plan = OciPlan::new(report, &skip, how)?;
        let total = plan.total_bytes()?;
        Ok::<_, ArchiveError>((plan, total))
    })
    .await??;
    ctx.progress.set_total(total);
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    let progress = ctx.progress.clone();
    let producer = tokio::task::spawn_blocking(move || write(&plan, tx, &progress));
    Ok(Sending {
        body: Box::pin(ReceiverStream::new(rx)),
        producer: Some(producer),
    })
}

/// Blocking: write the OCI layout stream into the channel.
fn write(
    plan: &OciPlan,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    progress: &Progress,
) -> Result<OciWritten, ArchiveError> {
    let mut out = ChannelWriter::new(tx);
    let result = plan
        .write(&mut out, progress.done_counter())
        .and_then(|written| {
            std::io::Write::flush(&mut out)
                .map(|_| written)
                .map_err(|e| archive::Problem::Io(e).at(Path::new(plan.path())))
        });
    if let Err(e) = &result {
        out.fail(e.to_string());
    }
    result
}
