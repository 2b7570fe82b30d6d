//! `haul images` and daemon image inspection against every engine of the matrix.

mod common;

use common::docker::*;
use common::engines::{Kind, each_engine};
use haul::daemon::{EngineKind, holdings, inspect_report};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

#[test]
fn images_lists_tags_ids_and_layer_counts() {
    each_engine("images_lists_tags_ids_and_layer_counts", |engine| {
        let mut images = engine.images();
        let base = engine.small_base("images", &mut images);
        let app = unique_name("images", "app");
        let app_id = engine.build_on(
            &base,
            &app,
            &[
                Layer::Bytes("a.txt", b"aaa".to_vec()),
                Layer::Random("r.bin", 100_000),
            ],
            &mut images,
        );
        let rows = |layers: bool| -> Vec<serde_json::Value> {
            let mut cmd = engine.haul();
            cmd.args(["images", "--json"]);
            if layers {
                cmd.arg("--layers");
            }
            let out = cmd.output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            serde_json::from_slice(&out.stdout).unwrap()
        };
        let counted = rows(true);
        let row = counted
            .iter()
            .find(|r| r["id"] == app_id.as_str())
            .expect("app image listed");
        assert_eq!(row["tags"], serde_json::json!(engine.tags(&app)));
        assert_eq!(row["layer_count"], 3);
        assert_eq!(row["dangling"], false);
        assert!(row["size"].as_u64().unwrap() >= 100_000);
        // Without --layers: the same row from the listing alone, without a layer count.
        let listed = rows(false);
        let plain = listed
            .iter()
            .find(|r| r["id"] == app_id.as_str())
            .expect("app image listed without --layers");
        assert!(plain.get("layer_count").is_none(), "{plain}");
        for key in ["tags", "size", "created", "dangling"] {
            assert_eq!(plain[key], row[key], "{key}");
        }
        let shown = engine.reported_name(&app);
        let text = engine.haul().arg("images").output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        let header = text.lines().next().unwrap_or_default();
        assert!(!header.contains("LAYERS"), "{text}");
        assert!(
            text.lines()
                .any(|l| l.starts_with(&shown) && l.contains(&app_id[7..19])),
            "{text}"
        );
        let text = engine.haul().args(["images", "--layers"]).output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        // The LAYERS column (a PLATFORM column may follow it) says 3 on the app's line.
        let column = text
            .lines()
            .next()
            .and_then(|h| h.find(" LAYERS"))
            .unwrap_or_else(|| panic!("a LAYERS column:\n{text}"))
            + 1;
        assert!(
            text.lines().any(|l| l.starts_with(&shown)
                && l.get(column..).and_then(|c| c.split_whitespace().next()) == Some("3")),
            "{text}"
        );
    });
}

#[test]
fn dangling_images_show_only_with_all() {
    each_engine("dangling_images_show_only_with_all", |engine| {
        let mut images = engine.images();
        let name = unique_name("dangling", "tmp");
        let id = engine.import(&rootfs_tar(&[("y", name.as_bytes())]), &name, &mut images);
        images.track(&id);
        // Moving the tag to another image leaves the first one dangling (on every engine; a
        // second import under the same name does so only on the classic store and Podman).
        let second = unique_name("dangling", "second");
        let other = engine.import(&rootfs_tar(&[("z", name.as_bytes())]), &second, &mut images);
        images.track(&other);
        assert_ne!(id, other);
        engine.run(&["tag", &second, &name]);
        let list = |all: bool| -> Vec<serde_json::Value> {
            let mut cmd = engine.haul();
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
    });
}

#[test]
fn inspect_report_matches_docker_inspect_and_history() {
    each_engine(
        "inspect_report_matches_docker_inspect_and_history",
        |engine| {
            let mut images = engine.images();
            let base = engine.small_base("inspect", &mut images);
            let app = unique_name("inspect", "app");
            engine.build_on(
                &base,
                &app,
                &[
                    Layer::Random("one.bin", 300_000),
                    Layer::Random("two.bin", 50_000),
                ],
                &mut images,
            );
            let rt = rt();
            let daemon = engine.connect(&rt);
            let report = rt.block_on(inspect_report(&daemon, &app)).unwrap();
            assert_eq!(report.path, format!("docker://{app}"));
            assert_eq!(report.format, haul::archive::Format::Daemon);
            let image = &report.images[0];
            assert_eq!(image.id, engine.image_id(&app));
            assert_eq!(image.tags, engine.tags(&app));
            assert_eq!(image.diff_ids(), engine.diff_ids(&app));
            assert_eq!(image.cmd, Some(vec!["/etc/hello.txt".to_string()]));
            assert_eq!(image.layers.len(), 3);
            let one = &image.layers[1];
            assert!(
                one.created_by.as_deref().unwrap_or("").contains("COPY"),
                "{one:?}"
            );
            // Sizes are what the engine says (`docker history`): the layer tar's size on the
            // classic store, the snapshot's disk usage (whole 4 KiB blocks) on the containerd store.
            let slack = if engine.is_containerd_store() {
                20_000
            } else {
                10_000
            };
            let sizes = engine.history_sizes(&app);
            for (layer, content) in [(one, 300_000), (&image.layers[2], 50_000)] {
                assert!(
                    layer.size >= content && layer.size < content + slack,
                    "{}",
                    layer.size
                );
                assert!(
                    sizes.contains(&layer.size),
                    "{} not in {sizes:?}",
                    layer.size
                );
            }
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
            let kind = match engine.kind {
                Kind::Docker26Containerd => EngineKind::DockerContainerd,
                Kind::Docker20Classic | Kind::Docker26Classic => EngineKind::DockerClassic,
                Kind::Podman43 => EngineKind::Podman,
            };
            assert_eq!(daemon.engine().kind, kind);
            drop(rt);
            // The synchronous entry point `haul inspect docker://NAME` uses.
            let host = Some(engine.host.clone());
            let sync = haul::cli::images::daemon_inspect(&app, host.clone()).unwrap();
            assert_eq!(sync.images[0].diff_ids(), image.diff_ids());
            let err = haul::cli::images::daemon_inspect("haul-test/nope:x", host).unwrap_err();
            assert!(err.starts_with("docker://haul-test/nope:x: "), "{err}");
        },
    );
}
