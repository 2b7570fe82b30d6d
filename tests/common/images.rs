//! Image helpers beyond `docker.rs`: builds with any Dockerfile lines (ENV, LABEL: history
//! entries without a layer), and the daemon's own history for comparisons.

use std::process::Command;

use super::docker::{Images, docker_build, write_random};

/// Build `name` FROM `base`: `files` (name, size of random content) are written to the context
/// first, then the Dockerfile `lines` run with the classic builder (no shell in the image).
pub fn build_lines(
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
    docker_build(ctx.path(), name)
}

/// `created_by` of every history entry, oldest first (`docker history` lists newest first).
pub fn history_created_by(reference: &str) -> Vec<String> {
    let out = Command::new("docker")
        .args([
            "history",
            "--no-trunc",
            "--format",
            "{{.CreatedBy}}",
            reference,
        ])
        .output()
        .expect("docker history");
    assert!(out.status.success(), "docker history {reference} failed");
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
