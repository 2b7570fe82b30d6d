//! `haul save` against every engine: content, several images, compression, failures, cancel.

mod common;

use std::io::Read;
use std::path::Path;

use common::docker::*;
use common::engines::{Engine, each_engine};

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

/// Every member path of a (plain) tar.
fn members(path: &Path) -> Vec<String> {
    tar::Archive::new(std::fs::File::open(path).unwrap())
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().to_string())
        .collect()
}

fn save(engine: &Engine, args: &[&str]) -> std::process::Output {
    engine.haul().arg("save").args(args).output().unwrap()
}

#[test]
fn save_round_trips_through_docker_load() {
    each_engine("save_round_trips_through_docker_load", |engine| {
        let mut images = engine.images();
        let base = engine.small_base("save-rt", &mut images);
        let app = unique_name("save-rt", "app");
        let id = engine.build_on(&base, &app, &[Layer::Random("r.bin", 200_000)], &mut images);
        let diffs = engine.diff_ids(&app);
        let dir = tempfile::tempdir().unwrap();
        let out_path = dir.path().join("app.tar");
        let out = save(engine, &[&app, "-o", out_path.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let entries = manifest(&out_path);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["RepoTags"], serde_json::json!(engine.tags(&app)));
        assert_eq!(
            files_with_prefix(dir.path(), ".haul-save-"),
            Vec::<std::path::PathBuf>::new()
        );
        engine.run(&["rmi", &app]);
        assert!(!engine.exists(&id));
        engine.run(&["load", "-q", "-i", out_path.to_str().unwrap()]);
        assert_eq!(engine.image_id(&app), id);
        assert_eq!(engine.diff_ids(&app), diffs);
        assert_eq!(engine.tags(&app), vec![engine.reported_name(&app)]);
    });
}

#[test]
fn several_images_go_into_one_tarball_with_shared_layers_once() {
    each_engine(
        "several_images_go_into_one_tarball_with_shared_layers_once",
        |engine| {
            let mut images = engine.images();
            let base = engine.small_base("save-multi", &mut images);
            let a = unique_name("save-multi", "a");
            let b = unique_name("save-multi", "b");
            engine.build_on(&base, &a, &[Layer::Random("a.bin", 50_000)], &mut images);
            engine.build_on(&base, &b, &[Layer::Random("b.bin", 60_000)], &mut images);
            let dir = tempfile::tempdir().unwrap();
            let out_path = dir.path().join("ab.tar");
            let out = save(engine, &[&a, &b, "-o", out_path.to_str().unwrap(), "-q"]);
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
            let mut want = vec![engine.reported_name(&a), engine.reported_name(&b)];
            want.sort();
            assert_eq!(tags, want);
            // The base layer is the first layer of both and is stored once.
            assert_eq!(entries[0]["Layers"][0], entries[1]["Layers"][0]);
            // Three distinct layers (`<id>/layer.tar` before Docker 25, `blobs/sha256/...` after),
            // each one member of the tar.
            let mut layers: Vec<&str> = entries
                .iter()
                .flat_map(|e| e["Layers"].as_array().unwrap())
                .map(|l| l.as_str().unwrap())
                .collect();
            layers.sort();
            layers.dedup();
            assert_eq!(layers.len(), 3, "{layers:?}");
            let members = members(&out_path);
            for layer in layers {
                let n = members.iter().filter(|m| m.as_str() == layer).count();
                assert_eq!(n, 1, "{layer} in {members:?}");
            }
        },
    );
}

#[test]
fn gzip_and_zstd_saves_are_compressed_and_complete() {
    each_engine(
        "gzip_and_zstd_saves_are_compressed_and_complete",
        |engine| {
            let mut images = engine.images();
            let base = engine.small_base("save-z", &mut images);
            let app = unique_name("save-z", "app");
            // Compressible content, so compression shows in the size.
            engine.build_on(
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
                let out = save(
                    engine,
                    &[&app, "-o", path.to_str().unwrap(), "--compress", kind],
                );
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let bytes = std::fs::read(&path).unwrap();
                assert!(bytes.starts_with(magic), "{kind} magic");
                assert!(bytes.len() < 500_000, "{kind}: {} bytes", bytes.len());
                assert_eq!(
                    manifest(&path)[0]["RepoTags"],
                    serde_json::json!(engine.tags(&app))
                );
            }
            // gzip is what Docker loads as is; Podman 4.3 refuses gzip and takes zstd.
            let loadable = if engine.is_podman() { "zstd" } else { "gzip" };
            engine.run(&["rmi", &app]);
            engine.run(&[
                "load",
                "-q",
                "-i",
                dir.path()
                    .join(format!("app.tar.{loadable}"))
                    .to_str()
                    .unwrap(),
            ]);
            assert!(engine.exists(&app));
        },
    );
}

#[test]
fn a_missing_image_fails_cleanly_and_writes_nothing() {
    each_engine(
        "a_missing_image_fails_cleanly_and_writes_nothing",
        |engine| {
            let dir = tempfile::tempdir().unwrap();
            let out_path = dir.path().join("x.tar");
            std::fs::write(&out_path, b"previous").unwrap();
            let out = save(
                engine,
                &[
                    "haul-test/does-not-exist:nope",
                    "-o",
                    out_path.to_str().unwrap(),
                    // Past the destination check: the missing image is what fails.
                    "--force",
                ],
            );
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
            let out = save(engine, &["x", "-o", "/nonexistent-dir/x.tar"]);
            assert!(!out.status.success());
        },
    );
}

#[test]
fn cancelling_a_save_leaves_no_file() {
    each_engine("cancelling_a_save_leaves_no_file", |engine| {
        use haul::transfer::{Jobs, Phase, SaveCompression, SaveRequest, start_save};
        let mut images = engine.images();
        let base = engine.small_base("save-cancel", &mut images);
        let app = unique_name("save-cancel", "big");
        engine.build_on(
            &base,
            &app,
            &[Layer::Random("big.bin", 300_000_000)],
            &mut images,
        );
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("big.tar");
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let daemon = engine.connect_async().await;
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
    });
}
