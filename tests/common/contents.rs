//! Helpers for the contents tests: a busybox base image (RUN steps need a shell), the daemon's
//! own final filesystem (`docker create` + `docker export`), and `haul files --json` in the same
//! shape for comparison.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use super::docker::{Engine, Images, unique_name};

/// One path of a final filesystem, as both sides can tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `file` (hardlinks too: they are files with their target's content), `dir`, `symlink`, `other`.
    pub kind: String,
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Symlink target.
    pub link: Option<String>,
}

/// What docker adds to a container's filesystem.
fn docker_noise(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or("");
    matches!(first, "dev" | "proc" | "sys" | ".dockerenv")
        || matches!(
            path,
            "etc/hosts" | "etc/hostname" | "etc/resolv.conf" | "etc/mtab"
        )
}

/// True when busybox-static is installed (RUN steps need it); else the test is skipped, or
/// fails under CI=true.
pub fn busybox_available(test: &str) -> bool {
    let ok = Path::new("/bin/busybox").is_file();
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: /bin/busybox missing (apt-get install busybox-static)");
        }
        eprintln!("note: {test} skipped: no /bin/busybox");
    }
    ok
}

/// An imported base image with busybox as `/bin/sh` and an `/etc` folder.
pub fn busybox_base(engine: &Engine, test: &str, images: &mut Images) -> String {
    let busybox = std::fs::read("/bin/busybox").expect("read /bin/busybox");
    let mut b = tar::Builder::new(Vec::new());
    for dir in ["bin/", "etc/", "tmp/"] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(0o755);
        h.set_size(0);
        b.append_data(&mut h, dir, &[][..]).unwrap();
    }
    let mut h = tar::Header::new_gnu();
    h.set_mode(0o755);
    h.set_size(busybox.len() as u64);
    b.append_data(&mut h, "bin/busybox", busybox.as_slice())
        .unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_mode(0o777);
    h.set_size(0);
    b.append_link(&mut h, "bin/sh", "busybox").unwrap();
    let name = unique_name(test, "base");
    engine.import(&b.into_inner().unwrap(), &name, images);
    name
}

/// A final filesystem read from a tar stream (a container export): hardlinks resolved to their
/// target's size, docker's additions left out.
pub fn tree_of_tar(reader: impl Read) -> BTreeMap<String, Seen> {
    let mut tree = BTreeMap::new();
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries().expect("tar entries") {
        let entry = entry.expect("tar entry");
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let path: String = raw
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect::<Vec<_>>()
            .join("/");
        if path.is_empty() || docker_noise(&path) {
            continue;
        }
        let h = entry.header();
        let link = entry
            .link_name_bytes()
            .map(|l| String::from_utf8_lossy(&l).into_owned());
        let (kind, size, link) = match h.entry_type() {
            tar::EntryType::Directory => ("dir", 0, None),
            tar::EntryType::Symlink => ("symlink", 0, link),
            tar::EntryType::Link => {
                let target: String = link.unwrap_or_default().trim_start_matches('/').into();
                let size = tree.get(&target).map_or(0, |s: &Seen| s.size);
                ("file", size, None)
            }
            t if t.is_file() => ("file", entry.size(), None),
            _ => ("other", 0, None),
        };
        let seen = Seen {
            kind: kind.into(),
            size,
            mode: h.mode().unwrap() & 0o7777,
            uid: h.uid().unwrap(),
            gid: h.gid().unwrap(),
            link,
        };
        tree.insert(path, seen);
    }
    tree
}

/// The engine's own final filesystem of `image`.
pub fn daemon_tree(engine: &Engine, image: &str) -> BTreeMap<String, Seen> {
    let container = engine.run(&["create", image, "/nothing"]);
    let out = engine
        .docker()
        .args(["export", &container])
        .output()
        .expect("docker export");
    let _ = engine.docker().args(["rm", "-f", &container]).output();
    assert!(
        out.status.success(),
        "[{}] docker export failed",
        engine.name
    );
    tree_of_tar(out.stdout.as_slice())
}

/// `haul files SOURCE --json [extra]` (aimed at `engine`) as a final filesystem (hardlinks as
/// files).
pub fn haul_tree(engine: &Engine, source: &str, extra: &[&str]) -> BTreeMap<String, Seen> {
    let out = engine
        .haul()
        .args(["files", source, "--json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "haul files {source} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut tree = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object per line");
        let path = v["path"]
            .as_str()
            .unwrap()
            .trim_start_matches('/')
            .to_string();
        if docker_noise(&path) {
            continue;
        }
        let kind = match v["type"].as_str().unwrap() {
            "hardlink" => "file",
            k => k,
        };
        let link = (kind == "symlink").then(|| v["link"].as_str().unwrap().to_string());
        tree.insert(
            path,
            Seen {
                kind: kind.into(),
                size: if kind == "file" {
                    v["size"].as_u64().unwrap()
                } else {
                    0
                },
                mode: v["mode"].as_u64().unwrap() as u32,
                uid: v["uid"].as_u64().unwrap(),
                gid: v["gid"].as_u64().unwrap(),
                link,
            },
        );
    }
    tree
}

/// Assert two final filesystems are the same, naming the first differences.
pub fn assert_same_tree(
    what: &str,
    daemon: &BTreeMap<String, Seen>,
    haul: &BTreeMap<String, Seen>,
) {
    let mut problems = Vec::new();
    for (path, seen) in daemon {
        match haul.get(path) {
            None => problems.push(format!("only the daemon has /{path}")),
            Some(h) if h != seen => problems.push(format!("/{path}: daemon {seen:?}, haul {h:?}")),
            _ => {}
        }
    }
    for path in haul.keys().filter(|p| !daemon.contains_key(*p)) {
        problems.push(format!("only haul has /{path}"));
    }
    assert!(
        problems.is_empty(),
        "{what}: {} differences:\n{}",
        problems.len(),
        problems[..problems.len().min(20)].join("\n")
    );
}
