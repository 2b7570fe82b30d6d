//! What a load would do, sending nothing: per image whether the engine already has it, the
//! route, and the layers and bytes left out and sent.

use std::collections::HashSet;
use std::path::Path;

use super::plan::{self, Route, Source};
use crate::archive::{self, ArchiveReport};
use crate::daemon::{Engine, Holdings};
use crate::transfer::types::blocking;
use crate::transfer::{LoadMode, LoadOptions, TransferError};

/// One archive image in a dry run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DryImage {
    /// The archive's image ID (config digest).
    pub id: String,
    pub tags: Vec<String>,
    /// The engine already has this image (see `daemon::holdings`).
    pub present: bool,
    pub platform: String,
    pub layers: usize,
    /// Layers the engine already has.
    pub layers_present: usize,
}

/// One path in a dry run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DryRun {
    pub path: String,
    pub mode: LoadMode,
    pub images: Vec<DryImage>,
    pub skipped_layers: usize,
    pub skipped_bytes: u64,
    /// Bytes the load would send: the file's size as it is, else the blobs it writes (an
    /// estimate: tar headers and zstd layers decompressed for old engines are not counted).
    pub sent_bytes: u64,
    /// The engine, e.g. "Docker 26.1.5 (containerd store)".
    pub engine: String,
    /// Why the load would be full although the engine holds some of its layers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The dry run of loading `path` into an engine described by `engine` that holds `holdings`.
/// Lists the path (from the cache when it is there); sends nothing.
pub async fn dry_run_path(
    engine: &Engine,
    holdings: &Holdings,
    path: &Path,
    opts: LoadOptions,
) -> Result<DryRun, TransferError> {
    let owned = path.to_path_buf();
    let (report, len, source) = blocking(move || {
        let report = archive::inspect(&owned)?;
        let len = archive::source_len(&owned)?;
        let source = super::source_of(&owned, &report)?;
        Ok::<_, TransferError>((report, len, source))
    })
    .await??;
    let mut run = dry_run(engine, &report, holdings, opts, source, len);
    run.path = path.display().to_string();
    Ok(run)
}

/// The dry run of loading `report` (whose file is `source_len` bytes).
pub fn dry_run(
    engine: &Engine,
    report: &ArchiveReport,
    holdings: &Holdings,
    opts: LoadOptions,
    source: Source,
    source_len: u64,
) -> DryRun {
    let planned = plan::choose(engine, report, holdings, opts, source);
    let images = report
        .images
        .iter()
        .map(|image| DryImage {
            id: image.id.clone(),
            tags: image.tags.clone(),
            present: holdings.has_image(image),
            platform: image.platform(),
            layers: image.layers.len(),
            layers_present: holdings
                .layers_present(image)
                .iter()
                .filter(|p| **p)
                .count(),
        })
        .collect();
    let sent_bytes = match &planned.route {
        Route::AsIs => source_len,
        _ => blob_bytes(report).saturating_sub(planned.skipped_bytes),
    };
    DryRun {
        path: report.path.clone(),
        mode: planned.mode,
        images,
        skipped_layers: planned.skipped_layers,
        skipped_bytes: planned.skipped_bytes,
        sent_bytes,
        engine: engine.summary(),
        note: planned.note,
    }
}

/// Bytes of the distinct layer blobs of the archive.
fn blob_bytes(report: &ArchiveReport) -> u64 {
    let mut seen = HashSet::new();
    report
        .images
        .iter()
        .flat_map(|i| &i.layers)
        .filter(|l| seen.insert(l.path.as_str()))
        .map(|l| l.size)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::{Compression, Container, Format, ImageInfo, LayerInfo};
    use crate::daemon::{EngineKind, Held};

    #[test]
    fn reports_presence_and_what_a_delta_leaves_out() {
        let d = |n: u8| crate::digest::sha256_of(&[n]);
        let image = ImageInfo {
            id: crate::digest::sha256_of(b"c"),
            tags: vec!["app:1".into()],
            os: "linux".into(),
            architecture: "amd64".into(),
            layers: (1..=2)
                .map(|n| LayerInfo {
                    diff_id: d(n),
                    size: 1000 * u64::from(n),
                    path: format!("{n}/layer.tar"),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let report = ArchiveReport {
            path: "app.tar".into(),
            format: Format::DockerArchive,
            compression: Compression::None,
            container: Container::Tar,
            file_size: 3500,
            entry: None,
            images: vec![image.clone()],
            layer_count: 2,
            layers_size: 3000,
            missing_manifests: 0,
            entries: Vec::new(),
            skipped: Vec::new(),
        };
        let engine = Engine::of_kind(EngineKind::DockerClassic, "20.10.24");
        let mut held = Holdings::new(engine.ids);
        held.insert(Held {
            id: "sha256:base".into(),
            diff_ids: vec![d(1)],
            ..Default::default()
        });
        let run = dry_run(
            &engine,
            &report,
            &held,
            LoadOptions::default(),
            Source::default(),
            3500,
        );
        assert_eq!(run.mode, LoadMode::Delta);
        assert_eq!((run.skipped_layers, run.skipped_bytes), (1, 1000));
        assert_eq!(run.sent_bytes, 2000);
        assert!(!run.images[0].present);
        assert_eq!(run.images[0].layers_present, 1);

        held.insert(Held {
            id: image.id.clone(),
            diff_ids: image.diff_ids(),
            ..Default::default()
        });
        let run = dry_run(
            &engine,
            &report,
            &held,
            LoadOptions { full: true },
            Source::default(),
            3500,
        );
        assert_eq!(run.mode, LoadMode::AsIs);
        assert_eq!(run.sent_bytes, 3500);
        assert!(run.images[0].present);
        let json = serde_json::to_value(&run).unwrap();
        for key in [
            "path",
            "mode",
            "images",
            "skipped_layers",
            "skipped_bytes",
            "sent_bytes",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
        assert_eq!(json["images"][0]["present"], true);
    }
}
