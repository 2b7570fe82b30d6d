//! The engines a daemon test runs on.
//!
//! | name                  | kind                         | where                                          |
//! |-----------------------|------------------------------|------------------------------------------------|
//! | `docker20`            | Docker 20.10, classic store  | the machine's daemon, `/var/run/docker.sock`   |
//! | `docker26-containerd` | Docker 26.1, containerd store| `scripts/engines.sh` (`/run/haul-engines/...`) |
//! | `docker26-classic`    | Docker 26.1, classic store   | `scripts/engines.sh`                           |
//! | `podman43`            | Podman 4.3 Docker API        | `scripts/engines.sh`                           |
//!
//! A test loops over them; the first test of a process that needs an engine beyond `docker20`
//! runs `scripts/engines.sh start` (idempotent, and locked across parallel test processes):
//!
//! ```ignore
//! use common::engines::{each_engine, Kind};
//! #[test]
//! fn my_daemon_test() {
//!     each_engine("my_daemon_test", |engine| {
//!         let mut images = engine.images();              // removes what it tracks, on this engine
//!         let base = engine.small_base("my", &mut images);
//!         let app = unique_name("my", "app");
//!         let id = engine.build_on(&base, &app, &[Layer::Random("r.bin", 1000)], &mut images);
//!         let out = engine.haul().args(["images", "--json"]).output().unwrap(); // DOCKER_HOST set
//!         assert_eq!(engine.image_id(&app), id);             // `docker image inspect` on this engine
//!         if engine.kind == Kind::Podman43 { /* Podman-only checks: engine.podman() */ }
//!     });
//! }
//! ```
//!
//! - `each_engine` runs the body on every selected engine that is up, catches a panic per engine
//!   and fails at the end naming each engine that failed (so one run shows the whole matrix).
//!   `each_engine_of(test, &[Kind::...], body)` runs only on the kinds listed;
//!   `each_engine_except(test, &[(Kind::..., "why")], body)` leaves out kinds where the test is
//!   known to fail because haul is wrong there (a pending fix: remove the entry with the fix;
//!   `HAUL_TEST_KNOWN_FAILURES=run` runs them anyway).
//! - Selection: `HAUL_TEST_ENGINES=docker20,podman43` (names, comma-separated; default: all four).
//! - An engine that does not come up: with `CI=true` the test fails (naming the engine and its log),
//!   elsewhere it is skipped with a note on stderr.
//! - `engine.docker()` is a `docker` CLI `Command` aimed at the engine (`DOCKER_HOST` + a private
//!   `DOCKER_CONFIG` with the buildx plugin); `engine.run(&[...])` runs it and returns stdout;
//!   `engine.haul()` the haul binary aimed at it; `engine.podman()` the podman CLI on the Podman
//!   engine's own storage (`podman image mount`); `engine.connect(&rt)` a `haul::daemon::Daemon`.
//! - Image helpers (`import`, `small_base`, `build_on`, `docker_build`, `buildx`, `inspect`,
//!   `image_id`, `exists`, `diff_ids`, `tags`, `all_image_ids`) live in `docker.rs` as methods;
//!   its free functions are the same helpers on `docker20`.
//! - Naming: images are `haul-test/<test>-<pid>-<n>:<tag>` (`unique_name`) on every engine; Podman
//!   reports them as `docker.io/haul-test/...` (`engine.reported_name(name)`).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Docker20Classic,
    Docker26Containerd,
    Docker26Classic,
    Podman43,
}

#[derive(Debug)]
pub struct Engine {
    pub name: &'static str,
    pub kind: Kind,
    /// `unix:///...`: what `DOCKER_HOST` / `haul -H` get.
    pub host: String,
}

/// What `scripts/engines.sh env` prints, read once per test process.
pub struct Paths {
    vars: Vec<(String, String)>,
}

impl Paths {
    pub fn get(&self, key: &str) -> String {
        self.vars
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("scripts/engines.sh env prints no {key}"))
    }
    pub fn docker_config(&self) -> PathBuf {
        PathBuf::from(self.get("HAUL_ENGINES_DOCKER_CONFIG"))
    }
    pub fn log(&self, engine: &str) -> PathBuf {
        Path::new(&self.get("HAUL_ENGINES_LOGS")).join(format!("{engine}.log"))
    }
}

pub fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/engines.sh")
}

pub fn paths() -> &'static Paths {
    static PATHS: OnceLock<Paths> = OnceLock::new();
    PATHS.get_or_init(|| {
        let out = Command::new("bash")
            .arg(script())
            .arg("env")
            .output()
            .expect("run scripts/engines.sh env");
        assert!(out.status.success(), "scripts/engines.sh env failed");
        let vars = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Paths { vars }
    })
}

/// Every engine of the matrix, whether up or not.
pub fn all() -> &'static [Engine] {
    static ALL: OnceLock<Vec<Engine>> = OnceLock::new();
    ALL.get_or_init(|| {
        let p = paths();
        let docker20 = std::env::var("HAUL_ENGINE_DOCKER20")
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| p.get("HAUL_ENGINE_DOCKER20"));
        vec![
            Engine {
                name: "docker20",
                kind: Kind::Docker20Classic,
                host: docker20,
            },
            Engine {
                name: "docker26-containerd",
                kind: Kind::Docker26Containerd,
                host: p.get("HAUL_ENGINE_DOCKER26_CONTAINERD"),
            },
            Engine {
                name: "docker26-classic",
                kind: Kind::Docker26Classic,
                host: p.get("HAUL_ENGINE_DOCKER26_CLASSIC"),
            },
            Engine {
                name: "podman43",
                kind: Kind::Podman43,
                host: p.get("HAUL_ENGINE_PODMAN43"),
            },
        ]
    })
}

/// The machine's Docker 20.10 (what the helpers without an engine use).
pub fn docker20() -> &'static Engine {
    &all()[0]
}

/// The engine of this name.
pub fn named(name: &str) -> &'static Engine {
    all()
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no engine named {name}"))
}

fn selected(engine: &Engine) -> bool {
    match std::env::var("HAUL_TEST_ENGINES") {
        Ok(list) if !list.trim().is_empty() && list.trim() != "all" => {
            list.split(',').any(|n| n.trim() == engine.name)
        }
        _ => true,
    }
}

fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Whether each engine answers, decided once per process; engines beyond docker20 that are
/// selected and down are started first (`scripts/engines.sh start NAME...`).
fn state() -> &'static [Result<(), String>] {
    static STATE: OnceLock<Vec<Result<(), String>>> = OnceLock::new();
    STATE.get_or_init(|| {
        let to_start: Vec<&str> = all()[1..]
            .iter()
            .filter(|e| selected(e) && !e.answers())
            .map(|e| e.name)
            .collect();
        let mut start_error = None;
        if !to_start.is_empty() {
            let out = Command::new("bash")
                .arg(script())
                .arg("start")
                .args(&to_start)
                .stdin(Stdio::null())
                .output();
            match out {
                Ok(out) if out.status.success() => {}
                Ok(out) => {
                    start_error = Some(String::from_utf8_lossy(&out.stderr).trim().to_string())
                }
                Err(e) => start_error = Some(format!("cannot run scripts/engines.sh: {e}")),
            }
        }
        all()
            .iter()
            .map(|e| {
                if !selected(e) || e.answers() {
                    return Ok(());
                }
                let mut why = format!("{} at {} does not answer", e.name, e.host);
                if e.kind != Kind::Docker20Classic {
                    why.push_str(&format!(" (log: {})", paths().log(e.name).display()));
                    if let Some(err) = &start_error {
                        why.push_str(&format!("; scripts/engines.sh start: {err}"));
                    }
                }
                Err(why)
            })
            .collect()
    })
}

/// The selected engines that are up. A selected engine that is down fails the test under
/// `CI=true` and is skipped with a note elsewhere.
pub fn engines(test: &str) -> Vec<&'static Engine> {
    let mut up = Vec::new();
    for (engine, state) in all().iter().zip(state()) {
        if !selected(engine) {
            continue;
        }
        match state {
            Ok(()) => up.push(engine),
            Err(why) if ci() => panic!("{test}: {why}, and CI=true requires every engine"),
            Err(why) => eprintln!("note: {test} skipped on {}: {why}", engine.name),
        }
    }
    up
}

/// Run `body` on every engine that is up (see the module doc); fails naming each engine whose
/// run panicked.
pub fn each_engine(test: &str, body: impl Fn(&'static Engine)) {
    run_on(test, engines(test), body)
}

/// `each_engine` on the engines of these kinds only.
pub fn each_engine_of(test: &str, kinds: &[Kind], body: impl Fn(&'static Engine)) {
    let list = engines(test)
        .into_iter()
        .filter(|e| kinds.contains(&e.kind))
        .collect();
    run_on(test, list, body)
}

/// `each_engine`, except on kinds where the test is known to fail because haul is wrong there
/// (the fix is pending; the reason says what fails, and the lead's engine-matrix notes hold the
/// details). Those are skipped with a note; `HAUL_TEST_KNOWN_FAILURES=run` runs them too. Remove
/// an entry when the code is fixed.
pub fn each_engine_except(test: &str, known: &[(Kind, &str)], body: impl Fn(&'static Engine)) {
    let run_all = std::env::var("HAUL_TEST_KNOWN_FAILURES").as_deref() == Ok("run");
    let list = engines(test)
        .into_iter()
        .filter(|e| match known.iter().find(|(k, _)| *k == e.kind) {
            Some((_, why)) if !run_all => {
                eprintln!("note: {test} not run on {}: known failure: {why}", e.name);
                false
            }
            _ => true,
        })
        .collect();
    run_on(test, list, body)
}

fn run_on(test: &str, list: Vec<&'static Engine>, body: impl Fn(&'static Engine)) {
    let mut failed = Vec::new();
    for engine in list {
        eprintln!("--- {test} on {}", engine.name);
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| body(engine))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".to_string());
            failed.push(format!("[{}] {message}", engine.name));
        }
    }
    assert!(failed.is_empty(), "{test} failed on: {}", failed.join("\n"));
}

impl Engine {
    pub fn is_podman(&self) -> bool {
        self.kind == Kind::Podman43
    }
    /// Image IDs are manifest digests, not config digests.
    pub fn is_containerd_store(&self) -> bool {
        self.kind == Kind::Docker26Containerd
    }
    /// Docker 25+ (OCI-layout saves, loads OCI archives).
    pub fn is_docker26(&self) -> bool {
        matches!(self.kind, Kind::Docker26Containerd | Kind::Docker26Classic)
    }

    /// The `docker` CLI aimed at this engine.
    pub fn docker(&self) -> Command {
        let mut cmd = Command::new("docker");
        cmd.env("DOCKER_HOST", &self.host)
            .env("DOCKER_CONFIG", paths().docker_config())
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_TLS_VERIFY")
            .env_remove("DOCKER_CERT_PATH");
        cmd
    }

    /// Run the docker CLI on this engine; panics with its stderr on failure; stdout, trimmed.
    pub fn run(&self, args: &[&str]) -> String {
        let out = self.docker().args(args).output().expect("run docker");
        assert!(
            out.status.success(),
            "[{}] docker {args:?} failed: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Run the docker CLI on this engine: true when it succeeded.
    pub fn ok(&self, args: &[&str]) -> bool {
        self.docker()
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    fn answers(&self) -> bool {
        self.ok(&["version", "--format", "{{.Server.Version}}"])
    }

    /// The haul binary under test aimed at this engine (`DOCKER_HOST`), with the test process's
    /// own inspect cache.
    pub fn haul(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_haul"));
        cmd.env_remove("DOCKER_CONTEXT")
            .env("DOCKER_HOST", &self.host)
            .env(
                "HAUL_CACHE_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join(format!("cache-{}", std::process::id())),
            );
        cmd
    }

    /// The podman CLI on the Podman engine's own storage (same images as its API).
    pub fn podman(&self) -> Command {
        assert!(self.is_podman(), "{} is not Podman", self.name);
        let p = paths();
        let mut cmd = Command::new("podman");
        cmd.env("CONTAINERS_CONF", p.get("HAUL_ENGINES_CONTAINERS_CONF"))
            .env(
                "CONTAINERS_STORAGE_CONF",
                p.get("HAUL_ENGINES_CONTAINERS_STORAGE_CONF"),
            );
        cmd
    }

    /// A haul library client connected to this engine.
    pub fn connect(&self, rt: &tokio::runtime::Runtime) -> haul::daemon::Daemon {
        rt.block_on(haul::daemon::Daemon::connect_default(Some(
            self.host.clone(),
        )))
        .unwrap_or_else(|e| panic!("[{}] connect: {e}", self.name))
    }

    /// The same, inside a runtime.
    pub async fn connect_async(&self) -> haul::daemon::Daemon {
        haul::daemon::Daemon::connect_default(Some(self.host.clone()))
            .await
            .unwrap_or_else(|e| panic!("[{}] connect: {e}", self.name))
    }

    /// How the engine names a reference it was given: Podman qualifies `haul-test/x:t` as
    /// `docker.io/haul-test/x:t`.
    pub fn reported_name(&self, name: &str) -> String {
        if self.is_podman() && !name.starts_with("docker.io/") && !name.starts_with("localhost/") {
            format!("docker.io/{name}")
        } else {
            name.to_string()
        }
    }

    /// The log of a daemon started by `scripts/engines.sh` (None for docker20).
    pub fn log(&self) -> Option<PathBuf> {
        (self.kind != Kind::Docker20Classic).then(|| paths().log(self.name))
    }
}
