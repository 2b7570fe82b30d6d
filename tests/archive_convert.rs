//! The docker-archive conversion, checked by the real daemon: Docker Engine 20.10 refuses OCI
//! archives and zstd tarballs with `docker load`, but takes what haul writes from them.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use common::archives::*;
use common::images::*;

/// Convert `source`, `docker load` the result, and return what the daemon printed.
fn convert_and_load(
    source: &Path,
    skip: &HashSet<String>,
    out_dir: &Path,
) -> (String, haul::archive::WriteSummary) {
    let converted = out_dir.join("converted.tar");
    let mut file = std::fs::File::create(&converted).unwrap();
    let read = AtomicU64::new(0);
    let summary = haul::archive::write_docker_archive(source, skip, &mut file, &read).unwrap();
    let total = haul::archive::load_total(source, skip).unwrap();
    assert_eq!(
        read.load(Ordering::Relaxed),
        total,
        "progress reaches the announced total for {}",
        source.display()
    );
    assert_eq!(
        summary.written,
        std::fs::metadata(&converted).unwrap().len()
    );
    (
        docker(&["load", "-i", converted.to_str().unwrap()]),
        summary,
    )
}

/// Writes a source archive for an image and returns its path.
type MakeSource<'a> = dyn Fn(&TestImage) -> std::path::PathBuf + 'a;

#[test]
fn oci_archives_zstd_tarballs_zips_and_layouts_load_after_conversion() {
    if !daemon_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cleanup = Cleanup::default();
    let cases: Vec<(&str, Box<MakeSource>)> = vec![
        (
            "oci-gzip-layers",
            Box::new(|img| {
                let p = dir.path().join("oci.tar");
                std::fs::write(
                    &p,
                    tar_of(&oci_layout_files(
                        std::slice::from_ref(img),
                        &OciOptions::default(),
                    )),
                )
                .unwrap();
                p
            }),
        ),
        (
            "oci-zstd-layers",
            Box::new(|img| {
                let opts = OciOptions {
                    layer_blobs: Blob::Zstd,
                    nested: true,
                    attestation: true,
                    ..Default::default()
                };
                let p = dir.path().join("oci-zstd.tar");
                std::fs::write(
                    &p,
                    tar_of(&oci_layout_files(std::slice::from_ref(img), &opts)),
                )
                .unwrap();
                p
            }),
        ),
        (
            "zstd-outer",
            Box::new(|img| {
                let p = dir.path().join("img.tar.zst");
                std::fs::write(&p, zstd(&legacy_docker_archive(std::slice::from_ref(img))))
                    .unwrap();
                p
            }),
        ),
        (
            "zip-deflate-oci",
            Box::new(|img| {
                let tar = tar_of(&oci_layout_files(
                    std::slice::from_ref(img),
                    &OciOptions::default(),
                ));
                let p = dir.path().join("artifact.zip");
                std::fs::write(&p, zip_of(&[("img/oci.tar", &tar)], true)).unwrap();
                p
            }),
        ),
        (
            "zip-stored-skopeo",
            Box::new(|img| {
                let p = dir.path().join("stored.zip");
                std::fs::write(
                    &p,
                    zip_of(&[("img.tar", &skopeo_docker_archive(img))], false),
                )
                .unwrap();
                p
            }),
        ),
        (
            "layout-dir",
            Box::new(|img| {
                let p = dir.path().join("layout");
                write_layout_dir(
                    &p,
                    &oci_layout_files(std::slice::from_ref(img), &OciOptions::default()),
                );
                p
            }),
        ),
    ];
    for (what, make) in cases {
        let tag = format!("{}:1", unique_name(what));
        let image = TestImage::with_layers(
            &[&tag],
            vec![
                layer_tar(&[("a", what.as_bytes())]),
                layer_tar(&[("b", b"second")]),
            ],
            "amd64",
        );
        let source = make(&image);
        cleanup.track(&tag);
        let (printed, summary) = convert_and_load(&source, &HashSet::new(), dir.path());
        assert!(
            printed.contains(&tag),
            "{what}: docker load names the tag: {printed}"
        );
        assert_eq!(summary.skipped_layers, 0);
        let loaded = inspect_json(&tag);
        let diff_ids: Vec<String> = loaded["RootFS"]["Layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(diff_ids, image.diff_ids(), "{what}: same layers");
        assert_eq!(
            loaded["Id"].as_str().unwrap(),
            image.id(),
            "{what}: same image ID"
        );
    }
}

#[test]
fn a_tarball_without_the_layers_the_daemon_has_loads_the_same_image() {
    if !daemon_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cleanup = Cleanup::default();
    let name = unique_name("delta");
    let base_layer = layer_tar(&[("base", &vec![7u8; 200_000])]);
    let base = TestImage::with_layers(
        &[&format!("{name}:base")],
        vec![base_layer.clone()],
        "amd64",
    );
    let app = TestImage::with_layers(
        &[&format!("{name}:app")],
        vec![base_layer, layer_tar(&[("app", b"new")])],
        "amd64",
    );
    cleanup.track(&format!("{name}:base"));
    cleanup.track(&format!("{name}:app"));
    let base_tar = dir.path().join("base.tar");
    std::fs::write(&base_tar, legacy_docker_archive(&[base])).unwrap();
    docker(&["load", "-i", base_tar.to_str().unwrap()]);

    let app_tar = dir.path().join("app.tar");
    std::fs::write(&app_tar, legacy_docker_archive(std::slice::from_ref(&app))).unwrap();
    let skip: HashSet<String> = [app.diff_ids()[0].clone()].into();
    let (printed, summary) = convert_and_load(&app_tar, &skip, dir.path());
    assert!(printed.contains(&format!("{name}:app")), "{printed}");
    assert_eq!(summary.skipped_layers, 1);
    assert!(summary.skipped_bytes >= 200_000);
    assert!(
        summary.written < 100_000,
        "the base layer was left out: {} bytes written",
        summary.written
    );
    assert_eq!(
        inspect_json(&format!("{name}:app"))["Id"].as_str().unwrap(),
        app.id()
    );
}

#[test]
fn a_zip_with_two_image_tarballs_loads_both_images() {
    if !daemon_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cleanup = Cleanup::default();
    for deflate in [true, false] {
        let a_tag = format!("{}:a", unique_name("zip2"));
        let b_tag = format!("{}:b", unique_name("zip2"));
        let a = TestImage::with_layers(
            &[&a_tag],
            vec![layer_tar(&[("a", a_tag.as_bytes())])],
            "amd64",
        );
        let b = TestImage::with_layers(
            &[&b_tag],
            vec![layer_tar(&[("b", b_tag.as_bytes())])],
            "amd64",
        );
        cleanup.track(&a_tag);
        cleanup.track(&b_tag);
        let zip = zip_of(
            &[
                ("a.tar", &legacy_docker_archive(std::slice::from_ref(&a))),
                (
                    "b/oci.tar",
                    &tar_of(&oci_layout_files(
                        std::slice::from_ref(&b),
                        &OciOptions::default(),
                    )),
                ),
            ],
            deflate,
        );
        let path = dir.path().join(format!("two-{deflate}.zip"));
        std::fs::write(&path, zip).unwrap();
        let (printed, _) = convert_and_load(&path, &HashSet::new(), dir.path());
        assert!(
            printed.contains(&a_tag) && printed.contains(&b_tag),
            "{printed}"
        );
        assert_eq!(inspect_json(&a_tag)["Id"].as_str().unwrap(), a.id());
        assert_eq!(inspect_json(&b_tag)["Id"].as_str().unwrap(), b.id());
    }
}
