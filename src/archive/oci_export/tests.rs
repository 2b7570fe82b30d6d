use std::collections::HashSet;
use std::io::{Read, Write};
use std::sync::atomic::AtomicU64;

use super::*;
use crate::digest::sha256_of;
use generated::full_reference;

fn layer_tar(name: &str, data: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    b.append_data(&mut h, name, data).unwrap();
    b.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn config(diffs: &[String]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
        "config": {}, "rootfs": {"type": "layers", "diff_ids": diffs},
    }))
    .unwrap()
}

fn write_tar(path: &std::path::Path, files: &[(String, Vec<u8>)]) {
    let mut b = tar::Builder::new(std::fs::File::create(path).unwrap());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    b.finish().unwrap();
}

/// A legacy docker-archive of one image with two uncompressed layers, tagged `app:1`.
fn legacy(dir: &std::path::Path) -> (std::path::PathBuf, [Vec<u8>; 2]) {
    let layers = [layer_tar("a", b"aaaa"), layer_tar("b", b"bb")];
    let diffs: Vec<String> = layers.iter().map(|l| sha256_of(l)).collect();
    let cfg = config(&diffs);
    let cfg_name = format!("{}.json", crate::digest::hex_part(&sha256_of(&cfg)));
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": cfg_name, "RepoTags": ["app:1"], "Layers": ["1/layer.tar", "2/layer.tar"],
    }]))
    .unwrap();
    let path = dir.join("legacy.tar");
    write_tar(
        &path,
        &[
            ("1/layer.tar".into(), layers[0].clone()),
            ("2/layer.tar".into(), layers[1].clone()),
            (cfg_name, cfg),
            ("manifest.json".into(), manifest),
        ],
    );
    (path, layers)
}

/// An OCI archive of one image with two gzip layers, named `team/app:2`.
fn oci(dir: &std::path::Path) -> (std::path::PathBuf, Vec<Vec<u8>>, Vec<u8>) {
    let plain = [layer_tar("a", b"aaaa"), layer_tar("b", b"bb")];
    let blobs: Vec<Vec<u8>> = plain.iter().map(|l| gzip(l)).collect();
    let diffs: Vec<String> = plain.iter().map(|l| sha256_of(l)).collect();
    let cfg = config(&diffs);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": sha256_of(&cfg), "size": cfg.len()},
        "layers": blobs.iter().map(|b| serde_json::json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": sha256_of(b), "size": b.len()})).collect::<Vec<_>>(),
    }))
    .unwrap();
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": sha256_of(&manifest), "size": manifest.len(),
            "annotations": {"io.containerd.image.name": "docker.io/team/app:2"}}],
    }))
    .unwrap();
    let blob = |b: &[u8]| (blob_name(&sha256_of(b)), b.to_vec());
    let path = dir.join("oci.tar");
    let mut files = vec![
        blob(&blobs[0]),
        blob(&blobs[1]),
        blob(&cfg),
        blob(&manifest),
    ];
    files.push(("oci-layout".into(), LAYOUT.to_vec()));
    files.push(("index.json".into(), index.clone()));
    write_tar(&path, &files);
    (path, blobs, index)
}

/// Write `plan` and read the output back: file name -> bytes.
fn written(plan: &OciPlan) -> (OciWritten, BTreeMap<String, Vec<u8>>) {
    let mut out = Vec::new();
    let done = plan.write(&mut out, &AtomicU64::new(0)).unwrap();
    assert_eq!(done.summary.written, out.len() as u64);
    let mut files = BTreeMap::new();
    for entry in tar::Archive::new(out.as_slice()).entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut body = Vec::new();
        entry.read_to_end(&mut body).unwrap();
        assert!(files.insert(name, body).is_none(), "one entry per name");
    }
    (done, files)
}

#[test]
fn a_legacy_archive_becomes_a_layout_without_the_present_layer() {
    let dir = tempfile::tempdir().unwrap();
    let (path, layers) = legacy(dir.path());
    let report = crate::archive::inspect_with_cache(&path, None).unwrap();
    assert!(!native_possible(&report));
    assert!(generated_possible(&report));
    let skip = HashSet::from([sha256_of(&layers[0])]);
    let how = OciHow::Generated { by_diff_id: false };
    let plan = OciPlan::new(report.clone(), &skip, how).unwrap();
    assert_eq!(plan.total_bytes().unwrap(), layers[1].len() as u64);
    let (done, files) = written(&plan);
    assert_eq!(done.summary.skipped_layers, 1);
    assert!(!files.contains_key(&blob_name(&sha256_of(&layers[0]))));
    assert_eq!(files[&blob_name(&sha256_of(&layers[1]))], layers[1]);
    assert_eq!(files["oci-layout"], LAYOUT);
    let target = done.targets[0].clone().unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&files[&blob_name(&target)]).unwrap();
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.docker.distribution.manifest.v2+json"
    );
    assert_eq!(manifest["config"]["digest"], report.images[0].id.as_str());
    assert_eq!(
        manifest["layers"][0]["digest"],
        sha256_of(&layers[0]).as_str()
    );
    assert_eq!(
        manifest["layers"][1]["mediaType"],
        "application/vnd.docker.image.rootfs.diff.tar"
    );
    let index: serde_json::Value = serde_json::from_slice(&files["index.json"]).unwrap();
    let entry = &index["manifests"][0];
    assert_eq!(entry["digest"], target.as_str());
    assert_eq!(
        entry["annotations"]["io.containerd.image.name"],
        "docker.io/library/app:1"
    );
    assert_eq!(
        entry["annotations"]["org.opencontainers.image.ref.name"],
        "1"
    );
}

#[test]
fn a_full_generated_layout_reads_back_as_the_same_image() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = legacy(dir.path());
    let report = crate::archive::inspect_with_cache(&path, None).unwrap();
    let how = OciHow::Generated { by_diff_id: false };
    let plan = OciPlan::new(report.clone(), &HashSet::new(), how).unwrap();
    let out_path = dir.path().join("out.tar");
    let mut out = std::fs::File::create(&out_path).unwrap();
    plan.write(&mut out, &AtomicU64::new(0)).unwrap();
    drop(out);
    let back = crate::archive::inspect_with_cache(&out_path, None).unwrap();
    assert_eq!(back.format, Format::OciArchive);
    assert_eq!(back.images[0].id, report.images[0].id);
    assert_eq!(back.images[0].diff_ids(), report.images[0].diff_ids());
    assert_eq!(back.images[0].tags, vec!["app:1".to_string()]);
}

#[test]
fn podman_rewrites_name_left_out_layers_by_diff_id() {
    let dir = tempfile::tempdir().unwrap();
    let (path, blobs, _) = oci(dir.path());
    let report = crate::archive::inspect_with_cache(&path, None).unwrap();
    let skipped_diff = report.images[0].layers[0].diff_id.clone();
    let skip = HashSet::from([skipped_diff.clone()]);
    let plan = OciPlan::new(report, &skip, OciHow::Generated { by_diff_id: true }).unwrap();
    let (done, files) = written(&plan);
    assert!(!files.contains_key(&blob_name(&sha256_of(&blobs[0]))));
    let target = done.targets[0].clone().unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&files[&blob_name(&target)]).unwrap();
    assert_eq!(manifest["layers"][0]["digest"], skipped_diff.as_str());
    assert_eq!(
        manifest["layers"][0]["mediaType"],
        "application/vnd.docker.image.rootfs.diff.tar"
    );
    assert_eq!(
        manifest["layers"][1]["mediaType"],
        "application/vnd.docker.image.rootfs.diff.tar.gzip"
    );
}

#[test]
fn the_native_way_keeps_the_archives_index_and_leaves_out_present_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let (path, blobs, index) = oci(dir.path());
    let report = crate::archive::inspect_with_cache(&path, None).unwrap();
    assert!(native_possible(&report));
    let skip = HashSet::from([report.images[0].layers[0].diff_id.clone()]);
    let plan = OciPlan::new(report.clone(), &skip, OciHow::Native).unwrap();
    let (done, files) = written(&plan);
    assert_eq!(files["index.json"], index);
    assert!(!files.contains_key(&blob_name(&sha256_of(&blobs[0]))));
    assert_eq!(files[&blob_name(&sha256_of(&blobs[1]))], blobs[1]);
    assert_eq!(done.targets, vec![report.images[0].target_digest.clone()]);
    assert_eq!(done.summary.skipped_bytes, blobs[0].len() as u64);
}

#[test]
fn references_are_qualified_like_containerd_names_them() {
    assert_eq!(full_reference("app:1", false), "docker.io/library/app:1");
    assert_eq!(full_reference("team/app:1", false), "docker.io/team/app:1");
    assert_eq!(full_reference("localhost/app:1", false), "localhost/app:1");
    assert_eq!(
        full_reference("reg.io:5000/a/b:1", false),
        "reg.io:5000/a/b:1"
    );
    assert_eq!(full_reference("team/app:1", true), "localhost/team/app:1");
    assert_eq!(full_reference("reg.io/app:1", true), "reg.io/app:1");
}

#[test]
fn index_names_are_qualified_for_the_containerd_store() {
    let index = br#"{"schemaVersion":2,"manifests":[
        {"digest":"sha256:a","annotations":{"org.opencontainers.image.ref.name":"team/app:1"}},
        {"digest":"sha256:b","annotations":{"org.opencontainers.image.ref.name":"latest"}},
        {"digest":"sha256:c","annotations":{"io.containerd.image.name":"app:2"}},
        {"digest":"sha256:d","annotations":{"io.containerd.image.name":"docker.io/library/app:3"}}]}"#;
    let out: serde_json::Value =
        serde_json::from_slice(&generated::with_containerd_names(index).unwrap()).unwrap();
    let name = |i: usize| out["manifests"][i]["annotations"]["io.containerd.image.name"].clone();
    assert_eq!(name(0), "docker.io/team/app:1");
    assert!(name(1).is_null(), "a bare tag names no image");
    assert_eq!(name(2), "docker.io/library/app:2");
    assert_eq!(name(3), "docker.io/library/app:3");
    let qualified = br#"{"manifests":[{"digest":"sha256:d","annotations":{"io.containerd.image.name":"docker.io/library/app:3"}}]}"#;
    assert_eq!(
        generated::with_containerd_names(qualified).unwrap(),
        qualified.to_vec(),
        "left byte for byte when nothing changes"
    );
}
