//! Modern archives on every engine: the seed flow's buildx outputs (Docker-style with
//! `manifest.json`, OCI with gzip layers, OCI with zstd layers) go as the engine takes them
//! natively, keep the ID `docker load` gives, and load as deltas when their base is there;
//! legacy archives as deltas on the containerd store; untagged images.

mod common;

use std::path::{Path, PathBuf};

use common::archives::{TestImage, layer_tar, legacy_docker_archive, noise};
use common::docker::*;
use common::engines::{Engine, Kind, each_engine, named};
use common::loaded::assert_has_files;

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Output {
    Docker,
    Oci,
    OciZstd,
}

/// `docker buildx build` of `ctx` as `name` into `dest`, on the builder engine.
fn buildx(builder: &Engine, ctx: &Path, name: &str, output: Output, dest: &Path) {
    let kind = match output {
        Output::Docker => format!("type=docker,dest={}", dest.display()),
        Output::Oci => format!("type=oci,dest={}", dest.display()),
        Output::OciZstd => format!(
            "type=oci,dest={},compression=zstd,force-compression=true",
            dest.display()
        ),
    };
    let out = builder
        .docker()
        .args(["buildx", "build", "-q", "--network=none", "-t", name])
        .arg(format!("--output={kind}"))
        .arg(ctx)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "buildx: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A base app (`a`, two layers over a small base) and a child (`b`, one more layer), both
/// written by buildx in each output format.
struct Seeds {
    _dir: tempfile::TempDir,
    a: String,
    b: String,
    files: Vec<(Output, PathBuf, PathBuf)>,
}

fn seeds(test: &str, builder_images: &mut Images) -> Seeds {
    let builder = named("docker26-containerd");
    let base = builder.small_base(test, builder_images);
    let a = unique_name(test, "a");
    let b = unique_name(test, "b");
    let ctx_a = build_context(&base, &[Layer::Random("a.bin", 2_000_000)]);
    builder_images.track(&a);
    builder.docker_build(ctx_a.path(), &a);
    let ctx_b = build_context(&a, &[Layer::Bytes("b.txt", b"the child\n".to_vec())]);
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for output in [Output::Docker, Output::Oci, Output::OciZstd] {
        let pa = dir.path().join(format!("a-{output:?}.tar"));
        let pb = dir.path().join(format!("b-{output:?}.tar"));
        buildx(builder, ctx_a.path(), &a, output, &pa);
        buildx(builder, ctx_b.path(), &b, output, &pb);
        files.push((output, pa, pb));
    }
    Seeds {
        _dir: dir,
        a,
        b,
        files,
    }
}

fn report(path: &Path) -> haul::archive::ArchiveReport {
    haul::archive::inspect_with_cache(path, None).unwrap()
}

/// The mode a full load of `output` takes on `engine`.
fn native_mode(engine: &Engine, output: Output) -> &'static str {
    let loads_oci = matches!(engine.kind, Kind::Docker26Containerd | Kind::Podman43);
    match output {
        Output::Docker => "as-is",
        _ if loads_oci => "as-is",
        _ => "converted",
    }
}

#[test]
fn buildx_outputs_load_natively_and_as_deltas() {
    let test = "buildx_outputs_load_natively_and_as_deltas";
    if !common::engines::engines(test)
        .iter()
        .any(|e| e.kind == Kind::Docker26Containerd)
    {
        return; // the seeds come from docker26-containerd
    }
    let builder = named("docker26-containerd");
    let mut builder_images = builder.images();
    let seeds = seeds("bxdelta", &mut builder_images);
    each_engine(test, |engine| {
        for (output, pa, pb) in &seeds.files {
            let mut images = engine.images();
            images.track(&seeds.b);
            images.track(&seeds.a);
            let (ra, rb) = (report(pa), report(pb));
            let (ia, ib) = (&ra.images[0], &rb.images[0]);
            let (ok, reports, err) = engine.haul_load(&["--full", path_str(pa)]);
            assert!(ok, "{output:?}: {err}");
            assert_eq!(
                reports[0]["mode"],
                native_mode(engine, *output),
                "{output:?}: {}",
                reports[0]
            );
            assert_eq!(engine.image_id(&seeds.a), engine.id_of(ia), "{output:?}");

            let (ok, reports, err) = engine.haul_load(&[path_str(pb)]);
            assert!(ok, "{output:?}: {err}");
            let r = &reports[0];
            assert_eq!(r["mode"], "delta", "{output:?}: {r}");
            assert!(r.get("fallback").is_none(), "{output:?}: {r}");
            assert_eq!(r["skipped_layers"], 2, "{output:?}: {r}");
            assert_eq!(engine.image_id(&seeds.b), engine.id_of(ib), "{output:?}");
            assert_eq!(engine.diff_ids(&seeds.b), ib.diff_ids());
            let files = engine.files_of(&seeds.b);
            assert_has_files(
                engine,
                &files,
                &[("data/a.bin", 2_000_000), ("data/b.txt", 10)],
            );
            drop(images);
        }
    });
}

/// A legacy docker-archive of `layers`, tagged `tag`.
fn legacy(dir: &Path, file: &str, tag: &str, layers: Vec<Vec<u8>>) -> (TestImage, PathBuf) {
    let image = TestImage::with_layers(&[tag], layers, "amd64");
    let path = dir.join(file);
    std::fs::write(&path, legacy_docker_archive(std::slice::from_ref(&image))).unwrap();
    (image, path)
}

fn seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

#[test]
fn legacy_archives_load_as_deltas_on_every_engine() {
    each_engine("legacy_archives_load_as_deltas_on_every_engine", |engine| {
        let dir = tempfile::tempdir().unwrap();
        let mut images = engine.images();
        let base_layer = layer_tar(&[("data/base.bin", &noise(3_000_000, seed()))]);
        let top_layer = layer_tar(&[("data/top.txt", b"top")]);
        let (a_tag, b_tag) = (
            unique_name("legacy-delta", "a"),
            unique_name("legacy-delta", "b"),
        );
        images.track(&b_tag);
        images.track(&a_tag);
        let (_, a_path) = legacy(dir.path(), "a.tar", &a_tag, vec![base_layer.clone()]);
        let (b, b_path) = legacy(dir.path(), "b.tar", &b_tag, vec![base_layer, top_layer]);
        let (ok, _, err) = engine.haul_load(&[path_str(&a_path)]);
        assert!(ok, "{err}");
        let (ok, reports, err) = engine.haul_load(&[path_str(&b_path)]);
        assert!(ok, "{err}");
        let r = &reports[0];
        // The containerd store kept the base's uncompressed blob when it loaded `a` (haul
        // names it by its diff ID in the manifest it writes): the delta holds.
        assert_eq!(r["mode"], "delta", "{r}");
        assert_eq!(r["skipped_layers"], 1, "{r}");
        assert!(r["sent_bytes"].as_u64().unwrap() < 100_000, "{r}");
        if engine.ids_are_config_digests() {
            assert_eq!(engine.image_id(&b_tag), b.id());
        }
        assert_eq!(engine.diff_ids(&b_tag), b.diff_ids());
        let files = engine.files_of(&b_tag);
        assert_has_files(
            engine,
            &files,
            &[("data/base.bin", 3_000_000), ("data/top.txt", 3)],
        );
    });
}

#[test]
fn a_delta_whose_blobs_the_containerd_store_lacks_falls_back_to_a_full_load() {
    let test = "a_delta_whose_blobs_the_containerd_store_lacks_falls_back_to_a_full_load";
    common::engines::each_engine_of(test, &[Kind::Docker26Containerd], |engine| {
        let dir = tempfile::tempdir().unwrap();
        let mut images = engine.images();
        let rootfs = rootfs_tar(&[("data/base.bin", &noise(1_000_000, seed()))]);
        // The base comes from `docker import`: its layer is unpacked, but the engine keeps it
        // as a blob of its own compression, not the uncompressed one the archive names.
        let base = unique_name("c8d-fallback", "base");
        engine.import(&rootfs, &base, &mut images);
        let tag = unique_name("c8d-fallback", "app");
        images.track(&tag);
        let top = layer_tar(&[("data/top.txt", b"top")]);
        let (image, path) = legacy(dir.path(), "app.tar", &tag, vec![rootfs, top]);
        let (ok, reports, err) = engine.haul_load(&[path_str(&path)]);
        assert!(ok, "{err}");
        let r = &reports[0];
        if r["mode"] != "delta" {
            assert_eq!(r["mode"], "as-is", "{r}");
            let why = r["fallback"].as_str().unwrap_or_default();
            assert!(why.contains("without all its blobs"), "{r}");
        }
        assert_eq!(engine.diff_ids(&tag), image.diff_ids());
        // Listed: the image is whole in the engine's eyes.
        assert!(engine.run(&["images", "-q", &tag]).len() > 10);
    });
}

#[test]
fn an_untagged_image_is_reported_by_id_on_every_engine() {
    each_engine(
        "an_untagged_image_is_reported_by_id_on_every_engine",
        |engine| {
            let dir = tempfile::tempdir().unwrap();
            let mut images = engine.images();
            let layer = layer_tar(&[("data/x.bin", &noise(100_000, seed()))]);
            let image = TestImage::with_layers(&[], vec![layer], "amd64");
            let path = dir.path().join("untagged.tar");
            std::fs::write(&path, legacy_docker_archive(std::slice::from_ref(&image))).unwrap();
            let (ok, reports, err) = engine.haul_load(&[path_str(&path)]);
            assert!(ok, "{err}");
            let loaded = &reports[0]["loaded"][0];
            assert!(loaded["name"].is_null(), "{}", reports[0]);
            let id = loaded["id"].as_str().unwrap().to_string();
            images.track(&id);
            assert!(engine.exists(&id), "{id}");
            if engine.ids_are_config_digests() {
                assert_eq!(id, image.id());
            }
            assert_eq!(engine.diff_ids(&id), image.diff_ids());
        },
    );
}

#[test]
fn images_show_their_platform_on_the_containerd_store() {
    let test = "images_show_their_platform_on_the_containerd_store";
    common::engines::each_engine_of(test, &[Kind::Docker26Containerd], |engine| {
        let mut images = engine.images();
        let base = engine.small_base("platforms", &mut images);
        let out = engine.haul().args(["images", "--json"]).output().unwrap();
        assert!(out.status.success());
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let row = rows
            .iter()
            .find(|r| {
                r["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t == base.as_str())
            })
            .expect("the base is listed");
        assert_eq!(
            row["platforms"],
            serde_json::json!(["linux/amd64"]),
            "{row}"
        );
        let text = engine.haul().args(["images"]).output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        let header = text.lines().next().unwrap_or_default();
        assert!(header.ends_with("PLATFORM"), "{text}");
    });
}
