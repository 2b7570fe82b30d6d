//! `haul waste`, `diff`, `extract` and `check` on archives written here, with answers computed
//! by hand; `extract` refuses hostile names and never writes outside its folder.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::archives::*;
use common::docker::haul;
use serde_json::{Value, json};

fn layer(entries: &[(&str, &[u8])]) -> Vec<u8> {
    layer_tar(entries)
}

/// Layer 1: big (1000 B), keep (10 B); layer 2: big again (500 B), tmp (300 B); layer 3
/// deletes tmp. Wasted: the first big (1000) and tmp (300) = 1300 of 1810 bytes.
fn image_a() -> TestImage {
    TestImage::with_layers(
        &["app:1"],
        vec![
            layer(&[("big", &[1u8; 1000]), ("keep", &[2u8; 10])]),
            layer(&[("big", &[3u8; 500]), ("tmp", &[4u8; 300])]),
            layer(&[(".wh.tmp", b"")]),
        ],
        "amd64",
    )
}

/// Shares layer 1 with A; then big (600 B) and new (20 B); another Cmd, Env and label.
fn image_b() -> TestImage {
    let mut image = TestImage::with_layers(
        &["app:2"],
        vec![
            layer(&[("big", &[1u8; 1000]), ("keep", &[2u8; 10])]),
            layer(&[("big", &[5u8; 600]), ("new", &[6u8; 20])]),
        ],
        "amd64",
    );
    let mut config: Value = serde_json::from_slice(&image.config).unwrap();
    config["config"]["Cmd"] = json!(["/bin/other"]);
    config["config"]["Env"] = json!(["PATH=/bin", "MODE=prod"]);
    config["config"]["Labels"] = json!({"team": "qa"});
    image.config = serde_json::to_vec(&config).unwrap();
    image
}

fn write_image(dir: &Path, name: &str, image: &TestImage) -> String {
    let path = dir.join(name);
    std::fs::write(&path, legacy_docker_archive(std::slice::from_ref(image))).unwrap();
    path.to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> Output {
    haul().args(args).output().unwrap()
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "haul failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn waste_counts_overwritten_and_deleted_versions() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_image(dir.path(), "a.tar", &image_a());
    let gz = dir.path().join("a.tar.gz");
    std::fs::write(&gz, gzip(&std::fs::read(&a).unwrap())).unwrap();
    let expected = json!({
        "image": "app:1",
        "total_bytes": 1810,
        "visible_bytes": 510,
        "wasted_bytes": 1300,
        "efficiency": 510.0 / 1810.0,
        "paths": [
            {"path": "/big", "wasted_bytes": 1000, "layers": [1]},
            {"path": "/tmp", "wasted_bytes": 300, "layers": [2]},
        ],
    });
    assert_eq!(stdout_json(&run(&["waste", &a, "--json"])), expected);
    assert_eq!(
        stdout_json(&run(&["waste", gz.to_str().unwrap(), "--json"])),
        expected
    );
    let human = run(&["waste", &a]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("efficiency 28.2%"), "{text}");
    let big = text.find("/big").unwrap();
    assert!(big < text.find("/tmp").unwrap(), "biggest first: {text}");

    // One layer's changes, 1-based like `haul inspect`.
    let out = run(&["files", &a, "--layer", "2", "--json"]);
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![
            json!({"path": "/big", "type": "file", "size": 500, "mode": 0o644, "uid": 0, "gid": 0, "layer": 2, "link": null, "change": "modified"}),
            json!({"path": "/tmp", "type": "file", "size": 300, "mode": 0o644, "uid": 0, "gid": 0, "layer": 2, "link": null, "change": "added"}),
        ]
    );
    let out = run(&["files", &a, "--layer", "3", "--json"]);
    let removed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&removed["path"], &removed["change"]),
        (&json!("/tmp"), &json!("removed"))
    );
    assert!(!run(&["files", &a, "--layer", "4"]).status.success());
}

#[test]
fn diff_names_layers_files_and_config_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (ia, ib) = (image_a(), image_b());
    let a = write_image(dir.path(), "a.tar", &ia);
    let b = dir.path().join("b.tar.zst");
    std::fs::write(&b, zstd(&legacy_docker_archive(std::slice::from_ref(&ib)))).unwrap();
    let d = stdout_json(&run(&["diff", &a, b.to_str().unwrap(), "--json"]));
    let (da, db) = (ia.diff_ids(), ib.diff_ids());
    assert_eq!(
        d["layers"],
        json!({"shared": [da[0]], "only_a": [da[1], da[2]], "only_b": [db[1]], "common_base": 1})
    );
    assert_eq!(
        d["files"],
        json!([
            {"path": "/big", "change": "modified", "type": "file", "size_before": 500, "size_after": 600},
            {"path": "/new", "change": "added", "type": "file", "size_before": null, "size_after": 20},
        ])
    );
    assert_eq!(
        d["config"],
        json!([
            {"field": "cmd", "before": ["/bin/app"], "after": ["/bin/other"]},
            {"field": "env.MODE", "before": null, "after": "prod"},
            {"field": "labels.team", "before": "ci", "after": "qa"},
        ])
    );
    let same = stdout_json(&run(&["diff", &a, &a, "--json"]));
    assert_eq!(same["files"], json!([]));
    assert_eq!(same["config"], json!([]));
}

/// The rules, the exit codes and the step summary.
#[test]
fn check_gates_on_waste_size_and_layers() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_image(dir.path(), "a.tar", &image_a());
    let code = |args: &[&str]| {
        let out = haul()
            .current_dir(dir.path())
            .env_remove("GITHUB_STEP_SUMMARY")
            .arg("check")
            .arg(&a)
            .args(args)
            .output()
            .unwrap();
        out.status.code()
    };
    assert_eq!(code(&["--max-wasted", "1000"]), Some(1), "1300 B wasted");
    assert_eq!(
        code(&[
            "--max-wasted",
            "1.3kB",
            "--min-efficiency",
            "0.28",
            "--max-size",
            "1810",
            "--max-layers",
            "3"
        ]),
        Some(0)
    );
    assert_eq!(code(&["--min-efficiency", "0.29"]), Some(1));
    assert_eq!(code(&["--max-layers", "2"]), Some(1));
    assert_eq!(code(&["--max-size", "1809"]), Some(1));
    // dive's rules: user waste = 1300 / (1810 - 1010 bytes of the first layer) = 1.625.
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, "rules:\n  lowestEfficiency: 0.2\n  highestUserWastedPercent: 1.7\n  highestWastedBytes: disabled\n").unwrap();
    assert_eq!(code(&["--rules", rules.to_str().unwrap()]), Some(0));
    std::fs::write(&rules, "rules:\n  highestUserWastedPercent: 1.6\n").unwrap();
    assert_eq!(code(&["--rules", rules.to_str().unwrap()]), Some(1));
    // `.dive-ci` in the current folder is read when no rules are given.
    std::fs::write(
        dir.path().join(".dive-ci"),
        "rules:\n  lowestEfficiency: 0.5\n",
    )
    .unwrap();
    assert_eq!(code(&[]), Some(1));
    std::fs::write(&rules, "rules:\n  lowestEfficiency: lots\n").unwrap();
    assert_eq!(code(&["--rules", rules.to_str().unwrap()]), Some(2));
    let missing = dir.path().join("missing.tar");
    let out = run(&["check", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "a source that cannot be read");

    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let out = haul()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["check", &a, "--max-wasted", "1000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("# earlier step\n## haul check: `app:1` FAILED"),
        "{md}"
    );
    assert!(
        md.contains("| max-wasted | 1 kB | 1.30 kB wasted | **FAIL** |"),
        "{md}"
    );
    assert!(md.contains("| 1 kB | 1 | `/big` |"), "{md}");
}

/// An image with a text file, an executable, relative and absolute symlinks, a hardlink, and
/// hostile entries: a name climbing out, and a file below a symlink that points outside.
fn extract_image(outside: &Path) -> TestImage {
    let mut l0 = tar::Builder::new(Vec::new());
    let mut add = |name: &str, kind: tar::EntryType, mode: u32, data: &[u8], link: Option<&str>| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_size(data.len() as u64);
        match link {
            Some(l) => l0.append_link(&mut h, name, l).unwrap(),
            None => l0.append_data(&mut h, name, data).unwrap(),
        }
    };
    use tar::EntryType::*;
    add("etc/", Directory, 0o755, b"", None);
    add("etc/conf", Regular, 0o640, b"key=value\n", None);
    add("etc/link", Symlink, 0o777, b"", Some("conf"));
    add("etc/hard", Link, 0o640, b"", Some("etc/conf"));
    add("bin/tool", Regular, 0o755, b"#!/bin/sh\n", None);
    add("abs", Symlink, 0o777, b"", Some("/etc/passwd"));
    add("esc", Symlink, 0o777, b"", Some(outside.to_str().unwrap()));
    let l0 = l0.into_inner().unwrap();
    let mut l1 = TarBuilder::new();
    l1.file("esc/pwned", b"gotcha")
        .raw_name_file("../evil", b"gotcha");
    TestImage::with_layers(&["ex:1"], vec![l0, l1.finish()], "amd64")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            out.extend(files_under(&path));
        }
        out.push(path);
    }
    out.sort();
    out
}

#[test]
fn extract_writes_only_inside_its_folder() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let src = write_image(dir.path(), "ex.tar", &extract_image(&outside));
    let out_dir = dir.path().join("out");
    let out = run(&["extract", &src, "/", "-o", out_dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused entry fails: {stderr}"
    );
    assert!(stderr.contains("refused: /esc/pwned"), "{stderr}");
    assert!(
        files_under(&outside).is_empty(),
        "nothing written through the link"
    );
    assert!(!dir.path().join("evil").exists());
    assert_eq!(
        std::fs::read_to_string(out_dir.join("etc/conf")).unwrap(),
        "key=value\n"
    );
    let conf = std::fs::metadata(out_dir.join("etc/conf")).unwrap();
    assert_eq!(conf.mode() & 0o7777, 0o640);
    assert_eq!(
        std::fs::metadata(out_dir.join("bin/tool")).unwrap().mode() & 0o777,
        0o755
    );
    let hard = std::fs::metadata(out_dir.join("etc/hard")).unwrap();
    assert_eq!(hard.ino(), conf.ino(), "a hardlink stays a hardlink");
    assert_eq!(
        std::fs::read_link(out_dir.join("etc/link")).unwrap(),
        Path::new("conf")
    );
    assert_eq!(
        std::fs::read_link(out_dir.join("abs")).unwrap(),
        Path::new("/etc/passwd"),
        "an absolute link is written as it is, never followed"
    );

    // One folder; a hardlink whose target is not selected gets the content.
    let one = dir.path().join("one");
    let out = run(&["extract", &src, "/etc/hard", "-o", one.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<PathBuf> = files_under(&one);
    assert_eq!(got, vec![one.join("etc"), one.join("etc/hard")]);
    assert_eq!(std::fs::read(one.join("etc/hard")).unwrap(), b"key=value\n");

    // A path that climbs out is refused before anything is written.
    let refused = dir.path().join("refused");
    let out = run(&["extract", &src, "../etc", "-o", refused.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!refused.exists());
    let out = run(&["extract", &src, "/nope", "-o", refused.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nope: not in the image"));

    // What layer 2 adds alone: the entry that sat below the link lands in a plain folder.
    let l2 = dir.path().join("l2");
    let out = run(&[
        "extract",
        &src,
        "/",
        "--layer",
        "2",
        "-o",
        l2.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(l2.join("esc/pwned")).unwrap(), b"gotcha");
    assert!(files_under(&outside).is_empty());
}
