//! SIGTERM and SIGHUP act like Ctrl-C (partials removed, loads undone, exit 143/129); a partial
//! left by SIGKILL carries its owner's pid and the next run removes it; a full disk names its
//! root cause.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::docker::*;

fn big_image(test: &str, images: &mut Images) -> String {
    let base = small_base(test, images);
    let name = unique_name(test, "big");
    build_on(
        &base,
        &name,
        &[Layer::Random("big.bin", 120_000_000)],
        images,
    );
    name
}

fn partials(dir: &Path) -> Vec<PathBuf> {
    files_with_prefix(dir, ".haul-")
}

/// Wait until `dir` holds a partial file (the save is under way); false on timeout.
fn wait_for_partial(dir: &Path, child: &mut Child) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if !partials(dir).is_empty() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    false
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: a plain kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, sig) }, 0);
}

fn save_cmd(name: &str, out: &Path) -> Command {
    let mut cmd = haul();
    cmd.args(["save", "-q", "--compress", "gzip", name, "-o"])
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    cmd
}

#[test]
fn sigterm_and_sighup_cancel_a_save_like_ctrl_c() {
    if !daemon_available("sigterm_and_sighup_cancel_a_save") {
        return;
    }
    let mut images = Images::new();
    let name = big_image("harden-sig-save", &mut images);
    let dir = tempfile::tempdir().unwrap();
    for (sig, code) in [
        (libc::SIGTERM, 143),
        (libc::SIGHUP, 129),
        (libc::SIGINT, 130),
    ] {
        let out = dir.path().join("out.tar.gz");
        let mut child = save_cmd(&name, &out).spawn().unwrap();
        assert!(wait_for_partial(dir.path(), &mut child), "the save started");
        let partial = partials(dir.path()).remove(0);
        let owner = haul::partial::owner(&partial.file_name().unwrap().to_string_lossy());
        assert_eq!(owner, Some(child.id()), "the partial names its owner");
        signal(&child, sig);
        let done = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(code), "signal {sig}: {stderr}");
        assert!(stderr.contains("cancelled"), "{stderr}");
        assert!(partials(dir.path()).is_empty(), "partial removed");
        assert!(!out.exists(), "nothing written");
    }
}

#[test]
fn a_partial_left_by_sigkill_is_removed_by_the_next_run() {
    if !daemon_available("a_partial_left_by_sigkill") {
        return;
    }
    let mut images = Images::new();
    let name = big_image("harden-sig-kill", &mut images);
    let dir = tempfile::tempdir().unwrap();
    let mut child = save_cmd(&name, &dir.path().join("a.tar.gz"))
        .spawn()
        .unwrap();
    assert!(wait_for_partial(dir.path(), &mut child));
    signal(&child, libc::SIGKILL);
    child.wait().unwrap();
    let left = partials(dir.path());
    assert_eq!(left.len(), 1, "SIGKILL leaves the partial: {left:?}");
    // Any later write into the folder removes it (its owner is gone).
    let base = small_base("harden-sig-kill-small", &mut images);
    let out = haul()
        .args(["save", "-q", &base, "-o"])
        .arg(dir.path().join("small.tar"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        partials(dir.path()).is_empty(),
        "{:?}",
        partials(dir.path())
    );
}

#[test]
fn sigterm_during_a_load_loads_nothing() {
    if !daemon_available("sigterm_during_a_load") {
        return;
    }
    let mut images = Images::new();
    let name = big_image("harden-sig-load", &mut images);
    let id = image_id(&name);
    let dir = tempfile::tempdir().unwrap();
    let tar = dir.path().join("big.tar");
    let out = haul()
        .args(["save", "-q", &name, "-o"])
        .arg(&tar)
        .output()
        .unwrap();
    assert!(out.status.success());
    docker(&["rmi", &name]);
    for delay in [200, 900] {
        let child = haul()
            .args(["load", "-q", "--full"])
            .arg(&tar)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        signal(&child, libc::SIGTERM);
        let done = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr);
        if done.status.success() {
            // Finished before the signal: nothing to check at this delay.
            docker(&["rmi", &name]);
            continue;
        }
        assert_eq!(done.status.code(), Some(143), "{stderr}");
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            !exists(&name) && !exists(&id),
            "undone after {delay} ms: {stderr}"
        );
    }
}

/// A small tmpfs at a fresh folder, unmounted on drop; `None` where mounting is not allowed.
struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    fn new(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Tmpfs(dir))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

#[test]
fn a_full_disk_names_its_root_cause_and_leaves_nothing() {
    if !daemon_available("a_full_disk_names_its_root_cause") {
        return;
    }
    let Some(disk) = Tmpfs::new("4m") else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI runs as root: a tmpfs must mount"
        );
        eprintln!("note: skipped, cannot mount a tmpfs here");
        return;
    };
    let mut images = Images::new();
    let name = big_image("harden-enospc", &mut images);
    for compress in [None, Some("gzip"), Some("zstd")] {
        let mut cmd = haul();
        cmd.args(["save", "-q", &name, "-o"])
            .arg(disk.0.path().join("x.tar"));
        if let Some(c) = compress {
            cmd.args(["--compress", c]);
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.contains("No space left on device"),
            "{compress:?}: {stderr}"
        );
        assert!(!stderr.contains("compressor stopped"), "{stderr}");
        let left: Vec<_> = std::fs::read_dir(disk.0.path()).unwrap().collect();
        assert!(left.is_empty(), "{compress:?}: nothing left: {left:?}");
    }
}
