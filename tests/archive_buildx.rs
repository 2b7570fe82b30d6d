//! The seed's flow: `docker buildx build --output type=docker|oci,dest=X.tar` (docker driver, on
//! Docker 26 with the containerd store), then `docker load -i X.tar` on every engine. What haul
//! reads from the file must equal what each engine says about the image it loaded.

mod common;

use std::path::{Path, PathBuf};

use common::docker::*;
use common::engines::{Kind, each_engine, named};
use haul::archive::{self, Compression, Format};

/// Both seed-flow files of one build (3 layers, the base's included), and the name they carry.
struct Seed {
    _dir: tempfile::TempDir,
    name: String,
    docker: PathBuf,
    oci: PathBuf,
}

fn seed(test: &str) -> Seed {
    let builder = named("docker26-containerd");
    let mut images = builder.images();
    let base = builder.small_base(test, &mut images);
    let name = unique_name(test, "seed");
    let ctx = build_context(
        &base,
        &[
            Layer::Random("one.bin", 40_000),
            Layer::Bytes("two.txt", b"two".to_vec()),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let docker = dir.path().join("seed.docker.tar");
    let oci = dir.path().join("seed.oci.tar");
    builder.buildx(ctx.path(), &name, BuildxOutput::Docker, &docker);
    builder.buildx(ctx.path(), &name, BuildxOutput::Oci, &oci);
    Seed {
        _dir: dir,
        name,
        docker,
        oci,
    }
}

fn report(path: &Path) -> archive::ArchiveReport {
    archive::inspect_with_cache(path, None).unwrap_or_else(|e| panic!("inspect: {e}"))
}

#[test]
fn buildx_outputs_read_like_the_engines_see_them_after_docker_load() {
    let test = "buildx_outputs_read_like_the_engines_see_them_after_docker_load";
    // The files come from docker26-containerd: nothing to do when it is not selected or down.
    if !common::engines::engines(test)
        .iter()
        .any(|e| e.kind == Kind::Docker26Containerd)
    {
        return;
    }
    let seed = seed("bxseed");
    for (path, format) in [
        (&seed.docker, Format::DockerOciArchive),
        (&seed.oci, Format::OciArchive),
    ] {
        let r = report(path);
        assert_eq!(r.format, format, "{}", path.display());
        assert_eq!(r.images.len(), 1, "attestation manifests are not images");
        let image = &r.images[0];
        assert_eq!(image.layers.len(), 3);
        assert!(
            image
                .layers
                .iter()
                .all(|l| l.compression == Compression::Gzip)
        );
    }
    each_engine(test, |engine| {
        for path in [&seed.docker, &seed.oci] {
            let image = report(path).images.remove(0);
            let classic_docker =
                matches!(engine.kind, Kind::Docker20Classic | Kind::Docker26Classic);
            if classic_docker && path == &seed.oci {
                // The classic store refuses an OCI archive without manifest.json, on 20.10 and
                // 26.1 alike (an engine limit: haul converts for it).
                assert!(!engine.ok(&["load", "-q", "-i", path.to_str().unwrap()]));
                continue;
            }
            let mut images = engine.images();
            images.track(&seed.name);
            engine.run(&["load", "-q", "-i", path.to_str().unwrap()]);
            engine.assert_same_as_daemon(&image, &seed.name);
            // As the engine names them (Podman qualifies `haul-test/x` as `docker.io/haul-test/x`).
            let tags: Vec<String> = image.tags.iter().map(|t| engine.reported_name(t)).collect();
            assert_eq!(tags, engine.tags(&seed.name), "tags of {}", path.display());
        }
    });
}
