//! Image listing and inspection, the image store kind, and the layers the daemon already holds.

use std::collections::{BTreeMap, HashMap};

use bollard::models::{ImageInspect, ImageSummary};
use bollard::query_parameters::ListImagesOptions;
use futures_util::{StreamExt, TryStreamExt, stream};

use super::client::Api;
use super::history::match_layers;
use super::{Daemon, DaemonError, EngineKind, ImageRow};
use crate::archive::{
    ArchiveReport, Compression, Container, Format, Healthcheck, ImageInfo, LayerInfo,
};

/// How many inspect calls run at once when walking every image.
const PARALLEL_INSPECTS: usize = 8;

impl Daemon {
    /// `inspect_image`, with "no such image" as [`DaemonError::NotFound`].
    pub async fn inspect_raw(&self, name: &str) -> Result<ImageInspect, DaemonError> {
        inspect_on(self, name).await
    }
}

/// `inspect_image` on a daemon, described or not.
async fn inspect_on<A: Api>(api: &A, name: &str) -> Result<ImageInspect, DaemonError> {
    api.client()
        .inspect_image(name)
        .await
        .map_err(|e| api.fail(format!("inspect {name}"), e))
}

fn is_dangling(tags: &[String]) -> bool {
    tags.iter().all(|t| t == "<none>:<none>")
}

fn root_layers(inspect: &ImageInspect) -> Vec<String> {
    inspect
        .root_fs
        .as_ref()
        .and_then(|r| r.layers.clone())
        .unwrap_or_default()
}

/// The daemon's image summaries (`all`: dangling and intermediate images too).
pub async fn summaries<A: Api>(api: &A, all: bool) -> Result<Vec<ImageSummary>, DaemonError> {
    // The platforms of each image, where the API lists them (1.47+).
    let manifests = api_at_least(&api.api_version(), 1, 47);
    let options = ListImagesOptions {
        all,
        manifests,
        ..Default::default()
    };
    list_with(api, options).await
}

/// `GET /images/json` with these options.
pub(crate) async fn list_with<A: Api>(
    api: &A,
    options: ListImagesOptions,
) -> Result<Vec<ImageSummary>, DaemonError> {
    // The containerd store and Podman fail the whole listing while an image is half there:
    // another client removing one, or loading one (the containerd store names the image whose
    // content it has not written yet). Ask again, waiting 0.1, 0.2, ... 1.6 s (3.1 s in all).
    let mut wait = std::time::Duration::from_millis(100);
    loop {
        match api.client().list_images(Some(options.clone())).await {
            Ok(list) => return Ok(list),
            Err(e) => {
                let e = api.fail("list images".into(), e);
                let transient = matches!(&e, DaemonError::Api { detail, .. }
                    if detail.contains("not found") || detail.contains("not known"));
                if !transient || wait > std::time::Duration::from_millis(1600) {
                    return Err(e);
                }
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
    }
}

/// `major.minor` at least `want_major.want_minor`.
fn api_at_least(version: &str, want_major: u32, want_minor: u32) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (want_major, want_minor)
}

/// The tags of a summary or inspect answer: without `<none>:<none>`, each once (the containerd
/// store can repeat a tag in a listing).
pub(crate) fn clean_tags(tags: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        if tag != "<none>:<none>" && !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

/// One row from a listing, without its layer count; its platforms where the listing has them
/// (API 1.47+: the available image manifests).
pub(crate) fn row_of(summary: ImageSummary) -> ImageRow {
    let tags = clean_tags(summary.repo_tags);
    let mut platforms: Vec<String> = summary
        .manifests
        .iter()
        .flatten()
        .filter(|m| m.available)
        .filter_map(|m| m.image_data.as_ref())
        .map(|d| platform_of(&d.platform))
        .collect();
    platforms.sort();
    platforms.dedup();
    ImageRow {
        dangling: tags.is_empty(),
        id: summary.id,
        tags,
        created: summary.created,
        size: summary.size.max(0) as u64,
        layer_count: None,
        platforms,
    }
}

/// `os/arch[/variant]` of an OCI platform.
fn platform_of(p: &bollard::models::OciPlatform) -> String {
    let (os, arch) = (
        p.os.as_deref().unwrap_or(""),
        p.architecture.as_deref().unwrap_or(""),
    );
    match p.variant.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => format!("{os}/{arch}/{v}"),
        None => format!("{os}/{arch}"),
    }
}

/// Newest first, then by tags: the order of `haul images` and the Images pane.
pub fn sort_rows(rows: &mut [ImageRow]) {
    rows.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.tags.cmp(&b.tags)));
}

/// Every image, like `docker images`: one listing call (on a [`super::Connection`], the engine
/// need not be described). Dangling ones only with `all` (then also intermediates). `layers`
/// fills [`ImageRow::layer_count`], at the price of one inspect per image (a few at a time);
/// images removed meanwhile are left out.
pub async fn list_images<A: Api>(
    api: &A,
    all: bool,
    layers: bool,
) -> Result<Vec<ImageRow>, DaemonError> {
    let mut rows: Vec<ImageRow> = summaries(api, all)
        .await?
        .into_iter()
        .filter(|s| all || !is_dangling(&s.repo_tags))
        .map(row_of)
        .collect();
    // A multi-platform store says which platform an image is only through an inspect (before
    // API 1.47): one per image then, as for the layer counts. An undescribed connection knows
    // its store is not that one (see `Connection::store_unknown`).
    let platforms = api.kind() == Some(EngineKind::DockerContainerd)
        && rows.iter().any(|r| r.platforms.is_empty());
    if layers || platforms {
        let facts: HashMap<String, (usize, String)> =
            stream::iter(rows.iter().map(|r| r.id.clone()))
                .map(|id| async move {
                    match inspect_on(api, &id).await {
                        Ok(inspect) => {
                            let platform = super::Held::from_inspect(&inspect).platform;
                            Ok(Some((id, (root_layers(&inspect).len(), platform))))
                        }
                        // Removed between the list and the inspect: leave it out.
                        Err(DaemonError::NotFound(_)) => Ok(None),
                        Err(e) => Err(e),
                    }
                })
                .buffer_unordered(PARALLEL_INSPECTS)
                .try_filter_map(|x| async move { Ok(x) })
                .try_collect()
                .await?;
        rows.retain_mut(|row| {
            let Some((count, platform)) = facts.get(&row.id) else {
                return false;
            };
            if layers {
                row.layer_count = Some(*count);
            }
            if row.platforms.is_empty() && platform != "/" {
                row.platforms = vec![platform.clone()];
            }
            true
        });
    }
    sort_rows(&mut rows);
    Ok(rows)
}

/// A daemon image in the shared model: config, layers with diff IDs, sizes and `created_by`.
pub async fn image_info(daemon: &Daemon, name: &str) -> Result<ImageInfo, DaemonError> {
    let inspect = daemon.inspect_raw(name).await?;
    let history = daemon
        .meta()
        .image_history(name)
        .await
        .map_err(|e| daemon.error(format!("history of {name}"), e))?;
    let diff_ids = root_layers(&inspect);
    let (history, per_layer) = match_layers(&history, diff_ids.len());
    let layers: Vec<LayerInfo> = diff_ids
        .iter()
        .zip(per_layer)
        .map(|(diff_id, (size, created_by))| LayerInfo {
            diff_id: diff_id.clone(),
            digest: None,
            size,
            compression: Compression::None,
            created_by,
            path: String::new(),
        })
        .collect();
    let config = inspect.config.unwrap_or_default();
    let mut exposed_ports = config.exposed_ports.unwrap_or_default();
    exposed_ports.sort();
    let mut volumes = config.volumes.unwrap_or_default();
    volumes.sort();
    let healthcheck = config.healthcheck.map(|h| Healthcheck {
        test: h.test.unwrap_or_default(),
        interval_ns: h.interval,
        timeout_ns: h.timeout,
        start_period_ns: h.start_period,
        retries: h.retries,
    });
    let layer_sum: u64 = layers.iter().map(|l| l.size).sum();
    Ok(ImageInfo {
        id: inspect.id.unwrap_or_default(),
        tags: inspect
            .repo_tags
            .unwrap_or_default()
            .into_iter()
            .filter(|t| t != "<none>:<none>")
            .collect(),
        os: inspect.os.unwrap_or_default(),
        architecture: inspect.architecture.unwrap_or_default(),
        variant: inspect.variant.filter(|v| !v.is_empty()),
        created: inspect.created.filter(|c| !c.is_empty()),
        entrypoint: config.entrypoint,
        cmd: config.cmd,
        env: config.env.unwrap_or_default(),
        working_dir: config.working_dir.filter(|w| !w.is_empty()),
        user: config.user.filter(|u| !u.is_empty()),
        labels: config
            .labels
            .unwrap_or_default()
            .into_iter()
            .collect::<BTreeMap<_, _>>(),
        exposed_ports,
        volumes,
        healthcheck,
        layers,
        history,
        size: if layer_sum > 0 {
            layer_sum
        } else {
            inspect.size.unwrap_or(0).max(0) as u64
        },
        manifest_digest: None,
        target_digest: None,
        unqualified_name: false,
        config_path: String::new(),
        repo_digests: inspect.repo_digests.unwrap_or_default(),
    })
}

/// `haul inspect docker://NAME`: a daemon image as an [`ArchiveReport`], so it shows in the
/// same view and JSON as a tarball.
pub async fn inspect_report(daemon: &Daemon, name: &str) -> Result<ArchiveReport, DaemonError> {
    let image = image_info(daemon, name).await?;
    Ok(ArchiveReport {
        path: format!("docker://{name}"),
        format: Format::Daemon,
        compression: Compression::None,
        container: Container::Daemon,
        file_size: 0,
        entry: None,
        layer_count: image.layers.len(),
        layers_size: image.size,
        images: vec![image],
        missing_manifests: 0,
        entries: Vec::new(),
        skipped: Vec::new(),
    })
}
