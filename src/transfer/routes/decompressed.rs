//! The tar inside a compressed file or a zip entry, decompressed once by haul and sent unchanged;
//! listed on the way (the single pass), which also stores the listing in the cache.

use crate::archive::{ArchiveReport, StreamedSource};
use crate::transfer::JobContext;
use crate::transfer::upload::Sending;

/// The body of `source`'s decompressed tar; its producer returns the listing made on the way.
pub fn sending(ctx: &JobContext, source: StreamedSource) -> Sending<ArchiveReport> {
    ctx.progress.set_total(source.total());
    let cache_dir = crate::paths::cache_dir();
    let path = source.path().to_path_buf();
    Sending::written_by(ctx.progress.clone(), path, move |out, done| {
        source.send_and_inspect(out, done, cache_dir.as_deref())
    })
}
