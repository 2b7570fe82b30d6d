//! The archive engine on every format, from archives the tests write themselves.

mod common;

use std::path::{Path, PathBuf};

use common::archives::*;
use haul::archive::{self, Compression, Container, Format};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn inspect(path: &Path) -> archive::ArchiveReport {
    archive::inspect_with_cache(path, None).unwrap_or_else(|e| panic!("inspect failed: {e}"))
}

fn assert_matches(report_image: &archive::ImageInfo, image: &TestImage) {
    assert_eq!(report_image.id, image.id());
    assert_eq!(report_image.diff_ids(), image.diff_ids());
    assert_eq!(report_image.architecture, image.architecture);
    assert_eq!(report_image.os, "linux");
    let created_by: Vec<_> = report_image
        .layers
        .iter()
        .map(|l| l.created_by.clone().unwrap())
        .collect();
    let expected: Vec<_> = (0..image.layers.len())
        .map(|i| format!("COPY file{i} /"))
        .collect();
    assert_eq!(
        created_by, expected,
        "n-th non-empty history entry belongs to the n-th layer"
    );
    assert_eq!(
        report_image.history.len(),
        image.layers.len() * 2,
        "empty-layer history entries are kept"
    );
    assert!(
        report_image
            .history
            .iter()
            .filter(|h| h.empty_layer)
            .all(|h| h.layer.is_none())
    );
    assert_eq!(
        report_image.size,
        report_image.layers.iter().map(|l| l.size).sum::<u64>()
    );
}

#[test]
fn legacy_docker_archive_with_several_images_tags_and_shared_layers() {
    let dir = tempfile::tempdir().unwrap();
    let base = layer_tar(&[("base", b"shared base layer")]);
    let a = TestImage::with_layers(
        &["app:1", "app:latest"],
        vec![base.clone(), layer_tar(&[("a", b"a")])],
        "amd64",
    );
    let b = TestImage::with_layers(&[], vec![base.clone(), layer_tar(&[("b", b"b")])], "amd64");
    let path = write(
        dir.path(),
        "two.tar",
        &legacy_docker_archive(&[a.clone(), b.clone()]),
    );
    let report = inspect(&path);
    assert_eq!(report.format, Format::DockerArchive);
    assert_eq!(
        (report.container, report.compression),
        (Container::Tar, Compression::None)
    );
    assert_eq!(report.file_size, std::fs::metadata(&path).unwrap().len());
    assert_eq!(report.images.len(), 2);
    assert_matches(&report.images[0], &a);
    assert_matches(&report.images[1], &b);
    assert_eq!(report.images[0].tags, vec!["app:1", "app:latest"]);
    assert!(
        report.images[1].tags.is_empty(),
        "an image saved by ID has no tags"
    );
    assert_eq!(report.layer_count, 3, "the shared base layer counts once");
    let layer = &report.images[0].layers[0];
    assert_eq!(
        layer.digest.as_deref(),
        Some(layer.diff_id.as_str()),
        "an uncompressed blob's digest is its diff ID"
    );
    assert_eq!(layer.size, base.len() as u64);
    let image = &report.images[0];
    assert_eq!(image.cmd.as_deref(), Some(&["/bin/app".to_string()][..]));
    assert_eq!(image.working_dir.as_deref(), Some("/srv"));
    assert_eq!(image.labels.get("team").map(String::as_str), Some("ci"));
    assert_eq!(image.exposed_ports, vec!["8080/tcp"]);
}

#[test]
fn skopeo_docker_archive_follows_layer_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("skopeo/app:1", "sk", 3);
    let path = write(dir.path(), "skopeo.tar", &skopeo_docker_archive(&image));
    let report = inspect(&path);
    assert_eq!(report.format, Format::DockerArchive);
    assert_matches(&report.images[0], &image);
    assert!(
        report.images[0]
            .layers
            .iter()
            .all(|l| l.path.ends_with(".tar") && !l.path.contains('/'))
    );
}

#[test]
fn many_layers() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("deep:1", "deep", 45);
    let path = write(
        dir.path(),
        "deep.tar",
        &legacy_docker_archive(std::slice::from_ref(&image)),
    );
    let report = inspect(&path);
    assert_eq!(report.images[0].layers.len(), 45);
    assert_matches(&report.images[0], &image);
}

#[test]
fn docker25_classic_and_containerd_store_saves() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("modern:1", "m", 2);
    let classic = OciOptions {
        layer_blobs: Blob::Plain,
        docker_manifest: true,
        ..Default::default()
    };
    let path = write(
        dir.path(),
        "classic.tar",
        &tar_of(&oci_layout_files(std::slice::from_ref(&image), &classic)),
    );
    let report = inspect(&path);
    assert_eq!(report.format, Format::DockerOciArchive);
    assert_eq!(
        report.images.len(),
        1,
        "manifest.json and index.json describe one image"
    );
    assert_matches(&report.images[0], &image);
    assert_eq!(report.images[0].tags, vec!["modern:1"]);
    assert!(
        report.images[0].layers[0]
            .digest
            .as_deref()
            .unwrap()
            .starts_with("sha256:")
    );

    let containerd = OciOptions {
        docker_manifest: true,
        nested: true,
        attestation: true,
        absent_platform: true,
        ..Default::default()
    };
    let path = write(
        dir.path(),
        "containerd.tar",
        &tar_of(&oci_layout_files(std::slice::from_ref(&image), &containerd)),
    );
    let report = inspect(&path);
    assert_eq!(report.format, Format::DockerOciArchive);
    assert_eq!(
        report.images.len(),
        1,
        "attestations skipped, absent platform not listed"
    );
    assert_eq!(report.missing_manifests, 1);
    assert!(
        report.images[0]
            .layers
            .iter()
            .all(|l| l.compression == Compression::Gzip)
    );
    assert_matches(&report.images[0], &image);
}

#[test]
fn oci_archive_multi_platform_nested_index() {
    let dir = tempfile::tempdir().unwrap();
    let amd = TestImage::with_layers(&["multi:1"], vec![layer_tar(&[("x", b"amd")])], "amd64");
    let arm = TestImage::with_layers(&["multi:1"], vec![layer_tar(&[("x", b"arm")])], "arm64");
    let opts = OciOptions {
        nested: true,
        attestation: true,
        ..Default::default()
    };
    let path = write(
        dir.path(),
        "multi.tar",
        &tar_of(&oci_layout_files(&[amd.clone(), arm.clone()], &opts)),
    );
    let report = inspect(&path);
    assert_eq!(report.format, Format::OciArchive);
    let platforms: Vec<_> = report.images.iter().map(|i| i.platform()).collect();
    assert_eq!(platforms, vec!["linux/amd64", "linux/arm64"]);
    assert_matches(&report.images[1], &arm);
    assert!(
        report.images.iter().all(|i| i.tags == vec!["multi:1"]),
        "tags come from the outer index"
    );
    assert!(report.images.iter().all(|i| i.manifest_digest.is_some()));
}

#[test]
fn oci_ref_name_only_is_reported_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("skopeo/app:v3", "r", 1);
    let opts = OciOptions {
        containerd_names: false,
        ..Default::default()
    };
    let path = write(
        dir.path(),
        "ref.tar",
        &tar_of(&oci_layout_files(&[image], &opts)),
    );
    assert_eq!(inspect(&path).images[0].tags, vec!["v3"]);
}

#[test]
fn oci_layout_directory() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("layout:1", "l", 2);
    write_layout_dir(
        dir.path(),
        &oci_layout_files(std::slice::from_ref(&image), &OciOptions::default()),
    );
    let report = inspect(dir.path());
    assert_eq!(
        (report.format, report.container),
        (Format::OciLayout, Container::Directory)
    );
    assert_matches(&report.images[0], &image);
}

#[test]
fn zstd_layer_blobs_are_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("z:1", "z", 2);
    let opts = OciOptions {
        layer_blobs: Blob::Zstd,
        ..Default::default()
    };
    let path = write(
        dir.path(),
        "z.tar",
        &tar_of(&oci_layout_files(&[image], &opts)),
    );
    assert!(
        inspect(&path).images[0]
            .layers
            .iter()
            .all(|l| l.compression == Compression::Zstd)
    );
}

#[test]
fn outer_compression_is_recognised_by_content_not_name() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("c:1", "c", 2);
    let tar = legacy_docker_archive(std::slice::from_ref(&image));
    let mut xz = Vec::new();
    std::io::Write::write_all(&mut liblzma::write::XzEncoder::new(&mut xz, 1), &tar).unwrap();
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    std::io::Write::write_all(&mut bz, &tar).unwrap();
    let cases = [
        ("image.bin", gzip(&tar), Compression::Gzip),
        ("image.tar", zstd(&tar), Compression::Zstd),
        ("image.gz", xz, Compression::Xz),
        ("image", bz.finish().unwrap(), Compression::Bzip2),
    ];
    for (name, bytes, compression) in cases {
        let report = inspect(&write(dir.path(), name, &bytes));
        assert_eq!(report.compression, compression, "{name}");
        assert_eq!(report.file_size, bytes.len() as u64);
        assert_matches(&report.images[0], &image);
    }
}

#[test]
fn compressed_results_are_cached_and_invalidated_by_changes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let first = TestImage::new("cache:1", "one", 1);
    let path = write(
        dir.path(),
        "img.tgz",
        &gzip(&legacy_docker_archive(std::slice::from_ref(&first))),
    );
    let report = archive::inspect_with_cache(&path, Some(cache.path())).unwrap();
    assert_eq!(report.images[0].id, first.id());
    let cached: Vec<_> = std::fs::read_dir(cache.path().join("inspect"))
        .unwrap()
        .collect();
    assert_eq!(cached.len(), 1, "one cache entry written");
    let again = archive::inspect_with_cache(&path, Some(cache.path())).unwrap();
    assert_eq!(again, report);

    let second = TestImage::new("cache:2", "two-longer", 2);
    std::fs::write(
        &path,
        gzip(&legacy_docker_archive(std::slice::from_ref(&second))),
    )
    .unwrap();
    let changed = archive::inspect_with_cache(&path, Some(cache.path())).unwrap();
    assert_eq!(
        changed.images[0].id,
        second.id(),
        "a changed file is read again"
    );
}

#[test]
fn image_tarballs_inside_zips_deflate_and_stored() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("zipped:1", "zz", 2);
    let tar = legacy_docker_archive(std::slice::from_ref(&image));
    for deflate in [true, false] {
        let zip = zip_of(
            &[("README.txt", b"not an image"), ("image/app.tar", &tar)],
            deflate,
        );
        let path = write(dir.path(), &format!("artifact-{deflate}.zip"), &zip);
        let report = inspect(&path);
        assert_eq!(report.container, Container::Zip);
        assert_eq!(report.entry.as_deref(), Some("image/app.tar"));
        assert_eq!(report.file_size, zip.len() as u64);
        assert_matches(&report.images[0], &image);
        let by_entry = inspect(Path::new(&format!("{}!image/app.tar", path.display())));
        assert_eq!(by_entry.images, report.images);
    }
    let other = TestImage::new("zipped:2", "other", 1);
    let zip = zip_of(
        &[
            ("a.tar.gz", &gzip(&tar)),
            (
                "b.tar",
                &legacy_docker_archive(std::slice::from_ref(&other)),
            ),
        ],
        true,
    );
    let report = inspect(&write(dir.path(), "two.zip", &zip));
    assert_eq!(report.entries.len(), 2);
    assert_eq!(report.entries[0].compression, Compression::Gzip);
    assert_eq!(
        report
            .images
            .iter()
            .map(|i| i.id.clone())
            .collect::<Vec<_>>(),
        vec![image.id(), other.id()]
    );
}
