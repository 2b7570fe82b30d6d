//! A docker-archive written by haul: `manifest.json` present, outer compression removed, zstd
//! layers decompressed, and (a classic-store delta) the layer blobs the engine holds left out:
//! the classic store skips a layer whose chain ID it has without opening its file.

use std::collections::HashSet;
use std::path::Path;

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::archive::{self, ArchiveError, ArchiveReport, ConversionPlan, WriteSummary};
use crate::transfer::body::{CHANNEL_CHUNKS, ChannelWriter};
use crate::transfer::types::blocking;
use crate::transfer::upload::Sending;
use crate::transfer::{JobContext, Progress, TransferError};

/// The body of the conversion of an already listed archive, leaving out `skip` (diff IDs);
/// its source bytes become the progress total.
pub async fn sending(
    ctx: &JobContext,
    report: &ArchiveReport,
    skip: &HashSet<String>,
) -> Result<Sending<WriteSummary>, TransferError> {
    let (report, skip) = (report.clone(), skip.clone());
    let plan = blocking(move || ConversionPlan::from_report(report, &skip)).await??;
    ctx.progress.set_total(plan.total_bytes());
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    let progress = ctx.progress.clone();
    let producer = tokio::task::spawn_blocking(move || write(&plan, tx, &progress));
    Ok(Sending {
        body: Box::pin(ReceiverStream::new(rx)),
        producer: Some(producer),
    })
}

/// Blocking: write the docker-archive stream into the channel.
fn write(
    plan: &ConversionPlan,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    progress: &Progress,
) -> Result<WriteSummary, ArchiveError> {
    let mut out = ChannelWriter::new(tx);
    let result = plan
        .write(&mut out, progress.done_counter())
        .and_then(|summary| {
            std::io::Write::flush(&mut out)
                .map(|_| summary)
                .map_err(|e| archive::Problem::Io(e).at(Path::new(&plan.report.path)))
        });
    if let Err(e) = &result {
        out.fail(e.to_string());
    }
    result
}
