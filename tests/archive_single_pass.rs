//! The single pass of the archive engine: a compressed tar or a deflated zip entry is
//! decompressed once, its tar passed on byte for byte, its listing returned and cached.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use common::archives::*;
use haul::archive::{self, Problem, StreamedSource};

fn image() -> TestImage {
    let layers = vec![
        layer_tar(&[("big.bin", &noise(1_500_000, 7))]),
        layer_tar(&[("small.txt", b"hello")]),
    ];
    TestImage::with_layers(&["single/app:1"], layers, "amd64")
}

fn cache_entries(cache: &Path) -> usize {
    std::fs::read_dir(cache.join("inspect")).map_or(0, |d| d.count())
}

/// Every streamed flavour of the same docker-archive: (path to load, the tar inside).
fn sources(dir: &Path, tar: &[u8]) -> Vec<PathBuf> {
    let write = |name: &str, bytes: Vec<u8>| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let deflated = write(
        "artifact.zip",
        zip_of(&[("README.txt", b"notes"), ("image.tar", tar)], true),
    );
    vec![
        write("img.tar.gz", gzip(tar)),
        write("img.tar.zst", zstd(tar)),
        deflated.clone(),
        PathBuf::from(format!("{}!image.tar", deflated.display())),
        write(
            "stored-gz.zip",
            zip_of(&[("img.tar.gz", &gzip(tar))], false),
        ),
    ]
}

#[test]
fn the_tar_passes_unchanged_and_the_listing_is_inspects_and_is_cached() {
    let dir = tempfile::tempdir().unwrap();
    let tar = legacy_docker_archive(&[image()]);
    for path in sources(dir.path(), &tar) {
        let cache = tempfile::tempdir().unwrap();
        let source = StreamedSource::open(&path)
            .unwrap()
            .expect("a streamed source");
        assert!(!source.is_cached(Some(cache.path())));
        let mut out = Vec::new();
        let read = AtomicU64::new(0);
        let report = source
            .send_and_inspect(&mut out, &read, Some(cache.path()))
            .unwrap();
        assert!(out == tar, "{}: the tar went out unchanged", path.display());
        assert_eq!(
            read.load(Ordering::Relaxed),
            source.total(),
            "{}",
            path.display()
        );
        assert_eq!(
            report,
            archive::inspect_with_cache(&path, None).unwrap(),
            "{}",
            path.display()
        );
        assert_eq!(report.images[0].id, image().id());
        assert!(archive::daemon_accepts_decompressed(&report));
        // Cached: the next inspect reads the cache, not the file.
        assert_eq!(cache_entries(cache.path()), 1, "{}", path.display());
        assert!(source.is_cached(Some(cache.path())));
        assert_eq!(
            archive::inspect_with_cache(&path, Some(cache.path())).unwrap(),
            report
        );
        assert_eq!(cache_entries(cache.path()), 1);
    }
}

#[test]
fn seekable_sources_and_several_images_are_not_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let tar = legacy_docker_archive(&[image()]);
    let plain = dir.path().join("img.tar");
    std::fs::write(&plain, &tar).unwrap();
    let stored = dir.path().join("stored.zip");
    std::fs::write(&stored, zip_of(&[("image.tar", &tar)], false)).unwrap();
    let two = dir.path().join("two.zip");
    std::fs::write(&two, zip_of(&[("a.tar", &tar), ("b.tar", &tar)], true)).unwrap();
    let layout = dir.path().join("layout");
    write_layout_dir(
        &layout,
        &oci_layout_files(&[image()], &OciOptions::default()),
    );
    for path in [&plain, &stored, &two, &layout] {
        assert!(
            StreamedSource::open(path).unwrap().is_none(),
            "{}",
            path.display()
        );
    }
    // One entry of the two-image zip is a single source again.
    let entry = PathBuf::from(format!("{}!b.tar", two.display()));
    assert!(StreamedSource::open(&entry).unwrap().is_some());
    let err =
        archive::send_decompressed_and_inspect(&plain, &mut Vec::new(), &AtomicU64::new(0), None)
            .unwrap_err();
    assert!(err.to_string().starts_with(&plain.display().to_string()));
}

#[test]
fn an_oci_archive_and_zstd_layers_are_reported_as_needing_conversion() {
    let oci = tar_of(&oci_layout_files(&[image()], &OciOptions::default()));
    let zstd_layers = tar_of(&oci_layout_files(
        &[image()],
        &OciOptions {
            layer_blobs: Blob::Zstd,
            docker_manifest: true,
            ..Default::default()
        },
    ));
    let dir = tempfile::tempdir().unwrap();
    for (name, tar) in [("oci.tar.gz", oci), ("zstd-layers.tar.gz", zstd_layers)] {
        let path = dir.path().join(name);
        std::fs::write(&path, gzip(&tar)).unwrap();
        let mut out = Vec::new();
        let report =
            archive::send_decompressed_and_inspect(&path, &mut out, &AtomicU64::new(0), None)
                .unwrap();
        assert!(out == tar);
        assert!(!archive::daemon_accepts_decompressed(&report), "{name}");
    }
}

/// A writer that fails after `left` bytes, like an upload the daemon stopped reading.
struct Stops {
    left: usize,
}

impl Write for Stops {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.left < buf.len() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the upload was stopped",
            ));
        }
        self.left -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_stopped_output_and_a_truncated_source_are_one_line_errors_and_cache_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let tar = legacy_docker_archive(&[image()]);
    let gz = dir.path().join("img.tar.gz");
    let bytes = gzip(&tar);
    std::fs::write(&gz, &bytes).unwrap();
    let err = archive::send_decompressed_and_inspect(
        &gz,
        &mut Stops { left: 100_000 },
        &AtomicU64::new(0),
        Some(cache.path()),
    )
    .unwrap_err();
    assert!(matches!(err.problem, Problem::Output(_)), "{err}");

    let cut = dir.path().join("cut.tar.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let zip = dir.path().join("cut.zip");
    // Damaged inside the entry's data, the central directory intact.
    let mut damaged = zip_of(&[("image.tar", &tar)], true);
    let middle = damaged.len() / 2;
    for b in &mut damaged[middle..middle + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(&zip, damaged).unwrap();
    for path in [&cut, &zip] {
        let err = archive::send_decompressed_and_inspect(
            path,
            &mut std::io::sink(),
            &AtomicU64::new(0),
            Some(cache.path()),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&*path.file_name().unwrap().to_string_lossy()),
            "{err}"
        );
    }
    assert_eq!(cache_entries(cache.path()), 0);
}
