//! Rewrite any image archive as a docker-archive tar stream that every Docker Engine loads:
//! `manifest.json` present, outer compression removed, zstd layers decompressed, and layers the
//! daemon already holds left out (the daemon skips a layer whose chain ID it has without opening
//! its file, so `manifest.json` may still name it).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use super::blob_walk::{BlobBody, BlobMeta, BlobVisitor, Walk};
use super::open::{self, Target};
use super::tar_out::{self, Tar, append, tar_into};
use super::tar_source::Counting;
use super::{ArchiveError, ArchiveReport, Compression, Container, Problem, WriteSummary, zipped};

/// What a conversion will send: the blobs (by path in the archive) and the manifest to write.
pub struct Plan {
    pub report: ArchiveReport,
    /// Blob path -> size in the archive, for every config and every layer not skipped.
    needed: BTreeMap<String, u64>,
    /// Config blobs: sent, but not counted in progress (their size is not in the report).
    configs: HashSet<String>,
    /// Layer blobs that must be decompressed on the way (zstd, which old engines cannot read).
    zstd_layers: HashSet<String>,
    manifest: Vec<u8>,
    summary: WriteSummary,
    /// For a zip: its image entries, listed once.
    zip_entries: Vec<zipped::ZipImageEntry>,
    /// Blob path -> the digest its bytes must have (configs: the image ID; layers: the blob
    /// digest, the diff ID for an uncompressed one), checked as the blob is copied.
    digests: HashMap<String, String>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestOut<'a> {
    config: &'a str,
    repo_tags: Vec<&'a str>,
    layers: Vec<&'a str>,
}

/// `docker load` accepts only `name:tag` references; an OCI `ref.name` of just `latest`, or a
/// digest reference, would make the whole load fail, so such names are left out.
pub fn is_loadable_tag(tag: &str) -> bool {
    let last = tag.rsplit('/').next().unwrap_or(tag);
    let Some((repo_tail, version)) = last.split_once(':') else {
        return false;
    };
    let repo = &tag[..tag.len() - last.len() + repo_tail.len()];
    !repo_tail.is_empty()
        && !version.is_empty()
        && !tag.contains('@')
        && !tag.contains(char::is_whitespace)
        && repo
            .rsplit('/')
            .next()
            .is_some_and(|n| !n.chars().any(|c| c.is_ascii_uppercase()))
}

impl Plan {
    pub fn new(path: &Path, skip: &HashSet<String>) -> Result<Plan, ArchiveError> {
        Plan::from_report(super::inspect(path)?, skip)
    }

    /// A plan for an archive already listed: no second listing of the file.
    pub fn from_report(
        report: ArchiveReport,
        skip: &HashSet<String>,
    ) -> Result<Plan, ArchiveError> {
        let path = PathBuf::from(&report.path);
        let path = path.as_path();
        let mut needed = BTreeMap::new();
        let mut zstd_layers = HashSet::new();
        let mut summary = WriteSummary::default();
        let mut skipped_paths = HashSet::new();
        let mut entries = Vec::new();
        let mut configs = HashSet::new();
        let mut digests = HashMap::new();
        for image in &report.images {
            needed.insert(image.config_path.clone(), 0);
            configs.insert(image.config_path.clone());
            digests.insert(image.config_path.clone(), image.id.clone());
            for layer in &image.layers {
                if let Some(digest) = &layer.digest {
                    digests.insert(layer.path.clone(), digest.clone());
                }
                if skip.contains(&layer.diff_id) {
                    if skipped_paths.insert(layer.path.clone()) {
                        summary.skipped_layers += 1;
                        summary.skipped_bytes += layer.size;
                    }
                } else {
                    needed.insert(layer.path.clone(), layer.size);
                    if layer.compression == Compression::Zstd {
                        zstd_layers.insert(layer.path.clone());
                    }
                }
            }
            entries.push(ManifestOut {
                config: &image.config_path,
                repo_tags: image
                    .tags
                    .iter()
                    .map(String::as_str)
                    .filter(|t| is_loadable_tag(t))
                    .collect(),
                layers: image.layers.iter().map(|l| l.path.as_str()).collect(),
            });
        }
        let manifest =
            serde_json::to_vec(&entries).map_err(|e| Problem::Invalid(e.to_string()).at(path))?;
        drop(entries);
        // A blob both skipped (for one image) and needed (for another) is sent.
        summary.skipped_layers -= skipped_paths
            .iter()
            .filter(|p| needed.contains_key(*p))
            .count();
        let zip_entries = if report.container == Container::Zip {
            let target = Target::parse(Path::new(&report.path));
            // Only the entries the report read images from (not a tar of sources beside them).
            let used: HashSet<&str> = report
                .entry
                .iter()
                .chain(report.entries.iter().filter_map(|e| e.entry.as_ref()))
                .map(String::as_str)
                .collect();
            zipped::image_entries(&target.file, target.entry.as_deref())
                .map_err(|p| p.at(path))?
                .0
                .into_iter()
                .filter(|e| used.is_empty() || used.contains(e.name.as_str()))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Plan {
            report,
            needed,
            configs,
            zip_entries,
            zstd_layers,
            manifest,
            summary,
            digests,
        })
    }

    /// Source bytes the conversion reads: the unit of its progress. Seekable sources count
    /// the blobs they copy; a compressed tar counts its file bytes; a zip holding a compressed
    /// (or deflated) tar counts the decompressed bytes of its entries.
    pub fn total_bytes(&self) -> u64 {
        match self.report.container {
            Container::Zip if !self.zip_all_stored() => {
                self.zip_entries.iter().map(|e| e.size).sum()
            }
            Container::Tar if self.report.compression != Compression::None => self.report.file_size,
            _ => self
                .needed
                .iter()
                .filter(|(n, _)| !self.configs.contains(*n))
                .map(|(_, s)| s)
                .sum(),
        }
    }

    fn zip_all_stored(&self) -> bool {
        self.zip_entries.iter().all(|e| e.stored_tar)
    }
}

/// Size of a zstd layer once decompressed: the tar header needs it before the body.
fn zstd_size(body: impl Read) -> Result<u64, Problem> {
    Ok(io::copy(
        &mut open::decoder(Compression::Zstd, body)?,
        &mut io::sink(),
    )?)
}

impl Plan {
    /// Write the docker-archive to `out`; `read` advances by source bytes consumed.
    pub fn write(
        &self,
        out: &mut dyn Write,
        read: &AtomicU64,
    ) -> Result<WriteSummary, ArchiveError> {
        let at = |p: Problem| p.at(&self.report.path);
        if self.report.container == Container::Daemon {
            return Err(at(Problem::Invalid("a daemon image is not a file".into())));
        }
        let mut builder = tar_into(out);
        let walk = Walk::open(Path::new(&self.report.path))?;
        let mut sender = Sender {
            plan: self,
            builder: &mut builder,
            read,
            streamed: walk.is_streamed(),
            uncounted: AtomicU64::new(0),
            sent: HashSet::new(),
        };
        walk.run(&mut sender, read)?;
        if let Some(missing) = self.needed.keys().find(|n| !sender.sent.contains(*n)) {
            return Err(at(Problem::Missing {
                what: "blob",
                name: missing.clone(),
            }));
        }
        let manifest = self.manifest.as_slice();
        append(
            &mut builder,
            "manifest.json",
            manifest.len() as u64,
            manifest,
        )
        .map_err(at)?;
        builder.finish().map_err(|e| at(e.into()))?;
        let written = tar_out::written(&builder);
        Ok(WriteSummary {
            written,
            ..self.summary.clone()
        })
    }
}

/// Copies the blobs a plan needs into the docker-archive as the walk meets them.
struct Sender<'p, 'b, 'o> {
    plan: &'p Plan,
    builder: &'b mut Tar<'o>,
    read: &'p AtomicU64,
    /// A streamed walk counts source bytes itself; a seek walk counts the layer blobs copied
    /// (configs are sent but not counted: see `total_bytes`).
    streamed: bool,
    uncounted: AtomicU64,
    sent: HashSet<String>,
}

impl BlobVisitor for Sender<'_, '_, '_> {
    fn wants(&mut self, blob: &BlobMeta) -> bool {
        self.plan.needed.contains_key(&blob.path)
    }

    fn visit(&mut self, blob: &BlobMeta, body: &mut BlobBody<'_>) -> Result<(), Problem> {
        let name = blob.path.as_str();
        self.sent.insert(name.to_string());
        if let Some(expected) = self.plan.digests.get(name) {
            body.expect_digest(name, expected);
        }
        let count = if self.streamed || self.plan.configs.contains(name) {
            &self.uncounted
        } else {
            self.read
        };
        if !self.plan.zstd_layers.contains(name) {
            return append(
                self.builder,
                name,
                blob.size,
                Counting { inner: body, count },
            );
        }
        // The tar header needs the decompressed size first: two reads of a seekable blob.
        if !body.rewind()? {
            return Err(Problem::Invalid(format!(
                "layer {name} is zstd-compressed inside a compressed archive; decompress the archive first"
            )));
        }
        let size = zstd_size(&mut *body)?;
        body.rewind()?;
        let counted = Counting { inner: body, count };
        append(
            self.builder,
            name,
            size,
            open::decoder(Compression::Zstd, counted)?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::is_loadable_tag;

    #[test]
    fn only_tagged_lowercase_references_are_loadable() {
        assert!(is_loadable_tag("app:1.0"));
        assert!(is_loadable_tag("docker.io/library/app:latest"));
        assert!(is_loadable_tag("localhost:5000/team/app:v2"));
        assert!(!is_loadable_tag("latest"));
        assert!(!is_loadable_tag("localhost:5000/app"));
        assert!(!is_loadable_tag("App:1"));
        assert!(!is_loadable_tag("app@sha256:abc"));
        assert!(!is_loadable_tag("app:"));
    }
}
