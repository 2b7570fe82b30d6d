//! `haul save` against the real daemon: content, several images, compression, failures, cancel.

mod common;

use std::io::Read;
use std::path::Path;

use common::docker::*;

/// manifest.json of a (possibly compressed) docker-archive: [(RepoTags, Config)].
fn manifest(path: &Path) -> Vec<serde_json::Value> {
    let file = std::fs::File::open(path).unwrap();
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    let reader: Box<dyn Read> = match head {
        [0x1f, 0x8b, ..] => Box::new(flate2::read::GzDecoder::new(file)),
        [0x28, 0xb5, 0x2f, 0xfd] => Box::new(zstd::Decoder::new(file).unwrap()),
        _ => Box::new(file),
    };
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().to_str() == Some("manifest.json") {
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            return serde_json::from_str(&text).unwrap();
        }
    }
    panic!("no manifest.json in {}", path.display());
}

fn save(args: &[&str]) -> std::process::Output {
    haul().arg("save").args(args).output().unwrap()
}

#[test]
fn save_round_trips_through_docker_load() {
    if !daemon_available("save_round_trips_through_docker_load") {
        return;
    }
    let mut images = Images::new();
    let base = small_base("save-rt", &mut images);
    let app = unique_name("save-rt", "app");
    let id = build_on(&base, &app, &[Layer::Random("r.bin", 200_000)], &mut images);
    let diffs = diff_ids(&app);
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("app.tar");
    let out = save(&[&app, "-o", out_path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries = manifest(&out_path);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["RepoTags"], serde_json::json!([app]));
    assert_eq!(
        files_with_prefix(dir.path(), ".haul-save-"),
        Vec::<std::path::PathBuf>::new()
    );
    docker(&["rmi", &app]);
    assert!(!exists(&id));
    docker(&["load", "-q", "-i", out_path.to_str().unwrap()]);
    assert_eq!(image_id(&app), id);
    assert_eq!(diff_ids(&app), diffs);
    assert_eq!(tags(&app), vec![app.clone()]);
}

#[test]
fn several_images_go_into_one_tarball_with_shared_layers_once() {
    if !daemon_available("several_images_go_into_one_tarball_with_shared_layers_once") {
        return;
    }
    let mut images = Images::new();
    let base = small_base("save-multi", &mut images);
    let a = unique_name("save-multi", "a");
    let b = unique_name("save-multi", "b");
    build_on(&base, &a, &[Layer::Random("a.bin", 50_000)], &mut images);
    build_on(&base, &b, &[Layer::Random("b.bin", 60_000)], &mut images);
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("ab.tar");
    let out = save(&[&a, &b, "-o", out_path.to_str().unwrap(), "-q"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty() && out.stdout.is_empty(),
        "-q prints nothing"
    );
    let entries = manifest(&out_path);
    let mut tags: Vec<String> = entries
        .iter()
        .map(|e| e["RepoTags"][0].as_str().unwrap().to_string())
        .collect();
    tags.sort();
    let mut want = vec![a.clone(), b.clone()];
    want.sort();
    assert_eq!(tags, want);
    // The base layer is the first layer of both and is stored once.
    assert_eq!(entries[0]["Layers"][0], entries[1]["Layers"][0]);
    let listing = tar::Archive::new(std::fs::File::open(&out_path).unwrap())
        .entries()
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .map(|e| e.path().unwrap().to_string_lossy().ends_with("layer.tar"))
                .unwrap_or(false)
        })
        .count();
    assert_eq!(listing, 3);
}

#[test]
fn gzip_and_zstd_saves_are_compressed_and_complete() {
    if !daemon_available("gzip_and_zstd_saves_are_compressed_and_complete") {
        return;
    }
    let mut images = Images::new();
    let base = small_base("save-z", &mut images);
    let app = unique_name("save-z", "app");
    // Compressible content, so compression shows in the size.
    build_on(
        &base,
        &app,
        &[Layer::Bytes("zeros", vec![0u8; 2_000_000])],
        &mut images,
    );
    let dir = tempfile::tempdir().unwrap();
    for (kind, magic) in [
        ("gzip", &[0x1f, 0x8b][..]),
        ("zstd", &[0x28, 0xb5, 0x2f, 0xfd][..]),
    ] {
        let path = dir.path().join(format!("app.tar.{kind}"));
        let out = save(&[&app, "-o", path.to_str().unwrap(), "--compress", kind]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(magic), "{kind} magic");
        assert!(bytes.len() < 500_000, "{kind}: {} bytes", bytes.len());
        assert_eq!(manifest(&path)[0]["RepoTags"], serde_json::json!([app]));
    }
    // gzip is what Docker 20.10 loads as is.
    docker(&["rmi", &app]);
    docker(&[
        "load",
        "-q",
        "-i",
        dir.path().join("app.tar.gzip").to_str().unwrap(),
    ]);
    assert!(exists(&app));
}

#[test]
fn a_missing_image_fails_cleanly_and_writes_nothing() {
    if !daemon_available("a_missing_image_fails_cleanly_and_writes_nothing") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("x.tar");
    std::fs::write(&out_path, b"previous").unwrap();
    // --force: past the destination check, so the missing image is what fails.
    let out = save(&[
        "haul-test/does-not-exist:nope",
        "-o",
        out_path.to_str().unwrap(),
        "--force",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("does-not-exist"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&out_path).unwrap(),
        b"previous",
        "destination untouched"
    );
    assert!(files_with_prefix(dir.path(), ".haul-save-").is_empty());
    let out = save(&["x", "-o", "/nonexistent-dir/x.tar"]);
    assert!(!out.status.success());
}

#[test]
fn cancelling_a_save_leaves_no_file() {
    if !daemon_available("cancelling_a_save_leaves_no_file") {
        return;
    }
    use haul::transfer::{Jobs, Phase, SaveCompression, SaveRequest, start_save};
    let mut images = Images::new();
    let base = small_base("save-cancel", &mut images);
    let app = unique_name("save-cancel", "big");
    build_on(
        &base,
        &app,
        &[Layer::Random("big.bin", 300_000_000)],
        &mut images,
    );
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("big.tar");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let daemon = haul::daemon::Daemon::connect_default(None).await.unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut jobs = Jobs::new(tx);
        let req = SaveRequest {
            images: vec![app.clone()],
            dest: dest.clone(),
            compression: SaveCompression::Zstd,
            force: false,
        };
        let (id, _report) = start_save(&mut jobs, daemon, req);
        // Cancel once bytes flow, while the temporary file exists.
        let saw_temp;
        loop {
            while let Ok(event) = rx.try_recv() {
                jobs.apply(event);
            }
            let snap = jobs.snapshot(id).unwrap();
            assert!(
                !snap.phase.is_finished(),
                "finished before the cancel: {:?}",
                snap.phase
            );
            if snap.done > 1_000_000 {
                saw_temp = !files_with_prefix(dir.path(), ".haul-save-").is_empty();
                assert!(snap.done < snap.total);
                jobs.cancel(id);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        while jobs.any_running() {
            let event = rx.recv().await.unwrap();
            jobs.apply(event);
        }
        assert_eq!(jobs.snapshot(id).unwrap().phase, Phase::Cancelled);
        assert!(saw_temp, "the save wrote into a temporary file");
    });
    assert!(!dest.exists());
    assert!(
        files_with_prefix(dir.path(), ".haul-save-").is_empty(),
        "temporary file removed"
    );
}
