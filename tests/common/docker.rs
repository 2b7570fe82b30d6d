//! Real-daemon test helpers: images built by the tests themselves (a rootfs tar written here,
//! `docker import`ed, then `COPY` layers: no shell needed in the image), unique names, and a
//! guard that removes only what a test created.
//!
//! Every helper is a method of an [`Engine`] (see `engines.rs`); the free functions below are
//! the same helpers on `docker20`, the machine's Docker 20.10.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

pub use super::engines::{Engine, docker20};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// `haul-test/<test>-<pid>-<n>:<tag>`.
pub fn unique_name(test: &str, tag: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!("haul-test/{test}-{}-{n}:{tag}", std::process::id())
}

/// Removes the images a test registered (by name or ID) from its engine, nothing else.
pub struct Images {
    engine: &'static Engine,
    names: Vec<String>,
}

impl Default for Images {
    fn default() -> Images {
        Images::new()
    }
}

impl Images {
    /// A guard on docker20.
    pub fn new() -> Images {
        docker20().images()
    }
    pub fn track(&mut self, name: &str) {
        self.names.push(name.to_string());
    }
}

impl Drop for Images {
    fn drop(&mut self) {
        // Newest first, so images built on top go before their bases.
        for name in self.names.iter().rev() {
            let _ = self
                .engine
                .docker()
                .args(["rmi", "--force", name])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// A rootfs tar with a few small files.
pub fn rootfs_tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o755);
        header.set_mtime(1_700_000_000);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, path, *data)
            .expect("append to rootfs tar");
    }
    builder.into_inner().expect("finish rootfs tar")
}

/// Content for one `COPY` layer: a file name and either bytes or a count of random bytes.
pub enum Layer {
    Bytes(&'static str, Vec<u8>),
    Random(&'static str, u64),
}

/// A build context: `FROM base`, one `COPY` per layer, `CMD ["/etc/hello.txt"]`.
pub fn build_context(base: &str, layers: &[Layer]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("build context");
    let mut dockerfile = format!("FROM {base}\n");
    for layer in layers {
        let file = match layer {
            Layer::Bytes(file, data) => {
                std::fs::write(dir.path().join(file), data).expect("write layer file");
                file
            }
            Layer::Random(file, size) => {
                write_random(&dir.path().join(file), *size);
                file
            }
        };
        dockerfile.push_str(&format!("COPY {file} /data/{file}\n"));
    }
    dockerfile.push_str("CMD [\"/etc/hello.txt\"]\n");
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).expect("write Dockerfile");
    dir
}

/// What `buildx build --output type=...,dest=` writes (the seed's flow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildxOutput {
    Docker,
    Oci,
}

impl Engine {
    /// A guard that removes what it tracks from this engine.
    pub fn images(&'static self) -> Images {
        Images {
            engine: self,
            names: Vec::new(),
        }
    }

    /// `docker import` a rootfs tar under `name`; returns the image ID.
    pub fn import(&self, rootfs: &[u8], name: &str, images: &mut Images) -> String {
        images.track(name);
        let mut child = self
            .docker()
            .args(["import", "-", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("docker import");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(rootfs)
            .expect("write rootfs");
        let out = child.wait_with_output().expect("docker import");
        assert!(
            out.status.success(),
            "[{}] docker import failed: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
        self.image_id(name)
    }

    /// A base image of a few small files.
    pub fn small_base(&self, test: &str, images: &mut Images) -> String {
        let name = unique_name(test, "base");
        let note = format!("made by {test}\n");
        self.import(
            &rootfs_tar(&[("etc/hello.txt", b"hello\n"), ("etc/note", note.as_bytes())]),
            &name,
            images,
        );
        name
    }

    /// `FROM base` + one `COPY` per layer + a `CMD`; returns the image ID.
    pub fn build_on(
        &self,
        base: &str,
        name: &str,
        layers: &[Layer],
        images: &mut Images,
    ) -> String {
        images.track(name);
        let dir = build_context(base, layers);
        self.docker_build(dir.path(), name)
    }

    /// `docker build -t name ctx`; returns the image ID. BuildKit on Docker 26 (the classic
    /// builder leaves its intermediate images behind on the containerd store), the classic
    /// builder on Docker 20.10 and Podman. The base must be present: nothing is pulled.
    pub fn docker_build(&self, ctx: &Path, name: &str) -> String {
        let buildkit = if self.is_docker26() { "1" } else { "0" };
        let out = self
            .docker()
            .args(["build", "-q", "-t", name])
            .arg(ctx)
            .env("DOCKER_BUILDKIT", buildkit)
            .output()
            .expect("docker build");
        assert!(
            out.status.success(),
            "[{}] docker build failed: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
        self.image_id(name)
    }

    /// The seed's flow: `docker buildx build --network=none --output type=T,dest=DEST -t NAME
    /// CTX` with the docker driver (Docker 26 with the containerd store only). The image is
    /// written to DEST, not stored in the engine.
    pub fn buildx(&self, ctx: &Path, name: &str, output: BuildxOutput, dest: &Path) {
        let kind = match output {
            BuildxOutput::Docker => "docker",
            BuildxOutput::Oci => "oci",
        };
        let out = self
            .docker()
            .args(["buildx", "build", "-q", "--network=none", "-t", name])
            .arg(format!("--output=type={kind},dest={}", dest.display()))
            .arg(ctx)
            .output()
            .expect("docker buildx build");
        assert!(
            out.status.success(),
            "[{}] docker buildx build failed: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `haul load --json ARGS` on this engine (inspect cache in `cache` when given): success,
    /// one report per line of stdout, and stderr.
    pub fn haul_load_in(
        &self,
        cache: Option<&Path>,
        args: &[&str],
    ) -> (bool, Vec<serde_json::Value>, String) {
        let mut cmd = self.haul();
        if let Some(cache) = cache {
            cmd.env("HAUL_CACHE_DIR", cache);
        }
        let out = cmd.arg("load").arg("--json").args(args).output().unwrap();
        let reports = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect();
        (
            out.status.success(),
            reports,
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    }

    /// `docker image inspect NAME`, the one object.
    pub fn inspect(&self, name: &str) -> serde_json::Value {
        let text = self.run(&["image", "inspect", name]);
        let mut list: Vec<serde_json::Value> = serde_json::from_str(&text).expect("inspect JSON");
        list.remove(0)
    }

    pub fn image_id(&self, name: &str) -> String {
        self.run(&["image", "inspect", "--format", "{{.Id}}", name])
    }

    pub fn exists(&self, name: &str) -> bool {
        self.ok(&["image", "inspect", name])
    }

    pub fn diff_ids(&self, name: &str) -> Vec<String> {
        layers_of(&self.inspect(name)).expect("RootFS.Layers")
    }

    /// Diff IDs of an image, or `None` when it no longer exists (removed by a concurrent test).
    pub fn diff_ids_if_present(&self, name: &str) -> Option<Vec<String>> {
        let out = self
            .docker()
            .args(["image", "inspect", name])
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).ok()?;
        layers_of(list.first()?)
    }

    /// `RepoTags`, sorted.
    pub fn tags(&self, name: &str) -> Vec<String> {
        let mut tags: Vec<String> = self.inspect(name)["RepoTags"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        tags.sort();
        tags
    }

    /// Every image ID in the engine, for "left the daemon as it was" checks.
    pub fn all_image_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .run(&["images", "-a", "-q", "--no-trunc"])
            .lines()
            .map(str::to_string)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

fn layers_of(inspect: &serde_json::Value) -> Option<Vec<String>> {
    let layers = inspect["RootFS"]["Layers"].as_array()?;
    Some(
        layers
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
    )
}

// ---- The same helpers on docker20 (the tests written before the engine matrix). ----

/// True when docker20 answers. Under `CI=true` a missing daemon fails the test; elsewhere the
/// test is skipped with a note.
pub fn daemon_available(test: &str) -> bool {
    let ok = docker20().ok(&["version", "--format", "{{.Server.Version}}"]);
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: no Docker daemon, and CI=true requires one");
        }
        eprintln!("note: {test} skipped: no Docker daemon");
    }
    ok
}

/// Run docker on docker20, panic with its stderr on failure, return stdout.
pub fn docker(args: &[&str]) -> String {
    docker20().run(args)
}

/// Run docker on docker20, true when it succeeded.
pub fn docker_ok(args: &[&str]) -> bool {
    docker20().ok(args)
}

pub fn import(rootfs: &[u8], name: &str, images: &mut Images) -> String {
    docker20().import(rootfs, name, images)
}

pub fn small_base(test: &str, images: &mut Images) -> String {
    docker20().small_base(test, images)
}

pub fn build_on(base: &str, name: &str, layers: &[Layer], images: &mut Images) -> String {
    docker20().build_on(base, name, layers, images)
}

pub fn docker_build(ctx: &Path, name: &str) -> String {
    docker20().docker_build(ctx, name)
}

pub fn haul_load_in(cache: Option<&Path>, args: &[&str]) -> (bool, Vec<serde_json::Value>, String) {
    docker20().haul_load_in(cache, args)
}

pub fn inspect(name: &str) -> serde_json::Value {
    docker20().inspect(name)
}

pub fn image_id(name: &str) -> String {
    docker20().image_id(name)
}

pub fn exists(name: &str) -> bool {
    docker20().exists(name)
}

pub fn diff_ids(name: &str) -> Vec<String> {
    docker20().diff_ids(name)
}

pub fn diff_ids_if_present(name: &str) -> Option<Vec<String>> {
    docker20().diff_ids_if_present(name)
}

pub fn tags(name: &str) -> Vec<String> {
    docker20().tags(name)
}

pub fn all_image_ids() -> Vec<String> {
    docker20().all_image_ids()
}

/// The haul binary under test aimed at docker20, with an inspect cache of this test process
/// (never the user's); a test that checks the cache sets its own `HAUL_CACHE_DIR` after this.
pub fn haul() -> Command {
    docker20().haul()
}

/// `size` bytes from /dev/urandom (incompressible, so layer sizes are real).
pub fn write_random(path: &Path, size: u64) {
    let mut src = std::fs::File::open("/dev/urandom")
        .expect("open /dev/urandom")
        .take(size);
    let mut dst = std::fs::File::create(path).expect("create random file");
    std::io::copy(&mut src, &mut dst).expect("write random file");
}

/// Files in `dir` whose name starts with `prefix`.
pub fn files_with_prefix(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(prefix))
                })
                .collect()
        })
        .unwrap_or_default()
}
