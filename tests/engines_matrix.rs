//! The engine matrix itself: every engine is the version and store the README promises, and the
//! harness builds, names and cleans up images on each of them.

mod common;

use common::docker::*;
use common::engines::{Kind, each_engine, each_engine_of};

#[test]
fn engines_are_the_documented_versions_and_stores() {
    each_engine("engines_are_the_documented_versions_and_stores", |engine| {
        let version = engine.run(&["version", "--format", "{{.Server.Version}}"]);
        let drivers = engine.run(&["info", "--format", "{{json .DriverStatus}}"]);
        let containerd_store = drivers.contains("io.containerd.snapshotter.v1");
        let want = match engine.kind {
            Kind::Docker20Classic => "20.10.",
            Kind::Docker26Containerd | Kind::Docker26Classic => "26.1.",
            Kind::Podman43 => "4.3.",
        };
        assert!(version.starts_with(want), "{}: {version}", engine.name);
        assert_eq!(
            containerd_store,
            engine.is_containerd_store(),
            "{}: {drivers}",
            engine.name
        );
        let components = engine.run(&["version", "--format", "{{json .Server.Components}}"]);
        assert_eq!(
            components.contains("Podman Engine"),
            engine.is_podman(),
            "{components}"
        );
    });
}

#[test]
fn helpers_build_inspect_and_clean_up_on_every_engine() {
    each_engine(
        "helpers_build_inspect_and_clean_up_on_every_engine",
        |engine| {
            let (base, app, app_id);
            {
                let mut images = engine.images();
                base = engine.small_base("harness", &mut images);
                app = unique_name("harness", "app");
                app_id = engine.build_on(
                    &base,
                    &app,
                    &[
                        Layer::Bytes("a.txt", b"aaa".to_vec()),
                        Layer::Random("r.bin", 10_000),
                    ],
                    &mut images,
                );
                assert!(app_id.starts_with("sha256:"), "{app_id}");
                assert_eq!(engine.image_id(&app), app_id);
                assert_eq!(engine.diff_ids(&app).len(), 3);
                assert_eq!(engine.diff_ids(&app)[0], engine.diff_ids(&base)[0]);
                assert_eq!(engine.tags(&app), vec![engine.reported_name(&app)]);
                let cmd = &engine.inspect(&app)["Config"]["Cmd"];
                assert_eq!(cmd, &serde_json::json!(["/etc/hello.txt"]));
                assert!(engine.all_image_ids().contains(&app_id));
            }
            // The guard removed both images, and nothing the build made is left dangling.
            assert!(!engine.exists(&app));
            assert!(!engine.exists(&base));
            assert!(!engine.all_image_ids().contains(&app_id));
        },
    );
}

#[test]
fn podman_images_are_reachable_through_podman_image_mount() {
    each_engine_of(
        "podman_images_are_reachable_through_podman_image_mount",
        &[Kind::Podman43],
        |engine| {
            let mut images = engine.images();
            let base = engine.small_base("pmount", &mut images);
            let out = engine
                .podman()
                .args(["image", "mount", &base])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let root = String::from_utf8_lossy(&out.stdout).trim().to_string();
            let note = std::fs::read_to_string(std::path::Path::new(&root).join("etc/note"));
            let _ = engine.podman().args(["image", "unmount", &base]).status();
            assert_eq!(note.unwrap(), "made by pmount\n");
        },
    );
}

#[test]
fn buildx_writes_the_seed_flow_archives_on_the_containerd_store() {
    each_engine_of(
        "buildx_writes_the_seed_flow_archives_on_the_containerd_store",
        &[Kind::Docker26Containerd],
        |engine| {
            let mut images = engine.images();
            let base = engine.small_base("buildx", &mut images);
            let name = unique_name("buildx", "seed");
            let ctx = build_context(&base, &[Layer::Random("r.bin", 20_000)]);
            let dir = tempfile::tempdir().unwrap();
            for (output, file) in [
                (BuildxOutput::Docker, "d.tar"),
                (BuildxOutput::Oci, "o.tar"),
            ] {
                let dest = dir.path().join(file);
                engine.buildx(ctx.path(), &name, output, &dest);
                let report = haul::archive::inspect_with_cache(&dest, None).unwrap();
                assert_eq!(report.images.len(), 1, "{file}");
                assert_eq!(report.images[0].layers.len(), 2, "{file}");
                // Tags of the OCI output are compared with the engine's own view in
                // archive_real_tools (buildx annotates the fully qualified name).
                if output == BuildxOutput::Docker {
                    assert_eq!(report.images[0].tags, vec![name.clone()], "{file}");
                }
            }
            // The seed flow writes a file; the engine does not get the image.
            assert!(!engine.exists(&name));
        },
    );
}
