//! Image helpers beyond `docker.rs`: builds with any Dockerfile lines (ENV, LABEL: history
//! entries without a layer), the engine's own history, and the comparison of what haul read from
//! a tarball with what the engine says about the same image.

use haul::archive::ImageInfo;

use super::docker::{Images, docker20, write_random};
use super::engines::Engine;

impl Engine {
    /// Build `name` FROM `base`: `files` (name, size of random content) are written to the
    /// context first, then the Dockerfile `lines` run (no shell in the image).
    pub fn build_lines(
        &self,
        base: &str,
        name: &str,
        files: &[(&str, u64)],
        lines: &[&str],
        images: &mut Images,
    ) -> String {
        images.track(name);
        let ctx = tempfile::tempdir().expect("build context");
        for (file, size) in files {
            write_random(&ctx.path().join(file), *size);
        }
        let dockerfile = format!("FROM {base}\n{}\n", lines.join("\n"));
        std::fs::write(ctx.path().join("Dockerfile"), dockerfile).unwrap();
        self.docker_build(ctx.path(), name)
    }

    /// `docker history` sizes in bytes, oldest first.
    pub fn history_sizes(&self, reference: &str) -> Vec<u64> {
        let text = self.run(&[
            "history",
            "--no-trunc",
            "--human=false",
            "--format",
            "{{.Size}}",
            reference,
        ]);
        let mut sizes: Vec<u64> = text
            .lines()
            .map(|l| l.trim().parse().expect("a size in bytes"))
            .collect();
        sizes.reverse();
        sizes
    }

    /// `created_by` of every history entry, oldest first (`docker history` lists newest first).
    pub fn history_created_by(&self, reference: &str) -> Vec<String> {
        let out = self
            .docker()
            .args([
                "history",
                "--no-trunc",
                "--format",
                "{{.CreatedBy}}",
                reference,
            ])
            .output()
            .expect("docker history");
        assert!(
            out.status.success(),
            "[{}] docker history {reference} failed",
            self.name
        );
        // Not trimmed: created_by keeps its trailing spaces, and an imported layer's is empty.
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines: Vec<String> = text
            .strip_suffix('\n')
            .unwrap_or(&text)
            .split('\n')
            .map(str::to_string)
            .collect();
        lines.reverse();
        lines
    }
}

impl Engine {
    /// What this engine calls the image haul read: its config digest where image IDs are config
    /// digests, on the containerd store the digest of its `index.json` entry (its manifest, or
    /// the index holding it).
    pub fn id_of(&self, image: &ImageInfo) -> String {
        if self.is_containerd_store() {
            image.target_digest.clone().unwrap_or_default()
        } else {
            image.id.clone()
        }
    }

    /// What the engine says about `reference` must equal what haul read from a tarball: ID, diff
    /// IDs, platform, and `created_by` of every history entry.
    pub fn assert_same_as_daemon(&self, image: &ImageInfo, reference: &str) {
        let daemon = self.inspect(reference);
        let id = daemon["Id"].as_str().unwrap();
        assert_eq!(self.id_of(image), id, "ID of {reference}");
        assert_eq!(
            image.diff_ids(),
            self.diff_ids(reference),
            "diff IDs of {reference}"
        );
        assert_eq!(image.os, daemon["Os"].as_str().unwrap());
        assert_eq!(image.architecture, daemon["Architecture"].as_str().unwrap());
        let ours: Vec<String> = image
            .history
            .iter()
            .map(|h| h.created_by.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            ours,
            self.history_created_by(reference),
            "created_by of {reference}"
        );
    }
}

/// `build_lines` on docker20.
pub fn build_lines(
    base: &str,
    name: &str,
    files: &[(&str, u64)],
    lines: &[&str],
    images: &mut Images,
) -> String {
    docker20().build_lines(base, name, files, lines, images)
}

/// `history_created_by` on docker20.
pub fn history_created_by(reference: &str) -> Vec<String> {
    docker20().history_created_by(reference)
}
