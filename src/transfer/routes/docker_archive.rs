//! A docker-archive written by haul: `manifest.json` present, outer compression removed, zstd
//! layers decompressed, and (a classic-store delta) the layer blobs the engine holds left out:
//! the classic store skips a layer whose chain ID it has without opening its file.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::archive::{ArchiveReport, ConversionPlan, WriteSummary};
use crate::transfer::types::blocking;
use crate::transfer::upload::Sending;
use crate::transfer::{JobContext, TransferError};

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
    let source = PathBuf::from(&plan.report.path);
    Ok(Sending::written_by(
        ctx.progress.clone(),
        source,
        move |out, done| plan.write(out, done),
    ))
}
