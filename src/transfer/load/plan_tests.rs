use super::*;
use crate::archive::{ImageInfo, LayerInfo};
use crate::daemon::{EngineKind, Held};

fn diff(n: u8) -> String {
    crate::digest::sha256_of(&[n])
}

fn report(format: Format, compression: Compression, oci: bool) -> ArchiveReport {
    let layers: Vec<LayerInfo> = [1u8, 2]
        .iter()
        .map(|n| LayerInfo {
            diff_id: diff(*n),
            digest: Some(diff(*n)),
            size: 100 * u64::from(*n),
            path: format!("blobs/sha256/{n}"),
            ..Default::default()
        })
        .collect();
    ArchiveReport {
        path: "x.tar".into(),
        format,
        compression,
        container: Container::Tar,
        file_size: 1000,
        entry: None,
        images: vec![ImageInfo {
            id: crate::digest::sha256_of(b"config"),
            tags: vec!["app:1".into()],
            os: "linux".into(),
            architecture: "amd64".into(),
            layers,
            target_digest: oci.then(|| "sha256:target".to_string()),
            manifest_digest: oci.then(|| "sha256:target".to_string()),
            ..Default::default()
        }],
        layer_count: 2,
        layers_size: 300,
        missing_manifests: 0,
        entries: Vec::new(),
        skipped: Vec::new(),
    }
}

fn engine(kind: EngineKind, version: &str) -> Engine {
    Engine::of_kind(kind, version)
}

fn base_held(kind: EngineKind) -> Holdings {
    let mut h = Holdings::new(engine(kind, "26.1").ids);
    h.insert(Held {
        id: "sha256:base".into(),
        diff_ids: vec![diff(1)],
        ..Default::default()
    });
    h
}

const OCI_SOURCE: Source = Source {
    streamed: false,
    oci_native: true,
    oci_generated: true,
};

#[test]
fn each_engine_gets_its_native_route_for_a_full_load() {
    let docker20 = engine(EngineKind::DockerClassic, "20.10.24");
    let classic26 = engine(EngineKind::DockerClassic, "26.1.5");
    let c8d = engine(EngineKind::DockerContainerd, "26.1.5");
    let podman = engine(EngineKind::Podman, "4.3.1");
    let legacy_gz = report(Format::DockerArchive, Compression::Gzip, false);
    let oci_zst = report(Format::OciArchive, Compression::Zstd, true);
    let docker25 = report(Format::DockerOciArchive, Compression::Zstd, true);
    let src = Source::default();
    let route = |e: &Engine, r: &ArchiveReport, s: Source| full(e, r, s).route;
    assert_eq!(route(&docker20, &legacy_gz, src), Route::AsIs);
    assert_eq!(
        route(&podman, &legacy_gz, src),
        Route::DockerArchive {
            skip: HashSet::new()
        }
    );
    let streamed = Source {
        streamed: true,
        ..OCI_SOURCE
    };
    assert_eq!(
        route(&podman, &legacy_gz, streamed),
        Route::Decompressed,
        "Podman refuses gzip: haul decompresses"
    );
    assert_eq!(route(&c8d, &oci_zst, src), Route::AsIs);
    assert_eq!(route(&podman, &oci_zst, src), Route::AsIs);
    assert!(matches!(
        route(&classic26, &oci_zst, OCI_SOURCE),
        Route::DockerArchive { .. }
    ));
    assert_eq!(route(&classic26, &docker25, src), Route::AsIs);
    assert_eq!(route(&docker20, &docker25, streamed), Route::Decompressed);
    let mut zstd_layers = docker25.clone();
    zstd_layers.images[0].layers[0].compression = Compression::Zstd;
    assert!(matches!(
        route(&docker20, &zstd_layers, streamed),
        Route::DockerArchive { .. }
    ));
    assert_eq!(route(&classic26, &zstd_layers, src), Route::AsIs);
}

#[test]
fn an_oci_folder_goes_as_an_oci_layout_where_the_engine_loads_oci() {
    let mut folder = report(Format::OciLayout, Compression::None, true);
    folder.container = Container::Directory;
    let c8d = engine(EngineKind::DockerContainerd, "26.1.5");
    let plan = full(&c8d, &folder, OCI_SOURCE);
    assert_eq!(plan.mode, LoadMode::Converted);
    assert!(matches!(
        plan.route,
        Route::OciLayout {
            how: OciHow::Native,
            ..
        }
    ));
    let docker20 = engine(EngineKind::DockerClassic, "20.10.24");
    assert!(matches!(
        full(&docker20, &folder, OCI_SOURCE).route,
        Route::DockerArchive { .. }
    ));
}

#[test]
fn deltas_follow_the_engine() {
    let r = report(Format::DockerOciArchive, Compression::None, true);
    for (kind, oci_how) in [
        (EngineKind::DockerContainerd, Some(OciHow::Native)),
        (
            EngineKind::Podman,
            Some(OciHow::Generated { by_diff_id: true }),
        ),
        (EngineKind::DockerClassic, None),
    ] {
        let plan = choose(
            &engine(kind, "26.1.5"),
            &r,
            &base_held(kind),
            LoadOptions::default(),
            OCI_SOURCE,
        );
        assert_eq!(plan.mode, LoadMode::Delta, "{kind:?}");
        assert_eq!((plan.skipped_layers, plan.skipped_bytes), (1, 100));
        let expected_skip = HashSet::from([diff(1)]);
        match (plan.route, oci_how) {
            (Route::OciLayout { skip, how }, Some(want)) => {
                assert_eq!(how, want);
                assert_eq!(skip, expected_skip);
            }
            (Route::DockerArchive { skip }, None) => assert_eq!(skip, expected_skip),
            (other, _) => panic!("{kind:?}: {other:?}"),
        }
    }
}

#[test]
fn no_delta_when_full_asked_nothing_held_or_the_engine_cannot() {
    let r = report(Format::DockerOciArchive, Compression::None, true);
    let c8d = engine(EngineKind::DockerContainerd, "26.1.5");
    let held = base_held(EngineKind::DockerContainerd);
    let full_opts = LoadOptions { full: true };
    assert_eq!(
        choose(&c8d, &r, &held, full_opts, OCI_SOURCE).mode,
        LoadMode::AsIs
    );
    let empty = Holdings::new(c8d.ids);
    assert_eq!(
        choose(&c8d, &r, &empty, LoadOptions::default(), OCI_SOURCE).mode,
        LoadMode::AsIs
    );
    let unknown = Source::default();
    let plan = choose(&c8d, &r, &held, LoadOptions::default(), unknown);
    assert_eq!(plan.mode, LoadMode::AsIs);
    assert!(plan.note.is_some_and(|n| n.contains("containerd")));

    let mut two_tags = r.clone();
    two_tags.images[0].tags.push("app:2".into());
    let podman = engine(EngineKind::Podman, "4.3.1");
    let plan = choose(
        &podman,
        &two_tags,
        &base_held(EngineKind::Podman),
        LoadOptions::default(),
        OCI_SOURCE,
    );
    assert_ne!(plan.mode, LoadMode::Delta);
    assert!(plan.note.is_some_and(|n| n.contains("Podman")));
}

#[test]
fn a_legacy_archive_on_the_containerd_store_gets_generated_manifests() {
    let r = report(Format::DockerArchive, Compression::None, false);
    let c8d = engine(EngineKind::DockerContainerd, "26.1.5");
    let src = Source::of(&r, false);
    assert!(!src.oci_native && src.oci_generated);
    let plan = choose(
        &c8d,
        &r,
        &base_held(EngineKind::DockerContainerd),
        LoadOptions::default(),
        src,
    );
    assert!(matches!(
        plan.route,
        Route::OciLayout {
            how: OciHow::Generated { by_diff_id: false },
            ..
        }
    ));
}

#[test]
fn a_layer_shared_with_a_missing_stack_is_sent() {
    let mut r = report(Format::DockerArchive, Compression::None, false);
    let mut second = r.images[0].clone();
    second.id = crate::digest::sha256_of(b"other");
    // Layer 1 on top of layer 2 in the second image: another chain, not present.
    second.layers.reverse();
    r.images.push(second);
    let held = base_held(EngineKind::DockerClassic);
    assert!(present_layers(&r, &held).is_empty());
}
