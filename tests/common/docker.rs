//! Real-daemon test helpers: images built by the tests themselves (a rootfs tar written here,
//! `docker import`ed, then `COPY` layers with the classic builder: no shell needed in the
//! image), unique names, and a guard that removes only what a test created.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// True when a daemon answers. Under `CI=true` a missing daemon fails the test; elsewhere the
/// test is skipped with a note.
pub fn daemon_available(test: &str) -> bool {
    let ok = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: no Docker daemon, and CI=true requires one");
        }
        eprintln!("note: {test} skipped: no Docker daemon");
    }
    ok
}

/// `haul-test/<test>-<pid>-<n>:<tag>`.
pub fn unique_name(test: &str, tag: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!("haul-test/{test}-{}-{n}:{tag}", std::process::id())
}

/// Run docker, panic with its stderr on failure, return stdout.
pub fn docker(args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("run docker");
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Run docker, true when it succeeded.
pub fn docker_ok(args: &[&str]) -> bool {
    Command::new("docker")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Removes the images a test registered (by name or ID), nothing else.
#[derive(Default)]
pub struct Images {
    names: Vec<String>,
}

impl Images {
    pub fn new() -> Images {
        Images::default()
    }
    pub fn track(&mut self, name: &str) {
        self.names.push(name.to_string());
    }
}

impl Drop for Images {
    fn drop(&mut self) {
        // Newest first, so images built on top go before their bases.
        for name in self.names.iter().rev() {
            let _ = Command::new("docker")
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

/// `docker import` a rootfs tar under `name`; returns the image ID.
pub fn import(rootfs: &[u8], name: &str, images: &mut Images) -> String {
    images.track(name);
    let mut child = Command::new("docker")
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
        "docker import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    image_id(name)
}

/// A base image of a few small files.
pub fn small_base(test: &str, images: &mut Images) -> String {
    let name = unique_name(test, "base");
    let note = format!("made by {test}\n");
    import(
        &rootfs_tar(&[("etc/hello.txt", b"hello\n"), ("etc/note", note.as_bytes())]),
        &name,
        images,
    );
    name
}

/// Content for one `COPY` layer: a file name and either bytes or a count of random bytes.
pub enum Layer {
    Bytes(&'static str, Vec<u8>),
    Random(&'static str, u64),
}

/// `FROM base` + one `COPY` per layer, built with the classic builder (no shell in the image).
pub fn build_on(base: &str, name: &str, layers: &[Layer], images: &mut Images) -> String {
    images.track(name);
    let dir = tempfile::tempdir().expect("build context");
    let mut dockerfile = format!("FROM {base}\n");
    for layer in layers {
        let (file, path) = match layer {
            Layer::Bytes(file, data) => {
                let path = dir.path().join(file);
                std::fs::write(&path, data).expect("write layer file");
                (file, path)
            }
            Layer::Random(file, size) => {
                let path = dir.path().join(file);
                write_random(&path, *size);
                (file, path)
            }
        };
        let _ = path;
        dockerfile.push_str(&format!("COPY {file} /data/{file}\n"));
    }
    dockerfile.push_str("CMD [\"/etc/hello.txt\"]\n");
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).expect("write Dockerfile");
    docker_build(dir.path(), name)
}

/// `docker build -t name ctx` with the classic builder; returns the image ID.
pub fn docker_build(ctx: &Path, name: &str) -> String {
    let out = Command::new("docker")
        .args(["build", "-q", "-t", name])
        .arg(ctx)
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .expect("docker build");
    assert!(
        out.status.success(),
        "docker build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    image_id(name)
}

/// Run `haul load --json ARGS` (with the inspect cache in `cache` when given): success, one
/// report per line of stdout, and stderr.
pub fn haul_load_in(cache: Option<&Path>, args: &[&str]) -> (bool, Vec<serde_json::Value>, String) {
    let mut cmd = haul();
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

/// `size` bytes from /dev/urandom (incompressible, so layer sizes are real).
pub fn write_random(path: &Path, size: u64) {
    let mut src = std::fs::File::open("/dev/urandom")
        .expect("open /dev/urandom")
        .take(size);
    let mut dst = std::fs::File::create(path).expect("create random file");
    std::io::copy(&mut src, &mut dst).expect("write random file");
}

pub fn inspect(name: &str) -> serde_json::Value {
    let text = docker(&["image", "inspect", name]);
    let mut list: Vec<serde_json::Value> = serde_json::from_str(&text).expect("inspect JSON");
    list.remove(0)
}

pub fn image_id(name: &str) -> String {
    docker(&["image", "inspect", "--format", "{{.Id}}", name])
}

pub fn exists(name: &str) -> bool {
    docker_ok(&["image", "inspect", name])
}

pub fn diff_ids(name: &str) -> Vec<String> {
    inspect(name)["RootFS"]["Layers"]
        .as_array()
        .expect("RootFS.Layers")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// Diff IDs of an image, or `None` when it no longer exists (removed by a concurrent test).
pub fn diff_ids_if_present(name: &str) -> Option<Vec<String>> {
    if !exists(name) {
        return None;
    }
    let out = Command::new("docker")
        .args(["image", "inspect", name])
        .output()
        .ok()?;
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).ok()?;
    let layers = list.first()?["RootFS"]["Layers"].as_array()?.iter();
    Some(
        layers
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect(),
    )
}

pub fn tags(name: &str) -> Vec<String> {
    let mut tags: Vec<String> = inspect(name)["RepoTags"]
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

/// Every image ID in the daemon, for "left the daemon as it was" checks.
pub fn all_image_ids() -> Vec<String> {
    let mut ids: Vec<String> = docker(&["images", "-a", "-q", "--no-trunc"])
        .lines()
        .map(str::to_string)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The haul binary under test, with an inspect cache of this test process (never the
/// user's); a test that checks the cache sets its own `HAUL_CACHE_DIR` after this.
pub fn haul() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_haul"));
    cmd.env_remove("DOCKER_CONTEXT").env(
        "HAUL_CACHE_DIR",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cache-{}", std::process::id())),
    );
    cmd
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
