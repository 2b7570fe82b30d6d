//! `haul load` of compressed tarballs and artifact zips with a cold inspect cache, on every
//! engine: one decompressing pass lists the archive while its tar goes to the engine.

mod common;

use std::path::{Path, PathBuf};

use common::archives::{
    OciOptions, TestImage, gzip, layer_tar, noise, oci_layout_files, tar_of, zip_of,
};
use common::docker::*;
use common::engines::{Engine, Kind, each_engine};

fn haul_inspect(engine: &Engine, cache: &Path, path: &str) -> serde_json::Value {
    let out = engine
        .haul()
        .env("HAUL_CACHE_DIR", cache)
        .args(["inspect", "--json", path])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn cache_entries(cache: &Path) -> usize {
    std::fs::read_dir(cache.join("inspect")).map_or(0, |d| d.count())
}

/// A two-layer image with a unique tag (`docker load` accepts configs built by the tests).
fn test_image(test: &str, images: &mut Images) -> TestImage {
    let tag = unique_name(test, "1");
    images.track(&tag);
    let seed = tag.bytes().map(u64::from).sum();
    let layers = vec![
        layer_tar(&[("big.bin", &noise(3_000_000, seed))]),
        layer_tar(&[("top.txt", tag.as_bytes())]),
    ];
    let image = TestImage::with_layers(&[&tag], layers, "amd64");
    images.track(&image.id());
    image
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn cold_cache_loads_of_zip_gzip_and_zstd_take_one_pass_and_fill_the_cache() {
    let test = "cold_cache_loads_of_zip_gzip_and_zstd_take_one_pass_and_fill_the_cache";
    each_engine(test, |engine| {
        let mut images = engine.images();
        let dir = tempfile::tempdir().unwrap();
        let image = test_image("single-pass", &mut images);
        let tag = image.tags[0].clone();
        let name = engine.archive_name(&tag);
        let tar = common::archives::legacy_docker_archive(std::slice::from_ref(&image));
        let zip = dir.path().join("artifact.zip");
        std::fs::write(
            &zip,
            zip_of(&[("image.tar", &tar), ("README.txt", b"notes")], true),
        )
        .unwrap();
        let gz = dir.path().join("img.tar.gz");
        std::fs::write(&gz, gzip(&tar)).unwrap();
        let zst = dir.path().join("img.tar.zst");
        std::fs::write(&zst, common::archives::zstd(&tar)).unwrap();
        for path in [&zip, &gz, &zst] {
            let cache = tempfile::tempdir().unwrap();
            let _ = engine.ok(&["rmi", &tag]);
            assert!(!engine.exists(&tag));
            let (ok, reports, err) =
                engine.haul_load_in(Some(cache.path()), &["--full", path_str(path)]);
            assert!(ok, "{}: {err}", path.display());
            let r = &reports[0];
            // The containerd store gets it in one pass only when it holds no image: a tag moved
            // there deletes its image, which an undo could not give back without knowing the
            // tags beforehand.
            if engine.kind != Kind::Docker26Containerd {
                assert_eq!(r["mode"], "single-pass", "{}: {r}", path.display());
                // The engine got the decompressed tar itself.
                assert_eq!(r["sent_bytes"], tar.len() as u64, "{r}");
            }
            assert!(r.get("fallback").is_none(), "{r}");
            assert_eq!(r["loaded"][0]["name"], name.as_str(), "{r}");
            let id = engine.image_id(&tag);
            assert_eq!(r["loaded"][0]["id"], id.as_str(), "{r}");
            if engine.ids_are_config_digests() {
                assert_eq!(id, image.id());
            }
            assert_eq!(engine.diff_ids(&tag), image.diff_ids());
            assert_eq!(engine.tags(&id), vec![name.clone()]);
            // The listing made on the way is in the cache, and inspect answers from it.
            assert_eq!(cache_entries(cache.path()), 1, "{}", path.display());
            let listed = haul_inspect(engine, cache.path(), path_str(path));
            assert_eq!(listed["images"][0]["id"], image.id().as_str(), "{listed}");
            assert_eq!(listed["images"][0]["tags"][0], tag.as_str(), "{listed}");
            assert_eq!(cache_entries(cache.path()), 1);
            // A second load with the warm cache takes the ordinary route.
            engine.run(&["rmi", &tag]);
            let (ok, reports, err) =
                engine.haul_load_in(Some(cache.path()), &["--full", path_str(path)]);
            assert!(ok, "{err}");
            assert_ne!(reports[0]["mode"], "single-pass", "{}", reports[0]);
            assert_eq!(engine.diff_ids(&tag), image.diff_ids());
        }
    });
}

#[test]
fn an_oci_archive_in_a_zip_loads_through_the_fallback() {
    let test = "an_oci_archive_in_a_zip_loads_through_the_fallback";
    each_engine(test, |engine| {
        let mut images = engine.images();
        let dir = tempfile::tempdir().unwrap();
        let image = test_image("single-oci", &mut images);
        let tag = image.tags[0].clone();
        // No manifest.json: the classic store refuses it; haul converts it. Its index names the
        // image without a registry: the containerd store would keep that name as written.
        let oci = tar_of(&oci_layout_files(
            std::slice::from_ref(&image),
            &OciOptions::default(),
        ));
        let zip = dir.path().join("oci-artifact.zip");
        std::fs::write(&zip, zip_of(&[("image.oci.tar", &oci)], true)).unwrap();
        let cache = tempfile::tempdir().unwrap();
        let (ok, reports, err) =
            engine.haul_load_in(Some(cache.path()), &["--full", path_str(&zip)]);
        assert!(ok, "{err}");
        let r = &reports[0];
        let id = engine.image_id(&tag);
        assert_eq!(r["loaded"][0]["id"], id.as_str(), "{r}");
        if engine.ids_are_config_digests() {
            assert_eq!(id, image.id());
        }
        assert_eq!(engine.diff_ids(&tag), image.diff_ids());
        match engine.kind {
            // Podman takes the OCI archive inside as it is.
            Kind::Podman43 => assert_eq!(r["mode"], "single-pass", "{r}"),
            _ => {
                if r["mode"] != "single-pass" {
                    assert_eq!(r["mode"], "converted", "{r}");
                }
                if engine.kind != Kind::Docker26Containerd {
                    assert!(r["fallback"].is_string(), "{r}");
                }
            }
        }
        assert_eq!(cache_entries(cache.path()), 1);
    });
}

#[test]
fn a_broken_zip_or_gzip_is_one_error_line_and_loads_nothing() {
    let test = "a_broken_zip_or_gzip_is_one_error_line_and_loads_nothing";
    each_engine(test, |engine| {
        let mut images = engine.images();
        let dir = tempfile::tempdir().unwrap();
        let image = test_image("single-bad", &mut images);
        let tag = image.tags[0].clone();
        let tar = common::archives::legacy_docker_archive(std::slice::from_ref(&image));
        let zip = zip_of(&[("image.tar", &tar)], true);
        let gz = gzip(&tar);
        let mut damaged = zip.clone();
        let middle = damaged.len() / 2;
        for b in &mut damaged[middle..middle + 64] {
            *b ^= 0x5a;
        }
        let cases: Vec<(PathBuf, Vec<u8>)> = vec![
            // Cut short, as an interrupted download: no central directory.
            (
                dir.path().join("truncated.zip"),
                zip[..zip.len() / 2].to_vec(),
            ),
            // Whole, but the deflated data is damaged half way: found during the upload.
            (dir.path().join("damaged.zip"), damaged),
            (
                dir.path().join("truncated.tar.gz"),
                gz[..gz.len() / 2].to_vec(),
            ),
        ];
        for (path, bytes) in cases {
            std::fs::write(&path, bytes).unwrap();
            let cache = tempfile::tempdir().unwrap();
            let (ok, _, err) =
                engine.haul_load_in(Some(cache.path()), &["--full", path_str(&path)]);
            assert!(!ok, "{}", path.display());
            assert_eq!(err.lines().count(), 1, "{err}");
            let name = path.file_name().unwrap().to_string_lossy();
            assert!(err.starts_with("error: ") && err.contains(&*name), "{err}");
            assert!(!engine.exists(&tag), "{}: no tag", path.display());
            assert!(!engine.exists(&image.id()), "{}: no image", path.display());
            assert_eq!(cache_entries(cache.path()), 0);
        }
    });
}
