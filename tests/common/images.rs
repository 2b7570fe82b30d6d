//! Images in the real Docker daemon, made by the tests and removed by them.
//!
//! No registry is reachable, so images come from `docker import` of a rootfs tar written here,
//! plus `docker build` steps that need no shell (COPY, ENV, LABEL). Every name is unique and
//! starts with `haul-test/`; a guard removes exactly the tags it created.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Run docker; panic with its stderr when it fails.
pub fn docker(args: &[&str]) -> String {
    let out = docker_output(args);
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn docker_output(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .expect("the docker CLI runs")
}

/// True when a daemon answers. Under CI (`CI=true`) a missing daemon fails the test instead:
/// a test that needs the daemon never passes silently there.
pub fn daemon_available() -> bool {
    let up = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !up {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but no Docker daemon answers"
        );
        eprintln!("skipped: no Docker daemon (set CI=true to make this a failure)");
    }
    up
}

/// A unique `haul-test/<what>-<pid>-<n>` repository name.
pub fn unique_name(what: &str) -> String {
    format!(
        "haul-test/{what}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Tags created by a test; removed when dropped.
#[derive(Default)]
pub struct Cleanup {
    tags: Vec<String>,
}

impl Cleanup {
    pub fn track(&mut self, tag: &str) {
        self.tags.push(tag.to_string());
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for tag in self.tags.iter().rev() {
            let _ = docker_output(&["rmi", "--force", tag]);
        }
    }
}

/// A rootfs tar with a few files, and a static busybox at /bin/sh when the host has one
/// (Debian's busybox-static), so the image can run a command.
pub fn rootfs_tar(seed: &str) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut add = |name: &str, data: &[u8], mode: u32| {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        header.set_mtime(1_700_000_000);
        header.set_cksum();
        builder.append_data(&mut header, name, data).unwrap();
    };
    add("etc/haul-seed", seed.as_bytes(), 0o644);
    add("etc/os-release", b"NAME=haul-test\n", 0o644);
    if let Ok(busybox) = std::fs::read("/bin/busybox") {
        add("bin/busybox", &busybox, 0o755);
        add("bin/sh", &busybox, 0o755);
    }
    builder.into_inner().unwrap()
}

/// `docker import` a fresh rootfs as `tag`.
pub fn import(cleanup: &mut Cleanup, tag: &str, seed: &str, dir: &Path) -> String {
    let path = dir.join(format!("rootfs-{}.tar", seed.replace('/', "_")));
    std::fs::write(&path, rootfs_tar(seed)).unwrap();
    cleanup.track(tag);
    docker(&["import", path.to_str().unwrap(), tag])
}

/// Build `tag` FROM `base` with the Dockerfile lines given (COPY sources are written first:
/// `files` are (name, size) pairs of random-looking content).
pub fn build(
    cleanup: &mut Cleanup,
    tag: &str,
    base: &str,
    files: &[(&str, usize)],
    lines: &[&str],
    dir: &Path,
) {
    let ctx = tempfile::tempdir_in(dir).unwrap();
    for (i, (name, size)) in files.iter().enumerate() {
        let mut data = Vec::with_capacity(*size);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1) ^ (std::process::id() as u64) << 20;
        while data.len() < *size {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            data.extend_from_slice(&x.to_le_bytes());
        }
        data.truncate(*size);
        std::fs::write(ctx.path().join(name), data).unwrap();
    }
    let dockerfile = format!("FROM {base}\n{}\n", lines.join("\n"));
    std::fs::write(ctx.path().join("Dockerfile"), dockerfile).unwrap();
    cleanup.track(tag);
    docker(&["build", "-q", "-t", tag, ctx.path().to_str().unwrap()]);
}

pub fn image_exists(reference: &str) -> bool {
    docker_output(&["image", "inspect", reference])
        .status
        .success()
}

/// `docker image inspect` of one image as JSON.
pub fn inspect_json(reference: &str) -> serde_json::Value {
    let text = docker(&["image", "inspect", reference]);
    let mut list: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    list.remove(0)
}

/// `created_by` of every history entry, oldest first (`docker history` lists newest first).
pub fn history_created_by(reference: &str) -> Vec<String> {
    let out = docker_output(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}}",
        reference,
    ]);
    assert!(out.status.success(), "docker history {reference} failed");
    // Not trimmed: created_by keeps its trailing spaces, and an imported layer's is empty.
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines: Vec<String> = text
        .strip_suffix('\n')
        .unwrap_or(&text)
        .split('\n')
        .map(str::to_string)
        .collect();
    lines.reverse();
    lines
}
