//! `haul save` checks what it wrote: the containerd store's exporter leaves out content it does
//! not have (moby#49473) and `docker save` writes such a tarball without a word; haul refuses
//! it, naming what is missing, and leaves no file under the final name.

mod common;

use common::archives::{Blob, OciOptions, TestImage, layer_tar, noise, oci_layout_files, tar_of};
use common::docker::*;
use common::engines::{Kind, each_engine_of};

#[test]
fn a_save_missing_a_layer_is_an_error_and_leaves_no_file() {
    let test = "a_save_missing_a_layer_is_an_error_and_leaves_no_file";
    each_engine_of(test, &[Kind::Docker26Containerd], |engine| {
        let dir = tempfile::tempdir().unwrap();
        let mut images = engine.images();
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        let base_layer = layer_tar(&[("data/base.bin", &noise(500_000, seed))]);
        let top_layer = layer_tar(&[("data/top.txt", b"top")]);
        // The base's layer is unpacked (imported), but the engine holds no blob of its gzip form.
        let base = unique_name("save-incomplete", "base");
        engine.import(&base_layer, &base, &mut images);
        let name = unique_name("save-incomplete", "app");
        images.track(&name);
        let image = TestImage::with_layers(
            &[&format!("docker.io/{name}")],
            vec![base_layer.clone(), top_layer],
            "amd64",
        );
        let mut files = oci_layout_files(
            std::slice::from_ref(&image),
            &OciOptions {
                layer_blobs: Blob::Gzip,
                ..OciOptions::default()
            },
        );
        let base_blob = common::archives::gzip(&base_layer);
        let missing = format!(
            "blobs/sha256/{}",
            haul::digest::hex_part(&haul::digest::sha256_of(&base_blob))
        );
        let before = files.len();
        files.retain(|(path, _)| *path != missing);
        assert_eq!(files.len(), before - 1, "the base blob was in the layout");
        let partial = dir.path().join("partial.tar");
        std::fs::write(&partial, tar_of(&files)).unwrap();
        // The engine takes it: the layer is unpacked already, its blob never read.
        engine.run(&["load", "-q", "-i", partial.to_str().unwrap()]);
        assert_eq!(engine.diff_ids(&name), image.diff_ids());

        let dest = dir.path().join("saved.tar");
        let out = engine
            .haul()
            .args(["save", "-q", &name, "-o", dest.to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("incomplete save"), "{err}");
        // moby#49473 as it is: the manifest whose child is missing goes without its config
        // and layers; haul names the first blob it misses.
        assert!(
            err.contains("is missing") && err.contains("blobs/sha256/"),
            "names what is missing: {err}"
        );
        assert!(!dest.exists(), "no file under the final name");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("partial-"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "no temporary file left: {leftovers:?}"
        );
    });
}
