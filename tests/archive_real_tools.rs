//! Inspect tarballs written by the real tools (`docker save` on every engine, skopeo) and compare
//! with what `docker image inspect` and `docker history` say about the same images.

mod common;

use std::path::Path;

use common::archives::{gzip, zstd};
use common::docker::{Images, unique_name};
use common::engines::{Engine, Kind, each_engine, each_engine_of};
use haul::archive::{self, Compression, Format, ImageInfo};

fn inspect(path: &Path) -> archive::ArchiveReport {
    archive::inspect_with_cache(path, None).unwrap_or_else(|e| panic!("inspect failed: {e}"))
}

/// Two related images: a base (imported rootfs) and an app built on it (COPY, ENV, LABEL).
struct Fixture {
    _images: Images,
    dir: tempfile::TempDir,
    base: String,
    app: String,
}

fn fixture(engine: &'static Engine, what: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut images = engine.images();
    let base = engine.small_base(what, &mut images);
    let app = unique_name(what, "app");
    engine.build_lines(
        &base,
        &app,
        &[("one.bin", 300_000), ("two.bin", 70_000)],
        &[
            "COPY one.bin /data/one.bin",
            "ENV MODE=test",
            "COPY two.bin /data/two.bin",
            "LABEL org.haul.test=yes",
        ],
        &mut images,
    );
    Fixture {
        _images: images,
        dir,
        base,
        app,
    }
}

/// The format of this engine's `docker save`.
fn save_format(engine: &Engine) -> Format {
    if engine.is_docker26() {
        Format::DockerOciArchive
    } else {
        Format::DockerArchive
    }
}

fn tags_of(engine: &Engine, reference: &str) -> Vec<String> {
    engine.tags(reference)
}

#[test]
fn docker_save_single_multi_tag_two_images_untagged_and_compressed() {
    each_engine(
        "docker_save_single_multi_tag_two_images_untagged_and_compressed",
        |engine| {
            let fx = fixture(engine, "save");
            let second_tag = format!("{}-again", fx.app);
            engine.run(&["tag", &fx.app, &second_tag]);
            let mut extra = engine.images();
            extra.track(&second_tag);

            let single = fx.dir.path().join("single.tar");
            engine.run(&["save", "-o", single.to_str().unwrap(), &fx.app, &second_tag]);
            let report = inspect(&single);
            assert_eq!(report.format, save_format(engine));
            assert_eq!(report.images.len(), 1);
            engine.assert_same_as_daemon(&report.images[0], &fx.app);
            let mut tags = report.images[0].tags.clone();
            tags.sort();
            let expected = tags_of(engine, &fx.app);
            assert_eq!(
                tags, expected,
                "both tags of the image are in the save, on one image"
            );

            let both = fx.dir.path().join("both.tar");
            engine.run(&["save", "-o", both.to_str().unwrap(), &fx.app, &fx.base]);
            let report = inspect(&both);
            assert_eq!(report.images.len(), 2);
            let app_id = engine.image_id(&fx.app);
            for image in &report.images {
                let reference = if image.layers.len() == 3 {
                    &fx.app
                } else {
                    &fx.base
                };
                engine.assert_same_as_daemon(image, reference);
            }
            assert_eq!(
                report.layer_count, 3,
                "the base layer the two images share is listed once"
            );

            let by_id = fx.dir.path().join("by-id.tar");
            engine.run(&["save", "-o", by_id.to_str().unwrap(), &app_id]);
            let report = inspect(&by_id);
            assert!(report.images[0].tags.is_empty(), "saved by ID: no tags");
            engine.assert_same_as_daemon(&report.images[0], &fx.app);

            let tar = std::fs::read(&single).unwrap();
            for (name, bytes, compression) in [
                ("s.tar.gz", gzip(&tar), Compression::Gzip),
                ("s.tar.zst", zstd(&tar), Compression::Zstd),
            ] {
                let path = fx.dir.path().join(name);
                std::fs::write(&path, bytes).unwrap();
                let report = inspect(&path);
                assert_eq!(report.compression, compression);
                engine.assert_same_as_daemon(&report.images[0], &fx.app);
            }
        },
    );
}

#[test]
fn docker_save_of_an_image_with_more_than_forty_layers() {
    each_engine(
        "docker_save_of_an_image_with_more_than_forty_layers",
        |engine| {
            let fx = fixture(engine, "deep");
            let files: Vec<(String, u64)> = (0..41).map(|i| (format!("f{i}"), 1000 + i)).collect();
            let file_refs: Vec<(&str, u64)> = files.iter().map(|(n, s)| (n.as_str(), *s)).collect();
            let lines: Vec<String> = files
                .iter()
                .map(|(n, _)| format!("COPY {n} /deep/{n}"))
                .collect();
            let line_refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let deep = format!("{}-deep", fx.app);
            let mut images = engine.images();
            engine.build_lines(&fx.base, &deep, &file_refs, &line_refs, &mut images);
            let path = fx.dir.path().join("deep.tar");
            engine.run(&["save", "-o", path.to_str().unwrap(), &deep]);
            let report = inspect(&path);
            assert_eq!(report.images[0].layers.len(), 42);
            engine.assert_same_as_daemon(&report.images[0], &deep);
        },
    );
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
    // skopeo's `docker-daemon:` transport reads the default socket: docker20.
    each_engine_of(
        "skopeo_oci_archive_oci_layout_and_docker_archive",
        &[Kind::Docker20Classic],
        |engine| {
            let fx = fixture(engine, "skopeo");
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
                        engine.inspect(&fx.app)["Id"].as_str().unwrap(),
                        "{dest}: config digest is the image ID"
                    );
                }
                assert_eq!(
                    image.diff_ids(),
                    engine.inspect(&fx.app)["RootFS"]["Layers"]
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
                assert_eq!(created_by, engine.history_created_by(&fx.app));
                assert!(!image.tags.is_empty(), "{dest}: the tag is kept");
            }
        },
    );
}

#[test]
fn inspect_docker_image_matches_the_saved_tarball() {
    each_engine("inspect_docker_image_matches_the_saved_tarball", |engine| {
        let fx = fixture(engine, "dview");
        let tar = fx.dir.path().join("app.tar");
        engine.run(&["save", "-o", tar.to_str().unwrap(), &fx.app]);
        let from_tar = inspect(&tar).images.remove(0);
        let out = engine
            .haul()
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
        assert_eq!(from_daemon.id, engine.id_of(&from_tar));
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

        let missing = engine
            .haul()
            .args(["inspect", &format!("docker://{}-absent", fx.app)])
            .output()
            .unwrap();
        assert_eq!(missing.status.code(), Some(1));
        let err = String::from_utf8_lossy(&missing.stderr);
        assert!(
            err.starts_with("error: docker://") && err.lines().count() == 1,
            "{err}"
        );
    });
}
