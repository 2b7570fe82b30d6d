//! The tar inside a compressed file or a zip entry, decompressed once by haul and sent unchanged;
//! listed on the way (the single pass), which also stores the listing in the cache.

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::archive::{ArchiveReport, StreamedSource};
use crate::transfer::JobContext;
use crate::transfer::body::{CHANNEL_CHUNKS, ChannelWriter};
use crate::transfer::upload::Sending;

/// The body of `source`'s decompressed tar; its producer returns the listing made on the way.
pub fn sending(ctx: &JobContext, source: StreamedSource) -> Sending<ArchiveReport> {
    ctx.progress.set_total(source.total());
    let cache_dir = crate::paths::cache_dir();
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
    Sending {
        body: Box::pin(ReceiverStream::new(rx)),
        producer: Some(producer),
    }
}
