//! One probe, one name policy: artifact zips with logs and SBOMs beside the image, absolute
//! entry names, truncated, encrypted and overlapping zips, layers shared between entries.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::archives::*;
use common::hostile::{mark_encrypted, overlapping_zip, plain_zip};
use haul::archive;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn image_tar(tag: &str) -> Vec<u8> {
    legacy_docker_archive(&[TestImage::new(tag, tag, 2)])
}

/// A source tarball: a tar.gz of files, no image.
fn source_tarball() -> Vec<u8> {
    gzip(
        &TarBuilder::new()
            .file("src/main.rs", b"fn main() {}")
            .finish(),
    )
}

/// What CI artifacts look like: the image beside a log, an SBOM and the sources.
fn ci_artifact(deflate: bool) -> Vec<u8> {
    let log = gzip(br#"{"step":"build","ok":true}"#);
    let sbom = br#"{"spdxVersion":"SPDX-2.3","packages":[]}"#;
    let sources = source_tarball();
    let image = image_tar("ci/app:1");
    zip_of(
        &[
            ("build-log.json.gz", &log),
            ("sbom.spdx.json", sbom),
            ("sources.tar.gz", &sources),
            ("image.tar", &image),
        ],
        deflate,
    )
}

#[test]
fn an_artifact_zip_with_logs_and_sboms_beside_the_image_inspects() {
    let dir = tempfile::tempdir().unwrap();
    for deflate in [false, true] {
        let path = write(
            dir.path(),
            &format!("ci-{deflate}.zip"),
            &ci_artifact(deflate),
        );
        let report = archive::inspect_with_cache(&path, None).expect("inspects");
        assert_eq!(report.images.len(), 1);
        assert_eq!(report.images[0].tags, ["ci/app:1"]);
        assert_eq!(report.entry.as_deref(), Some("image.tar"));
        let skipped: Vec<&str> = report.skipped.iter().map(|s| s.entry.as_str()).collect();
        assert_eq!(
            skipped,
            ["build-log.json.gz", "sbom.spdx.json", "sources.tar.gz"]
        );
        assert!(report.skipped[0].reason.contains("gzip data, not a tar"));
        assert!(report.skipped[2].reason.contains("holds no image"));
        // The CLI says the same, in one line per skipped entry, and succeeds.
        let out = assert_cmd::Command::cargo_bin("haul")
            .unwrap()
            .env("HAUL_CACHE_DIR", dir.path().join("cache"))
            .args(["inspect"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("skipped sources.tar.gz"), "{stdout}");
    }
}

#[test]
fn artifacts_and_the_tui_scan_use_the_same_probe() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "ci.zip", &ci_artifact(true));
    let artifact = haul::artifacts::scan_path_with_cache(&path, None)
        .unwrap()
        .unwrap();
    assert_eq!(artifact.loadable().len(), 1);
    assert_eq!(artifact.skipped.len(), 3, "{:?}", artifact.skipped);
    assert_eq!(
        haul::tui::scan::sniff(&path),
        Some(haul::tui::state::FileKind::Artifact)
    );
    // A zip of logs only is no artifact of images for the TUI.
    let logs = write(dir.path(), "logs.zip", &zip_of(&[("a.log", b"x")], true));
    assert_eq!(haul::tui::scan::sniff(&logs), None);
}

#[test]
fn absolute_and_climbing_entry_names_are_refused_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let image = image_tar("ok/app:1");
    let bytes = plain_zip(
        &[
            ("/tmp/evil.tar", &image),
            ("..\\up.tar", &image),
            ("C:/win.tar", &image),
            ("ok.tar", &image),
        ],
        false,
    );
    let path = write(dir.path(), "evil.zip", &bytes);
    let report = archive::inspect_with_cache(&path, None).expect("the safe entry inspects");
    assert_eq!(report.entry.as_deref(), Some("ok.tar"));
    let refused: Vec<(&str, &str)> = report
        .skipped
        .iter()
        .map(|s| (s.entry.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(refused[0].1.contains("absolute path"), "{refused:?}");
    assert!(refused[1].1.contains("backslash"), "{refused:?}");
    assert!(refused[2].1.contains("drive letter"), "{refused:?}");
    // Naming the entry directly is refused too, and so is loading it.
    let named = PathBuf::from(format!("{}!/tmp/evil.tar", path.display()));
    let err = archive::inspect_with_cache(&named, None).unwrap_err();
    assert!(err.to_string().contains("refused"), "{err}");
    let err = archive::load_total(&named, &Default::default()).unwrap_err();
    assert!(err.to_string().contains("refused"), "{err}");
    let artifact = haul::artifacts::scan_path_with_cache(&path, None)
        .unwrap()
        .unwrap();
    assert_eq!(artifact.loadable().len(), 1);
}

#[test]
fn truncated_and_encrypted_zips_are_artifacts_with_their_error() {
    let dir = tempfile::tempdir().unwrap();
    let zip = zip_of(&[("image.tar", &image_tar("t/app:1"))], true);
    let cut = write(dir.path(), "cut.zip", &zip[..zip.len() - 40]);
    let locked = write(
        dir.path(),
        "locked.zip",
        &mark_encrypted(plain_zip(&[("image.tar", &image_tar("e/app:1"))], true)),
    );
    for (path, needle) in [(&cut, "not a complete zip"), (&locked, "encrypted")] {
        assert_eq!(
            haul::tui::scan::sniff(path),
            Some(haul::tui::state::FileKind::Artifact),
            "{needle}"
        );
        let err = archive::inspect_with_cache(path, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{err}");
        assert!(!err.contains('\n'));
    }
    let artifact = haul::artifacts::scan_path_with_cache(&locked, None)
        .unwrap()
        .unwrap();
    assert!(
        artifact.images[0]
            .error
            .as_deref()
            .unwrap()
            .contains("encrypted")
    );
}

#[test]
fn overlapping_entries_are_refused_quickly_and_write_no_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    // A large image tar, so that decompressing it once per entry would take long.
    let big = legacy_docker_archive(&[TestImage::with_layers(
        &["big/app:1"],
        vec![layer_tar(&[("blob", &vec![7u8; 8 << 20])])],
        "amd64",
    )]);
    let path = write(dir.path(), "bomb.zip", &overlapping_zip(&big, 5000));
    let started = Instant::now();
    let err = archive::inspect_with_cache(&path, Some(cache.path())).unwrap_err();
    assert!(err.to_string().contains("share compressed bytes"), "{err}");
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    assert_eq!(
        haul::tui::scan::sniff(&path),
        Some(haul::tui::state::FileKind::Artifact)
    );
    let cached = std::fs::read_dir(cache.path())
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(cached, 0, "nothing cached for a refused zip");
    let mut cmd = common::docker::haul();
    cmd.arg("inspect").arg(&path);
    let (ok, stderr, kb) = common::hostile::peak_kb(cmd);
    assert!(!ok && stderr.contains("share compressed bytes"), "{stderr}");
    eprintln!(
        "peak RSS: inspect of a 5,000-entry overlapping zip: {} MB",
        kb / 1024
    );
    assert!(kb < 64 * 1024, "{kb} KiB");
}

#[test]
fn a_zip_directory_too_big_to_hold_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // 60,000 entries with 200-character names: past the directory bounds.
    let path = dir.path().join("many.zip");
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..60_000 {
        zip.start_file(format!("{i:06}-{}", "n".repeat(193)), opts)
            .unwrap();
    }
    zip.finish().unwrap();
    let err = archive::inspect_with_cache(&path, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than haul reads"), "{err}");
    let mut cmd = common::docker::haul();
    cmd.arg("inspect").arg(&path);
    let (ok, _, kb) = common::hostile::peak_kb(cmd);
    assert!(!ok);
    eprintln!("peak RSS: inspect of a 60,000-entry zip: {} MB", kb / 1024);
    assert!(kb < 64 * 1024, "{kb} KiB");
}

#[test]
fn a_layer_shared_by_two_entries_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let shared = layer_tar(&[("base", b"shared base layer")]);
    let a = TestImage::with_layers(
        &["a/app:1"],
        vec![shared.clone(), layer_tar(&[("a", b"a")])],
        "amd64",
    );
    let b = TestImage::with_layers(
        &["b/app:1"],
        vec![shared, layer_tar(&[("b", b"b")])],
        "amd64",
    );
    let zip = zip_of(
        &[
            ("a.tar", &legacy_docker_archive(&[a])),
            ("b.tar", &legacy_docker_archive(&[b])),
        ],
        true,
    );
    let report = archive::inspect_with_cache(&write(dir.path(), "two.zip", &zip), None).unwrap();
    assert_eq!(report.images.len(), 2);
    assert_eq!(report.layer_count, 3);
    let sizes: u64 = report.entries.iter().map(|e| e.layers_size).sum();
    assert!(report.layers_size < sizes, "shared bytes counted once");
}

#[test]
fn an_artifact_zip_with_logs_beside_the_image_loads_from_the_cli_and_the_tui_paths() {
    use common::docker::{Images, daemon_available, haul_load_in, image_id, unique_name};
    if !daemon_available("an_artifact_zip_with_logs_loads") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut images = Images::new();
    for deflate in [false, true] {
        let tag = unique_name("harden-probe-load", "1.0");
        images.track(&tag);
        let image = TestImage::new(&tag, &tag, 2);
        let log = gzip(b"build log");
        let sources = source_tarball();
        let zip = zip_of(
            &[
                ("build-log.json.gz", &log),
                ("sources.tar.gz", &sources),
                (
                    "image.tar",
                    &legacy_docker_archive(std::slice::from_ref(&image)),
                ),
            ],
            deflate,
        );
        let path = write(dir.path(), &format!("ci-{deflate}.zip"), &zip);
        let (ok, reports, stderr) = haul_load_in(None, &[path.to_str().unwrap()]);
        assert!(ok, "{stderr}");
        assert_eq!(reports.len(), 1);
        assert_eq!(image_id(&tag), image.id());
        // The TUI's `l` on an Artifacts row loads what artifacts::images_to_load gives.
        let (_, paths) = haul::artifacts::images_to_load(&path).unwrap();
        assert_eq!(paths.len(), 1);
        assert!(paths[0].to_string_lossy().ends_with("!image.tar"));
        let (ok, _, stderr) = haul_load_in(None, &["--full", paths[0].to_str().unwrap()]);
        assert!(ok, "{stderr}");
    }
}
