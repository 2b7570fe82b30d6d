//! `haul artifacts download --load`: from a CI artifact to an image in each engine, read
//! straight from the zip entry.

mod common;

use assert_cmd::Command;
use common::archives::{TestImage, legacy_docker_archive};
use common::docker::unique_name;
use common::engines::each_engine;
use common::fake_github::{Blob, FakeGitHub, TOKEN};
use common::fixtures::{ZipStyle, digest, zip_bytes};

fn haul(fake: &FakeGitHub, cache: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("haul").expect("binary");
    cmd.env("GITHUB_API_URL", &fake.api.base)
        .env("GH_TOKEN", TOKEN)
        .env("HAUL_CACHE_DIR", cache);
    cmd
}

fn one_artifact(name: &'static str, zip: Vec<u8>) -> FakeGitHub {
    FakeGitHub::with(vec![Blob {
        id: 42,
        name,
        digest: Some(digest(&zip)),
        bytes: zip,
        expired: false,
        run: 1,
        branch: "main",
        created: "2024-01-03T00:00:00Z",
    }])
}

#[test]
fn download_then_load_puts_the_image_in_the_daemon() {
    each_engine(
        "download_then_load_puts_the_image_in_the_daemon",
        |engine| {
            let tag = unique_name("artifact-load", "1.0");
            let mut images = engine.images();
            images.track(&tag);
            let image = TestImage::new(&tag, &tag, 2);
            let tar = legacy_docker_archive(std::slice::from_ref(&image));
            let zip = zip_bytes(
                &[("README.txt", b"notes"), ("image.tar", &tar)],
                ZipStyle::DeflateStreamed,
            );
            let fake = one_artifact("ci-image", zip);
            let cache = tempfile::tempdir().expect("tempdir");
            let out = haul(&fake, cache.path())
                .env("DOCKER_HOST", &engine.host)
                .args([
                    "artifacts",
                    "download",
                    "ci-image",
                    "--repo",
                    "o/r",
                    "--load",
                ])
                .output()
                .expect("run");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let name = engine.archive_name(&tag);
            assert!(
                stdout.contains(&format!("Loaded image: {name}")),
                "{stdout}"
            );
            assert!(engine.exists(&tag));
            let id = engine.image_id(&tag);
            if engine.ids_are_config_digests() {
                assert_eq!(id, image.id());
            }
            assert_eq!(engine.diff_ids(&tag), image.diff_ids());
            // Nothing was extracted: the cache holds the zip and nothing else beside it.
            let files: Vec<String> = std::fs::read_dir(cache.path().join("artifacts"))
                .expect("dir")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            assert_eq!(files, ["ci-image.zip"]);

            // `haul load` of the same zip words its result the same way.
            let zip_path = cache.path().join("artifacts/ci-image.zip");
            let again = haul(&fake, cache.path())
                .env("DOCKER_HOST", &engine.host)
                .args(["load", "-q"])
                .arg(&zip_path)
                .output()
                .expect("run");
            assert!(again.status.success());
            let again = String::from_utf8_lossy(&again.stdout);
            let loaded = |text: &str| -> Vec<String> {
                text.lines()
                    .filter(|l| l.starts_with("Loaded image"))
                    .map(str::to_string)
                    .collect()
            };
            assert_eq!(loaded(&stdout), loaded(&again), "{stdout}\n{again}");
            assert_eq!(loaded(&stdout), [format!("Loaded image: {name} ({id})")]);
        },
    );
}

#[test]
fn load_refuses_an_artifact_without_images_before_touching_the_daemon() {
    let zip = zip_bytes(&[("report.html", b"<html>")], ZipStyle::Stored);
    let fake = one_artifact("coverage", zip);
    let cache = tempfile::tempdir().expect("tempdir");
    let out = haul(&fake, cache.path())
        .env("DOCKER_HOST", "tcp://127.0.0.1:1") // would fail loudly if it were contacted
        .args(["artifacts", "download", "42", "--repo", "o/r", "--load"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or("");
    assert_eq!(
        last, "error: artifact coverage holds no image haul can load",
        "{stderr}"
    );
}
