//! Helpers of the load tests on every engine: saving with haul, and what a loaded image holds
//! (its files, read without running a container: `docker create` + `docker export`, or on
//! Podman, whose containers cannot start here, `podman image mount`).

use std::path::{Path, PathBuf};

use super::docker::{Images, Layer, unique_name};
use super::engines::Engine;

impl Engine {
    /// `haul save -q ARGS` on this engine; panics with its stderr on failure.
    pub fn haul_save(&self, args: &[&str]) {
        let out = self
            .haul()
            .arg("save")
            .arg("-q")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "[{}] haul save {args:?}: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `haul load --json ARGS` on this engine, with the test process's cache.
    pub fn haul_load(&self, args: &[&str]) -> (bool, Vec<serde_json::Value>, String) {
        self.haul_load_in(None, args)
    }

    /// Regular files of an image (path, size), as a container would see them (engine noise
    /// such as `.dockerenv` included).
    pub fn files_of(&self, image: &str) -> Vec<(String, u64)> {
        if self.is_podman() {
            return self.mounted_files(image);
        }
        let container = self.run(&["create", image]);
        let export = self.docker().args(["export", &container]).output().unwrap();
        self.run(&["rm", &container]);
        assert!(export.status.success(), "[{}] docker export", self.name);
        let mut files = Vec::new();
        let mut archive = tar::Archive::new(&export.stdout[..]);
        for entry in archive.entries().unwrap() {
            let entry = entry.unwrap();
            if entry.header().entry_type().is_file() {
                files.push((entry.path().unwrap().display().to_string(), entry.size()));
            }
        }
        files
    }

    fn mounted_files(&self, image: &str) -> Vec<(String, u64)> {
        // By ID: Podman files a docker-archive's names under `localhost/`, an OCI archive's
        // under `docker.io/`.
        let reference = self.image_id(image);
        let out = self
            .podman()
            .args(["image", "mount", &reference])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "[{}] podman image mount {reference}: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
        let root = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let mut files = Vec::new();
        walk(&root, &root, &mut files);
        let _ = self
            .podman()
            .args(["image", "unmount", &reference])
            .output();
        files
    }

    /// `base` + `layers` under a unique name, and the same image saved with haul to
    /// `dir/<file>`: (name, engine ID, diff IDs, tarball).
    pub fn saved(
        &self,
        test: &str,
        base: &str,
        layers: &[Layer],
        dir: &Path,
        images: &mut Images,
    ) -> Saved {
        let name = unique_name(test, "app");
        let id = self.build_on(base, &name, layers, images);
        let tar = dir.join(format!("{test}.tar"));
        self.haul_save(&[&name, "-o", tar.to_str().unwrap()]);
        Saved {
            diffs: self.diff_ids(&name),
            name,
            id,
            tar,
        }
    }
}

/// An image saved with haul.
pub struct Saved {
    pub name: String,
    pub id: String,
    pub diffs: Vec<String>,
    pub tar: PathBuf,
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, u64)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(root, &path, out);
        } else if meta.is_file() {
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            out.push((rel, meta.len()));
        }
    }
}

/// Assert that `files` hold each `(path, size)`.
pub fn assert_has_files(engine: &Engine, files: &[(String, u64)], wanted: &[(&str, u64)]) {
    for (path, size) in wanted {
        assert!(
            files.iter().any(|(p, s)| p == path && s == size),
            "[{}] {path} ({size} bytes) missing from {files:?}",
            engine.name
        );
    }
}

impl Engine {
    /// The name this engine gives an unqualified tag of a docker-archive: Podman files it
    /// under `localhost/`; Docker keeps it.
    pub fn archive_name(&self, tag: &str) -> String {
        if self.is_podman() && !tag.starts_with("localhost/") && !tag.starts_with("docker.io/") {
            format!("localhost/{tag}")
        } else {
            tag.to_string()
        }
    }

    /// Whether image IDs are the config digests of archives (not on the containerd store,
    /// where the engine writes the manifest of a docker-archive it loads).
    pub fn ids_are_config_digests(&self) -> bool {
        !self.is_containerd_store()
    }
}
