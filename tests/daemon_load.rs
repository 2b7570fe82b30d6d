//! `haul load` against the real daemon: round trips, compression, conversion of OCI input,
//! delta loads, bad input, cancellation.

mod common;

use std::path::{Path, PathBuf};

use common::docker::*;

fn haul_load(args: &[&str]) -> (bool, Vec<serde_json::Value>, String) {
    haul_load_in(None, args)
}

fn haul_save(args: &[&str]) {
    let out = haul().arg("save").arg("-q").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// An image of `base` + `layers`, saved with haul to `dir/<file>`.
struct Saved {
    name: String,
    id: String,
    diffs: Vec<String>,
    tar: PathBuf,
}

fn saved(test: &str, layers: &[Layer], dir: &Path, images: &mut Images) -> (String, Saved) {
    let base = small_base(test, images);
    let name = unique_name(test, "app");
    let id = build_on(&base, &name, layers, images);
    let tar = dir.join(format!("{test}.tar"));
    haul_save(&[&name, "-o", path_str(&tar)]);
    let diffs = diff_ids(&name);
    (
        base,
        Saved {
            name,
            id,
            diffs,
            tar,
        },
    )
}

#[test]
fn round_trip_save_remove_load_keeps_id_tags_and_diff_ids() {
    if !daemon_available("round_trip_save_remove_load_keeps_id_tags_and_diff_ids") {
        return;
    }
    let mut images = Images::new();
    let dir = tempfile::tempdir().unwrap();
    let (base, app) = saved(
        "load-rt",
        &[Layer::Random("r.bin", 500_000)],
        dir.path(),
        &mut images,
    );
    docker(&["rmi", &app.name, &base]);
    assert!(!exists(&app.id));
    let (ok, reports, err) = haul_load(&[path_str(&app.tar)]);
    assert!(ok, "{err}");
    let report = &reports[0];
    assert_eq!(
        report["mode"], "as-is",
        "nothing present: the file goes as is"
    );
    assert_eq!(report["loaded"][0]["name"], app.name.as_str());
    assert_eq!(report["loaded"][0]["id"], app.id.as_str());
    assert_eq!(report["sent_bytes"], report["source_bytes"]);
    assert_eq!(image_id(&app.name), app.id);
    assert_eq!(diff_ids(&app.name), app.diffs);
    assert_eq!(tags(&app.name), vec![app.name.clone()]);
    // Text output names the image like `docker load`.
    docker(&["rmi", &app.name]);
    let out = haul()
        .args(["load", "-q", path_str(&app.tar)])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.trim(),
        format!("Loaded image: {} ({})", app.name, app.id)
    );
}

#[test]
fn several_images_and_several_paths_load() {
    if !daemon_available("several_images_and_several_paths_load") {
        return;
    }
    let mut images = Images::new();
    let dir = tempfile::tempdir().unwrap();
    let base = small_base("load-multi", &mut images);
    let a = unique_name("load-multi", "a");
    let b = unique_name("load-multi", "b");
    let a_id = build_on(&base, &a, &[Layer::Random("a.bin", 40_000)], &mut images);
    let b_id = build_on(&base, &b, &[Layer::Random("b.bin", 40_000)], &mut images);
    let ab = dir.path().join("ab.tar");
    haul_save(&[&a, &b, "-o", path_str(&ab)]);
    let only_a = dir.path().join("a.tar.gz");
    haul_save(&[&a, "-o", path_str(&only_a), "--compress", "gzip"]);
    docker(&["rmi", &a, &b, &base]);
    let (ok, reports, err) = haul_load(&[path_str(&ab), path_str(&only_a)]);
    assert!(ok, "{err}");
    assert_eq!(reports.len(), 2);
    let mut loaded: Vec<(String, String)> = reports[0]["loaded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap().into(),
                l["id"].as_str().unwrap().into(),
            )
        })
        .collect();
    loaded.sort();
    let mut want = vec![(a.clone(), a_id.clone()), (b.clone(), b_id.clone())];
    want.sort();
    assert_eq!(loaded, want);
    assert_eq!(reports[1]["loaded"][0]["id"], a_id.as_str());
    assert_eq!(image_id(&a), a_id);
    assert_eq!(image_id(&b), b_id);
}

#[test]
fn gzip_as_is_and_zstd_through_conversion_where_docker_load_fails() {
    if !daemon_available("gzip_as_is_and_zstd_through_conversion_where_docker_load_fails") {
        return;
    }
    let mut images = Images::new();
    let dir = tempfile::tempdir().unwrap();
    let (base, app) = saved(
        "load-z",
        &[Layer::Random("r.bin", 300_000)],
        dir.path(),
        &mut images,
    );
    let gz = dir.path().join("app.tar.gz");
    let zst = dir.path().join("app.tar.zst");
    haul_save(&[&app.name, "-o", path_str(&gz), "--compress", "gzip"]);
    haul_save(&[&app.name, "-o", path_str(&zst), "--compress", "zstd"]);
    // zstd: Docker 20.10 refuses it, haul sends the tar inside.
    for (file, mode) in [(&gz, "as-is"), (&zst, "decompressed")] {
        docker(&["rmi", &app.name, &base]);
        let (ok, reports, err) = haul_load(&[path_str(file)]);
        assert!(ok, "{}: {err}", file.display());
        // A daemon left without any image by other tests takes the single pass (cold cache).
        let got = &reports[0]["mode"];
        assert!(
            got == mode || got == "single-pass",
            "{}: {got}",
            file.display()
        );
        assert_eq!(image_id(&app.name), app.id);
        assert_eq!(diff_ids(&app.name), app.diffs);
        docker(&["tag", &app.id, &base]); // any tag keeps rmi symmetrical
    }
    docker(&["rmi", &app.name]);
    assert!(
        !docker_ok(&["load", "-q", "-i", path_str(&zst)]),
        "Docker 20.10 refuses zstd"
    );
}

#[test]
fn delta_load_sends_only_missing_layers_and_the_image_is_whole() {
    if !daemon_available("delta_load_sends_only_missing_layers_and_the_image_is_whole") {
        return;
    }
    let mut images = Images::new();
    let dir = tempfile::tempdir().unwrap();
    let (_base, app) = saved(
        "load-delta",
        &[
            Layer::Random("big1.bin", 20_000_000),
            Layer::Random("big2.bin", 10_000_000),
            Layer::Bytes("top.txt", b"the new layer\n".to_vec()),
        ],
        dir.path(),
        &mut images,
    );
    // Keep the lower layers in the daemon through an image that shares them.
    let mid = unique_name("load-delta", "mid");
    // The classic builder keeps one parent image per step: find the one without the new layer.
    let mut parent = inspect(&app.name)["Parent"].as_str().unwrap().to_string();
    while diff_ids(&parent).len() > 3 {
        parent = inspect(&parent)["Parent"].as_str().unwrap().to_string();
    }
    assert_eq!(diff_ids(&parent), app.diffs[..3]);
    docker(&["tag", &parent, &mid]);
    images.track(&mid);
    docker(&["rmi", &app.name]);
    assert!(!exists(&app.id));
    let (ok, reports, err) = haul_load(&[path_str(&app.tar)]);
    assert!(ok, "{err}");
    let r = &reports[0];
    assert_eq!(r["mode"], "delta", "{r}");
    assert_eq!(r["skipped_layers"], 3, "{r}");
    let sent = r["sent_bytes"].as_u64().unwrap();
    let source = r["source_bytes"].as_u64().unwrap();
    assert!(sent * 100 < source, "sent {sent} of {source}");
    assert!(r["skipped_bytes"].as_u64().unwrap() > 30_000_000);
    assert_eq!(image_id(&app.name), app.id);
    assert_eq!(diff_ids(&app.name), app.diffs);
    // The image is whole: a container's filesystem has the files of the base and of every layer.
    let container = docker(&["create", &app.name]);
    let export = std::process::Command::new("docker")
        .args(["export", &container])
        .output()
        .unwrap();
    docker(&["rm", &container]);
    assert!(export.status.success());
    let mut names = Vec::new();
    let mut archive = tar::Archive::new(&export.stdout[..]);
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        names.push((entry.path().unwrap().display().to_string(), entry.size()));
    }
    for (file, size) in [
        ("etc/hello.txt", 6),
        ("data/big1.bin", 20_000_000),
        ("data/big2.bin", 10_000_000),
        ("data/top.txt", 14),
    ] {
        assert!(
            names.contains(&(file.to_string(), size)),
            "{file} missing: {names:?}"
        );
    }
    // --full sends everything.
    docker(&["rmi", &app.name]);
    let (ok, reports, err) = haul_load(&["--full", path_str(&app.tar)]);
    assert!(ok, "{err}");
    assert_eq!(reports[0]["mode"], "as-is");
    assert_eq!(reports[0]["sent_bytes"], reports[0]["source_bytes"]);
    assert_eq!(image_id(&app.name), app.id);
}

#[test]
fn a_bad_tarball_is_a_clear_error_and_changes_nothing() {
    if !daemon_available("a_bad_tarball_is_a_clear_error_and_changes_nothing") {
        return;
    }
    let mut images = Images::new();
    let dir = tempfile::tempdir().unwrap();
    let (base, app) = saved(
        "load-bad",
        &[Layer::Random("r.bin", 2_000_000)],
        dir.path(),
        &mut images,
    );
    docker(&["rmi", &app.name, &base]);
    let before = all_image_ids();

    let not_image = dir.path().join("notes.txt");
    std::fs::write(&not_image, "just some text, not a tarball\n").unwrap();
    let (ok, _, err) = haul_load(&[path_str(&not_image)]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("notes.txt"),
        "{err}"
    );

    // Same size, one layer's bytes changed: the listing is fine, the daemon's digest check is not.
    let mut bytes = std::fs::read(&app.tar).unwrap();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 4096] {
        *b ^= 0x5a;
    }
    let corrupt = dir.path().join("corrupt.tar");
    std::fs::write(&corrupt, &bytes).unwrap();
    let (ok, _, err) = haul_load(&[path_str(&corrupt)]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");

    // Truncated in the middle of a layer.
    let truncated = dir.path().join("truncated.tar");
    std::fs::write(&truncated, &std::fs::read(&app.tar).unwrap()[..middle]).unwrap();
    let (ok, _, err) = haul_load(&[path_str(&truncated)]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");

    assert!(!exists(&app.name) && !exists(&app.id));
    let after = all_image_ids();
    let new: Vec<&String> = after.iter().filter(|id| !before.contains(id)).collect();
    // Other tests run at the same time; none of theirs has this test's layers.
    for id in new {
        // An image another test created and removed since the listing has nothing to check.
        let Some(layers) = diff_ids_if_present(id) else {
            continue;
        };
        assert!(!layers.contains(&app.diffs[1]), "half-loaded image {id}");
    }
}

#[test]
fn oci_archive_and_layout_from_skopeo_load_through_conversion() {
    if !daemon_available("oci_archive_and_layout_from_skopeo_load_through_conversion") {
        return;
    }
    if !docker_skopeo_available() {
        return;
    }
    let mut images = Images::new();
    let dir = tempfile::tempdir().unwrap();
    let (base, app) = saved(
        "load-oci",
        &[Layer::Random("r.bin", 300_000)],
        dir.path(),
        &mut images,
    );
    let oci_tar = dir.path().join("app.oci.tar");
    let layout = dir.path().join("layout");
    let source = format!("docker-archive:{}", app.tar.display());
    for dest in [
        format!("oci-archive:{}:{}", oci_tar.display(), app.name),
        format!("oci:{}:{}", layout.display(), app.name),
    ] {
        let out = std::process::Command::new("skopeo")
            .args(["copy", "--quiet", &source, &dest])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "skopeo: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        !docker_ok(&["load", "-q", "-i", path_str(&oci_tar)]),
        "Docker 20.10 refuses OCI archives"
    );
    for path in [&oci_tar, &layout] {
        docker(&["rmi", &app.name, &base]);
        // skopeo rewrites the config in OCI form: the image ID is that config's digest.
        let oci = haul::archive::inspect(path).unwrap();
        let oci_id = oci.images[0].id.clone();
        assert_ne!(oci_id, app.id);
        let (ok, reports, err) = haul_load(&[path_str(path)]);
        assert!(ok, "{}: {err}", path.display());
        assert_eq!(reports[0]["mode"], "converted", "{}", reports[0]);
        assert_eq!(
            reports[0]["loaded"][0]["id"],
            oci_id.as_str(),
            "{}",
            reports[0]
        );
        assert_eq!(diff_ids(&oci_id), app.diffs, "same layers");
        images.track(&oci_id);
        docker(&["tag", &oci_id, &app.name]);
        docker(&["tag", &oci_id, &base]);
    }
}

fn docker_skopeo_available() -> bool {
    let ok = std::process::Command::new("skopeo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but skopeo is missing"
        );
        eprintln!("note: skopeo is not installed; OCI load test skipped");
    }
    ok
}

#[test]
fn an_artifact_zip_and_one_entry_of_it_load() {
    if !daemon_available("an_artifact_zip_and_one_entry_of_it_load") {
        return;
    }
    let mut images = Images::new();
    let dir = tempfile::tempdir().unwrap();
    let (base, app) = saved(
        "load-zip",
        &[Layer::Random("r.bin", 400_000)],
        dir.path(),
        &mut images,
    );
    let tar = std::fs::read(&app.tar).unwrap();
    let zip_path = dir.path().join("artifact.zip");
    std::fs::write(
        &zip_path,
        common::archives::zip_of(&[("image.tar", &tar), ("README.txt", b"notes")], true),
    )
    .unwrap();
    let entry = format!("{}!image.tar", zip_path.display());
    for path in [path_str(&zip_path), entry.as_str()] {
        docker(&["rmi", &app.name, &base]);
        let (ok, reports, err) = haul_load(&[path]);
        assert!(ok, "{path}: {err}");
        // Single pass when the cache is cold and the daemon holds no image at all (other
        // tests may have emptied it); else listed, then the entry's tar sent decompressed.
        let mode = &reports[0]["mode"];
        assert!(mode == "decompressed" || mode == "single-pass", "{mode}");
        assert_eq!(reports[0]["loaded"][0]["name"], app.name.as_str());
        assert_eq!(image_id(&app.name), app.id);
        assert_eq!(diff_ids(&app.name), app.diffs);
        docker(&["tag", &app.id, &base]);
    }
}
