//! The command line as a daily driver, without an engine: safe saves (`--force`), `haul du` of
//! files, one `error:` line with a non-zero exit for every error, SIGTERM exiting 143, "1 layer".
//! With engines: `daemon_daily.rs`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::archives::{TestImage, legacy_docker_archive};
use common::docker::{daemon_available, files_with_prefix, haul};
use common::fake_github::{FakeGitHub, TOKEN};

/// Run haul; (exit code, stdout, stderr).
fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("run haul");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn one_error_line(stderr: &str) -> &str {
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr.trim_end()
}

/// No daemon is contacted: a wrong address would fail loudly.
fn offline() -> Command {
    let mut cmd = haul();
    cmd.env("DOCKER_HOST", "tcp://127.0.0.1:1");
    cmd
}

#[test]
fn save_never_replaces_or_creates_folders_without_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let existing = dir.path().join("x.tar");
    std::fs::write(&existing, b"previous").expect("write");
    let (code, _, err) = run(offline().args(["save", "app:1", "-o"]).arg(&existing));
    assert_ne!(code, 0);
    assert!(
        one_error_line(&err).ends_with("x.tar already exists; --force replaces it"),
        "{err}"
    );
    assert_eq!(std::fs::read(&existing).expect("read"), b"previous");

    let missing = dir.path().join("no/such/x.tar.gz");
    let (code, _, err) = run(offline().args(["save", "app:1", "-o"]).arg(&missing));
    assert_ne!(code, 0);
    assert!(
        one_error_line(&err).contains("no/such does not exist; --force creates it"),
        "{err}"
    );
    assert!(!dir.path().join("no").exists(), "no folder was made");

    let (code, _, err) = run(offline()
        .args(["save", "app:1", "--force", "-o"])
        .arg(dir.path()));
    assert_ne!(code, 0);
    assert!(one_error_line(&err).ends_with("is a folder"), "{err}");
}

#[test]
fn inspect_of_docker_without_a_name_says_so() {
    let (code, out, err) = run(offline().args(["inspect", "docker://"]));
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(one_error_line(&err).contains("no image name"), "{err}");
}

#[test]
fn artifacts_local_of_something_else_fails_with_one_line_per_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = dir.path().join("notimage.tar");
    std::fs::write(&junk, vec![b'x'; 4096]).expect("write");
    let good = dir.path().join("good.tar");
    std::fs::write(
        &good,
        legacy_docker_archive(&[TestImage::new("daily/good:1", "good", 1)]),
    )
    .expect("write");
    let (code, _, err) = run(offline().args(["artifacts", "local"]).arg(&junk));
    assert_eq!(code, 1, "{err}");
    assert!(
        one_error_line(&err).contains("notimage.tar: not an artifact"),
        "{err}"
    );
    let (code, out, err) = run(offline().args(["artifacts", "local"]).arg(&junk).arg(&good));
    assert_eq!(code, 1, "still a failure");
    assert!(out.contains("good.tar"), "the good one is listed: {out}");
    one_error_line(&err);
}

#[test]
fn one_layer_is_one_layer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tar = dir.path().join("one.tar");
    std::fs::write(
        &tar,
        legacy_docker_archive(&[TestImage::new("daily/one:1", "one", 1)]),
    )
    .expect("write");
    let (code, out, _) = run(offline().arg("inspect").arg(&tar));
    assert_eq!(code, 0);
    assert!(out.contains("1 image, 1 distinct layer,"), "{out}");
    assert!(out.contains("in 1 layer"), "{out}");
    assert!(!out.contains("1 layers") && !out.contains("(s)"), "{out}");
}

#[test]
fn load_tag_names_one_path() {
    let (code, _, err) = run(offline().args(["load", "--tag", "x:1", "a.tar", "b.tar"]));
    assert_eq!(code, 1);
    assert!(
        one_error_line(&err).contains("--tag names one image"),
        "{err}"
    );
}

#[test]
fn sigterm_cancels_a_download_cleans_up_and_exits_143() {
    let fake = FakeGitHub::start();
    let cache = tempfile::tempdir().expect("tempdir");
    // Artifact 6 sends its first 64 KiB, then stalls: the download is running when killed.
    let child = haul()
        .env("GITHUB_API_URL", &fake.api.base)
        .env("GH_TOKEN", TOKEN)
        .env_remove("GITHUB_TOKEN")
        .env("HAUL_CACHE_DIR", cache.path())
        .args(["artifacts", "download", "6", "--repo", "o/r"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let downloads = cache.path().join("artifacts");
    let start = Instant::now();
    while files_with_prefix(&downloads, ".haul").is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no partial file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(143), "128 + SIGTERM");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines().last().is_some_and(|l| l.starts_with("error: ")),
        "{err}"
    );
    assert!(
        files_with_prefix(&downloads, ".haul").is_empty(),
        "partial removed"
    );
}

/// A config whose only scan folder is `scan`.
fn config_dir(root: &Path, scan: &Path) -> std::path::PathBuf {
    let config = root.join("config");
    std::fs::create_dir_all(&config).expect("mkdir");
    std::fs::write(
        config.join("config.toml"),
        format!(
            "scan_defaults = false\nscan_folders = [{:?}]\n",
            scan.display().to_string()
        ),
    )
    .expect("config");
    config
}

#[test]
fn du_lists_what_takes_space_and_cleans_only_what_haul_keeps() {
    let root = tempfile::tempdir().expect("tempdir");
    let (scan, cache) = (root.path().join("scan"), root.path().join("cache"));
    for dir in ["artifacts/run-1", "inspect"] {
        std::fs::create_dir_all(cache.join(dir)).expect("mkdir");
    }
    std::fs::create_dir_all(&scan).expect("mkdir");
    let image = legacy_docker_archive(&[TestImage::new("daily/du:1", "du", 1)]);
    std::fs::write(scan.join("image.tar"), &image).expect("write");
    std::os::unix::fs::symlink(scan.join("image.tar"), scan.join("linked.tar")).expect("ln");
    std::fs::write(cache.join("artifacts/ci.zip"), vec![1u8; 5000]).expect("write");
    std::fs::write(cache.join("artifacts/run-1/img.tar"), &image).expect("write");
    std::fs::write(cache.join("inspect/abc.json"), b"{}").expect("write");
    std::fs::write(cache.join("inspect/notes.txt"), b"mine").expect("write");
    std::fs::write(cache.join("other.bin"), b"not haul's").expect("write");
    let config = config_dir(root.path(), &scan);
    let du = |args: &[&str]| {
        let mut cmd = haul();
        cmd.env("HAUL_CACHE_DIR", &cache)
            .env("HAUL_CONFIG_DIR", &config)
            .current_dir(root.path())
            .arg("du")
            .args(args);
        if !daemon_available("du_lists_what_takes_space") {
            cmd.env("DOCKER_HOST", "tcp://127.0.0.1:1");
        }
        run(&mut cmd)
    };

    let (_, out, _) = du(&["--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let items = json["items"].as_array().expect("items");
    let of = |category: &str| -> Vec<&serde_json::Value> {
        items.iter().filter(|i| i["category"] == category).collect()
    };
    assert_eq!(of("download").len(), 2, "{out}");
    assert_eq!(of("inspect-cache").len(), 1);
    assert_eq!(of("inspect-cache")[0]["note"], "1 report");
    let files = of("image-file");
    assert_eq!(files.len(), 2, "the tarball and the link to it: {out}");
    assert!(
        files
            .iter()
            .any(|f| f["note"].as_str().is_some_and(|n| n.starts_with("link to"))),
        "{out}"
    );
    let (_, table, _) = du(&["--list"]);
    assert!(table.contains("downloaded artifacts"), "{table}");
    assert!(table.contains("haul du --clean downloads"), "{table}");

    // No terminal, no --yes: nothing removed.
    let (code, _, err) = du(&["--clean", "downloads,inspect-cache"]);
    assert_ne!(code, 0);
    assert!(err.contains("error: not removing anything without a confirmation: add --yes"));
    assert!(cache.join("artifacts/ci.zip").exists());

    let (_, _, err) = du(&["--clean", "downloads,inspect-cache", "--yes"]);
    assert!(err.contains("removed 3 items"), "{err}");
    assert!(!cache.join("artifacts/ci.zip").exists());
    assert!(!cache.join("artifacts/run-1").exists());
    assert!(!cache.join("inspect/abc.json").exists());
    assert!(
        cache.join("inspect/notes.txt").exists(),
        "not a report: kept"
    );
    assert!(cache.join("other.bin").exists(), "not haul's: kept");
    assert!(
        scan.join("image.tar").exists(),
        "scan folders are never cleaned in bulk"
    );

    let (code, _, err) = du(&["--clean", "everything"]);
    assert_eq!(code, 1);
    one_error_line(&err);
}

/// `haul ... | head`: once the reader has gone, the command ends quietly with 141 (as SIGPIPE
/// ends other tools), never a panic, on every command that prints lines.
#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tar = legacy_docker_archive(&[TestImage::new("pipe:1", "pipe", 2)]);
    for n in 0..20 {
        let zip = common::archives::zip_of(&[("img.tar", tar.as_slice())], false);
        std::fs::write(dir.path().join(format!("art-{n}.zip")), zip).expect("write zip");
    }
    for args in [
        vec!["artifacts", "local", dir.path().to_str().expect("utf-8")],
        vec![
            "artifacts",
            "local",
            "--json",
            dir.path().to_str().expect("utf-8"),
        ],
    ] {
        let mut child = offline()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn haul");
        drop(child.stdout.take()); // the reader is gone before haul writes a line
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(141) | Some(0)),
            "{args:?}: {:?} {stderr}",
            out.status
        );
    }
}
