//! Digests verified while streaming: a config, manifest or layer stored under a digest its bytes
//! do not have is one error naming the blob, in inspect, in conversions and in loads.
//! Also: index cycles and GNU sparse entries get their own words.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use common::archives::*;
use haul::archive;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn image() -> TestImage {
    TestImage::new("digest/app:1", "digest", 2)
}

/// The OCI layout files with the blob `which` (of the given digest) replaced by other bytes.
fn tampered(which: &str, opts: &OciOptions) -> (Vec<(String, Vec<u8>)>, String) {
    let mut files = oci_layout_files(&[image()], opts);
    let at = files
        .iter()
        .position(|(p, _)| p.ends_with(haul::digest::hex_part(which)))
        .expect("the blob");
    // Same length, different bytes: only the digest can tell.
    let bytes = &mut files[at].1;
    let last = bytes.len() - 1;
    bytes[last] ^= 0x20;
    let path = files[at].0.clone();
    (files, path)
}

fn convert(path: &Path) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    archive::write_docker_archive(path, &HashSet::new(), &mut out, &AtomicU64::new(0))
        .map(|_| out)
        .map_err(|e| e.to_string())
}

fn assert_mismatch(text: &str, blob: &str) {
    assert!(text.contains("digest mismatch"), "{text}");
    assert!(text.contains(blob), "names the blob {blob}: {text}");
    assert!(!text.contains('\n'), "{text}");
}

#[test]
fn a_config_stored_under_another_digest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // The config gains a trailing space: still valid JSON, another digest.
    let blob = format!("blobs/sha256/{}", haul::digest::hex_part(&image().id()));
    let mut files = oci_layout_files(&[image()], &OciOptions::default());
    let config = files.iter_mut().find(|(p, _)| *p == blob).unwrap();
    config.1.push(b' ');
    let path = write(dir.path(), "config.tar", &tar_of(&files));
    let err = archive::inspect_with_cache(&path, None)
        .unwrap_err()
        .to_string();
    assert_mismatch(&err, &blob);
    // Legacy docker-archive: the config is named `<its sha256>.json`.
    let mut legacy = TarBuilder::new();
    let image = image();
    let config_name = format!("{}.json", haul::digest::hex_part(&image.id()));
    legacy.file(
        &config_name,
        &[image.config.clone(), b" ".to_vec()].concat(),
    );
    legacy.file(
        "manifest.json",
        format!(r#"[{{"Config":"{config_name}","Layers":[]}}]"#).as_bytes(),
    );
    let path = write(dir.path(), "legacy.tar", &legacy.finish());
    let err = archive::inspect_with_cache(&path, None)
        .unwrap_err()
        .to_string();
    assert_mismatch(&err, &config_name);
}

#[test]
fn a_manifest_stored_under_another_digest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let files = oci_layout_files(&[image()], &OciOptions::default());
    let index: serde_json::Value =
        serde_json::from_slice(&files.iter().find(|(p, _)| p == "index.json").unwrap().1).unwrap();
    let manifest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let mut files = files;
    let m = files
        .iter_mut()
        .find(|(p, _)| p.ends_with(haul::digest::hex_part(&manifest)))
        .unwrap();
    m.1.push(b'\n');
    let path = write(dir.path(), "manifest.tar.gz", &gzip(&tar_of(&files)));
    let err = archive::inspect_with_cache(&path, None)
        .unwrap_err()
        .to_string();
    assert_mismatch(&err, haul::digest::hex_part(&manifest));
}

#[test]
fn a_tampered_layer_fails_conversion_and_the_streamed_pass() {
    let dir = tempfile::tempdir().unwrap();
    for blobs in [Blob::Plain, Blob::Gzip, Blob::Zstd] {
        let opts = OciOptions {
            layer_blobs: blobs,
            ..OciOptions::default()
        };
        let files = oci_layout_files(&[image()], &opts);
        // The first layer blob, whatever its compression.
        let manifest_layers: Vec<String> = files
            .iter()
            .filter_map(|(_, b)| serde_json::from_slice::<serde_json::Value>(b).ok())
            .filter_map(|v| v["layers"][0]["digest"].as_str().map(String::from))
            .collect();
        let (files, blob) = tampered(&manifest_layers[0], &opts);
        // Plain tar: listing reads no layer byte, the conversion (a load) does and refuses.
        let plain = write(dir.path(), "layer.tar", &tar_of(&files));
        archive::inspect_with_cache(&plain, None).expect("listing reads no layer bytes");
        assert_mismatch(&convert(&plain).unwrap_err(), &blob);
        // Compressed tar: the one streaming pass hashes every blob as it goes by.
        let gz = write(dir.path(), "layer.tar.gz", &gzip(&tar_of(&files)));
        assert_mismatch(
            &archive::inspect_with_cache(&gz, None)
                .unwrap_err()
                .to_string(),
            &blob,
        );
        // A layout folder converts blob by blob, checked too.
        let folder = dir.path().join("layout");
        let _ = std::fs::remove_dir_all(&folder);
        write_layout_dir(&folder, &files);
        assert_mismatch(&convert(&folder).unwrap_err(), &blob);
    }
}

#[test]
fn untouched_archives_still_convert() {
    let dir = tempfile::tempdir().unwrap();
    let files = oci_layout_files(&[image()], &OciOptions::default());
    for (name, bytes) in [
        ("ok.tar", tar_of(&files)),
        ("ok.tar.gz", gzip(&tar_of(&files))),
        ("legacy.tar", legacy_docker_archive(&[image()])),
    ] {
        let path = write(dir.path(), name, &bytes);
        archive::inspect_with_cache(&path, None).expect(name);
        convert(&path).expect(name);
    }
}

#[test]
fn an_index_cycle_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    // An index naming itself: no content can hash to a digest it contains, so a cycle always
    // comes with a blob stored under a wrong name; the cycle is what is reported.
    let zero = format!("sha256:{}", "0".repeat(64));
    let ring = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{zero}","size":1}}]}}"#
    );
    let mut tar = TarBuilder::new();
    tar.file(&format!("blobs/sha256/{}", "0".repeat(64)), ring.as_bytes());
    tar.file("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
    tar.file("index.json", ring.as_bytes());
    let path = write(dir.path(), "cycle.tar", &tar.finish());
    let err = archive::inspect_with_cache(&path, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("image index cycle"), "{err}");
    assert!(!err.contains("no manifest.json or index.json"), "{err}");
}

fn sparse_header(name: &str, stored: u64, real: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::GNUSparse);
    header.set_path(name).unwrap();
    header.set_size(stored);
    header.set_mode(0o644);
    let gnu = header.as_gnu_mut().unwrap();
    let octal = |n: u64, out: &mut [u8]| {
        let text = format!("{n:0width$o}", width = out.len() - 1);
        out[..text.len()].copy_from_slice(text.as_bytes());
    };
    octal(real, &mut gnu.realsize);
    octal(0, &mut gnu.sparse[0].offset);
    octal(stored, &mut gnu.sparse[0].numbytes);
    // The map ends with a hole up to the real size: (real, 0).
    octal(real, &mut gnu.sparse[1].offset);
    octal(0, &mut gnu.sparse[1].numbytes);
    header.set_cksum();
    header
}

#[test]
fn gnu_sparse_entries_are_named_not_called_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let image = image();
    let legacy = legacy_docker_archive(std::slice::from_ref(&image));
    // A sparse file beside the image: skipped, the image inspects.
    let mut builder = tar::Builder::new(Vec::new());
    let mut src = tar::Archive::new(&legacy[..]);
    for entry in src.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if name == "manifest.json" {
            let header = sparse_header("disk.img", 512, 1 << 30);
            builder.append(&header, &[0u8; 512][..]).unwrap();
        }
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        let mut header = entry.header().clone();
        builder.append_data(&mut header, &name, &data[..]).unwrap();
    }
    let bytes = builder.into_inner().unwrap();
    let path = write(dir.path(), "sparse-beside.tar", &bytes);
    archive::inspect_with_cache(&path, None).expect("a sparse file beside the image");
    // A manifest naming the sparse entry as its config: the error says what it is.
    let mut builder = tar::Builder::new(Vec::new());
    builder
        .append(&sparse_header("cfg.json", 512, 1 << 30), &[b' '; 512][..])
        .unwrap();
    let manifest = br#"[{"Config":"cfg.json","Layers":[]}]"#;
    let mut header = tar::Header::new_gnu();
    header.set_size(manifest.len() as u64);
    header.set_cksum();
    builder
        .append_data(&mut header, "manifest.json", &manifest[..])
        .unwrap();
    let path = write(
        dir.path(),
        "sparse-config.tar",
        &builder.into_inner().unwrap(),
    );
    let err = archive::inspect_with_cache(&path, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("GNU sparse"), "{err}");
    assert!(!err.contains("truncated"), "{err}");
}

#[test]
fn a_tampered_layer_is_not_loaded() {
    use common::docker::{Images, daemon_available, exists, haul_load_in, unique_name};
    if !daemon_available("a_tampered_layer_is_not_loaded") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tag = unique_name("harden-digest", "1");
    let mut images = Images::new();
    images.track(&tag);
    let image = TestImage::new(&tag, &tag, 2);
    let mut files = oci_layout_files(std::slice::from_ref(&image), &OciOptions::default());
    let layer = files
        .iter()
        .filter_map(|(_, b)| serde_json::from_slice::<serde_json::Value>(b).ok())
        .find_map(|v| v["layers"][1]["digest"].as_str().map(String::from))
        .unwrap();
    let blob = files
        .iter_mut()
        .find(|(p, _)| p.ends_with(haul::digest::hex_part(&layer)))
        .unwrap();
    let last = blob.1.len() - 1;
    blob.1[last] ^= 1;
    let path = write(dir.path(), "tampered.tar", &tar_of(&files));
    let (ok, _, stderr) = haul_load_in(None, &[path.to_str().unwrap()]);
    assert!(!ok, "a tampered archive must not load");
    let last_line = stderr.lines().last().unwrap_or("");
    assert!(last_line.starts_with("error: "), "{stderr}");
    assert_mismatch(last_line, haul::digest::hex_part(&layer));
    assert!(!exists(&tag), "nothing loaded");
}

/// A legacy docker-archive names its uncompressed layers by path (`<id>/layer.tar`), not by
/// digest: the contents analysis checks each against its diff ID, whether it seeks (plain tar)
/// or streams (gzip), in the pass that scans it.
#[test]
fn a_tampered_legacy_layer_fails_the_contents_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let mut img = image();
    // Same size, other bytes: the config still names the original diff ID.
    let original = img.layers[1].len();
    img.layers[1] = layer_tar(&[("file1", b"digest-X" as &[u8])]);
    assert_eq!(img.layers[1].len(), original);
    let tar = legacy_docker_archive(&[img]);
    let plain = write(dir.path(), "legacy.tar", &tar);
    let gz = write(dir.path(), "legacy.tar.gz", &gzip(&tar));
    let clean = legacy_docker_archive(&[image()]);
    let clean = write(dir.path(), "clean.tar.gz", &gzip(&clean));
    for path in [&plain, &gz] {
        let out = common::docker::haul()
            .args(["waste", "--no-cache"])
            .arg(path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{}: {stderr}", path.display());
        assert_mismatch(stderr.trim_end(), "layer.tar");
    }
    let out = common::docker::haul()
        .args(["waste", "--no-cache"])
        .arg(&clean)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
