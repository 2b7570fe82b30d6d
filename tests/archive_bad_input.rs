//! Bad input gets a clear one-line error naming the file and the problem: no panic, no hang.

mod common;

use std::path::{Path, PathBuf};

use common::archives::*;
use haul::archive;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Inspect must fail with a one-line message that names the path and contains `needle`.
fn expect_error(path: &Path, needle: &str) -> String {
    let err = archive::inspect_with_cache(path, None).expect_err("bad input must be refused");
    let text = err.to_string();
    assert!(
        text.starts_with(&path.display().to_string()),
        "error names the file: {text}"
    );
    assert!(!text.contains('\n'), "one line: {text}");
    assert!(
        text.to_lowercase().contains(&needle.to_lowercase()),
        "expected {needle:?} in {text:?}"
    );
    text
}

fn good_tar() -> Vec<u8> {
    legacy_docker_archive(&[TestImage::new("ok:1", "ok", 3)])
}

#[test]
fn empty_random_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    expect_error(&write(dir.path(), "empty.tar", b""), "empty file");
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    expect_error(
        &write(dir.path(), "random.bin", &random),
        "not an image archive",
    );
    expect_error(&dir.path().join("absent.tar"), "cannot read");
    expect_error(dir.path(), "without an OCI layout");
}

#[test]
fn truncated_tar_and_compressed_streams() {
    let dir = tempfile::tempdir().unwrap();
    let tar = good_tar();
    // Cut in the middle of the first layer body, and in the middle of a header.
    expect_error(
        &write(dir.path(), "cut-body.tar", &tar[..1500]),
        "truncated",
    );
    expect_error(
        &write(dir.path(), "cut-header.tar", &tar[..512 * 5 + 100]),
        "truncated",
    );
    let gz = gzip(&tar);
    expect_error(
        &write(dir.path(), "cut.tar.gz", &gz[..gz.len() / 2]),
        "truncated",
    );
    let zs = zstd(&tar);
    expect_error(
        &write(dir.path(), "cut.tar.zst", &zs[..zs.len() / 2]),
        "truncated",
    );
    expect_error(&write(dir.path(), "tiny.tar.zst", &zs[..6]), "truncated");
}

#[test]
fn truncated_zip() {
    let dir = tempfile::tempdir().unwrap();
    let zip = zip_of(&[("img.tar", &good_tar())], true);
    expect_error(&write(dir.path(), "cut.zip", &zip[..zip.len() - 30]), "zip");
    expect_error(
        &write(
            dir.path(),
            "text.zip",
            &zip_of(&[("a.txt", b"hello")], true),
        ),
        "holds no image",
    );
}

#[test]
fn tar_without_image_and_bad_manifest_json() {
    let dir = tempfile::tempdir().unwrap();
    let plain = TarBuilder::new().file("hello.txt", b"hi").finish();
    expect_error(&write(dir.path(), "plain.tar", &plain), "holds no image");
    let bad = TarBuilder::new()
        .file("manifest.json", b"[{\"Config\": ")
        .finish();
    let text = expect_error(&write(dir.path(), "badjson.tar", &bad), "invalid JSON");
    assert!(
        text.contains("manifest.json"),
        "names the bad metadata file: {text}"
    );
    let gz = gzip(&bad);
    expect_error(&write(dir.path(), "badjson.tar.gz", &gz), "invalid JSON");
}

#[test]
fn manifest_naming_missing_layer_or_config() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("m:1", "m", 1);
    let config_name = format!("{}.json", haul::digest::hex_part(&image.id()));
    let no_layer = TarBuilder::new()
        .file(&config_name, &image.config)
        .file(
            "manifest.json",
            format!(r#"[{{"Config":"{config_name}","Layers":["gone/layer.tar"]}}]"#).as_bytes(),
        )
        .finish();
    expect_error(
        &write(dir.path(), "nolayer.tar", &no_layer),
        "layer gone/layer.tar is named but not in the archive",
    );
    let no_config = TarBuilder::new()
        .file(
            "manifest.json",
            br#"[{"Config":"missing.json","Layers":[]}]"#,
        )
        .finish();
    expect_error(
        &write(dir.path(), "noconfig.tar", &no_config),
        "config missing.json is named",
    );
}

#[test]
fn absurd_sizes_in_headers() {
    let dir = tempfile::tempdir().unwrap();
    let mut tar = good_tar();
    // Rewrite the first header's size field to 8 GB and fix its checksum.
    tar[124..136].copy_from_slice(b"77777777777\0");
    let mut header = tar::Header::new_old();
    header.as_mut_bytes().copy_from_slice(&tar[..512]);
    header.set_cksum();
    tar[..512].copy_from_slice(header.as_bytes());
    expect_error(&write(dir.path(), "huge.tar", &tar), "past the end");
}

#[test]
fn metadata_too_large_to_be_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let big = vec![b' '; 17 * 1024 * 1024];
    let tar = TarBuilder::new().file("manifest.json", &big).finish();
    expect_error(
        &write(dir.path(), "bigmeta.tar", &tar),
        "too large for image metadata",
    );
}

#[test]
fn hostile_paths_are_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("h:1", "h", 1);
    let config_name = format!("{}.json", haul::digest::hex_part(&image.id()));
    let escape = TarBuilder::new()
        .file(&config_name, &image.config)
        .raw_name_file("../evil.tar", &image.layers[0])
        .file(
            "manifest.json",
            format!(r#"[{{"Config":"{config_name}","Layers":["../evil.tar"]}}]"#).as_bytes(),
        )
        .finish();
    expect_error(
        &write(dir.path(), "escape.tar", &escape),
        "unsafe entry name",
    );
    let link_out = TarBuilder::new()
        .file(&config_name, &image.config)
        .symlink("l/layer.tar", "../../../etc/passwd")
        .file(
            "manifest.json",
            format!(r#"[{{"Config":"{config_name}","Layers":["l/layer.tar"]}}]"#).as_bytes(),
        )
        .finish();
    expect_error(
        &write(dir.path(), "linkout.tar", &link_out),
        "unsafe entry name",
    );
    let zip = zip_of(&[("../../escape.tar", &good_tar())], true);
    expect_error(&write(dir.path(), "escape.zip", &zip), "holds no image");
    // An OCI index naming a blob by a path instead of a digest.
    let index = br#"{"manifests":[{"digest":"sha256:../../../etc/passwd","size":1}]}"#;
    let tar = TarBuilder::new()
        .file("oci-layout", b"{}")
        .file("index.json", index)
        .finish();
    expect_error(
        &write(dir.path(), "baddigest.tar", &tar),
        "not a valid digest",
    );
}

#[test]
fn symlink_loops() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("loop:1", "loop", 1);
    let config_name = format!("{}.json", haul::digest::hex_part(&image.id()));
    let tar = TarBuilder::new()
        .file(&config_name, &image.config)
        .symlink("a/layer.tar", "../b/layer.tar")
        .symlink("b/layer.tar", "../a/layer.tar")
        .file(
            "manifest.json",
            format!(r#"[{{"Config":"{config_name}","Layers":["a/layer.tar"]}}]"#).as_bytes(),
        )
        .finish();
    expect_error(&write(dir.path(), "loop.tar", &tar), "link loop at");
}

#[test]
fn oci_layout_folder_with_hostile_index() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("oci-layout"), b"{}").unwrap();
    std::fs::write(
        dir.path().join("index.json"),
        br#"{"manifests":[{"digest":"sha256:/etc/passwd"}]}"#,
    )
    .unwrap();
    expect_error(dir.path(), "not a valid digest");
    std::fs::write(dir.path().join("index.json"), b"{").unwrap();
    expect_error(dir.path(), "invalid JSON");
}

#[test]
fn layer_count_mismatch_between_manifest_and_config() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("mm:1", "mm", 2);
    let config_name = format!("{}.json", haul::digest::hex_part(&image.id()));
    let tar = TarBuilder::new()
        .file(&config_name, &image.config)
        .file("l0.tar", &image.layers[0])
        .file(
            "manifest.json",
            format!(r#"[{{"Config":"{config_name}","Layers":["l0.tar"]}}]"#).as_bytes(),
        )
        .finish();
    expect_error(&write(dir.path(), "mismatch.tar", &tar), "names 1 layers");
}
