//! From a source to an image's analysis: pick the image, reuse cached scans, else read every
//! layer once through the blob walk (seeks where the source allows, else one streamed pass that
//! scans every layer-looking blob as it passes and learns which image they belong to at the end).

use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::{Analysis, ContentsError, LayerScan, Options, cache, scan_layer, stack};
use crate::archive::blob_walk::{BlobBody, BlobMeta, BlobVisitor, Walk};
use crate::archive::{self, Compression, ImageInfo, Problem, open};

/// The image `wanted` names among `images` (a tag, with or without `:latest` or a registry
/// prefix, or an ID or ID prefix); the only image when `wanted` is `None`.
pub fn select_image<'a>(
    images: &'a [ImageInfo],
    wanted: Option<&str>,
    origin: &str,
) -> Result<&'a ImageInfo, ContentsError> {
    let fail = |message: String| ContentsError::Image {
        origin: origin.to_string(),
        message,
    };
    let names = || {
        let list: Vec<String> = images
            .iter()
            .map(|i| match i.tags.first() {
                Some(t) => t.clone(),
                None => crate::units::short_id(&i.id).to_string(),
            })
            .collect();
        list.join(", ")
    };
    let Some(wanted) = wanted else {
        return match images {
            [only] => Ok(only),
            [] => Err(fail("holds no image".into())),
            _ => Err(fail(format!(
                "holds {} images ({}): pick one with --image",
                images.len(),
                names()
            ))),
        };
    };
    let tag_matches = |tag: &str| {
        let with_latest = format!("{wanted}:latest");
        [wanted, with_latest.as_str()]
            .iter()
            .any(|w| tag == *w || tag.ends_with(&format!("/{w}")))
    };
    let hex = wanted.strip_prefix("sha256:").unwrap_or(wanted);
    let id_matches = |id: &str| {
        hex.len() >= 4
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
            && crate::digest::hex_part(id).starts_with(hex)
    };
    let found: Vec<&ImageInfo> = images
        .iter()
        .filter(|i| i.tags.iter().any(|t| tag_matches(t)) || id_matches(&i.id))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(fail(format!(
            "no image matches {wanted:?} (images: {})",
            names()
        ))),
        _ => Err(fail(format!("{wanted:?} matches several images"))),
    }
}

/// The analysis of `image` from the cache, when its scans are there.
pub fn cached(image: &ImageInfo, opts: &Options) -> Option<Analysis> {
    let entry = cache::load(opts.cache_dir.as_deref()?, &image.id)?;
    (entry.scans.len() == image.layers.len()).then(|| stack(image.clone(), &entry.scans))
}

/// The analysis cached under `id` (a daemon's image ID), as stored with the image it was made
/// for, when its layers are `diff_ids`.
pub fn cached_by_id(id: &str, diff_ids: &[String], opts: &Options) -> Option<Analysis> {
    let entry = cache::load(opts.cache_dir.as_deref()?, id)?;
    (entry.image.diff_ids() == diff_ids && entry.scans.len() == diff_ids.len())
        .then(|| stack(entry.image, &entry.scans))
}

/// Analyse one image of anything [`archive::inspect`] takes.
pub fn analyse_path(path: &Path, opts: &Options) -> Result<Analysis, ContentsError> {
    let origin = path.display().to_string();
    let walk = Walk::open(path)?;
    let cache_dir = opts.cache_dir.as_deref();
    if !walk.is_streamed() {
        // Listing costs header seeks only.
        let report = archive::inspect_with_cache(path, cache_dir)?;
        let image = select_image(&report.images, opts.image.as_deref(), &origin)?;
        if let Some(hit) = cached(image, opts) {
            return Ok(hit);
        }
        return read_layers(path, walk, image.clone(), opts, &origin);
    }
    let key = cache::source_key(path);
    if let Some(images) = key.as_ref().and_then(|k| cache::load_source(cache_dir?, k)) {
        let image = select_image(&images, opts.image.as_deref(), &origin)?;
        if let Some(hit) = cached(image, opts) {
            return Ok(hit);
        }
    }
    let total = walk.stream_total().unwrap_or(0);
    opts.control.total.store(total, Ordering::Relaxed);
    let (images, scans) = scan_stream(walk, opts)?;
    if let (Some(dir), Some(key)) = (cache_dir, &key) {
        cache::store_source(dir, key, &images);
    }
    finish_stream(&images, &scans, opts, &origin, &[])
}

/// Analyse one image of a tar read once from `reader` (plain or compressed; the daemon's export
/// stream). `aliases` are other IDs the image is known by (a daemon's image ID), cached too.
pub fn analyse_reader(
    origin: &str,
    reader: Box<dyn Read + Send>,
    aliases: &[&str],
    opts: &Options,
) -> Result<Analysis, ContentsError> {
    let (images, scans) = scan_stream(Walk::reader(origin, reader), opts)?;
    finish_stream(&images, &scans, opts, origin, aliases)
}

/// Scans by blob path: a failure stays with its blob until that blob turns out to be a layer.
type Scans = HashMap<String, Result<LayerScan, String>>;

struct Scanner<'a> {
    /// Blob paths to scan; `None`: every blob whose head looks like a layer.
    wanted: Option<HashSet<String>>,
    /// Digests the blobs' bytes must have where their paths name none: a legacy
    /// docker-archive's uncompressed `<id>/layer.tar` is its diff ID.
    expected: HashMap<String, String>,
    /// A seek walk counts the layer bytes it reads here.
    count: Option<&'a AtomicU64>,
    cancelled: &'a AtomicBool,
    scans: Scans,
}

fn looks_like_layer(blob: &BlobMeta) -> bool {
    blob.compression != Compression::None
        || open::is_tar_header(&blob.head)
        || (!blob.head.is_empty() && blob.head.iter().all(|b| *b == 0)) // an empty layer
}

impl BlobVisitor for Scanner<'_> {
    fn wants(&mut self, blob: &BlobMeta) -> bool {
        match &self.wanted {
            Some(paths) => paths.contains(&blob.path),
            None => looks_like_layer(blob),
        }
    }

    fn visit(&mut self, blob: &BlobMeta, body: &mut BlobBody<'_>) -> Result<(), Problem> {
        if let Some(digest) = self.expected.get(&blob.path) {
            body.expect_digest(&blob.path, digest);
        }
        let guarded = Guard {
            inner: body,
            count: self.count,
            cancelled: self.cancelled,
        };
        let result = open::decoder(blob.compression, guarded).and_then(scan_layer);
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(Problem::Cancelled);
        }
        self.scans
            .insert(blob.path.clone(), result.map_err(|p| p.to_string()));
        Ok(())
    }
}

/// Counts layer bytes (seek walks) and stops a scan once cancelled.
struct Guard<'a, R> {
    inner: R,
    count: Option<&'a AtomicU64>,
    cancelled: &'a AtomicBool,
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        if let Some(count) = self.count {
            count.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

fn walk_error(e: archive::ArchiveError) -> ContentsError {
    match e.problem {
        Problem::Cancelled => ContentsError::Cancelled,
        _ => ContentsError::Archive(e),
    }
}

/// The scans of `image`'s layers in stack order, or the first layer that could not be read.
fn layer_scans(
    image: &ImageInfo,
    scans: &Scans,
    origin: &str,
) -> Result<Vec<LayerScan>, ContentsError> {
    let fail = |message: String| ContentsError::Image {
        origin: origin.to_string(),
        message,
    };
    image
        .layers
        .iter()
        .map(|layer| match scans.get(&layer.path) {
            Some(Ok(scan)) => Ok(scan.clone()),
            Some(Err(e)) => Err(fail(format!("layer {}: {e}", layer.path))),
            None => Err(fail(format!("layer {} was not read", layer.path))),
        })
        .collect()
}

/// Seek walks over the layers of a known image. The layers are split, biggest first, over up to
/// one walk per core (each with its own file handles), so hashing and scanning use every core;
/// the first walk is `walk`, the others open `path` again.
fn read_layers(
    path: &Path,
    walk: Walk,
    image: ImageInfo,
    opts: &Options,
    origin: &str,
) -> Result<Analysis, ContentsError> {
    let control = &opts.control;
    let mut distinct: HashMap<&str, u64> = HashMap::new();
    for layer in &image.layers {
        distinct.insert(&layer.path, layer.size);
    }
    control
        .total
        .store(distinct.values().sum(), Ordering::Relaxed);
    let expected: HashMap<String, String> = image
        .layers
        .iter()
        .filter(|l| {
            l.compression == Compression::None
                && archive::verify::digest_named_by(&l.path).is_none()
        })
        .map(|l| (l.path.clone(), l.diff_id.clone()))
        .collect();
    let groups = balanced_groups(distinct, parallel_walks());
    let scan_group = |walk: Walk, wanted: HashSet<String>| {
        let mut scanner = Scanner {
            wanted: Some(wanted),
            expected: expected.clone(),
            count: Some(&control.read),
            cancelled: control.flag(),
            scans: HashMap::new(),
        };
        walk.run_until(&mut scanner, &AtomicU64::new(0), control.flag())
            .map(|_| scanner.scans)
            .map_err(walk_error)
    };
    let mut groups = groups.into_iter();
    let first = groups.next().unwrap_or_default();
    let results: Vec<Result<Scans, ContentsError>> = std::thread::scope(|scope| {
        let others: Vec<_> = groups
            .map(|wanted| {
                scope.spawn(move || {
                    let walk = Walk::open(path).map_err(ContentsError::Archive)?;
                    scan_group(walk, wanted)
                })
            })
            .collect();
        let mut results = vec![scan_group(walk, first)];
        for other in others {
            results.push(other.join().unwrap_or_else(|_| {
                Err(ContentsError::Image {
                    origin: origin.to_string(),
                    message: "a layer scan stopped unexpectedly".into(),
                })
            }));
        }
        results
    });
    let mut scans = Scans::new();
    for result in results {
        scans.extend(result?);
    }
    let scans = layer_scans(&image, &scans, origin)?;
    if let Some(dir) = opts.cache_dir.as_deref() {
        cache::store(dir, &[&image.id], &image, &scans);
    }
    Ok(stack(image, &scans))
}

/// How many seek walks a layer scan may run at once: one per core, at most four.
fn parallel_walks() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Blob paths split into at most `count` groups of about equal bytes: biggest first, each into
/// the lightest group so far. Never an empty group.
pub(super) fn balanced_groups(sizes: HashMap<&str, u64>, count: usize) -> Vec<HashSet<String>> {
    let mut blobs: Vec<(&str, u64)> = sizes.into_iter().collect();
    blobs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let count = count.clamp(1, blobs.len().max(1));
    let mut groups: Vec<(u64, HashSet<String>)> = vec![(0, HashSet::new()); count];
    for (path, size) in blobs {
        if let Some(lightest) = groups.iter_mut().min_by_key(|g| g.0) {
            lightest.0 += size;
            lightest.1.insert(path.to_string());
        }
    }
    groups
        .into_iter()
        .filter(|g| !g.1.is_empty())
        .map(|g| g.1)
        .collect()
}

/// One streamed pass scanning every layer-looking blob. Returns the images listed on the way
/// and the scans by blob path.
fn scan_stream(walk: Walk, opts: &Options) -> Result<(Vec<ImageInfo>, Scans), ContentsError> {
    let control = &opts.control;
    let mut scanner = Scanner {
        wanted: None,
        expected: HashMap::new(),
        count: None,
        cancelled: control.flag(),
        scans: HashMap::new(),
    };
    let end = walk
        .run_until(&mut scanner, &control.read, control.flag())
        .map_err(walk_error)?;
    let mut images: Vec<ImageInfo> = Vec::new();
    for image in end.listings.into_iter().flat_map(|l| l.images) {
        if !images.iter().any(|i| i.id == image.id) {
            images.push(image);
        }
    }
    Ok((images, scanner.scans))
}

/// Cache the scans of every image whose layers were all read (`aliases` go with `selected`),
/// then stack the selected one.
fn finish_stream(
    images: &[ImageInfo],
    scans: &Scans,
    opts: &Options,
    origin: &str,
    aliases: &[&str],
) -> Result<Analysis, ContentsError> {
    let selected = select_image(images, opts.image.as_deref(), origin);
    if let Some(dir) = opts.cache_dir.as_deref() {
        for image in images {
            let Ok(layers) = layer_scans(image, scans, origin) else {
                continue;
            };
            let mut ids = vec![image.id.as_str()];
            if selected.as_ref().is_ok_and(|s| s.id == image.id) {
                ids.extend(aliases.iter().copied().filter(|a| *a != image.id));
            }
            cache::store(dir, &ids, image, &layers);
        }
    }
    let image = selected?;
    let layers = layer_scans(image, scans, origin)?;
    Ok(stack(image.clone(), &layers))
}
