//! `haul load` on every engine (Docker 20.10, Docker 26.1 with the containerd and classic
//! stores, Podman 4.3): round trips, several images, compression, OCI input, delta loads, zips
//! (bad input: `daemon_load_bad.rs`). What each engine takes natively differs (see `haul::daemon::engine`): the modes
//! asserted here say which route haul chose for it.

mod common;

use std::path::Path;

use common::docker::*;
use common::engines::{Engine, Kind, each_engine};
use common::loaded::{Saved, assert_has_files};

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `base` (small) + `layers`, saved with haul; the base's name comes first.
fn saved(
    engine: &'static Engine,
    test: &str,
    layers: &[Layer],
    dir: &Path,
    images: &mut Images,
) -> (String, Saved) {
    let base = engine.small_base(test, images);
    let app = engine.saved(test, &base, layers, dir, images);
    (base, app)
}

#[test]
fn round_trip_save_remove_load_keeps_id_tags_and_diff_ids() {
    each_engine(
        "round_trip_save_remove_load_keeps_id_tags_and_diff_ids",
        |engine| {
            let mut images = engine.images();
            let dir = tempfile::tempdir().unwrap();
            let (base, app) = saved(
                engine,
                "load-rt",
                &[Layer::Random("r.bin", 500_000)],
                dir.path(),
                &mut images,
            );
            engine.run(&["rmi", &app.name, &base]);
            assert!(!engine.exists(&app.id));
            let (ok, reports, err) = engine.haul_load(&[path_str(&app.tar)]);
            assert!(ok, "{err}");
            let report = &reports[0];
            assert_eq!(
                report["mode"], "as-is",
                "nothing present: the file goes as is: {report}"
            );
            let reported = engine.reported_name(&app.name);
            assert_eq!(report["loaded"][0]["name"], reported.as_str(), "{report}");
            assert_eq!(report["loaded"][0]["id"], app.id.as_str());
            assert_eq!(report["sent_bytes"], report["source_bytes"]);
            assert_eq!(engine.image_id(&app.name), app.id);
            assert_eq!(engine.diff_ids(&app.name), app.diffs);
            assert_eq!(engine.tags(&app.name), vec![reported.clone()]);
            // Text output names the image like `docker load`.
            engine.run(&["rmi", &app.name]);
            let out = engine
                .haul()
                .args(["load", "-q", path_str(&app.tar)])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                text.trim(),
                format!("Loaded image: {reported} ({})", app.id)
            );
        },
    );
}

#[test]
fn several_images_and_several_paths_load() {
    each_engine("several_images_and_several_paths_load", |engine| {
        let mut images = engine.images();
        let dir = tempfile::tempdir().unwrap();
        let base = engine.small_base("load-multi", &mut images);
        let a = unique_name("load-multi", "a");
        let b = unique_name("load-multi", "b");
        let a_id = engine.build_on(&base, &a, &[Layer::Random("a.bin", 40_000)], &mut images);
        let b_id = engine.build_on(&base, &b, &[Layer::Random("b.bin", 40_000)], &mut images);
        let ab = dir.path().join("ab.tar");
        engine.haul_save(&[&a, &b, "-o", path_str(&ab)]);
        let only_a = dir.path().join("a.tar.gz");
        engine.haul_save(&[&a, "-o", path_str(&only_a), "--compress", "gzip"]);
        engine.run(&["rmi", &a, &b, &base]);
        let (ok, reports, err) = engine.haul_load(&[path_str(&ab), path_str(&only_a)]);
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
        let mut want = vec![
            (engine.reported_name(&a), a_id.clone()),
            (engine.reported_name(&b), b_id.clone()),
        ];
        want.sort();
        assert_eq!(loaded, want);
        assert_eq!(reports[1]["loaded"][0]["id"], a_id.as_str());
        assert_eq!(engine.image_id(&a), a_id);
        assert_eq!(engine.image_id(&b), b_id);
    });
}

#[test]
fn gzip_and_zstd_go_as_each_engine_takes_them() {
    each_engine("gzip_and_zstd_go_as_each_engine_takes_them", |engine| {
        let mut images = engine.images();
        let dir = tempfile::tempdir().unwrap();
        let (base, app) = saved(
            engine,
            "load-z",
            &[Layer::Random("r.bin", 300_000)],
            dir.path(),
            &mut images,
        );
        let gz = dir.path().join("app.tar.gz");
        let zst = dir.path().join("app.tar.zst");
        engine.haul_save(&[&app.name, "-o", path_str(&gz), "--compress", "gzip"]);
        engine.haul_save(&[&app.name, "-o", path_str(&zst), "--compress", "zstd"]);
        // Podman refuses gzip, Docker 20.10 zstd: haul sends the tar inside.
        let (gz_mode, zst_mode) = match engine.kind {
            Kind::Podman43 => ("decompressed", "as-is"),
            Kind::Docker20Classic => ("as-is", "decompressed"),
            _ => ("as-is", "as-is"),
        };
        assert_eq!(
            engine.ok(&["load", "-q", "-i", path_str(&gz)]),
            gz_mode == "as-is"
        );
        assert_eq!(
            engine.ok(&["load", "-q", "-i", path_str(&zst)]),
            zst_mode == "as-is"
        );
        for (file, mode) in [(&gz, gz_mode), (&zst, zst_mode)] {
            engine.run(&["rmi", &app.name, &base]);
            let (ok, reports, err) = engine.haul_load(&[path_str(file)]);
            assert!(ok, "{}: {err}", file.display());
            // An engine left without any image by other tests takes the single pass (cold cache).
            let got = &reports[0]["mode"];
            assert!(
                got == mode || got == "single-pass",
                "{}: {got}",
                file.display()
            );
            assert_eq!(engine.image_id(&app.name), app.id);
            assert_eq!(engine.diff_ids(&app.name), app.diffs);
            engine.run(&["tag", &app.id, &base]); // any tag keeps rmi symmetrical
        }
    });
}

#[test]
fn delta_load_sends_only_missing_layers_and_the_image_is_whole() {
    each_engine(
        "delta_load_sends_only_missing_layers_and_the_image_is_whole",
        |engine| {
            let test = "load-delta";
            let mut images = engine.images();
            let dir = tempfile::tempdir().unwrap();
            // The lower layers stay in the engine through an image of their own.
            let base = engine.small_base(test, &mut images);
            let mid = unique_name(test, "mid");
            engine.build_on(
                &base,
                &mid,
                &[
                    Layer::Random("big1.bin", 8_000_000),
                    Layer::Random("big2.bin", 4_000_000),
                ],
                &mut images,
            );
            let top = [Layer::Bytes("top.txt", b"the new layer\n".to_vec())];
            let app = engine.saved(test, &mid, &top, dir.path(), &mut images);
            assert_eq!(engine.diff_ids(&mid), app.diffs[..3]);
            engine.run(&["rmi", &app.name]);
            assert!(!engine.exists(&app.id));
            let dry = engine
                .haul()
                .args(["load", "--dry-run", "--json", path_str(&app.tar)])
                .output()
                .unwrap();
            assert!(dry.status.success());
            let dry: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
            assert_eq!(dry["mode"], "delta", "{dry}");
            assert_eq!(dry["images"][0]["present"], false, "{dry}");
            assert_eq!(dry["skipped_layers"], 3, "{dry}");

            let (ok, reports, err) = engine.haul_load(&[path_str(&app.tar)]);
            assert!(ok, "{err}");
            let r = &reports[0];
            assert_eq!(r["mode"], "delta", "{r}");
            assert!(r.get("fallback").is_none(), "{r}");
            assert_eq!(r["skipped_layers"], 3, "{r}");
            assert_eq!(r["skipped_bytes"], dry["skipped_bytes"], "{r}");
            let sent = r["sent_bytes"].as_u64().unwrap();
            let source = r["source_bytes"].as_u64().unwrap();
            assert!(sent * 100 < source, "sent {sent} of {source}");
            assert_eq!(engine.image_id(&app.name), app.id);
            assert_eq!(engine.diff_ids(&app.name), app.diffs);
            // The image is whole: its filesystem has the files of the base and of every layer.
            let files = engine.files_of(&app.name);
            assert_has_files(
                engine,
                &files,
                &[
                    ("etc/hello.txt", 6),
                    ("data/big1.bin", 8_000_000),
                    ("data/big2.bin", 4_000_000),
                    ("data/top.txt", 14),
                ],
            );
            // Now present: the dry run says so.
            let dry = engine
                .haul()
                .args(["load", "--dry-run", "--json", path_str(&app.tar)])
                .output()
                .unwrap();
            let dry: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
            assert_eq!(dry["images"][0]["present"], true, "{dry}");
            // --full sends everything.
            engine.run(&["rmi", &app.name]);
            let (ok, reports, err) = engine.haul_load(&["--full", path_str(&app.tar)]);
            assert!(ok, "{err}");
            assert_eq!(reports[0]["mode"], "as-is");
            assert_eq!(reports[0]["sent_bytes"], reports[0]["source_bytes"]);
            assert_eq!(engine.image_id(&app.name), app.id);
        },
    );
}

#[test]
fn oci_archive_and_layout_from_skopeo_load() {
    if !skopeo_available() {
        return;
    }
    each_engine("oci_archive_and_layout_from_skopeo_load", |engine| {
        let mut images = engine.images();
        let dir = tempfile::tempdir().unwrap();
        let (base, app) = saved(
            engine,
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
        // (No `docker load` of skopeo's archive on the containerd store: it keeps the name
        // `org.opencontainers.image.ref.name` gives as written, which no command finds again.)
        if matches!(engine.kind, Kind::Docker20Classic | Kind::Docker26Classic) {
            assert!(
                !engine.ok(&["load", "-q", "-i", path_str(&oci_tar)]),
                "the classic store refuses OCI archives without manifest.json"
            );
        }
        for path in [&oci_tar, &layout] {
            let _ = engine.ok(&["rmi", &app.name]);
            engine.run(&["rmi", &base]);
            // skopeo rewrites the config in OCI form: the image ID is that config's digest, or
            // on the containerd store the digest of skopeo's manifest.
            let oci = haul::archive::inspect(path).unwrap();
            let oci_id = engine.id_of(&oci.images[0]);
            assert_ne!(oci_id, app.id);
            let (ok, reports, err) = engine.haul_load(&[path_str(path)]);
            assert!(ok, "{}: {err}", path.display());
            // The containerd store gets an OCI layout with the names qualified; Podman the file
            // as it is. A delta where the engine still holds the base's layer (the base's
            // content is the same in every run; Podman's builds keep intermediate images).
            let mode = &reports[0]["mode"];
            let podman_tar = engine.is_podman() && path == &oci_tar;
            let want = if podman_tar { "as-is" } else { "converted" };
            assert!(mode == want || mode == "delta", "{}", reports[0]);
            assert_eq!(
                reports[0]["loaded"][0]["id"],
                oci_id.as_str(),
                "{}",
                reports[0]
            );
            assert_eq!(engine.diff_ids(&oci_id), app.diffs, "same layers");
            images.track(&oci_id);
            engine.run(&["tag", &oci_id, &base]);
        }
    });
}

fn skopeo_available() -> bool {
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
    each_engine("an_artifact_zip_and_one_entry_of_it_load", |engine| {
        let mut images = engine.images();
        let dir = tempfile::tempdir().unwrap();
        let (base, app) = saved(
            engine,
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
            engine.run(&["rmi", &app.name, &base]);
            let (ok, reports, err) = engine.haul_load(&[path]);
            assert!(ok, "{path}: {err}");
            // Single pass when the cache is cold and the engine holds no image at all (other
            // tests may have emptied it); else listed, then the entry's tar sent decompressed.
            let mode = &reports[0]["mode"];
            assert!(mode == "decompressed" || mode == "single-pass", "{mode}");
            let name = engine.reported_name(&app.name);
            assert_eq!(reports[0]["loaded"][0]["name"], name.as_str());
            assert_eq!(engine.image_id(&app.name), app.id);
            assert_eq!(engine.diff_ids(&app.name), app.diffs);
            engine.run(&["tag", &app.id, &base]);
        }
    });
}
