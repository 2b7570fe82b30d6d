//! The daily-driver commands on every engine: `haul du` sorts images by use, one compression
//! rule and `--force` for saves, `load --tag`, the daemon's per-layer word during a load.

mod common;

use std::process::Command;

use common::archives::{TestImage, layer_tar, legacy_docker_archive};
use common::docker::{rootfs_tar, unique_name};
use common::engines::{Engine, each_engine};

/// Run a command; (exit code, stdout, stderr).
fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn du_sorts_daemon_images_by_use() {
    each_engine("du_sorts_daemon_images_by_use", |engine| {
        let mut images = engine.images();
        let name = unique_name("du", "1");
        let id = engine.import(&rootfs_tar(&[("etc/du", b"du")]), &name, &mut images);
        let (code, out, err) = run(engine.haul().args(["du", "--json"]));
        assert_eq!(code, 0, "{err}");
        let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let ours = json["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["id"] == id.as_str())
            .cloned()
            .unwrap_or_else(|| panic!("our image {id} is listed: {out}"));
        assert_eq!(ours["category"], "unused", "no container uses it");
        assert_eq!(ours["name"], engine.reported_name(&name).as_str());
    });
}

#[test]
fn save_follows_one_compression_rule_and_force_creates_the_folder() {
    each_engine("save_follows_one_compression_rule", |engine| {
        let mut images = engine.images();
        let name = unique_name("save-rule", "1");
        engine.import(&rootfs_tar(&[("etc/rule", b"rule")]), &name, &mut images);
        let dir = tempfile::tempdir().expect("tempdir");
        let gz = dir.path().join("new/sub/x.tar.gz");
        let save = |args: &[&str], dest: &std::path::Path| {
            run(engine
                .haul()
                .arg("save")
                .arg(&name)
                .arg("-q")
                .args(args)
                .arg("-o")
                .arg(dest))
        };
        let (code, _, err) = save(&["--force"], &gz);
        assert_eq!(code, 0, "{err}");
        let bytes = std::fs::read(&gz).expect("read");
        assert_eq!(&bytes[..2], [0x1f, 0x8b], "gzip, by the name");
        let plain = dir.path().join("y.tar.zst");
        let (code, _, err) = save(&["--compress", "none"], &plain);
        assert_eq!(code, 0, "{err}");
        let bytes = std::fs::read(&plain).expect("read");
        assert_eq!(
            &bytes[257..262],
            b"ustar",
            "explicit none wins over the name"
        );
        let (code, _, err) = save(&[], &plain);
        assert_ne!(code, 0);
        assert!(err.contains("already exists; --force replaces it"), "{err}");
        let (code, _, err) = save(&["-f"], &plain);
        assert_eq!(code, 0, "{err}");
    });
}

/// Save `name` by `docker save` on the engine.
fn docker_save(engine: &Engine, name: &str, dest: &std::path::Path) {
    engine.run(&["save", name, "-o", dest.to_str().expect("utf-8")]);
}

#[test]
fn load_tag_names_the_image_and_leaves_the_archive_tags_alone() {
    each_engine("load_tag_names_the_image", |engine| {
        let mut images = engine.images();
        let original = unique_name("load-tag", "1");
        let renamed = unique_name("load-tag", "candidate");
        let loaded_id = engine.import(&rootfs_tar(&[("etc/v", b"one")]), &original, &mut images);
        let dir = tempfile::tempdir().expect("tempdir");
        let tar = dir.path().join("one.tar");
        docker_save(engine, &original, &tar);
        // The tag now names another image, which a plain load would take over.
        let other_id = engine.import(&rootfs_tar(&[("etc/v", b"two")]), &original, &mut images);
        images.track(&renamed);
        images.track(&loaded_id);
        assert_ne!(loaded_id, other_id);
        let (code, out, err) = run(engine
            .haul()
            .args(["load", "-q", "--tag", &renamed])
            .arg(&tar));
        assert_eq!(code, 0, "{err}");
        assert!(
            out.starts_with(&format!("Loaded image: {renamed} (")),
            "{out}"
        );
        assert_eq!(engine.image_id(&renamed), loaded_id);
        assert_eq!(
            engine.image_id(&original),
            other_id,
            "the archive's tag stayed where it was"
        );
    });
}

#[test]
fn load_tag_names_an_archive_without_names() {
    each_engine("load_tag_names_an_archive_without_names", |engine| {
        let mut images = engine.images();
        let dir = tempfile::tempdir().expect("tempdir");
        // An archive that carries no tag at all.
        let named = unique_name("load-tag", "named");
        let layer = layer_tar(&[("etc/nameless", named.as_bytes())]);
        let nameless = TestImage::with_layers(&[], vec![layer], "amd64");
        let tar = dir.path().join("nameless.tar");
        std::fs::write(&tar, legacy_docker_archive(std::slice::from_ref(&nameless)))
            .expect("write");
        images.track(&named);
        let (code, out, err) = run(engine
            .haul()
            .args(["load", "-q", "--tag", &named])
            .arg(&tar));
        assert_eq!(code, 0, "{err}");
        assert!(
            out.starts_with(&format!("Loaded image: {named} (")),
            "{out}"
        );
        assert!(engine.exists(&named));
    });
}

#[test]
fn a_load_keeps_the_daemons_per_layer_word_and_times_its_phases() {
    each_engine("a_load_keeps_the_daemons_per_layer_word", |engine| {
        use haul::transfer::{JobKind, Jobs, LoadOptions, Phase, load};
        let name = unique_name("load-word", "1");
        let mut images = engine.images();
        images.track(&name);
        let dir = tempfile::tempdir().expect("tempdir");
        let tar = dir.path().join("word.tar");
        let image = TestImage::new(&name, &name, 2);
        std::fs::write(&tar, legacy_docker_archive(std::slice::from_ref(&image))).expect("write");
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let daemon = engine.connect(&rt);
        let snap = rt.block_on(async {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let mut jobs = Jobs::new(tx);
            let path = tar.clone();
            let id = jobs.spawn(JobKind::Load, "load", move |ctx| async move {
                let report = load(&ctx, &daemon, &path, LoadOptions::default()).await?;
                Ok(report.outcome())
            });
            while jobs.any_running() {
                let event = rx.recv().await.expect("event");
                jobs.apply(event);
            }
            jobs.snapshot(id).expect("snapshot")
        });
        assert_eq!(snap.phase, Phase::Done, "[{}]", engine.name);
        if !engine.is_containerd_store() && !engine.is_podman() {
            // The classic store says which layer it loads; the last word stays with the job.
            let message = snap.message.expect("a per-layer message");
            assert!(message.starts_with("Loading layer"), "{message}");
            assert!(!message.contains("MiB"), "haul's units: {message}");
        }
        assert_eq!(snap.rate, 0.0, "no rate once nothing flows");
        // As the engine named it (Podman: `localhost/...` for some archives).
        let loaded = snap.outcome.expect("an outcome").images[0].clone();
        images.track(&loaded);
        assert!(engine.exists(&loaded), "{loaded}");
    });
}
