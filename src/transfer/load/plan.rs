//! Which route a load takes, from the engine's description, the archive's listing and what the
//! engine holds. Pure: the dry run reports it without sending anything.

use std::collections::HashSet;

use crate::archive::{ArchiveReport, Compression, Container, Format, OciHow};
use crate::daemon::{Delta, Engine, EngineKind, Holdings};
use crate::transfer::{LoadMode, LoadOptions};

/// How the bytes go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The file's own bytes.
    AsIs,
    /// The tar inside (outer compression, or the zip entry, removed) sent unchanged.
    Decompressed,
    /// A docker-archive written by haul, without the layer blobs whose diff ID is in `skip`.
    DockerArchive { skip: HashSet<String> },
    /// An OCI layout written by haul, without the layer blobs whose diff ID is in `skip`.
    OciLayout { skip: HashSet<String>, how: OciHow },
}

/// A route with what it leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub route: Route,
    pub mode: LoadMode,
    /// Layer blobs left out, counted once each, and their bytes.
    pub skipped_layers: usize,
    pub skipped_bytes: u64,
    /// Why the load is full although the engine holds some of its layers.
    pub note: Option<String>,
}

/// What the source is beyond its listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Source {
    /// A compressed tar or a deflated zip entry: its tar can be sent decompressed in one pass.
    pub streamed: bool,
    /// Its own `index.json` and manifests can be sent as an OCI layout.
    pub oci_native: bool,
    /// Manifests can be written from the listing (every layer's blob digest is known).
    pub oci_generated: bool,
}

impl Source {
    /// From the listing alone (`streamed`: see [`Source::streamed`]).
    pub fn of(report: &ArchiveReport, streamed: bool) -> Source {
        Source {
            streamed,
            oci_native: crate::archive::native_possible(report),
            oci_generated: crate::archive::generated_possible(report),
        }
    }
}

fn has_zstd_layers(report: &ArchiveReport) -> bool {
    report
        .images
        .iter()
        .flat_map(|i| &i.layers)
        .any(|l| l.compression == Compression::Zstd)
}

/// Entries of the archive's `index.json`: one per image (an index counts once) and tag.
fn index_entries(report: &ArchiveReport) -> usize {
    let mut targets: Vec<(&str, usize)> = Vec::new();
    for image in &report.images {
        let target = image.target_digest.as_deref().unwrap_or(image.id.as_str());
        if !targets.iter().any(|(t, _)| *t == target) {
            targets.push((target, image.tags.len().max(1)));
        }
    }
    targets.iter().map(|(_, n)| n).sum()
}

/// True when the engine loads the tar inside as it is (its format and layer compression).
pub fn accepts_tar(engine: &Engine, report: &ArchiveReport) -> bool {
    let format = match report.format {
        Format::DockerArchive | Format::DockerOciArchive => true,
        // Podman loads one image from an OCI archive ("more than one image in oci").
        Format::OciArchive if engine.kind == EngineKind::Podman => index_entries(report) == 1,
        Format::OciArchive => engine.loads.oci_archive,
        Format::OciLayout | Format::Daemon => false,
    };
    format && (engine.loads.zstd_layers || !has_zstd_layers(report))
}

/// True when the engine loads the file's own bytes.
pub fn accepts_as_is(engine: &Engine, report: &ArchiveReport) -> bool {
    let outer = match report.compression {
        Compression::None => true,
        Compression::Gzip => engine.loads.gzip_body,
        Compression::Zstd => engine.loads.zstd_body,
        Compression::Xz | Compression::Bzip2 => false,
    };
    report.container == Container::Tar && outer && accepts_tar(engine, report)
}

/// True when the containerd store would keep an image name it cannot look up: an OCI index
/// entry named by `org.opencontainers.image.ref.name` alone (haul adds the name it reads).
pub fn names_need_fixing(engine: &Engine, report: &ArchiveReport) -> bool {
    engine.kind == EngineKind::DockerContainerd
        && report.images.iter().any(|i| {
            i.unqualified_name && i.tags.iter().any(|t| crate::archive::is_loadable_tag(t))
        })
}

/// A full load: the engine's native route where it has one, else a conversion.
pub fn full(engine: &Engine, report: &ArchiveReport, source: Source) -> Plan {
    let (route, mode) = if names_need_fixing(engine, report) && source.oci_native {
        let route = Route::OciLayout {
            skip: HashSet::new(),
            how: OciHow::Native,
        };
        (route, LoadMode::Converted)
    } else if accepts_as_is(engine, report) {
        (Route::AsIs, LoadMode::AsIs)
    } else if source.streamed && accepts_tar(engine, report) {
        (Route::Decompressed, LoadMode::Decompressed)
    } else if engine.loads.oci_archive
        && source.oci_native
        && (engine.kind != EngineKind::Podman || index_entries(report) == 1)
    {
        // A folder or a zip entry of an OCI archive: its own index and manifests, so the
        // image gets the ID a `docker load` of the archive gives.
        let route = Route::OciLayout {
            skip: HashSet::new(),
            how: OciHow::Native,
        };
        (route, LoadMode::Converted)
    } else {
        let route = Route::DockerArchive {
            skip: HashSet::new(),
        };
        (route, LoadMode::Converted)
    };
    Plan {
        route,
        mode,
        skipped_layers: 0,
        skipped_bytes: 0,
        note: None,
    }
}

/// The diff IDs to leave out: a layer is left out only if every place it sits in is present.
pub fn present_layers(report: &ArchiveReport, holdings: &Holdings) -> HashSet<String> {
    let mut skip = HashSet::new();
    let mut keep = HashSet::new();
    for image in &report.images {
        for (layer, present) in image.layers.iter().zip(holdings.layers_present(image)) {
            if present {
                skip.insert(layer.diff_id.clone());
            } else {
                keep.insert(layer.diff_id.clone());
            }
        }
    }
    skip.retain(|d| !keep.contains(d));
    skip
}

/// Layer blobs (counted once by path) and bytes that `skip` leaves out.
fn skipped(report: &ArchiveReport, skip: &HashSet<String>) -> (usize, u64) {
    let mut paths = HashSet::new();
    let mut bytes = 0;
    for layer in report.images.iter().flat_map(|i| &i.layers) {
        if skip.contains(&layer.diff_id) && paths.insert(layer.path.as_str()) {
            bytes += layer.size;
        }
    }
    (paths.len(), bytes)
}

/// The route of a load: a delta where the engine holds layers of the archive and accepts one
/// for it, else [`full`].
pub fn choose(
    engine: &Engine,
    report: &ArchiveReport,
    holdings: &Holdings,
    opts: LoadOptions,
    source: Source,
) -> Plan {
    let full_plan = full(engine, report, source);
    if opts.full {
        return full_plan;
    }
    let skip = present_layers(report, holdings);
    if skip.is_empty() {
        return full_plan;
    }
    let no_delta = |why: String| Plan {
        note: Some(why),
        ..full_plan.clone()
    };
    let unknown_digests = || {
        format!(
            "no delta on {}: the blob digests of some layers are not known without reading them",
            engine.kind.label()
        )
    };
    let route = match engine.delta {
        Delta::ChainSkip => Route::DockerArchive { skip },
        Delta::OciLayout if source.oci_native => Route::OciLayout {
            skip,
            how: OciHow::Native,
        },
        Delta::OciLayout if source.oci_generated => Route::OciLayout {
            skip,
            how: OciHow::Generated { by_diff_id: false },
        },
        Delta::OciLayout => return no_delta(unknown_digests()),
        Delta::OciLayoutByDiffId if !source.oci_generated => return no_delta(unknown_digests()),
        Delta::OciLayoutByDiffId if report.images.len() > 1 || report.images[0].tags.len() > 1 => {
            return no_delta(format!(
                "no delta on {}: it loads one image with one name from an OCI layout, this archive has {} image(s) and {} name(s)",
                engine.kind.label(),
                report.images.len(),
                report.images.iter().map(|i| i.tags.len()).sum::<usize>()
            ));
        }
        Delta::OciLayoutByDiffId => Route::OciLayout {
            skip,
            how: OciHow::Generated { by_diff_id: true },
        },
    };
    let (skipped_layers, skipped_bytes) = match &route {
        Route::DockerArchive { skip } | Route::OciLayout { skip, .. } => skipped(report, skip),
        _ => (0, 0),
    };
    Plan {
        route,
        mode: LoadMode::Delta,
        skipped_layers,
        skipped_bytes,
        note: None,
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
