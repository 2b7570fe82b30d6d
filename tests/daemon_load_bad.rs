//! `haul load` of bad input on every engine: one error line, and nothing left in the engine
//! (a load the engine refuses or cannot unpack is undone).

mod common;

use std::path::Path;

use common::archives::{
    OciOptions, TestImage, layer_tar, legacy_docker_archive, noise, oci_layout_files, tar_of,
};
use common::docker::*;
use common::engines::{Kind, each_engine};

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// An image the engine has never seen (fresh noise in its big layer), as a legacy
/// docker-archive and as an OCI archive with gzip layers.
fn fresh_archives(name: &str) -> (TestImage, Vec<u8>, Vec<u8>) {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        ^ u64::from(std::process::id());
    let big = layer_tar(&[("data/big.bin", &noise(1_000_000, seed))]);
    let small = layer_tar(&[("data/small.txt", b"small")]);
    let image = TestImage::with_layers(&[name], vec![big, small], "amd64");
    let legacy = legacy_docker_archive(std::slice::from_ref(&image));
    let oci = tar_of(&oci_layout_files(
        std::slice::from_ref(&image),
        &OciOptions::default(),
    ));
    (image, legacy, oci)
}

/// Flip 4 KiB in the middle of the big layer (the file's middle).
fn corrupt(bytes: &[u8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 4096] {
        *b ^= 0x5a;
    }
    bytes
}

#[test]
fn a_bad_tarball_is_a_clear_error_and_changes_nothing() {
    each_engine(
        "a_bad_tarball_is_a_clear_error_and_changes_nothing",
        |engine| {
            let images = engine.images();
            let dir = tempfile::tempdir().unwrap();
            let name = unique_name("load-bad", "app");
            let (image, legacy, oci) = fresh_archives(&name);
            let mut images = images;
            images.track(&name);
            images.track(&image.id());
            let before = engine.all_image_ids();

            let not_image = dir.path().join("notes.txt");
            std::fs::write(&not_image, "just some text, not a tarball\n").unwrap();
            let (ok, _, err) = engine.haul_load(&[path_str(&not_image)]);
            assert!(!ok);
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(
                err.starts_with("error: ") && err.contains("notes.txt"),
                "{err}"
            );

            // Same size, one layer's bytes changed: the listing is fine, the engine's digest check
            // (or on the containerd store, unpacking) is not. The load fails and leaves nothing.
            let oci_ok = matches!(engine.kind, Kind::Docker26Containerd | Kind::Podman43);
            for (file, bytes) in [("legacy.tar", &legacy), ("oci.tar", &oci)] {
                if file == "oci.tar" && !oci_ok {
                    continue; // converted by haul, which checks nothing the engine would not
                }
                let path = dir.path().join(file);
                std::fs::write(&path, corrupt(bytes)).unwrap();
                let (ok, reports, err) = engine.haul_load(&["--full", path_str(&path)]);
                assert!(!ok, "{file}: {reports:?}");
                assert_eq!(err.lines().count(), 1, "{err}");
                assert!(err.starts_with("error: "), "{err}");
                assert!(!engine.exists(&name), "{file}: {err}");
            }

            // Truncated in the middle of a layer.
            let truncated = dir.path().join("truncated.tar");
            std::fs::write(&truncated, &legacy[..legacy.len() / 2]).unwrap();
            let (ok, _, err) = engine.haul_load(&[path_str(&truncated)]);
            assert!(!ok);
            assert_eq!(err.lines().count(), 1, "{err}");

            assert!(!engine.exists(&name));
            let after = engine.all_image_ids();
            let new: Vec<&String> = after.iter().filter(|id| !before.contains(id)).collect();
            // Other tests run at the same time; none of theirs has this test's layers.
            for id in new {
                // An image another test created and removed since the listing has nothing to check.
                let Some(layers) = engine.diff_ids_if_present(id) else {
                    continue;
                };
                assert!(
                    !layers.contains(&image.diff_ids()[0]),
                    "half-loaded image {id}"
                );
            }
            // The intact archives load.
            let path = dir.path().join("good.tar");
            std::fs::write(&path, &legacy).unwrap();
            let (ok, _, err) = engine.haul_load(&[path_str(&path)]);
            assert!(ok, "{err}");
            assert_eq!(engine.diff_ids(&name), image.diff_ids());
        },
    );
}
