//! What the engine holds, and the one answer to "does the engine have it?" for images and
//! layers. Marks, layer counts, delta planning, verification and the dry run all ask here.
//!
//! Identity of an archive's image:
//! - on engines whose image IDs are config digests (Docker's classic store, Podman): the ID;
//! - on the containerd store (IDs are the digest of the image's index or manifest): the
//!   archive's target or manifest digest, where the archive carries one (OCI index);
//! - otherwise (a legacy docker-archive on the containerd store, whose loaded manifest the
//!   engine writes itself): the diff IDs with the config's creation time and platform.
//!
//! A layer is present when its chain ID is: the chain IDs of every prefix of every held image's
//! `RootFS.Layers`. On the classic store that is the layer store's key; on the containerd store
//! it names the snapshot unpacking creates (and skips when it exists); on Podman a stored layer
//! with that diff ID exists.
//!
//! Built in one walk ([`fetch`]), then kept current one image at a time ([`Holdings::insert`],
//! [`Holdings::remove`], [`fetch_one`]).

use std::collections::{HashMap, HashSet};

use bollard::models::ImageInspect;
use futures_util::{StreamExt, TryStreamExt, stream};

use super::engine::ImageIds;
use super::{Daemon, DaemonError};
use crate::archive::ImageInfo;
use crate::digest;

/// How many inspect calls run at once when walking every image.
const PARALLEL_INSPECTS: usize = 8;

/// One image the engine holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Held {
    /// The engine's image ID.
    pub id: String,
    pub tags: Vec<String>,
    /// Digests the engine knows the image by besides its ID (`name@sha256:...` digests).
    pub digests: Vec<String>,
    /// `RootFS.Layers`.
    pub diff_ids: Vec<String>,
    pub created: Option<String>,
    /// `os/arch[/variant]`.
    pub platform: String,
}

impl Held {
    /// From an image inspect answer.
    pub fn from_inspect(inspect: &ImageInspect) -> Held {
        let platform = match inspect.variant.as_deref().filter(|v| !v.is_empty()) {
            Some(v) => format!(
                "{}/{}/{v}",
                inspect.os.as_deref().unwrap_or(""),
                inspect.architecture.as_deref().unwrap_or("")
            ),
            None => format!(
                "{}/{}",
                inspect.os.as_deref().unwrap_or(""),
                inspect.architecture.as_deref().unwrap_or("")
            ),
        };
        Held {
            id: inspect.id.clone().unwrap_or_default(),
            tags: inspect
                .repo_tags
                .iter()
                .flatten()
                .filter(|t| *t != "<none>:<none>")
                .cloned()
                .collect(),
            digests: inspect
                .repo_digests
                .iter()
                .flatten()
                .filter_map(|d| d.rsplit_once('@').map(|(_, digest)| digest.to_string()))
                .collect(),
            diff_ids: inspect
                .root_fs
                .as_ref()
                .and_then(|r| r.layers.clone())
                .unwrap_or_default(),
            created: inspect.created.clone().filter(|c| !c.is_empty()),
            platform,
        }
    }
}

/// Everything the engine holds, indexed for the identity questions.
#[derive(Debug, Clone)]
pub struct Holdings {
    ids: ImageIds,
    images: HashMap<String, Held>,
    /// Chain ID -> how many held images contain it.
    chains: HashMap<String, usize>,
    /// A digest an image is known by (its ID, its repo digests) -> how many images.
    digests: HashMap<String, usize>,
    /// Diff IDs + creation time + platform -> how many images.
    fingerprints: HashMap<String, usize>,
}

/// Creation times compare as instants: `...:00.500Z`, `...:00.5Z` and `...:00.5+00:00` are one.
fn canonical_time(time: &str) -> String {
    let time = time.trim();
    let main = time
        .strip_suffix('Z')
        .or_else(|| time.strip_suffix("+00:00"))
        .unwrap_or(time);
    match main.split_once('.') {
        Some((secs, frac)) => match frac.trim_end_matches('0') {
            "" => secs.to_string(),
            frac => format!("{secs}.{frac}"),
        },
        None => main.to_string(),
    }
}

fn fingerprint(diff_ids: &[String], created: Option<&str>, platform: &str) -> String {
    format!(
        "{}|{}|{platform}",
        diff_ids.join(","),
        created.map(canonical_time).unwrap_or_default()
    )
}

fn bump(map: &mut HashMap<String, usize>, key: String, up: bool) {
    if up {
        *map.entry(key).or_default() += 1;
    } else if let Some(n) = map.get_mut(&key) {
        *n -= 1;
        if *n == 0 {
            map.remove(&key);
        }
    }
}

impl Holdings {
    /// Nothing held yet, on an engine whose IDs are `ids`.
    pub fn new(ids: ImageIds) -> Holdings {
        Holdings {
            ids,
            images: HashMap::new(),
            chains: HashMap::new(),
            digests: HashMap::new(),
            fingerprints: HashMap::new(),
        }
    }

    fn index(&mut self, held: &Held, up: bool) {
        let chains: HashSet<String> = digest::chain_ids(&held.diff_ids).into_iter().collect();
        for chain in chains {
            bump(&mut self.chains, chain, up);
        }
        let digests: HashSet<&String> = std::iter::once(&held.id).chain(&held.digests).collect();
        for d in digests {
            bump(&mut self.digests, d.clone(), up);
        }
        let print = fingerprint(&held.diff_ids, held.created.as_deref(), &held.platform);
        bump(&mut self.fingerprints, print, up);
    }

    /// Add an image, or replace the one with the same ID.
    pub fn insert(&mut self, held: Held) {
        self.remove(&held.id.clone());
        self.index(&held, true);
        self.images.insert(held.id.clone(), held);
    }

    /// Forget an image (it was deleted).
    pub fn remove(&mut self, id: &str) -> Option<Held> {
        let held = self.images.remove(id)?;
        self.index(&held, false);
        Some(held)
    }

    pub fn get(&self, id: &str) -> Option<&Held> {
        self.images.get(id)
    }

    pub fn images(&self) -> impl Iterator<Item = &Held> {
        self.images.values()
    }

    pub fn len(&self) -> usize {
        self.images.len()
    }

    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// What the engine's image IDs are.
    pub fn ids(&self) -> ImageIds {
        self.ids
    }

    /// True when the engine has this archive image (see the module notes).
    pub fn has_image(&self, image: &ImageInfo) -> bool {
        match self.ids {
            ImageIds::ConfigDigest => self.digests.contains_key(&image.id),
            ImageIds::TargetDigest => {
                let by_digest = [&image.target_digest, &image.manifest_digest]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>();
                if by_digest.is_empty() {
                    let print = fingerprint(
                        &image.diff_ids(),
                        image.created.as_deref(),
                        &image.platform(),
                    );
                    self.fingerprints.contains_key(&print)
                } else {
                    by_digest.iter().any(|d| self.digests.contains_key(*d))
                }
            }
        }
    }

    /// The ID the engine gives this archive image once loaded as it is, when it can be told
    /// beforehand: the config digest, or on the containerd store the archive's target digest.
    pub fn expected_id(&self, image: &ImageInfo) -> Option<String> {
        match self.ids {
            ImageIds::ConfigDigest => Some(image.id.clone()),
            ImageIds::TargetDigest => image.target_digest.clone(),
        }
    }

    /// Per layer of `image`, in stack order: does the engine have it (its chain ID)?
    pub fn layers_present(&self, image: &ImageInfo) -> Vec<bool> {
        digest::chain_ids(&image.diff_ids())
            .iter()
            .map(|c| self.chains.contains_key(c))
            .collect()
    }

    /// True when a layer with this chain ID is held.
    pub fn has_chain(&self, chain_id: &str) -> bool {
        self.chains.contains_key(chain_id)
    }
}

/// Inspect one image into a [`Held`]; `None` when it is gone.
pub async fn fetch_one(daemon: &Daemon, id: &str) -> Result<Option<Held>, DaemonError> {
    match daemon.inspect_raw(id).await {
        Ok(inspect) => Ok(Some(Held::from_inspect(&inspect))),
        Err(DaemonError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Everything the engine holds: one listing, then one inspect per image (a few at a time).
pub async fn fetch(daemon: &Daemon) -> Result<Holdings, DaemonError> {
    let summaries = super::summaries(daemon, true).await?;
    let held: Vec<Option<Held>> = stream::iter(summaries.into_iter().map(|s| s.id))
        .map(|id| async move { fetch_one(daemon, &id).await })
        .buffer_unordered(PARALLEL_INSPECTS)
        .try_collect()
        .await?;
    let mut holdings = Holdings::new(daemon.engine().ids);
    for held in held.into_iter().flatten() {
        holdings.insert(held);
    }
    Ok(holdings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::LayerInfo;

    fn diff(n: u8) -> String {
        digest::sha256_of(&[n])
    }

    fn archive_image(layers: &[u8]) -> ImageInfo {
        ImageInfo {
            id: digest::sha256_of(b"config"),
            os: "linux".into(),
            architecture: "amd64".into(),
            created: Some("2024-01-01T00:00:00.500Z".into()),
            layers: layers
                .iter()
                .map(|n| LayerInfo {
                    diff_id: diff(*n),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn held(id: &str, layers: &[u8]) -> Held {
        Held {
            id: id.into(),
            diff_ids: layers.iter().map(|n| diff(*n)).collect(),
            created: Some("2024-01-01T00:00:00.5Z".into()),
            platform: "linux/amd64".into(),
            ..Default::default()
        }
    }

    #[test]
    fn config_digest_engines_match_the_image_id_and_layers_by_chain() {
        let image = archive_image(&[1, 2, 3]);
        let mut h = Holdings::new(ImageIds::ConfigDigest);
        assert!(!h.has_image(&image));
        h.insert(held("sha256:other", &[1, 2]));
        assert!(
            !h.has_image(&image),
            "same layers, other config: not the image"
        );
        assert_eq!(h.layers_present(&image), [true, true, false]);
        // A layer is present only on the same stack: 2 on top of 9 is another chain.
        h.insert(held("sha256:x", &[9, 3]));
        assert_eq!(h.layers_present(&image), [true, true, false]);
        h.insert(held(&image.id, &[1, 2, 3]));
        assert!(h.has_image(&image));
        assert_eq!(h.layers_present(&image), [true, true, true]);
        assert_eq!(h.expected_id(&image).as_deref(), Some(image.id.as_str()));
    }

    #[test]
    fn removing_one_image_keeps_what_others_still_hold() {
        let image = archive_image(&[1, 2]);
        let mut h = Holdings::new(ImageIds::ConfigDigest);
        h.insert(held("sha256:a", &[1]));
        h.insert(held("sha256:b", &[1, 2]));
        h.insert(held("sha256:b", &[1, 2])); // replacing is not counting twice
        assert_eq!(h.len(), 2);
        assert!(h.remove("sha256:b").is_some());
        assert_eq!(h.layers_present(&image), [true, false]);
        assert!(h.remove("sha256:b").is_none());
        h.remove("sha256:a");
        assert!(h.is_empty());
        assert_eq!(h.layers_present(&image), [false, false]);
    }

    #[test]
    fn the_containerd_store_matches_target_or_manifest_digests() {
        let mut image = archive_image(&[1]);
        image.manifest_digest = Some("sha256:manifest".into());
        image.target_digest = Some("sha256:index".into());
        let mut h = Holdings::new(ImageIds::TargetDigest);
        h.insert(held(&image.id, &[1]));
        assert!(
            !h.has_image(&image),
            "a config digest is never a containerd image ID"
        );
        h.insert(held("sha256:index", &[1]));
        assert!(h.has_image(&image));
        assert_eq!(h.expected_id(&image).as_deref(), Some("sha256:index"));

        let mut h = Holdings::new(ImageIds::TargetDigest);
        h.insert(Held {
            digests: vec!["sha256:manifest".into()],
            ..held("sha256:elsewhere", &[1])
        });
        assert!(h.has_image(&image), "known by its manifest digest");
    }

    #[test]
    fn legacy_archives_on_the_containerd_store_match_by_layers_and_config() {
        let image = archive_image(&[1, 2]);
        let mut h = Holdings::new(ImageIds::TargetDigest);
        h.insert(held("sha256:m1", &[1, 2]));
        assert!(h.has_image(&image), "same layers, same creation instant");
        assert_eq!(h.expected_id(&image), None);
        let mut other = archive_image(&[1, 2]);
        other.created = Some("2024-01-02T00:00:00Z".into());
        assert!(!h.has_image(&other));
        other.created = image.created.clone();
        other.architecture = "arm64".into();
        assert!(!h.has_image(&other));
    }

    #[test]
    fn times_are_compared_as_instants() {
        assert_eq!(
            canonical_time("2024-01-01T00:00:00.500Z"),
            canonical_time("2024-01-01T00:00:00.5+00:00")
        );
        assert_eq!(
            canonical_time("2024-01-01T00:00:00.000Z"),
            "2024-01-01T00:00:00"
        );
    }
}
