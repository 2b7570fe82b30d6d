//! Local artifacts recognised by content: zips (Deflate with data descriptors, Stored),
//! `gh run download` folders, raw image files; unsafe zip entry names refused.

mod common;

use common::fixtures::{ZipStyle, docker_archive, gzip, write_zip};
use haul::archive::Compression;
use haul::artifacts::{self, ArtifactImage, ArtifactKind, LocalArtifact};

/// Scan without touching the user's cache folder.
fn scan(dir: &std::path::Path) -> Vec<LocalArtifact> {
    artifacts::scan_with_cache(dir, None).expect("scan")
}

fn by_name<'a>(found: &'a [LocalArtifact], name: &str) -> &'a LocalArtifact {
    found
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no artifact {name:?} in {found:#?}"))
}

/// The archive engine describes the entry: one image carrying the tag the fixture wrote.
fn assert_described(image: &ArtifactImage) {
    assert_eq!(image.error, None, "{}", image.entry);
    let report = image.report.as_ref().expect("a report");
    assert_eq!(report.images.len(), 1);
    assert_eq!(image.tags(), vec![common::fixtures::TAG.to_string()]);
    assert_eq!(report.images[0].layers.len(), 1);
}

#[test]
fn deflate_zip_with_data_descriptors_lists_its_image_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = docker_archive();
    let zip = dir.path().join("image.zip");
    write_zip(
        &zip,
        &[("README.txt", b"not an image"), ("app/image.tar", &image)],
        ZipStyle::DeflateStreamed,
    );
    let bytes = std::fs::read(&zip).expect("read zip");
    assert_eq!(bytes[6] & 0x08, 0x08, "first entry uses a data descriptor");
    assert_eq!(bytes[8], 8, "first entry is Deflate");
    let found = scan(dir.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    let artifact = by_name(&found, "image");
    assert_eq!(artifact.kind, ArtifactKind::Zip);
    assert_eq!(artifact.size, std::fs::metadata(&zip).expect("meta").len());
    assert_eq!(
        artifact.images.len(),
        1,
        "README is not an image: {artifact:#?}"
    );
    let entry = &artifact.images[0];
    assert_eq!(entry.entry, "app/image.tar");
    assert_eq!(entry.path, format!("{}!app/image.tar", zip.display()));
    assert_eq!(entry.size, image.len() as u64);
    assert_eq!(entry.compression, Compression::None);
    assert_described(entry);
}

#[test]
fn stored_zip_without_extension_holding_a_gzip_image_is_recognised_by_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = gzip(&docker_archive());
    write_zip(
        &dir.path().join("artifact-download"),
        &[("image.tar.gz", &image)],
        ZipStyle::Stored,
    );
    // A file called .tar that is not a tar, and a text file: neither is an artifact.
    std::fs::write(dir.path().join("fake.tar"), b"plain text").expect("write");
    std::fs::write(dir.path().join("notes.zip"), b"not a zip either").expect("write");
    let found = artifacts::list(dir.path()).expect("list");
    assert_eq!(found.len(), 1, "{found:#?}");
    let artifact = &found[0];
    assert_eq!(
        (artifact.name.as_str(), artifact.kind),
        ("artifact-download", ArtifactKind::Zip)
    );
    assert_eq!(artifact.images[0].compression, Compression::Gzip);
    assert!(
        artifact.images[0].report.is_none(),
        "list() does not inspect"
    );
}

#[test]
fn gh_run_download_folders_are_one_artifact_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = docker_archive();
    let app = dir.path().join("app-image");
    std::fs::create_dir_all(app.join("nested")).expect("mkdir");
    std::fs::write(app.join("nested/app.tar"), &image).expect("write");
    std::fs::write(app.join("build.log"), b"log").expect("write");
    let docs = dir.path().join("coverage");
    std::fs::create_dir_all(&docs).expect("mkdir");
    std::fs::write(docs.join("index.html"), b"<html>").expect("write");
    // v8 download-artifact puts a raw artifact in a folder of its own name.
    let raw = dir.path().join("img.tar.zst");
    std::fs::create_dir_all(&raw).expect("mkdir");
    std::fs::write(
        raw.join("img.tar.zst"),
        zstd::encode_all(&image[..], 3).expect("zstd"),
    )
    .expect("write");

    let found = scan(dir.path());
    assert_eq!(found.len(), 3, "{found:#?}");
    let app = by_name(&found, "app-image");
    assert_eq!(app.kind, ArtifactKind::Folder);
    assert_eq!(app.size, image.len() as u64 + 3);
    assert_eq!(app.images.len(), 1);
    assert_eq!(app.images[0].entry, "nested/app.tar");
    assert_described(&app.images[0]);
    assert!(by_name(&found, "coverage").images.is_empty());
    let zst = by_name(&found, "img.tar.zst");
    assert_eq!(zst.images[0].compression, Compression::Zstd);
    assert_described(&zst.images[0]);
}

#[test]
fn zips_inside_folders_are_listed_by_entry_and_source_tarballs_are_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("bundle");
    std::fs::create_dir(&folder).expect("mkdir");
    let mut sources = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_ustar();
    header.set_size(4);
    header.set_cksum();
    sources
        .append_data(&mut header, "src/main.rs", &b"fn m"[..])
        .expect("append");
    let sources = sources.into_inner().expect("tar");
    write_zip(
        &folder.join("inner.zip"),
        &[("image.tar", &docker_archive()), ("sources.tar", &sources)],
        ZipStyle::DeflateStreamed,
    );
    let found = scan(dir.path());
    let bundle = by_name(&found, "bundle");
    let entries: Vec<&str> = bundle.images.iter().map(|i| i.entry.as_str()).collect();
    assert_eq!(entries, ["inner.zip!image.tar"], "{bundle:#?}");
    assert_eq!(
        bundle.images[0].path,
        format!("{}!image.tar", folder.join("inner.zip").display())
    );
    assert_described(&bundle.images[0]);
}

#[test]
fn raw_artifacts_and_files_straight_in_the_folder_are_raw() {
    let dir = tempfile::tempdir().expect("tempdir");
    let image = docker_archive();
    // Named without any hint: content decides.
    std::fs::write(dir.path().join("payload.bin"), &image).expect("write");
    let found = scan(dir.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, ArtifactKind::Raw);
    assert_eq!(found[0].name, "payload.bin");
    assert_eq!(
        found[0].images[0].path,
        dir.path().join("payload.bin").display().to_string()
    );
    assert_described(&found[0].images[0]);

    let one = artifacts::scan_path_with_cache(&dir.path().join("payload.bin"), None)
        .expect("scan_path")
        .expect("an artifact");
    assert_eq!(one.kind, ArtifactKind::Raw);
    assert!(artifacts::scan_path_with_cache(&dir.path().join("missing"), None).is_err());
}

#[test]
fn zip_entries_escaping_the_folder_are_refused_and_nothing_is_written() {
    let outer = tempfile::tempdir().expect("tempdir");
    let dir = outer.path().join("scan");
    std::fs::create_dir(&dir).expect("mkdir");
    let image = docker_archive();
    write_zip(
        &dir.join("evil.zip"),
        &[
            ("../escape.tar", &image),
            ("/abs/image.tar", &image),
            ("a/../../up.tar", &image),
            ("ok/image.tar", &image),
        ],
        ZipStyle::Stored,
    );
    let found = scan(&dir);
    let evil = by_name(&found, "evil");
    let refused: Vec<&str> = evil
        .images
        .iter()
        .filter(|i| {
            i.error
                .as_deref()
                .is_some_and(|e| e.contains("escapes the folder"))
        })
        .map(|i| i.entry.as_str())
        .collect();
    assert_eq!(
        refused,
        ["../escape.tar", "/abs/image.tar", "a/../../up.tar"]
    );
    assert!(
        evil.images
            .iter()
            .all(|i| i.entry == "ok/image.tar" || i.report.is_none())
    );
    assert!(!outer.path().join("escape.tar").exists());
    assert!(!outer.path().join("up.tar").exists());
}

#[test]
fn a_truncated_zip_is_listed_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = common::fixtures::zip_bytes(
        &[("image.tar", &docker_archive())],
        ZipStyle::DeflateStreamed,
    );
    std::fs::write(dir.path().join("partial.zip"), &bytes[..bytes.len() / 2]).expect("write");
    let found = scan(dir.path());
    let partial = by_name(&found, "partial");
    assert_eq!(partial.kind, ArtifactKind::Zip);
    let error = partial.error.as_deref().expect("an error");
    assert!(error.contains("not a complete zip"), "{error}");
}

#[test]
fn local_artifacts_serialise_to_the_documented_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_zip(
        &dir.path().join("image.zip"),
        &[("i.tar", &docker_archive())],
        ZipStyle::Stored,
    );
    let found = artifacts::list(dir.path()).expect("list");
    let json = serde_json::to_value(&found).expect("json");
    assert_eq!(json[0]["kind"], "zip");
    assert_eq!(json[0]["name"], "image");
    assert_eq!(json[0]["images"][0]["entry"], "i.tar");
    assert_eq!(json[0]["images"][0]["compression"], "none");
    assert!(json[0].get("error").is_none());
    let back: Vec<LocalArtifact> = serde_json::from_value(json).expect("round trip");
    assert_eq!(back, found);
}

#[test]
fn images_to_load_gives_entry_paths_or_says_why_there_are_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.zip");
    write_zip(
        &good,
        &[("notes.txt", b"x"), ("img.tar", &docker_archive())],
        ZipStyle::DeflateStreamed,
    );
    let scan_one = |path: &std::path::Path| {
        artifacts::scan_path_with_cache(path, None)
            .expect("scan")
            .expect("an artifact")
    };
    let artifact = scan_one(&good);
    let paths = artifact.load_paths().expect("loadable");
    assert_eq!(artifact.name, "good");
    assert_eq!(
        paths,
        [std::path::PathBuf::from(format!(
            "{}!img.tar",
            good.display()
        ))]
    );

    let evil = dir.path().join("evil.zip");
    write_zip(
        &evil,
        &[("../img.tar", &docker_archive())],
        ZipStyle::Stored,
    );
    let err = scan_one(&evil)
        .load_paths()
        .expect_err("nothing safe to load");
    assert!(
        err.to_string()
            .starts_with("artifact evil holds no image haul can load (../img.tar: refused"),
        "{err}"
    );

    let text = dir.path().join("notes.zip");
    std::fs::write(&text, b"not a zip").expect("write");
    let err = artifacts::images_to_load(&text).expect_err("not an artifact");
    assert!(
        err.to_string()
            .ends_with("neither a zip nor an image tarball, nothing to load")
    );
}
