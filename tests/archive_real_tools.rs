//! Inspect tarballs written by the real tools (`docker save`, skopeo) and compare with what
//! `docker image inspect` and `docker history` say about the same images.

mod common;

use std::path::Path;

use common::archives::{gzip, zstd};
use common::images::*;
use haul::archive::{self, Compression, Format, ImageInfo};

fn inspect(path: &Path) -> archive::ArchiveReport {
    archive::inspect_with_cache(path, None).unwrap_or_else(|e| panic!("inspect failed: {e}"))
}

/// What the daemon says about `reference` must equal what haul read from the tarball.
fn assert_same_as_daemon(image: &ImageInfo, reference: &str) {
    let daemon = inspect_json(reference);
    assert_eq!(
        image.id,
        daemon["Id"].as_str().unwrap(),
        "ID of {reference}"
    );
    let diff_ids: Vec<String> = daemon["RootFS"]["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(image.diff_ids(), diff_ids, "diff IDs of {reference}");
    assert_eq!(image.os, daemon["Os"].as_str().unwrap());
    assert_eq!(image.architecture, daemon["Architecture"].as_str().unwrap());
    let ours: Vec<String> = image
        .history
        .iter()
        .map(|h| h.created_by.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        ours,
        history_created_by(reference),
        "created_by of {reference}"
    );
}

fn tags_of(reference: &str) -> Vec<String> {
    let daemon = inspect_json(reference);
    daemon["RepoTags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Two related images: a base (imported rootfs) and an app built on it (COPY, ENV, LABEL).
struct Fixture {
    _cleanup: Cleanup,
    dir: tempfile::TempDir,
    base: String,
    app: String,
}

fn fixture(what: &str) -> Option<Fixture> {
    if !daemon_available() {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cleanup = Cleanup::default();
    let name = unique_name(what);
    let base = format!("{name}:base");
    let app = format!("{name}:app");
    import(&mut cleanup, &base, &name, dir.path());
    build(
        &mut cleanup,
        &app,
        &base,
        &[("one.bin", 300_000), ("two.bin", 70_000)],
        &[
            "COPY one.bin /data/one.bin",
            "ENV MODE=test",
            "COPY two.bin /data/two.bin",
            "LABEL org.haul.test=yes",
        ],
        dir.path(),
    );
    Some(Fixture {
        _cleanup: cleanup,
        dir,
        base,
        app,
    })
}

#[test]
fn docker_save_single_multi_tag_two_images_untagged_and_compressed() {
    let Some(fx) = fixture("save") else { return };
    let second_tag = format!("{}-again", fx.app);
    docker(&["tag", &fx.app, &second_tag]);
    let mut extra = Cleanup::default();
    extra.track(&second_tag);

    let single = fx.dir.path().join("single.tar");
    docker(&["save", "-o", single.to_str().unwrap(), &fx.app, &second_tag]);
    let report = inspect(&single);
    assert_eq!(report.format, Format::DockerArchive);
    assert_eq!(report.images.len(), 1);
    assert_same_as_daemon(&report.images[0], &fx.app);
    let mut tags = report.images[0].tags.clone();
    tags.sort();
    let mut expected = tags_of(&fx.app);
    expected.sort();
    assert_eq!(
        tags, expected,
        "both tags of the image are in the save, on one image"
    );

    let both = fx.dir.path().join("both.tar");
    docker(&["save", "-o", both.to_str().unwrap(), &fx.app, &fx.base]);
    let report = inspect(&both);
    assert_eq!(report.images.len(), 2);
    let app_id = inspect_json(&fx.app)["Id"].as_str().unwrap().to_string();
    for image in &report.images {
        let reference = if image.id == app_id {
            &fx.app
        } else {
            &fx.base
        };
        assert_same_as_daemon(image, reference);
    }
    assert_eq!(
        report.layer_count, 3,
        "the base layer the two images share is listed once"
    );

    let by_id = fx.dir.path().join("by-id.tar");
    docker(&["save", "-o", by_id.to_str().unwrap(), &app_id]);
    let report = inspect(&by_id);
    assert!(report.images[0].tags.is_empty(), "saved by ID: no tags");
    assert_same_as_daemon(&report.images[0], &fx.app);

    let tar = std::fs::read(&single).unwrap();
    for (name, bytes, compression) in [
        ("s.tar.gz", gzip(&tar), Compression::Gzip),
        ("s.tar.zst", zstd(&tar), Compression::Zstd),
    ] {
        let path = fx.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let report = inspect(&path);
        assert_eq!(report.compression, compression);
        assert_same_as_daemon(&report.images[0], &fx.app);
    }
}

#[test]
fn docker_save_of_an_image_with_more_than_forty_layers() {
    let Some(fx) = fixture("deep") else { return };
    let files: Vec<(String, usize)> = (0..41).map(|i| (format!("f{i}"), 1000 + i)).collect();
    let file_refs: Vec<(&str, usize)> = files.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    let lines: Vec<String> = files
        .iter()
        .map(|(n, _)| format!("COPY {n} /deep/{n}"))
        .collect();
    let line_refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let deep = format!("{}-deep", fx.app);
    let mut cleanup = Cleanup::default();
    build(
        &mut cleanup,
        &deep,
        &fx.base,
        &file_refs,
        &line_refs,
        fx.dir.path(),
    );
    let path = fx.dir.path().join("deep.tar");
    docker(&["save", "-o", path.to_str().unwrap(), &deep]);
    let report = inspect(&path);
    assert_eq!(report.images[0].layers.len(), 42);
    assert_same_as_daemon(&report.images[0], &deep);
}

fn skopeo(args: &[&str]) -> bool {
    match std::process::Command::new("skopeo").args(args).output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => panic!(
            "skopeo {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but skopeo is not installed"
            );
            eprintln!("skipped: skopeo is not installed");
            false
        }
    }
}

#[test]
fn skopeo_oci_archive_oci_layout_and_docker_archive() {
    let Some(fx) = fixture("skopeo") else { return };
    let source = format!("docker-daemon:{}", fx.app);
    let oci_archive = fx.dir.path().join("app.oci.tar");
    let oci_dir = fx.dir.path().join("layout");
    let docker_archive = fx.dir.path().join("app.docker.tar");
    let cases = [
        (
            format!("oci-archive:{}:{}", oci_archive.display(), fx.app),
            oci_archive.clone(),
            Format::OciArchive,
        ),
        (
            format!("oci:{}:{}", oci_dir.display(), fx.app),
            oci_dir.clone(),
            Format::OciLayout,
        ),
        (
            format!("docker-archive:{}:{}", docker_archive.display(), fx.app),
            docker_archive.clone(),
            Format::DockerArchive,
        ),
    ];
    for (dest, path, format) in cases {
        if !skopeo(&["copy", "--quiet", &source, &dest]) {
            return;
        }
        let report = inspect(&path);
        assert_eq!(report.format, format, "{dest}");
        let image = &report.images[0];
        if format == Format::DockerArchive {
            // Converting to OCI rewrites the config (new media type), so only here the ID is kept.
            assert_eq!(
                image.id,
                inspect_json(&fx.app)["Id"].as_str().unwrap(),
                "{dest}: config digest is the image ID"
            );
        }
        assert_eq!(
            image.diff_ids(),
            inspect_json(&fx.app)["RootFS"]["Layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        );
        let created_by: Vec<String> = image
            .history
            .iter()
            .map(|h| h.created_by.clone().unwrap_or_default())
            .collect();
        assert_eq!(created_by, history_created_by(&fx.app));
        assert!(!image.tags.is_empty(), "{dest}: the tag is kept");
    }
}

#[test]
fn inspect_docker_image_matches_the_saved_tarball() {
    let Some(fx) = fixture("dview") else { return };
    let tar = fx.dir.path().join("app.tar");
    docker(&["save", "-o", tar.to_str().unwrap(), &fx.app]);
    let from_tar = inspect(&tar).images.remove(0);
    let out = assert_cmd::Command::cargo_bin("haul")
        .unwrap()
        .args(["inspect", "--json", &format!("docker://{}", fx.app)])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: archive::ArchiveReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.format, Format::Daemon);
    let from_daemon = &report.images[0];
    assert_eq!(from_daemon.id, from_tar.id);
    assert_eq!(from_daemon.diff_ids(), from_tar.diff_ids());
    assert_eq!(from_daemon.tags, from_tar.tags);
    assert_eq!(from_daemon.platform(), from_tar.platform());
    assert_eq!(from_daemon.env, from_tar.env);
    assert_eq!(from_daemon.labels, from_tar.labels);
    let by = |i: &ImageInfo| {
        i.layers
            .iter()
            .map(|l| l.created_by.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(by(from_daemon), by(&from_tar), "created_by per layer");

    let missing = assert_cmd::Command::cargo_bin("haul")
        .unwrap()
        .args(["inspect", &format!("docker://{}-absent", fx.app)])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.starts_with("error: docker://") && err.lines().count() == 1,
        "{err}"
    );
}
