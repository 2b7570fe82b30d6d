//! Fault tests on a private, disposable Docker 26.1 engine (scripts/fault-engine.sh) that these
//! tests start, kill (SIGKILL) or stop gracefully (SIGTERM) mid-load and mid-save, and start
//! again. Whatever happens, haul's word matches the engine's state: "loaded" only when the image
//! is there, a failure only when it is not (or "may have loaded" when the engine cannot be
//! asked), one line, and no partial file left.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::archives::*;
use haul::transfer::{JobEvent, Jobs, LoadOptions, Phase, start_load};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fault-engine.sh")
}

/// One private engine, stopped and removed on drop.
struct FaultEngine {
    name: String,
    n: u32,
}

impl FaultEngine {
    fn start(name: &str, n: u32) -> Option<FaultEngine> {
        let engine = FaultEngine {
            name: format!("{name}-{}", std::process::id()),
            n,
        };
        if engine.run("start") {
            return Some(engine);
        }
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true: the private Docker 26 engine must start (scripts/fault-engine.sh)"
        );
        eprintln!("note: {name} skipped: no private Docker 26 engine here");
        None
    }

    fn run(&self, what: &str) -> bool {
        Command::new(script())
            .args([what, &self.name, &self.n.to_string()])
            .status()
            .is_ok_and(|s| s.success())
    }

    fn host(&self) -> String {
        format!("unix:///run/haul-fault/{}/docker.sock", self.name)
    }

    fn haul(&self) -> Command {
        let mut cmd = common::docker::haul();
        cmd.args(["-H", &self.host()]);
        cmd
    }

    fn has(&self, id: &str) -> bool {
        Command::new("docker")
            .env("DOCKER_CONFIG", "/var/tmp/haul-engines/docker-config")
            .args(["-H", &self.host(), "image", "inspect", id])
            .output()
            .is_ok_and(|o| o.status.success())
    }
}

impl Drop for FaultEngine {
    fn drop(&mut self) {
        self.run("stop");
    }
}

/// An image tar big enough (about 80 MB) for the engine to spend a while processing it.
fn big_tar(dir: &Path, tag: &str) -> (PathBuf, String) {
    let image = TestImage::with_layers(
        &[tag],
        vec![
            layer_tar(&[("big.bin", &noise(80_000_000, 11))]),
            layer_tar(&[("small", b"x")]),
        ],
        "amd64",
    );
    let path = dir.join("big.tar");
    std::fs::write(&path, legacy_docker_archive(std::slice::from_ref(&image))).unwrap();
    (path, image.id())
}

/// Load `tar` into `engine`; once the engine processes the upload, `fault` runs (it kills or
/// stops the engine, then starts it again). Returns the job's final phase.
fn load_with_fault(engine: &FaultEngine, tar: &Path, fault: &str) -> Phase {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let daemon = haul::daemon::Daemon::connect_default(Some(engine.host()))
            .await
            .unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut jobs = Jobs::new(tx);
        let opts = LoadOptions { full: true };
        let (id, _report) = start_load(&mut jobs, daemon, tar.to_path_buf(), opts);
        let mut faulted = false;
        while jobs.any_running() {
            let Some(event) = rx.recv().await else { break };
            let processing = matches!(
                &event,
                JobEvent::Phase {
                    phase: Phase::DaemonProcessing,
                    ..
                }
            );
            jobs.apply(event);
            if processing && !faulted {
                faulted = true;
                assert!(engine.run(fault));
                assert!(engine.run("start"));
            }
        }
        jobs.snapshot(id).unwrap().phase
    })
}

fn check_word_matches_state(engine: &FaultEngine, id: &str, phase: &Phase, what: &str) {
    match phase {
        Phase::Done => assert!(
            engine.has(id),
            "{what}: haul said loaded, the engine has no image"
        ),
        Phase::Failed(why) => {
            assert!(!why.contains('\n'), "{why}");
            assert!(
                !engine.has(id) || why.contains("may have loaded"),
                "{what}: haul said it failed ({why}) but the engine has the image"
            );
        }
        other => panic!("{what}: ended {other:?}"),
    }
}

#[test]
fn the_engine_killed_or_stopped_mid_load() {
    let Some(engine) = FaultEngine::start("midload", 61) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (tar, id) = big_tar(dir.path(), "fault/load:1");
    for fault in ["term", "kill"] {
        let phase = load_with_fault(&engine, &tar, fault);
        eprintln!(
            "fault {fault} mid-load: {phase:?}, engine has it: {}",
            engine.has(&id)
        );
        check_word_matches_state(&engine, &id, &phase, fault);
        let _ = engine.haul().args(["images"]).output();
        Command::new("docker")
            .env("DOCKER_CONFIG", "/var/tmp/haul-engines/docker-config")
            .args(["-H", &engine.host(), "rmi", "-f", &id])
            .output()
            .unwrap();
    }
}

#[test]
fn the_engine_killed_mid_save_leaves_no_partial() {
    let Some(engine) = FaultEngine::start("midsave", 62) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (tar, _) = big_tar(dir.path(), "fault/save:1");
    let out = engine
        .haul()
        .args(["load", "-q"])
        .arg(&tar)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let mut child = engine
        .haul()
        .args(["save", "-q", "fault/save:1", "-o"])
        .arg(out_dir.join("x.tar"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while common::docker::files_with_prefix(&out_dir, ".haul-").is_empty()
        && started.elapsed() < Duration::from_secs(60)
        && child.try_wait().unwrap().is_none()
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(engine.run("kill"));
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    if done.status.success() {
        eprintln!("note: the save finished before the kill");
        return;
    }
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().flatten().collect();
    assert!(left.is_empty(), "nothing left: {left:?}");
}
