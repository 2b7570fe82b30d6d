//! The blob walk's visitor: copies the blobs an OCI layout write sends.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::atomic::AtomicU64;

use super::generated::blob_name;
use super::{OciHow, OciPlan, Tar, append};
use crate::archive::Problem;
use crate::archive::blob_walk::{BlobBody, BlobMeta, BlobVisitor};
use crate::archive::tar_source::Counting;

/// Copies the blobs the plan sends as the walk meets them.
pub(super) struct Copier<'p, 't, 'o> {
    pub plan: &'p OciPlan,
    pub tar: &'t mut Tar<'o>,
    pub read: &'p AtomicU64,
    /// A streamed walk counts source bytes itself; a seek walk counts the layer blobs copied.
    pub streamed: bool,
    pub uncounted: AtomicU64,
    /// Sizes of the blobs copied, by archive path (configs, for generated manifests).
    pub sizes: HashMap<String, u64>,
    /// Output names written (two archive paths may hold one blob).
    pub written: HashSet<String>,
    /// The archive's `index.json` (native), when the walk offered it.
    pub index: Option<Vec<u8>>,
}

impl Copier<'_, '_, '_> {
    /// Output name of an archive path, `None` when it is not sent.
    fn target(&self, path: &str) -> Option<String> {
        if self.plan.skipped.contains(path) {
            return None;
        }
        match self.plan.how {
            OciHow::Native => path.starts_with("blobs/").then(|| path.to_string()),
            OciHow::Generated { .. } => {
                if let Some(name) = self.plan.layers.get(path) {
                    return Some(name.clone());
                }
                let image = self
                    .plan
                    .report
                    .images
                    .iter()
                    .find(|i| i.config_path == path)?;
                Some(blob_name(&image.id))
            }
        }
    }
}

impl BlobVisitor for Copier<'_, '_, '_> {
    fn wants(&mut self, blob: &BlobMeta) -> bool {
        (self.plan.how == OciHow::Native && blob.path == "index.json")
            || self.target(&blob.path).is_some()
    }

    fn visit(&mut self, blob: &BlobMeta, body: &mut BlobBody<'_>) -> Result<(), Problem> {
        if blob.path == "index.json" && self.plan.how == OciHow::Native {
            let mut bytes = Vec::new();
            body.take(crate::archive::index::META_LIMIT)
                .read_to_end(&mut bytes)?;
            self.index = Some(bytes);
            return Ok(());
        }
        let Some(name) = self.target(&blob.path) else {
            return Ok(());
        };
        self.sizes.insert(blob.path.clone(), blob.size);
        if !self.written.insert(name.clone()) {
            return Ok(());
        }
        let count = if self.streamed || !self.plan.kept.contains(&blob.path) {
            &self.uncounted
        } else {
            self.read
        };
        append(self.tar, &name, blob.size, Counting { inner: body, count })
    }
}
