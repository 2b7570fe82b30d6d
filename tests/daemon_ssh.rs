//! Remote engines over SSH (`DOCKER_HOST=ssh://...`, contexts with `ssh://` hosts), against a
//! real sshd on 127.0.0.1 whose remote `docker system dial-stdio` reaches each engine.

mod common;

use common::docker::*;
use common::engines::each_engine;
use common::sshd::sshd;
use sha2::{Digest, Sha256};
use std::time::Duration;

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn ok(out: std::process::Output) -> std::process::Output {
    assert!(out.status.success(), "{}", stderr_of(&out));
    out
}

#[test]
fn images_inspect_save_and_load_go_through_ssh_on_every_engine() {
    let test = "images_inspect_save_and_load_go_through_ssh_on_every_engine";
    let Some(server) = sshd(test) else { return };
    each_engine(test, |engine| {
        let mut images = engine.images();
        let base = engine.small_base("ssh", &mut images);
        let app = unique_name("ssh", "app");
        let id = engine.build_on(&base, &app, &[Layer::Random("r.bin", 300_000)], &mut images);

        let out = ok(server
            .haul(engine)
            .args(["images", "--json"])
            .output()
            .unwrap());
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert!(rows.iter().any(|r| r["id"] == id.as_str()), "{id} listed");

        let out = ok(server
            .haul(engine)
            .args(["inspect", "--json", &format!("docker://{app}")])
            .output()
            .unwrap());
        let report: haul::archive::ArchiveReport = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report.images[0].id, id);
        assert_eq!(report.images[0].diff_ids(), engine.diff_ids(&app));

        // A save streams the image through ssh; loading it back through ssh restores it.
        let dir = tempfile::tempdir().unwrap();
        let tar = dir.path().join("app.tar");
        ok(server
            .haul(engine)
            .args(["save", "-q", &app, "-o", tar.to_str().unwrap()])
            .output()
            .unwrap());
        assert!(std::fs::metadata(&tar).unwrap().len() > 300_000);
        engine.run(&["rmi", &app]);
        assert!(!engine.exists(&app));
        let out = ok(server
            .haul(engine)
            .args(["load", "--json", "--full", tar.to_str().unwrap()])
            .output()
            .unwrap());
        assert!(!out.stdout.is_empty());
        assert_eq!(engine.image_id(&app), id);
        assert_eq!(engine.tags(&app), vec![engine.reported_name(&app)]);
    });
}

#[test]
fn a_context_with_an_ssh_host_is_followed() {
    let test = "a_context_with_an_ssh_host_is_followed";
    let Some(server) = sshd(test) else { return };
    let engine = docker20();
    if !daemon_available(test) {
        return;
    }
    let config = tempfile::tempdir().unwrap();
    let name = "haul-ssh";
    let meta = config
        .path()
        .join("contexts/meta")
        .join(hex::encode(Sha256::digest(name.as_bytes())));
    std::fs::create_dir_all(&meta).unwrap();
    let json = serde_json::json!({
        "Name": name, "Metadata": {},
        "Endpoints": {"docker": {"Host": server.url(), "SkipTLSVerify": false}}
    });
    std::fs::write(meta.join("meta.json"), json.to_string()).unwrap();
    let mut images = engine.images();
    let base = engine.small_base("sshctx", &mut images);
    let id = engine.image_id(&base);
    let out = ok(server
        .haul(engine)
        .args(["images", "--json"])
        .env_remove("DOCKER_HOST")
        .env("DOCKER_CONFIG", config.path())
        .env("DOCKER_CONTEXT", name)
        .output()
        .unwrap());
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rows.iter().any(|r| r["id"] == id.as_str()), "{id} listed");
}

#[test]
fn ssh_failures_are_one_line_with_ssh_s_own_words() {
    let test = "ssh_failures_are_one_line_with_ssh_s_own_words";
    let Some(server) = sshd(test) else { return };
    // Nobody listens on port 1.
    let out = server
        .haul(docker20())
        .arg("images")
        .env("DOCKER_HOST", "ssh://root@127.0.0.1:1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: cannot reach the Docker daemon at ssh://root@127.0.0.1:1: "),
        "{err}"
    );
    assert!(err.contains("Connection refused"), "{err}");
    // A user whose key the server does not accept.
    let out = server
        .haul(docker20())
        .arg("images")
        .env(
            "DOCKER_HOST",
            format!("ssh://nobody-here@127.0.0.1:{}", server.port),
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("Permission denied"), "{err}\n{}", server.log());
    // A malformed address is refused before anything runs.
    let out = haul()
        .arg("images")
        .env("DOCKER_HOST", "ssh://root@127.0.0.1:22/some/path")
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(err.contains("extra path after the host"), "{err}");
}

#[test]
fn the_tui_shows_an_ssh_engine_and_its_images() {
    let test = "the_tui_shows_an_ssh_engine_and_its_images";
    let Some(server) = sshd(test) else { return };
    each_engine(test, |engine| {
        let mut images = engine.images();
        let base = engine.small_base("sshtui", &mut images);
        let shown = engine.reported_name(&base);
        let work = tempfile::tempdir().unwrap();
        let home = work.path().join("home");
        std::fs::create_dir_all(home.join("config")).unwrap();
        std::fs::write(home.join("config/config.toml"), "scan_defaults = false\n").unwrap();
        let mut tui = common::pty::Tui::start(
            work.path(),
            &home,
            &[
                ("DOCKER_HOST", server.url()),
                ("PATH", server.path_env()),
                ("HAUL_TEST_REMOTE_DOCKER_HOST", engine.host.clone()),
            ],
        );
        let version = engine.run(&["version", "--format", "{{.Server.Version}}"]);
        let screen = tui.wait_for("the images over ssh", Duration::from_secs(60), |t| {
            t.contains(&shown)
        });
        let header = screen.lines().next().unwrap_or_default();
        assert!(header.contains(&server.url()), "{header}");
        assert!(header.contains(&version), "{header}");
        tui.quit();
    });
}
