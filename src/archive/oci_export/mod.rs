//! Write any image archive as an OCI layout tar stream (`oci-layout`, `index.json`, blobs), the
//! format the containerd image store and Podman load, leaving out the layer blobs the engine
//! already has. Blobs are read through the blob walk, in one pass.
//!
//! Two ways:
//! - native: the archive's own `index.json`, manifests and configs, so the engine names the
//!   image by the digest a `docker load` of the archive gives (the containerd store skips
//!   unpacking a layer whose chain snapshot exists and never reads its blob);
//! - generated: a manifest per image written from the listing (a legacy docker-archive, or a
//!   rewrite for Podman), and an `index.json` naming them. With `by_diff_id`, left-out layers are
//!   named by their diff ID, which Podman finds among its stored layers.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicU64;

mod copier;
mod generated;

use super::blob_walk::Walk;
pub(super) use super::tar_out::{Tar, append};
use super::tar_out::{tar_into, written};
use super::{ArchiveError, ArchiveReport, Container, Format, Problem, WriteSummary};
use copier::Copier;
use generated::blob_name;

/// How the manifests are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OciHow {
    /// The archive's own `index.json` and manifests.
    Native,
    /// Manifests written from the listing; left-out layers named by diff ID when `by_diff_id`.
    Generated { by_diff_id: bool },
}

/// True when the archive's own index can be sent: one tarball (or folder) with an
/// `index.json` naming every image.
pub fn native_possible(report: &ArchiveReport) -> bool {
    report.entries.is_empty()
        && report.container != Container::Daemon
        && report.format != Format::DockerArchive
        && !report.images.is_empty()
        && report.images.iter().all(|i| i.target_digest.is_some())
}

/// True when manifests can be written from the listing: every layer's blob digest is known.
pub fn generated_possible(report: &ArchiveReport) -> bool {
    report.container != Container::Daemon
        && !report.images.is_empty()
        && report
            .images
            .iter()
            .flat_map(|i| &i.layers)
            .all(|l| l.digest.as_deref().is_some_and(crate::digest::is_valid))
}

/// What a write produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OciWritten {
    pub summary: WriteSummary,
    /// Per image of the report: the digest of the manifest written for it (generated), or of
    /// its `index.json` entry (native).
    pub targets: Vec<Option<String>>,
}

/// What an OCI layout write will send.
pub struct OciPlan {
    report: ArchiveReport,
    how: OciHow,
    /// Layer blob paths left out.
    skipped: HashSet<String>,
    /// Layer diff IDs left out.
    skip: HashSet<String>,
    /// Layer blob paths sent.
    kept: HashSet<String>,
    /// Layer blob paths sent -> output name (`blobs/sha256/<hex>`), for the generated way.
    layers: BTreeMap<String, String>,
    configs: HashSet<String>,
    summary: WriteSummary,
}

const LAYOUT: &[u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;

impl OciPlan {
    /// Plan the write of an already listed archive, leaving out the layers whose diff ID is in `skip`.
    pub fn new(
        report: ArchiveReport,
        skip: &HashSet<String>,
        how: OciHow,
    ) -> Result<OciPlan, ArchiveError> {
        let possible = match how {
            OciHow::Native => native_possible(&report),
            OciHow::Generated { .. } => generated_possible(&report),
        };
        if !possible {
            return Err(Problem::Invalid(
                "cannot write this archive as an OCI layout (blob digests unknown)".into(),
            )
            .at(&report.path));
        }
        let mut skipped = HashSet::new();
        let mut kept = HashSet::new();
        let mut layers = BTreeMap::new();
        let mut summary = WriteSummary::default();
        for layer in report.images.iter().flat_map(|i| &i.layers) {
            if skip.contains(&layer.diff_id) {
                if skipped.insert(layer.path.clone()) {
                    summary.skipped_layers += 1;
                    summary.skipped_bytes += layer.size;
                }
            } else {
                kept.insert(layer.path.clone());
                if let Some(digest) = &layer.digest {
                    layers.insert(layer.path.clone(), blob_name(digest));
                }
            }
        }
        // A blob skipped for one image but needed by another is sent.
        for path in skipped.iter().filter(|p| kept.contains(*p)) {
            summary.skipped_layers -= 1;
            let size = report
                .images
                .iter()
                .flat_map(|i| &i.layers)
                .find(|l| &l.path == path)
                .map_or(0, |l| l.size);
            summary.skipped_bytes -= size;
        }
        skipped.retain(|p| !kept.contains(p));
        let configs = report
            .images
            .iter()
            .map(|i| i.config_path.clone())
            .collect();
        Ok(OciPlan {
            report,
            how,
            skipped,
            skip: skip.clone(),
            kept,
            layers,
            configs,
            summary,
        })
    }

    /// The archive's path.
    pub fn path(&self) -> &str {
        &self.report.path
    }

    /// Source bytes the write reads (its progress unit): a streamed source counts what it
    /// reads; a seekable one the layer blobs it copies.
    pub fn total_bytes(&self) -> Result<u64, ArchiveError> {
        let walk = Walk::open(Path::new(&self.report.path))?;
        Ok(walk.stream_total().unwrap_or_else(|| {
            let mut seen = HashSet::new();
            self.report
                .images
                .iter()
                .flat_map(|i| &i.layers)
                .filter(|l| !self.skipped.contains(&l.path) && seen.insert(l.path.as_str()))
                .map(|l| l.size)
                .sum()
        }))
    }

    /// Write the OCI layout tar to `out`; `read` advances by source bytes consumed.
    pub fn write(&self, out: &mut dyn Write, read: &AtomicU64) -> Result<OciWritten, ArchiveError> {
        let at = |p: Problem| p.at(&self.report.path);
        let mut tar = tar_into(out);
        append(&mut tar, "oci-layout", LAYOUT.len() as u64, LAYOUT).map_err(at)?;
        let walk = Walk::open(Path::new(&self.report.path))?;
        let mut copier = Copier {
            plan: self,
            tar: &mut tar,
            read,
            streamed: walk.is_streamed(),
            uncounted: AtomicU64::new(0),
            sizes: HashMap::new(),
            written: HashSet::new(),
            index: None,
        };
        walk.run(&mut copier, read)?;
        let (sizes, index) = (copier.sizes, copier.index);
        let targets = match self.how {
            OciHow::Native => {
                let index = match index {
                    Some(index) => index,
                    // A folder's walk offers only blobs.
                    None if self.report.container == Container::Directory => {
                        std::fs::read(Path::new(&self.report.path).join("index.json"))
                            .map_err(|e| at(e.into()))?
                    }
                    None => {
                        return Err(at(Problem::Missing {
                            what: "file",
                            name: "index.json".into(),
                        }));
                    }
                };
                let index = generated::with_containerd_names(&index).map_err(at)?;
                append(&mut tar, "index.json", index.len() as u64, index.as_slice()).map_err(at)?;
                self.report
                    .images
                    .iter()
                    .map(|i| i.target_digest.clone())
                    .collect()
            }
            OciHow::Generated { by_diff_id } => {
                let needed = self.kept.iter().chain(&self.configs);
                if let Some(missing) = needed.into_iter().find(|p| !sizes.contains_key(*p)) {
                    return Err(at(Problem::Missing {
                        what: "blob",
                        name: missing.clone(),
                    }));
                }
                self.write_generated(&mut tar, &sizes, by_diff_id)
                    .map_err(at)?
            }
        };
        tar.finish().map_err(|e| at(e.into()))?;
        let summary = WriteSummary {
            written: written(&tar),
            ..self.summary.clone()
        };
        Ok(OciWritten { summary, targets })
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
