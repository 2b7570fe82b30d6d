//! An OCI layout stream written by haul: the containerd store's delta (the archive's own index
//! and manifests without the blobs of layers whose chain snapshot exists), Podman's delta
//! (manifests naming present layers by diff ID), and a folder or zip entry on engines that
//! load OCI archives.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::archive::{ArchiveError, ArchiveReport, OciHow, OciPlan, OciWritten};
use crate::transfer::types::blocking;
use crate::transfer::upload::Sending;
use crate::transfer::{JobContext, TransferError};

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
    let source = PathBuf::from(plan.path());
    Ok(Sending::written_by(
        ctx.progress.clone(),
        source,
        move |out, done| plan.write(out, done),
    ))
}
