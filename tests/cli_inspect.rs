//! `haul inspect` as a user runs it: output, JSON, exit codes, one error line per bad path.

mod common;

use assert_cmd::Command;
use common::archives::*;

fn haul() -> Command {
    let mut cmd = Command::cargo_bin("haul").unwrap();
    cmd.env(
        "HAUL_CACHE_DIR",
        std::env::temp_dir().join(format!("haul-cli-cache-{}", std::process::id())),
    );
    cmd
}

#[test]
fn json_output_has_one_object_per_path_with_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("cli/app:1", "cli", 2);
    let tar = dir.path().join("a.tar");
    std::fs::write(&tar, legacy_docker_archive(std::slice::from_ref(&image))).unwrap();
    let zst = dir.path().join("a.tar.zst");
    std::fs::write(&zst, zstd(&std::fs::read(&tar).unwrap())).unwrap();
    let out = haul()
        .arg("inspect")
        .arg("--json")
        .arg(&tar)
        .arg(&zst)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let objects: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[0]["path"], tar.display().to_string());
    assert_eq!(objects[0]["format"], "docker-archive");
    assert_eq!(objects[0]["compression"], "none");
    assert_eq!(objects[1]["compression"], "zstd");
    let img = &objects[1]["images"][0];
    assert_eq!(img["id"], image.id());
    assert_eq!(img["tags"][0], "cli/app:1");
    assert_eq!(img["os"], "linux");
    assert_eq!(img["architecture"], "amd64");
    assert!(img["variant"].is_null());
    assert_eq!(img["layers"].as_array().unwrap().len(), 2);
    let layer = &img["layers"][0];
    for key in ["diff_id", "digest", "size", "compression", "created_by"] {
        assert!(layer.get(key).is_some(), "layer has {key}");
    }
    assert_eq!(layer["created_by"], "COPY file0 /");
    assert_eq!(
        img["size"].as_u64().unwrap(),
        img["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["size"].as_u64().unwrap())
            .sum::<u64>()
    );
}

#[test]
fn human_output_shows_tags_platform_and_layer_table() {
    let dir = tempfile::tempdir().unwrap();
    let image = TestImage::new("cli/human:2", "h", 2);
    let tar = dir.path().join("h.tar");
    std::fs::write(&tar, legacy_docker_archive(std::slice::from_ref(&image))).unwrap();
    let out = haul().arg("inspect").arg(&tar).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("cli/human:2"));
    assert!(text.contains("linux/amd64"));
    assert!(text.contains("COPY file1 /"));
    assert!(
        text.contains("(no layer)"),
        "history entries without a layer are shown"
    );
    assert!(text.contains(&image.id()));
}

#[test]
fn bad_paths_get_one_error_line_each_and_a_failing_exit() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.tar");
    std::fs::write(
        &good,
        legacy_docker_archive(&[TestImage::new("g:1", "g", 1)]),
    )
    .unwrap();
    let empty = dir.path().join("empty.tar");
    std::fs::write(&empty, b"").unwrap();
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, vec![0x42; 2000]).unwrap();
    let out = haul()
        .arg("inspect")
        .arg("--json")
        .arg(&empty)
        .arg(&good)
        .arg(&junk)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "the good path is still reported");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert_eq!(lines[0], format!("error: {}: empty file", empty.display()));
    assert!(
        lines[1].starts_with(&format!("error: {}: not an image archive", junk.display())),
        "{}",
        lines[1]
    );
}

#[test]
fn help_and_version() {
    let out = haul().arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("inspect"));
    let out = haul().arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("haul {}", env!("CARGO_PKG_VERSION"))
    );
}
