//! From the entries of an archive to its images: `manifest.json` (docker-archive flavours)
//! and `index.json` (OCI), merged when an archive has both (Docker 25+ saves).

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

use super::config::{self, ParsedConfig};
use super::index::Blobs;
use super::{Compression, Format, ImageInfo, LayerInfo, Problem};

const MAX_INDEX_DEPTH: usize = 8;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    #[serde(default)]
    media_type: String,
    digest: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    platform: Option<Platform>,
}

#[derive(Deserialize, Default)]
struct Platform {
    #[serde(default)]
    os: String,
}

#[derive(Deserialize)]
struct OciIndex {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct OciManifest {
    config: Descriptor,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

pub struct Images {
    pub format: Format,
    pub images: Vec<ImageInfo>,
    pub missing_manifests: usize,
}

fn parse_json<T: for<'de> Deserialize<'de>>(name: &str, bytes: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(bytes).map_err(|e| Problem::BadJson {
        name: name.to_string(),
        detail: e.to_string(),
    })
}

/// Read every image of an archive. `is_folder` picks the OCI layout format name.
pub fn read_images(blobs: &mut dyn Blobs, is_folder: bool) -> Result<Images, Problem> {
    let has_manifest = blobs.index().contains("manifest.json");
    let has_index = blobs.index().contains("index.json");
    let mut images = Vec::new();
    if has_manifest {
        images = read_docker_manifest(blobs)?;
    }
    let mut missing_manifests = 0;
    if has_index {
        let bytes = blobs.read_meta("index.json")?;
        let index: OciIndex = parse_json("index.json", &bytes)?;
        let mut walk = OciWalk {
            blobs,
            images: Vec::new(),
            missing: 0,
            seen: HashSet::new(),
            stack: Vec::new(),
        };
        walk.descriptors(index.manifests, (&[], false), 0, None)?;
        missing_manifests = walk.missing;
        for found in walk.images {
            match images.iter_mut().find(|i| i.id == found.id) {
                // Docker 25+ saves list an image in both files: keep manifest.json's entry, with
                // the digests only the index knows (the containerd store names images by them).
                Some(known) => {
                    known.manifest_digest = found.manifest_digest;
                    known.target_digest = found.target_digest;
                }
                None => images.push(found),
            }
        }
    }
    let format = match (has_manifest, has_index, is_folder) {
        (_, _, true) => Format::OciLayout,
        (true, true, _) => Format::DockerOciArchive,
        (true, false, _) => Format::DockerArchive,
        (false, true, _) => Format::OciArchive,
        (false, false, _) => return Err(Problem::NoImage),
    };
    if images.is_empty() {
        return Err(if missing_manifests > 0 {
            Problem::Invalid(format!(
                "index.json names {missing_manifests} image(s) whose blobs are not in the archive"
            ))
        } else {
            Problem::NoImage
        });
    }
    Ok(Images {
        format,
        images,
        missing_manifests,
    })
}

fn read_config(blobs: &mut dyn Blobs, name: &str) -> Result<ParsedConfig, Problem> {
    match blobs.index().resolve(name) {
        Ok(_) => {}
        Err(Problem::Missing { .. }) => {
            return Err(Problem::Missing {
                what: "config",
                name: name.to_string(),
            });
        }
        Err(e) => return Err(e),
    }
    let bytes = blobs.read_meta(name)?;
    let path = blobs.index().resolve(name)?.name.to_string();
    super::verify::check_named(&path, &bytes)?;
    config::parse(name, &bytes)
}

fn layer_info(
    blobs: &mut dyn Blobs,
    name: &str,
    diff_id: &str,
    digest: Option<String>,
) -> Result<LayerInfo, Problem> {
    let entry = match blobs.index().resolve(name) {
        Ok(entry) => entry,
        Err(Problem::Missing { .. }) => {
            return Err(Problem::Missing {
                what: "layer",
                name: name.to_string(),
            });
        }
        Err(e) => return Err(e),
    };
    let (path, size, computed) = (entry.name.to_string(), entry.size, entry.digest.clone());
    let compression = blobs.compression(name)?;
    let digest = digest
        .or_else(|| blob_digest_from_path(&path))
        .or_else(|| (compression == Compression::None).then(|| diff_id.to_string()));
    // A streamed pass hashed the blob as it went by: it must be what it is named.
    if let (Some(expected), Some(actual)) = (&digest, computed)
        && expected.starts_with("sha256:")
        && *expected != actual
    {
        return Err(Problem::DigestMismatch {
            blob: path,
            expected: expected.clone(),
            actual,
        });
    }
    Ok(LayerInfo {
        diff_id: diff_id.to_string(),
        digest,
        size,
        compression,
        created_by: None,
        path,
    })
}

/// `blobs/sha256/<hex>` names its own digest.
fn blob_digest_from_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix("blobs/")?;
    let (alg, hex) = rest.split_once('/')?;
    let digest = format!("{alg}:{hex}");
    crate::digest::is_valid(&digest).then_some(digest)
}

fn blob_path(digest: &str) -> Result<String, Problem> {
    if !crate::digest::is_valid(digest) {
        return Err(Problem::Invalid(format!(
            "{digest:?} is not a valid digest"
        )));
    }
    let (alg, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
    Ok(format!("blobs/{alg}/{hex}"))
}

/// Put the history's `created_by` on each layer and total the size.
fn finish(mut image: ImageInfo, layers: Vec<LayerInfo>) -> ImageInfo {
    image.layers = layers;
    for h in &image.history {
        if let Some(layer) = h.layer.and_then(|i| image.layers.get_mut(i)) {
            layer.created_by = h.created_by.clone();
        }
    }
    image.size = image.layers.iter().map(|l| l.size).sum();
    image
}

fn read_docker_manifest(blobs: &mut dyn Blobs) -> Result<Vec<ImageInfo>, Problem> {
    let bytes = blobs.read_meta("manifest.json")?;
    let entries: Vec<ManifestEntry> = parse_json("manifest.json", &bytes)?;
    let mut images = Vec::with_capacity(entries.len());
    for entry in entries {
        let ParsedConfig {
            mut image,
            diff_ids,
        } = read_config(blobs, &entry.config)?;
        if diff_ids.len() != entry.layers.len() {
            return Err(Problem::Invalid(format!(
                "manifest.json names {} layers for {} but its config has {} diff IDs",
                entry.layers.len(),
                entry.config,
                diff_ids.len()
            )));
        }
        let layers = entry
            .layers
            .iter()
            .zip(&diff_ids)
            .map(|(path, diff_id)| layer_info(blobs, path, diff_id, None))
            .collect::<Result<Vec<_>, _>>()?;
        image.tags = entry.repo_tags.unwrap_or_default();
        image.config_path = blobs.index().resolve(&entry.config)?.name.to_string();
        images.push(finish(image, layers));
    }
    Ok(images)
}

const INDEX_TYPES: [&str; 2] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

struct OciWalk<'a> {
    blobs: &'a mut dyn Blobs,
    images: Vec<ImageInfo>,
    missing: usize,
    seen: HashSet<String>,
    /// Digests of the indexes being walked, outermost first: one seen again is a cycle.
    stack: Vec<String>,
}

impl OciWalk<'_> {
    fn descriptors(
        &mut self,
        descs: Vec<Descriptor>,
        inherited: (&[String], bool),
        depth: usize,
        target: Option<&str>,
    ) -> Result<(), Problem> {
        if depth > MAX_INDEX_DEPTH {
            return Err(Problem::Invalid("image indexes nested too deep".into()));
        }
        for desc in descs {
            let is_attestation = desc
                .annotations
                .get("vnd.docker.reference.type")
                .map(String::as_str)
                == Some("attestation-manifest")
                || desc.platform.as_ref().is_some_and(|p| p.os == "unknown");
            if is_attestation {
                continue;
            }
            let name = blob_path(&desc.digest)?;
            if !self.blobs.exists(&name) {
                self.missing += 1;
                continue;
            }
            if !self.seen.insert(desc.digest.clone()) {
                continue; // one manifest listed twice
            }
            let (own_tags, ref_only) = match tags_of(&desc) {
                Some((tag, ref_only)) => (vec![tag], ref_only),
                None => (inherited.0.to_vec(), inherited.1),
            };
            let target = target.unwrap_or(&desc.digest).to_string();
            let bytes = self.blobs.read_meta(&name)?;
            let value: serde_json::Value = parse_json(&name, &bytes)?;
            let is_index =
                INDEX_TYPES.contains(&desc.media_type.as_str()) || value.get("manifests").is_some();
            if is_index {
                let nested: OciIndex = parse_json(&name, &bytes)?;
                // Checked before the digest: a cycle is what a hostile index is, whatever else.
                self.stack.push(desc.digest.clone());
                if let Some(back) = nested
                    .manifests
                    .iter()
                    .find(|d| self.stack.contains(&d.digest))
                {
                    return Err(Problem::Invalid(format!(
                        "image index cycle: {} names {}, which names it again",
                        desc.digest, back.digest
                    )));
                }
                super::verify::check_bytes(&name, &desc.digest, &bytes)?;
                let inherited = (own_tags.as_slice(), ref_only);
                let walked =
                    self.descriptors(nested.manifests, inherited, depth + 1, Some(&target));
                self.stack.pop();
                walked?;
            } else {
                super::verify::check_bytes(&name, &desc.digest, &bytes)?;
                let manifest: OciManifest = parse_json(&name, &bytes)?;
                let mut image = self.image(manifest, &desc, own_tags)?;
                image.target_digest = Some(target);
                image.unqualified_name = ref_only;
                self.images.push(image);
            }
        }
        Ok(())
    }

    fn image(
        &mut self,
        manifest: OciManifest,
        desc: &Descriptor,
        tags: Vec<String>,
    ) -> Result<ImageInfo, Problem> {
        let config_name = blob_path(&manifest.config.digest)?;
        let ParsedConfig {
            mut image,
            diff_ids,
        } = read_config(self.blobs, &config_name)?;
        if diff_ids.len() != manifest.layers.len() {
            return Err(Problem::Invalid(format!(
                "manifest {} names {} layers but its config has {} diff IDs",
                desc.digest,
                manifest.layers.len(),
                diff_ids.len()
            )));
        }
        let mut layers = Vec::with_capacity(diff_ids.len());
        for (layer, diff_id) in manifest.layers.iter().zip(&diff_ids) {
            let name = blob_path(&layer.digest)?;
            let mut info = layer_info(self.blobs, &name, diff_id, Some(layer.digest.clone()))?;
            if info.size != layer.size && layer.size != 0 {
                return Err(Problem::Invalid(format!(
                    "layer {} is {} bytes in the archive but its manifest says {}",
                    layer.digest, info.size, layer.size
                )));
            }
            info.size = info.size.max(layer.size);
            layers.push(info);
        }
        image.tags = tags;
        image.manifest_digest = Some(desc.digest.clone());
        image.config_path = config_name;
        Ok(finish(image, layers))
    }
}

/// The image name an index entry carries, in the familiar form the docker CLI shows
/// (`docker.io/library/app:1` -> `app:1`, `docker.io/team/app:1` -> `team/app:1`), and whether
/// the entry names it without a registry (see `ImageInfo::unqualified_name`).
fn tags_of(desc: &Descriptor) -> Option<(String, bool)> {
    let (name, ref_only) = match desc.annotations.get("io.containerd.image.name") {
        Some(name) => (name, !is_qualified(name)),
        None => (
            desc.annotations.get("org.opencontainers.image.ref.name")?,
            true,
        ),
    };
    let familiar = name
        .strip_prefix("docker.io/library/")
        .or_else(|| name.strip_prefix("docker.io/"))
        .unwrap_or(name);
    Some((familiar.to_string(), ref_only))
}

/// `registry/.../name:tag`: the first component names a registry (a dot, a port, `localhost`).
fn is_qualified(name: &str) -> bool {
    name.split_once('/').is_some_and(|(first, _)| {
        first.contains('.') || first.contains(':') || first == "localhost"
    })
}
