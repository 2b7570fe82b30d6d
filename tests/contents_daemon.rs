//! `haul files` against the daemon's own final filesystem (`docker create` + `docker export`),
//! for real images built with `docker build` (whiteouts, overwrites, chmod and chown copy-ups,
//! hardlinks, symlinks, long and unicode names) read from every source: `docker save` plain,
//! gzip, zstd, in a zip, as an OCI archive and layout, and `docker://`. An opaque folder, which
//! the builders here do not write, comes from an archive the test writes and the daemon loads.

mod common;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use common::archives::*;
use common::contents::*;
use common::docker::{BuildxOutput, Engine, Images, docker20, unique_name};
use common::engines::{Kind, each_engine, each_engine_of};

const STEPS: &str = r#"RUN /bin/busybox --install -s /bin
RUN mkdir -p /data/dir/sub && echo one > /data/a.txt && dd if=/dev/zero of=/data/big bs=1k count=64 2>/dev/null && echo x > /data/dir/sub/f && ln /data/a.txt /data/hard && ln -s /data/a.txt /data/soft && ln -s ../bin/busybox /data/rel
RUN echo two > /data/a.txt
RUN chmod 600 /data/big && chown 1000:1000 /data/hard
RUN rm -rf /data/dir && rm /data/soft
RUN mkdir /data/dir && echo new > /data/dir/g
RUN n=$(printf 'n%.0s' $(seq 1 150)) && mkdir -p /data/long/$n && echo deep > /data/long/$n/$n && ln -s /data/long/$n/$n /data/long-link
COPY données-日本語.txt /data/
"#;

/// Every entry of a (small) tar in memory, by name.
fn entries(tar_bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut out = HashMap::new();
    let mut archive = tar::Archive::new(tar_bytes);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.insert(name, data);
    }
    out
}

/// The image of a `docker save` tar, to write again in other layouts.
fn test_image(saved: &[u8], tag: &str) -> TestImage {
    let files = entries(saved);
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let config = files[manifest[0]["Config"].as_str().unwrap()].clone();
    let layers = manifest[0]["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            // Layer tars as they are, whatever the save compressed (containerd keeps gzip).
            let blob = &files[l.as_str().unwrap()];
            let mut tar = Vec::new();
            if blob.starts_with(&[0x1f, 0x8b]) {
                flate2::read::GzDecoder::new(blob.as_slice())
                    .read_to_end(&mut tar)
                    .unwrap();
            } else {
                tar = blob.clone();
            }
            tar
        })
        .collect();
    TestImage {
        tags: vec![tag.to_string()],
        layers,
        architecture: "amd64".into(),
        config,
    }
}

/// Build the test image on `builder` (RUN steps: BuildKit on Docker 26, the classic builder
/// on Docker 20.10).
fn build_on(builder: &'static Engine, test: &str, images: &mut Images) -> String {
    let base = busybox_base(builder, test, images);
    let name = unique_name(test, "img");
    let ctx = tempfile::tempdir().unwrap();
    std::fs::write(ctx.path().join("données-日本語.txt"), "unicode\n").unwrap();
    std::fs::write(
        ctx.path().join("Dockerfile"),
        format!("FROM {base}\n{STEPS}"),
    )
    .unwrap();
    images.track(&name);
    builder.docker_build(ctx.path(), &name);
    name
}

/// The test image on `engine`. Podman cannot start containers here (RUN steps): it gets
/// docker20's build, saved and loaded.
fn build(engine: &'static Engine, test: &str, images: &mut Images) -> String {
    if !engine.is_podman() {
        return build_on(engine, test, images);
    }
    let mut on_docker20 = docker20().images();
    let name = build_on(docker20(), test, &mut on_docker20);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("img.tar");
    docker20().run(&["save", "-o", file.to_str().unwrap(), &name]);
    images.track(&name);
    engine.run(&["load", "-i", file.to_str().unwrap()]);
    name
}

#[test]
fn files_match_the_daemons_filesystem_from_every_source() {
    let test = "contents-files";
    if !busybox_available(test) {
        return;
    }
    each_engine(test, |engine| {
        let mut images = engine.images();
        let name = build(engine, test, &mut images);
        let daemon = daemon_tree(engine, &name);
        let long = "n".repeat(150);
        for path in [
            "data/hard".to_string(),
            "data/dir/g".into(),
            "data/données-日本語.txt".into(),
            format!("data/long/{long}/{long}"),
        ] {
            assert!(daemon.contains_key(&path), "the daemon has /{path}");
        }
        assert!(
            !daemon.contains_key("data/dir/sub"),
            "deleted, then made again"
        );
        assert_eq!(daemon["data/big"].mode, 0o600);
        assert_eq!(daemon["data/hard"].uid, 1000);

        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("img.tar");
        engine.run(&["save", "-o", plain.to_str().unwrap(), &name]);
        let saved = std::fs::read(&plain).unwrap();
        let write = |file: &str, bytes: &[u8]| {
            let path = dir.path().join(file);
            std::fs::write(&path, bytes).unwrap();
            path.to_string_lossy().into_owned()
        };
        let image = test_image(&saved, &name);
        let zstd_oci = OciOptions {
            layer_blobs: Blob::Zstd,
            ..Default::default()
        };
        let layout = dir.path().join("layout");
        write_layout_dir(
            &layout,
            &oci_layout_files(std::slice::from_ref(&image), &OciOptions::default()),
        );
        let sources = vec![
            plain.to_string_lossy().into_owned(),
            write("img.tar.gz", &gzip(&saved)),
            write("img.tar.zst", &zstd(&saved)),
            write("artifact.zip", &zip_of(&[("img.tar", &saved)], true)),
            write(
                "oci-zstd.tar",
                &tar_of(&oci_layout_files(std::slice::from_ref(&image), &zstd_oci)),
            ),
            layout.to_string_lossy().into_owned(),
            format!("docker://{name}"),
        ];
        for source in &sources {
            assert_same_tree(source, &daemon, &haul_tree(engine, source, &[]));
            // The second look comes from the cache, and says the same.
            assert_same_tree(source, &daemon, &haul_tree(engine, source, &[]));
            assert_same_tree(source, &daemon, &haul_tree(engine, source, &["--no-cache"]));
        }
        // Extract from the daemon's stream and from the compressed tarball: the final versions.
        for source in [&sources[1], &sources[6]] {
            let out = dir.path().join(format!("x-{}", source.len()));
            let run = engine
                .haul()
                .args(["extract", source, "/data", "-q", "-o"])
                .arg(&out)
                .output()
                .unwrap();
            assert!(
                run.status.success(),
                "{}",
                String::from_utf8_lossy(&run.stderr)
            );
            let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap();
            assert_eq!(read("data/a.txt"), "two\n");
            assert_eq!(read("data/hard"), "one\n", "the copy-up broke the hardlink");
            assert_eq!(read("data/dir/g"), "new\n");
            assert_eq!(read("data/données-日本語.txt"), "unicode\n");
            assert!(!out.join("data/dir/sub").exists());
            assert_eq!(
                std::fs::read_link(out.join("data/rel")).unwrap(),
                Path::new("../bin/busybox")
            );
        }
    });
}

/// The seed's flow: buildx `type=docker` and `type=oci` outputs (Docker 26, containerd store).
#[test]
fn files_of_buildx_outputs_match_the_loaded_image() {
    let test = "contents-buildx";
    if !busybox_available(test) {
        return;
    }
    each_engine_of(test, &[Kind::Docker26Containerd], |engine| {
        let mut images = engine.images();
        let base = busybox_base(engine, test, &mut images);
        let name = unique_name(test, "img");
        let ctx = tempfile::tempdir().unwrap();
        std::fs::write(ctx.path().join("données-日本語.txt"), "unicode\n").unwrap();
        std::fs::write(
            ctx.path().join("Dockerfile"),
            format!("FROM {base}\n{STEPS}"),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (docker_out, oci_out) = (dir.path().join("docker.tar"), dir.path().join("oci.tar"));
        engine.buildx(ctx.path(), &name, BuildxOutput::Docker, &docker_out);
        engine.buildx(ctx.path(), &name, BuildxOutput::Oci, &oci_out);
        images.track(&name);
        engine.run(&["load", "-i", docker_out.to_str().unwrap()]);
        let daemon = daemon_tree(engine, &name);
        assert!(daemon.contains_key("data/dir/g"));
        for file in [&docker_out, &oci_out] {
            let source = file.to_string_lossy();
            assert_same_tree(&source, &daemon, &haul_tree(engine, &source, &[]));
        }
        let source = format!("docker://{name}");
        assert_same_tree(&source, &daemon, &haul_tree(engine, &source, &[]));
    });
}

fn layer(entries: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(1_700_000_000);
        match data {
            None => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                b.append_data(&mut h, name, &[][..]).unwrap();
            }
            Some(data) => {
                h.set_mode(0o644);
                h.set_size(data.len() as u64);
                b.append_data(&mut h, name, *data).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

#[test]
fn an_opaque_folder_hides_the_lower_layers_like_the_daemon() {
    let test = "contents-opaque";
    each_engine(test, |engine| {
        let mut images = engine.images();
        let tag = unique_name(test, "img");
        // /etc and the config's working dir /srv: docker would add them to the container.
        let l0 = layer(&[
            ("etc/", None),
            ("srv/", None),
            ("d/", None),
            ("d/a", Some(b"aaa")),
            ("d/sub/", None),
            ("d/sub/b", Some(b"bb")),
            ("keep", Some(b"k")),
        ]);
        let l1 = layer(&[
            ("d/", None),
            ("d/.wh..wh..opq", Some(b"")),
            ("d/c", Some(b"c")),
        ]);
        let image = TestImage::with_layers(&[&tag], vec![l0, l1], "amd64");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("opaque.tar");
        std::fs::write(&file, legacy_docker_archive(std::slice::from_ref(&image))).unwrap();
        images.track(&tag);
        engine.run(&["load", "-i", file.to_str().unwrap()]);

        let daemon = daemon_tree(engine, &tag);
        assert!(daemon.contains_key("d/c") && daemon.contains_key("keep"));
        assert!(!daemon.contains_key("d/a") && !daemon.contains_key("d/sub"));
        let source = file.to_string_lossy().into_owned();
        assert_same_tree("opaque archive", &daemon, &haul_tree(engine, &source, &[]));
        let daemon_source = format!("docker://{tag}");
        let from_daemon = haul_tree(engine, &daemon_source, &[]);
        assert_same_tree("opaque docker://", &daemon, &from_daemon);
    });
}
