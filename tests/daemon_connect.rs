//! Finding the daemon: unreachable hosts give one clear line; docker contexts are followed.

mod common;

use common::docker::{haul, unique_name};
use common::engines::{Engine, each_engine};
use sha2::{Digest, Sha256};

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn unreachable_docker_host_is_one_clear_line() {
    let out = haul()
        .arg("images")
        .env("DOCKER_HOST", "tcp://127.0.0.1:1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: cannot reach the Docker daemon at tcp://127.0.0.1:1"),
        "{err}"
    );
    assert!(err.contains("refused"), "{err}");

    let out = haul()
        .args(["load", "/nonexistent.tar"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert!(err.contains("unix:///nonexistent/docker.sock"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn host_flag_beats_docker_host_and_bad_schemes_are_refused() {
    let out = haul()
        .args(["-H", "tcp://127.0.0.1:1", "images"])
        .env("DOCKER_HOST", "unix:///var/run/docker.sock")
        .output()
        .unwrap();
    assert!(stderr_of(&out).contains("tcp://127.0.0.1:1"));
    let out = haul()
        .args(["images", "--host", "ftp://x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr_of(&out).contains("unsupported daemon address \"ftp://x\""));
}

fn write_context(config: &std::path::Path, name: &str, host: &str) {
    let id = hex::encode(Sha256::digest(name.as_bytes()));
    let dir = config.join("contexts/meta").join(id);
    std::fs::create_dir_all(&dir).unwrap();
    let meta = serde_json::json!({
        "Name": name,
        "Metadata": {"Description": "haul test"},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}}
    });
    std::fs::write(dir.join("meta.json"), meta.to_string()).unwrap();
}

#[test]
fn current_context_of_config_json_is_followed() {
    let config = tempfile::tempdir().unwrap();
    write_context(
        config.path(),
        "haul-dead",
        "unix:///nonexistent/haul-ctx.sock",
    );
    write_context(config.path(), "haul-live", "unix:///var/run/docker.sock");
    std::fs::write(
        config.path().join("config.json"),
        r#"{"auths": {}, "currentContext": "haul-dead"}"#,
    )
    .unwrap();
    // The dead context is the one tried, and named.
    let out = haul()
        .arg("images")
        .env_remove("DOCKER_HOST")
        .env("DOCKER_CONFIG", config.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert!(
        err.contains("unix:///nonexistent/haul-ctx.sock (context haul-dead)"),
        "{err}"
    );
    // DOCKER_CONTEXT overrides currentContext.
    let out = haul()
        .args(["images", "--json"])
        .env_remove("DOCKER_HOST")
        .env("DOCKER_CONFIG", config.path())
        .env("DOCKER_CONTEXT", "haul-nope")
        .output()
        .unwrap();
    assert!(stderr_of(&out).contains("docker context \"haul-nope\": no such context"));
    // A live context on each engine: haul lists that engine's images.
    each_engine("current_context_of_config_json_is_followed", |engine| {
        let config = tempfile::tempdir().unwrap();
        write_context(config.path(), "haul-live", &engine.host);
        std::fs::write(
            config.path().join("config.json"),
            r#"{"currentContext": "haul-live"}"#,
        )
        .unwrap();
        let mut images = engine.images();
        let base = engine.small_base("ctx", &mut images);
        let id = engine.image_id(&base);
        let out = haul()
            .args(["images", "--json"])
            .env_remove("DOCKER_HOST")
            .env("DOCKER_CONFIG", config.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert!(lists(&out, &id), "{id} listed through the context");
    });
}

/// `haul images --json` output holds an image with this ID.
fn lists(out: &std::process::Output, id: &str) -> bool {
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    rows.iter().any(|r| r["id"] == id)
}

#[test]
fn host_flag_reaches_each_engine() {
    each_engine(
        "host_flag_reaches_each_engine",
        |engine: &'static Engine| {
            let mut images = engine.images();
            let name = unique_name("hostflag", "x");
            let id = engine.import(
                &common::docker::rootfs_tar(&[("x", b"x")]),
                &name,
                &mut images,
            );
            let out = haul()
                .args(["-H", &engine.host, "images", "--json"])
                .env("DOCKER_HOST", "tcp://127.0.0.1:1")
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr_of(&out));
            assert!(lists(&out, &id), "{id} listed with -H {}", engine.host);
        },
    );
}
