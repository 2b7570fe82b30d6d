//! The real `haul artifacts` binary against the fake API, with `GITHUB_API_URL` set.

mod common;

use assert_cmd::Command;
use common::fake_github::{FakeGitHub, TOKEN};

fn haul(fake: &FakeGitHub, cache: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("haul").expect("binary");
    cmd.env("GITHUB_API_URL", &fake.api.base)
        .env("GH_TOKEN", TOKEN)
        .env_remove("GITHUB_TOKEN")
        .env("HAUL_CACHE_DIR", cache);
    cmd
}

fn stdout_json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

fn ids(json: &serde_json::Value) -> Vec<u64> {
    json.as_array()
        .expect("array")
        .iter()
        .map(|a| a["id"].as_u64().expect("id"))
        .collect()
}

#[test]
fn lists_remote_artifacts_as_json_and_as_a_table() {
    let fake = FakeGitHub::start();
    let cache = tempfile::tempdir().expect("tempdir");
    let out = haul(&fake, cache.path())
        .args(["artifacts", "--repo", "o/r", "--json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = stdout_json(&out);
    assert_eq!(ids(&json), [6, 5, 4, 1, 2, 3, 7]);
    assert_eq!(json[3]["workflow_run"]["head_branch"], "main");
    assert_eq!(json[5]["expired"], true);

    let out = haul(&fake, cache.path())
        .args([
            "artifacts",
            "--repo",
            "o/r",
            "--branch",
            "feature",
            "--json",
        ])
        .output()
        .expect("run");
    assert_eq!(ids(&stdout_json(&out)), [2]);

    let out = haul(&fake, cache.path())
        .args(["artifacts", "--repo", "o/r", "--run", "90"])
        .output()
        .expect("run");
    let table = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2, "{table}");
    assert!(lines[0].starts_with("ID"), "{table}");
    assert!(
        lines[1].contains("image") && lines[1].contains("feature") && lines[1].contains("0123456"),
        "{table}"
    );
}

#[test]
fn the_repository_comes_from_the_origin_remote_and_the_token_from_github_token() {
    let fake = FakeGitHub::start();
    let cache = tempfile::tempdir().expect("tempdir");
    let repo = tempfile::tempdir().expect("tempdir");
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .arg("-C")
            .arg(repo.path())
            .args(args)
            .output()
            .expect("git");
        assert!(status.status.success());
    };
    git(&["init", "-q"]);
    git(&["remote", "add", "origin", "git@github.com:o/r.git"]);
    let out = haul(&fake, cache.path())
        .env_remove("GH_TOKEN")
        .env("GITHUB_TOKEN", TOKEN)
        .current_dir(repo.path())
        .args(["artifacts", "--name", "image", "--json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ids(&stdout_json(&out)), [1, 2]);
    assert!(
        fake.api
            .requests()
            .iter()
            .all(|r| r.path().starts_with("/repos/o/r/"))
    );
}

#[test]
fn downloads_by_name_into_the_cache_then_lists_it_locally() {
    let fake = FakeGitHub::start();
    let cache = tempfile::tempdir().expect("tempdir");
    let out = haul(&fake, cache.path())
        .args(["artifacts", "download", "image", "--repo", "o/r"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains(TOKEN) && !String::from_utf8_lossy(&out.stdout).contains(TOKEN));
    let expected = cache.path().join("artifacts").join("image.zip");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        expected.display().to_string()
    );
    assert_eq!(
        std::fs::read(&expected).expect("downloaded"),
        fake.blobs[&1]
    );
    let storage = fake.storage.requests();
    assert_eq!(storage.len(), 1);
    assert_eq!(storage[0].header("authorization"), None);

    let out = haul(&fake, cache.path())
        .args(["artifacts", "local", "--json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = stdout_json(&out);
    assert_eq!(json[0]["name"], "image");
    assert_eq!(json[0]["kind"], "zip");
    assert_eq!(json[0]["images"][0]["entry"], "image.tar");
}

#[test]
fn download_to_a_folder_prints_json_of_what_it_holds() {
    let fake = FakeGitHub::start();
    let cache = tempfile::tempdir().expect("tempdir");
    let dest = tempfile::tempdir().expect("tempdir");
    let out = haul(&fake, cache.path())
        .args([
            "artifacts",
            "download",
            "5",
            "--repo",
            "o/r",
            "--json",
            "-o",
        ])
        .arg(dest.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = stdout_json(&out);
    assert_eq!(json["kind"], "raw");
    assert_eq!(json["name"], "img.tar");
    assert!(dest.path().join("img.tar").is_file());
    assert!(
        !cache.path().join("artifacts").exists(),
        "-o replaces the cache folder"
    );
}

#[test]
fn errors_are_one_line_on_stderr_with_a_failing_exit() {
    let fake = FakeGitHub::start();
    let cache = tempfile::tempdir().expect("tempdir");
    let one_error_line = |out: &std::process::Output| {
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        stderr
    };

    let out = haul(&fake, cache.path())
        .env_remove("GH_TOKEN")
        .env("PATH", "") // no `gh` to ask
        .args(["artifacts", "--repo", "o/r"])
        .output()
        .expect("run");
    let stderr = one_error_line(&out);
    assert!(
        stderr.contains("no GitHub token: set GH_TOKEN or GITHUB_TOKEN"),
        "{stderr}"
    );
    assert!(fake.api.requests().is_empty());

    let out = haul(&fake, cache.path())
        .args(["artifacts", "download", "3", "--repo", "o/r"])
        .output()
        .expect("run");
    assert!(one_error_line(&out).contains("artifact old (id 3) has expired (410 Gone)"));

    let out = haul(&fake, cache.path())
        .args(["artifacts", "download", "bad-digest", "--repo", "o/r"])
        .output()
        .expect("run");
    assert!(one_error_line(&out).contains("digest mismatch"));
    let left: Vec<_> = std::fs::read_dir(cache.path().join("artifacts"))
        .expect("dir")
        .collect();
    assert!(
        left.is_empty(),
        "nothing left after a refused download: {left:?}"
    );

    let out = haul(&fake, cache.path())
        .env("GH_TOKEN", "wrong")
        .args(["artifacts", "--repo", "o/r"])
        .output()
        .expect("run");
    assert!(one_error_line(&out).contains("(401 Bad credentials)"));

    let out = haul(&fake, cache.path())
        .args(["artifacts", "--repo", "o/busy"])
        .output()
        .expect("run");
    assert!(one_error_line(&out).contains("rate limit exceeded: try again in 30s"));
}

#[cfg(unix)]
#[test]
fn without_token_variables_the_token_comes_from_gh_for_the_api_host() {
    use std::os::unix::fs::PermissionsExt;
    let fake = FakeGitHub::start();
    let cache = tempfile::tempdir().expect("tempdir");
    let bin = tempfile::tempdir().expect("tempdir");
    let gh = bin.path().join("gh");
    // Answers only the exact question haul must ask for a GitHub Enterprise host.
    let script = format!(
        "#!/bin/sh\n[ \"$*\" = \"auth token --hostname 127.0.0.1\" ] && echo {TOKEN} && exit 0\nexit 1\n"
    );
    std::fs::write(&gh, script).expect("write gh");
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = haul(&fake, cache.path())
        .env_remove("GH_TOKEN")
        .env("PATH", bin.path())
        .args(["artifacts", "--repo", "o/r", "--json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ids(&stdout_json(&out)).len(), 7);
    let auth = fake.api.requests()[0]
        .header("authorization")
        .map(String::from);
    assert_eq!(auth, Some(format!("Bearer {TOKEN}")));
}
