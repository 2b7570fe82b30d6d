//! Manifests and `index.json` written from a listing, as containerd's importer writes them
//! for a docker-archive (field order, media types), with tags as full references.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::{OciPlan, Tar, append};
use crate::archive::{Compression, Format, ImageInfo, Problem};

impl OciPlan {
    /// One manifest per image (written as a blob), then `index.json` naming them with their tags.
    pub(super) fn write_generated(
        &self,
        tar: &mut Tar<'_>,
        sizes: &HashMap<String, u64>,
        by_diff_id: bool,
    ) -> Result<Vec<Option<String>>, Problem> {
        let mut entries = Vec::new();
        let mut targets = Vec::new();
        let mut written = HashSet::new();
        for image in &self.report.images {
            let manifest = self.manifest(image, sizes, by_diff_id)?;
            let bytes =
                serde_json::to_vec(&manifest).map_err(|e| Problem::Invalid(e.to_string()))?;
            let digest = crate::digest::sha256_of(&bytes);
            if written.insert(digest.clone()) {
                append(
                    tar,
                    &blob_name(&digest),
                    bytes.len() as u64,
                    bytes.as_slice(),
                )?;
            }
            let tags: Vec<&String> = image
                .tags
                .iter()
                .filter(|t| crate::archive::is_loadable_tag(t))
                .collect();
            let descriptor = |annotations| IndexEntry {
                media_type: manifest.media_type,
                digest: digest.clone(),
                size: bytes.len() as u64,
                annotations,
            };
            if tags.is_empty() {
                entries.push(descriptor(None));
            }
            // Podman names the unqualified tags of a docker-archive `localhost/...` (and reads
            // `by_diff_id` layouts): name them as its own load of the archive would.
            let local = by_diff_id && self.report.format == Format::DockerArchive;
            for tag in tags {
                let full = full_reference(tag, local);
                let tag_part = full
                    .rsplit_once(':')
                    .map_or("latest", |(_, t)| t)
                    .to_string();
                entries.push(descriptor(Some(BTreeMap::from([
                    ("io.containerd.image.name", full.clone()),
                    ("org.opencontainers.image.ref.name", tag_part),
                ]))));
            }
            targets.push(Some(digest));
        }
        let index = Index {
            schema_version: 2,
            media_type: INDEX_TYPE,
            manifests: entries,
        };
        let bytes = serde_json::to_vec(&index).map_err(|e| Problem::Invalid(e.to_string()))?;
        append(tar, "index.json", bytes.len() as u64, bytes.as_slice())?;
        Ok(targets)
    }

    fn manifest(
        &self,
        image: &ImageInfo,
        sizes: &HashMap<String, u64>,
        by_diff_id: bool,
    ) -> Result<Manifest, Problem> {
        let docker = !image
            .layers
            .iter()
            .any(|l| l.compression == Compression::Zstd);
        let types = if docker { &DOCKER_TYPES } else { &OCI_TYPES };
        let config_size = *sizes
            .get(&image.config_path)
            .ok_or_else(|| Problem::Missing {
                what: "config",
                name: image.config_path.clone(),
            })?;
        let layers = image
            .layers
            .iter()
            .map(|l| {
                let by_diff = by_diff_id && self.skip.contains(&l.diff_id);
                let (media_type, digest) = if by_diff {
                    (types.layer(Compression::None), l.diff_id.clone())
                } else {
                    (
                        types.layer(l.compression),
                        l.digest.clone().unwrap_or_default(),
                    )
                };
                Descriptor {
                    media_type,
                    digest,
                    size: l.size,
                }
            })
            .collect();
        Ok(Manifest {
            schema_version: 2,
            media_type: types.manifest,
            config: Descriptor {
                media_type: types.config,
                digest: image.id.clone(),
                size: config_size,
            },
            layers,
        })
    }
}

/// `app:1` -> `docker.io/library/app:1`; `team/app:1` -> `docker.io/team/app:1`; a name whose
/// first part is a registry (a dot, a port, `localhost`) stays. `local`: unqualified names go
/// to `localhost/` instead (Podman's reading of a docker-archive).
pub(super) fn full_reference(tag: &str, local: bool) -> String {
    let registry = |first: &str| first.contains('.') || first.contains(':') || first == "localhost";
    match tag.split_once('/') {
        Some((first, _)) if registry(first) => tag.to_string(),
        _ if local => format!("localhost/{tag}"),
        None => format!("docker.io/library/{tag}"),
        Some(_) => format!("docker.io/{tag}"),
    }
}

pub(super) fn blob_name(digest: &str) -> String {
    let (alg, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
    format!("blobs/{alg}/{hex}")
}

const INDEX_TYPE: &str = "application/vnd.oci.image.index.v1+json";

struct MediaTypes {
    manifest: &'static str,
    config: &'static str,
    plain: &'static str,
    gzip: &'static str,
    zstd: &'static str,
}

impl MediaTypes {
    fn layer(&self, c: Compression) -> &'static str {
        match c {
            Compression::Gzip => self.gzip,
            Compression::Zstd => self.zstd,
            _ => self.plain,
        }
    }
}

/// What containerd's importer writes for a docker-archive.
const DOCKER_TYPES: MediaTypes = MediaTypes {
    manifest: "application/vnd.docker.distribution.manifest.v2+json",
    config: "application/vnd.docker.container.image.v1+json",
    plain: "application/vnd.docker.image.rootfs.diff.tar",
    gzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
    zstd: "application/vnd.oci.image.layer.v1.tar+zstd",
};

const OCI_TYPES: MediaTypes = MediaTypes {
    manifest: "application/vnd.oci.image.manifest.v1+json",
    config: "application/vnd.oci.image.config.v1+json",
    plain: "application/vnd.oci.image.layer.v1.tar",
    gzip: "application/vnd.oci.image.layer.v1.tar+gzip",
    zstd: "application/vnd.oci.image.layer.v1.tar+zstd",
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    media_type: &'static str,
    digest: String,
    size: u64,
}

/// Field order as containerd's importer marshals its manifests.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    schema_version: u32,
    media_type: &'static str,
    config: Descriptor,
    layers: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IndexEntry {
    media_type: &'static str,
    digest: String,
    size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<BTreeMap<&'static str, String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Index {
    schema_version: u32,
    media_type: &'static str,
    manifests: Vec<IndexEntry>,
}

/// The archive's `index.json` with every name qualified: `io.containerd.image.name` added where
/// an entry is named only by `org.opencontainers.image.ref.name` holding a whole reference
/// (skopeo writes those), or rewritten where it lacks its registry. The containerd store keeps
/// a name as written, where no `docker` command finds an unqualified one.
pub(super) fn with_containerd_names(index: &[u8]) -> Result<Vec<u8>, Problem> {
    const NAME: &str = "io.containerd.image.name";
    const REF: &str = "org.opencontainers.image.ref.name";
    let bad = |e: serde_json::Error| Problem::BadJson {
        name: "index.json".into(),
        detail: e.to_string(),
    };
    let mut value: serde_json::Value = serde_json::from_slice(index).map_err(bad)?;
    let mut changed = false;
    let entries = value.get_mut("manifests").and_then(|m| m.as_array_mut());
    for entry in entries.into_iter().flatten() {
        let Some(annotations) = entry.get_mut("annotations").and_then(|a| a.as_object_mut()) else {
            continue;
        };
        let named = annotations
            .get(NAME)
            .or_else(|| annotations.get(REF))
            .and_then(|r| r.as_str())
            .filter(|r| crate::archive::is_loadable_tag(r));
        if let Some(reference) = named {
            let full = full_reference(reference, false);
            if annotations.get(NAME).and_then(|n| n.as_str()) != Some(full.as_str()) {
                annotations.insert(NAME.to_string(), serde_json::Value::String(full));
                changed = true;
            }
        }
    }
    if !changed {
        return Ok(index.to_vec());
    }
    serde_json::to_vec(&value).map_err(bad)
}
