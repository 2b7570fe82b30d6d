//! `haul images` and daemon image inspection against the real daemon.

mod common;

use common::docker::*;
use haul::daemon::{Daemon, EngineKind, holdings, inspect_report};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

#[test]
fn images_lists_tags_ids_and_layer_counts() {
    if !daemon_available("images_lists_tags_ids_and_layer_counts") {
        return;
    }
    let mut images = Images::new();
    let base = small_base("images", &mut images);
    let app = unique_name("images", "app");
    let app_id = build_on(
        &base,
        &app,
        &[
            Layer::Bytes("a.txt", b"aaa".to_vec()),
            Layer::Random("r.bin", 100_000),
        ],
        &mut images,
    );
    let rows = |all: bool| -> Vec<serde_json::Value> {
        let mut cmd = haul();
        cmd.args(["images", "--json"]);
        if all {
            cmd.arg("--all");
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let listed = rows(false);
    let row = listed
        .iter()
        .find(|r| r["id"] == app_id.as_str())
        .expect("app image listed");
    assert_eq!(row["tags"], serde_json::json!([app]));
    assert_eq!(row["layer_count"], 3);
    assert_eq!(row["dangling"], false);
    assert!(row["size"].as_u64().unwrap() >= 100_000);
    let text = haul().arg("images").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with(&app) && l.contains(&app_id[7..19])),
        "{text}"
    );
}

#[test]
fn dangling_images_show_only_with_all() {
    if !daemon_available("dangling_images_show_only_with_all") {
        return;
    }
    let mut images = Images::new();
    let name = unique_name("dangling", "tmp");
    let id = import(&rootfs_tar(&[("y", name.as_bytes())]), &name, &mut images);
    images.track(&id);
    // Importing again under the same name moves the tag: the first image is left dangling.
    let other = import(&rootfs_tar(&[("z", name.as_bytes())]), &name, &mut images);
    images.track(&other);
    assert_ne!(id, other);
    let list = |all: bool| -> Vec<serde_json::Value> {
        let mut cmd = haul();
        cmd.args(["images", "--json"]);
        if all {
            cmd.arg("-a");
        }
        serde_json::from_slice(&cmd.output().unwrap().stdout).unwrap()
    };
    assert!(!list(false).iter().any(|r| r["id"] == id.as_str()));
    let all = list(true);
    let row = all
        .iter()
        .find(|r| r["id"] == id.as_str())
        .expect("dangling listed with --all");
    assert_eq!(row["dangling"], true);
    assert_eq!(row["tags"], serde_json::json!([]));
}

#[test]
fn inspect_report_matches_docker_inspect_and_history() {
    if !daemon_available("inspect_report_matches_docker_inspect_and_history") {
        return;
    }
    let mut images = Images::new();
    let base = small_base("inspect", &mut images);
    let app = unique_name("inspect", "app");
    build_on(
        &base,
        &app,
        &[
            Layer::Random("one.bin", 300_000),
            Layer::Random("two.bin", 50_000),
        ],
        &mut images,
    );
    let rt = rt();
    let daemon = rt.block_on(Daemon::connect_default(None)).unwrap();
    let report = rt.block_on(inspect_report(&daemon, &app)).unwrap();
    assert_eq!(report.path, format!("docker://{app}"));
    assert_eq!(report.format, haul::archive::Format::Daemon);
    let image = &report.images[0];
    assert_eq!(image.id, image_id(&app));
    assert_eq!(image.tags, vec![app.clone()]);
    assert_eq!(image.diff_ids(), diff_ids(&app));
    assert_eq!(image.cmd, Some(vec!["/etc/hello.txt".to_string()]));
    assert_eq!(image.layers.len(), 3);
    let one = &image.layers[1];
    assert!(
        one.created_by.as_deref().unwrap_or("").contains("COPY"),
        "{one:?}"
    );
    assert!(one.size >= 300_000 && one.size < 310_000, "{}", one.size);
    assert!(image.layers[2].size >= 50_000 && image.layers[2].size < 60_000);
    // The CMD entry made no layer.
    assert!(
        image
            .history
            .iter()
            .any(|h| h.empty_layer && h.created_by.as_deref().unwrap_or("").contains("CMD"))
    );
    assert_eq!(image.history.iter().filter(|h| !h.empty_layer).count(), 3);
    let missing = rt.block_on(inspect_report(&daemon, "haul-test/no-such-image:nope"));
    let err = missing.unwrap_err().to_string();
    assert!(
        err.contains("No such image") || err.contains("no such image"),
        "{err}"
    );
    // Every layer of this image is known to be present.
    let held = rt.block_on(holdings::fetch(&daemon)).unwrap();
    assert!(held.layers_present(image).iter().all(|p| *p));
    assert_eq!(daemon.engine().kind, EngineKind::DockerClassic);
    drop(rt);
    // The synchronous entry point `haul inspect docker://NAME` uses.
    let sync = haul::cli::images::daemon_inspect(&app, None).unwrap();
    assert_eq!(sync.images[0].diff_ids(), image.diff_ids());
    let err = haul::cli::images::daemon_inspect("haul-test/nope:x", None).unwrap_err();
    assert!(err.starts_with("docker://haul-test/nope:x: "), "{err}");
}
