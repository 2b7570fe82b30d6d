//! What the connected engine is and what it takes, described once at connect from `GET /version`
//! (and `GET /info` for Docker, to tell its image stores apart; Podman's `/info` is slow and not
//! needed). Routes, identity and the front ends consult this; nobody asks the engine again.
//!
//! The facts (checked on Docker Engine 20.10, 26.1 classic and containerd stores, Podman 4.3.1):
//!
//! | | 20.10 | 25+ classic | 25+ containerd | Podman |
//! |---|---|---|---|---|
//! | gzip-compressed tarball | yes | yes | yes | refused |
//! | zstd-compressed tarball | refused | yes | yes | yes |
//! | zstd layer blobs | refused | yes | yes | yes |
//! | OCI archive without `manifest.json` | refused | refused | yes | yes |
//! | delta | chain-ID skip | chain-ID skip | OCI layout without present blobs | OCI layout, present layers named by diff ID |
//! | image ID | config digest | config digest | index/manifest digest | config digest |
//! | progress while loading | per layer | per layer | final lines only | none (body spooled first) |
//! | errors | `errorDetail` in the stream | same | same, and `Error unpacking image` lines | HTTP 500 JSON |

use bollard::models::{SystemInfo, SystemVersion};

/// Which engine, and for Docker which image store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EngineKind {
    /// Docker Engine with the graphdriver store (overlay2, fuse-overlayfs, ...).
    DockerClassic,
    /// Docker Engine with the containerd image store (`io.containerd.snapshotter.v1`).
    DockerContainerd,
    /// Podman's Docker-compatible API.
    Podman,
}

impl EngineKind {
    pub fn label(self) -> &'static str {
        match self {
            EngineKind::DockerClassic => "Docker, classic store",
            EngineKind::DockerContainerd => "Docker, containerd store",
            EngineKind::Podman => "Podman",
        }
    }
}

/// What the engine's image IDs are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageIds {
    /// `sha256:` + the config blob's digest (an archive's image ID).
    ConfigDigest,
    /// The digest of the image's target: its manifest, or the index holding it. The config
    /// digest is not exposed.
    TargetDigest,
}

/// Which delta load the engine accepts: how to leave out layers it already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delta {
    /// A docker-archive naming every layer in `manifest.json` but without the files of layers
    /// whose chain ID the engine has (it never opens them).
    ChainSkip,
    /// An OCI layout tar with the archive's own index, manifests and configs, without the blobs
    /// of layers whose chain snapshot exists (unpacking skips them).
    OciLayout,
    /// An OCI layout tar whose manifests name present layers by their diff ID (uncompressed),
    /// without their blobs: Podman reuses a stored layer by its uncompressed digest. The image
    /// ID (the config digest) is unchanged; the manifest digest is not the archive's.
    OciLayoutByDiffId,
}

/// How the engine reports a load while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoadProgress {
    /// Streams while reading ("Loading layer" lines without `quiet`), then `Loaded image` lines.
    PerLayer,
    /// Reads the whole upload, unpacks, then sends only the final `Loaded image` lines.
    FinalLines,
    /// Spools the whole body to a file first, then one `Loaded image: a,b` line.
    Spooled,
}

/// How the engine reports a failed load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoadErrors {
    /// `errorDetail` inside an HTTP 200 stream.
    StreamErrorDetail,
    /// `errorDetail`, and a plain `Error unpacking image ...` line while the call succeeds.
    StreamAndUnpackLines,
    /// An HTTP 500 answer with a JSON `{cause, message, response}` body.
    HttpStatus,
}

/// What the engine loads as it is, without haul converting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Loads {
    /// An OCI archive without `manifest.json` (OCI `index.json` only).
    pub oci_archive: bool,
    /// Layer blobs compressed with zstd.
    pub zstd_layers: bool,
    /// A gzip-compressed tarball.
    pub gzip_body: bool,
    /// A zstd-compressed tarball.
    pub zstd_body: bool,
}

/// The connected engine.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Engine {
    pub kind: EngineKind,
    /// The engine's own version, e.g. `26.1.5+dfsg1` or `4.3.1`.
    pub version: String,
    /// The API version the engine speaks at most.
    pub api_version: String,
    /// `os/arch` of the engine.
    pub platform: String,
    pub loads: Loads,
    pub delta: Delta,
    pub progress: LoadProgress,
    pub errors: LoadErrors,
    pub ids: ImageIds,
}

/// The major number of a version string (`26.1.5+dfsg1` -> 26); 0 when unreadable.
fn major(version: &str) -> u32 {
    version
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// True when `/version` comes from Podman (its components name it).
pub fn is_podman(version: &SystemVersion) -> bool {
    version
        .components
        .iter()
        .flatten()
        .any(|c| c.name.to_ascii_lowercase().contains("podman"))
}

/// True when `/version` alone cannot tell the image store: Docker 25+ may run the containerd
/// store, which (before API 1.47) says an image's platform only through an inspect.
pub fn store_needs_info(version: &SystemVersion) -> bool {
    !is_podman(version) && major(version.version.as_deref().unwrap_or_default()) >= 25
}

/// True when `/info` names the containerd snapshotter as the storage driver.
fn containerd_store(info: &SystemInfo) -> bool {
    info.driver_status
        .iter()
        .flatten()
        .flatten()
        .any(|s| s.contains("io.containerd.snapshotter.v1"))
}

impl Engine {
    /// Describe the engine from its `/version` and, for Docker, its `/info` (`None` for Podman,
    /// or when it could not be read: then the classic store is assumed).
    pub fn describe(version: &SystemVersion, info: Option<&SystemInfo>) -> Engine {
        let kind = if is_podman(version) {
            EngineKind::Podman
        } else if info.is_some_and(containerd_store) {
            EngineKind::DockerContainerd
        } else {
            EngineKind::DockerClassic
        };
        let engine_version = version.version.clone().unwrap_or_default();
        let modern = kind == EngineKind::Podman || major(&engine_version) >= 25;
        let (delta, progress, errors, ids) = match kind {
            EngineKind::DockerClassic => (
                Delta::ChainSkip,
                LoadProgress::PerLayer,
                LoadErrors::StreamErrorDetail,
                ImageIds::ConfigDigest,
            ),
            EngineKind::DockerContainerd => (
                Delta::OciLayout,
                LoadProgress::FinalLines,
                LoadErrors::StreamAndUnpackLines,
                ImageIds::TargetDigest,
            ),
            EngineKind::Podman => (
                Delta::OciLayoutByDiffId,
                LoadProgress::Spooled,
                LoadErrors::HttpStatus,
                ImageIds::ConfigDigest,
            ),
        };
        let platform = match (&version.os, &version.arch) {
            (Some(os), Some(arch)) => format!("{os}/{arch}"),
            _ => String::new(),
        };
        Engine {
            kind,
            version: engine_version,
            api_version: version.api_version.clone().unwrap_or_default(),
            platform,
            loads: Loads {
                oci_archive: matches!(kind, EngineKind::DockerContainerd | EngineKind::Podman),
                zstd_layers: modern,
                gzip_body: kind != EngineKind::Podman,
                zstd_body: modern,
            },
            delta,
            progress,
            errors,
            ids,
        }
    }

    /// The description an engine of `kind` at `version` gives, without asking one (fixtures).
    pub fn of_kind(kind: EngineKind, version: &str) -> Engine {
        let v = SystemVersion {
            version: Some(version.to_string()),
            api_version: Some("1.41".into()),
            os: Some("linux".into()),
            arch: Some("amd64".into()),
            components: (kind == EngineKind::Podman).then(|| {
                vec![bollard::models::SystemVersionComponents {
                    name: "Podman Engine".into(),
                    version: version.to_string(),
                    details: None,
                }]
            }),
            ..Default::default()
        };
        let info = SystemInfo {
            driver_status: (kind == EngineKind::DockerContainerd).then(|| {
                vec![vec![
                    "driver-type".to_string(),
                    "io.containerd.snapshotter.v1".to_string(),
                ]]
            }),
            ..Default::default()
        };
        Engine::describe(&v, (kind != EngineKind::Podman).then_some(&info))
    }

    /// One line for status bars and `--version`-like output: "Docker 26.1.5 (containerd store)".
    pub fn summary(&self) -> String {
        match self.kind {
            EngineKind::Podman => format!("Podman {}", self.version),
            EngineKind::DockerClassic => format!("Docker {} (classic store)", self.version),
            EngineKind::DockerContainerd => format!("Docker {} (containerd store)", self.version),
        }
    }

    /// True when image IDs are config digests (an archive's image ID can be looked up).
    pub fn ids_are_config_digests(&self) -> bool {
        self.ids == ImageIds::ConfigDigest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::SystemVersionComponents;

    fn version(v: &str, components: &[&str]) -> SystemVersion {
        SystemVersion {
            version: Some(v.into()),
            api_version: Some("1.41".into()),
            os: Some("linux".into()),
            arch: Some("amd64".into()),
            components: Some(
                components
                    .iter()
                    .map(|name| SystemVersionComponents {
                        name: name.to_string(),
                        version: v.into(),
                        details: None,
                    })
                    .collect(),
            ),
            ..Default::default()
        }
    }

    fn info(driver_status: &[(&str, &str)]) -> SystemInfo {
        SystemInfo {
            driver_status: Some(
                driver_status
                    .iter()
                    .map(|(k, v)| vec![k.to_string(), v.to_string()])
                    .collect(),
            ),
            ..Default::default()
        }
    }

    #[test]
    fn docker_20_is_a_classic_store_that_converts_modern_archives() {
        let e = Engine::describe(
            &version("20.10.24+dfsg1", &["Engine", "containerd"]),
            Some(&info(&[("Backing Filesystem", "extfs")])),
        );
        assert_eq!(e.kind, EngineKind::DockerClassic);
        assert_eq!(e.delta, Delta::ChainSkip);
        assert!(e.ids_are_config_digests());
        assert!(!e.loads.zstd_layers && !e.loads.zstd_body && !e.loads.oci_archive);
        assert!(e.loads.gzip_body);
        assert_eq!(e.platform, "linux/amd64");
    }

    #[test]
    fn docker_26_stores_differ_in_identity_delta_and_oci_archives() {
        let v = version("26.1.5+dfsg1", &["Engine", "containerd", "runc"]);
        let classic = Engine::describe(&v, Some(&info(&[("Native Overlay Diff", "true")])));
        assert_eq!(classic.kind, EngineKind::DockerClassic);
        assert!(classic.loads.zstd_layers && classic.loads.zstd_body);
        assert!(
            !classic.loads.oci_archive,
            "the classic store needs manifest.json"
        );

        let c8d = Engine::describe(
            &v,
            Some(&info(&[("driver-type", "io.containerd.snapshotter.v1")])),
        );
        assert_eq!(c8d.kind, EngineKind::DockerContainerd);
        assert_eq!(c8d.ids, ImageIds::TargetDigest);
        assert_eq!(c8d.delta, Delta::OciLayout);
        assert_eq!(c8d.errors, LoadErrors::StreamAndUnpackLines);
        assert!(c8d.loads.oci_archive);
        assert_eq!(c8d.summary(), "Docker 26.1.5+dfsg1 (containerd store)");
    }

    #[test]
    fn podman_is_told_by_its_components_without_info() {
        let e = Engine::describe(&version("4.3.1", &["Podman Engine", "Conmon"]), None);
        assert_eq!(e.kind, EngineKind::Podman);
        assert!(!e.loads.gzip_body, "Podman refuses gzip bodies");
        assert!(e.loads.zstd_body && e.loads.oci_archive);
        assert_eq!(e.progress, LoadProgress::Spooled);
        assert_eq!(e.errors, LoadErrors::HttpStatus);
        assert_eq!(e.delta, Delta::OciLayoutByDiffId);
        assert!(e.ids_are_config_digests());
    }

    #[test]
    fn majors_are_read_leniently() {
        assert_eq!(major("26.1.5+dfsg1"), 26);
        assert_eq!(major("dev"), 0);
        assert_eq!(major("19.03.15"), 19);
    }

    #[test]
    fn fixtures_describe_like_real_engines() {
        for kind in [
            EngineKind::DockerClassic,
            EngineKind::DockerContainerd,
            EngineKind::Podman,
        ] {
            assert_eq!(Engine::of_kind(kind, "26.1.5").kind, kind);
        }
    }
}
