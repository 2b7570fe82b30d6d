//! Download one artifact: ask the API for the storage URL right before reading, stream the
//! body into a hidden temporary file next to the destination while hashing it, check the
//! digest, then rename. A failure or a cancel removes the temporary file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

use super::error::ArtifactError;
use super::github::GitHub;
use super::model::RemoteArtifact;
use crate::transfer::{JobId, JobKind, JobOutcome, Jobs, Phase, Progress};

/// Where a download goes unless told otherwise: `<cache>/artifacts` (a scan location).
pub fn default_destination() -> Result<PathBuf, ArtifactError> {
    super::cache_folder().ok_or(ArtifactError::NoCacheDir)
}

/// Download `artifact` into `dest_dir` and return the final path: `<name>.zip` for a zip,
/// `<name>` for a raw (non-zip) artifact, recognised by its first bytes. `progress` counts
/// bytes (total from `Content-Length`, else the API's size); `cancel` stops it.
pub async fn download_artifact(
    gh: &GitHub,
    artifact: &RemoteArtifact,
    dest_dir: &Path,
    progress: &Progress,
    cancel: &CancellationToken,
) -> Result<PathBuf, ArtifactError> {
    if artifact.expired {
        return Err(ArtifactError::Expired {
            what: artifact.describe(),
        });
    }
    tokio::fs::create_dir_all(dest_dir)
        .await
        .map_err(|e| ArtifactError::io(dest_dir, e))?;
    crate::partial::remove_stale(dest_dir);
    let temp =
        crate::partial::create(dest_dir, "download").map_err(|e| ArtifactError::io(dest_dir, e))?;
    let temp_path = temp.path().to_path_buf();
    let io_err = |e| ArtifactError::io(&temp_path, e);
    let mut file = tokio::fs::File::from_std(temp.as_file().try_clone().map_err(io_err)?);

    let response = tokio::select! {
        biased;
        _ = cancel.cancelled() => return Err(ArtifactError::Cancelled),
        response = gh.open_download(artifact) => response?,
    };
    let expected_len = response.content_length();
    progress.set_total(expected_len.unwrap_or(artifact.size_in_bytes));

    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(4);
    let mut got: u64 = 0;
    let mut body = response.bytes_stream();
    loop {
        let chunk = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(ArtifactError::Cancelled),
            chunk = body.next() => chunk,
        };
        let Some(chunk) = chunk else { break };
        let chunk = chunk.map_err(|e| ArtifactError::interrupted(artifact.describe(), e))?;
        hasher.update(&chunk);
        if head.len() < 4 {
            head.extend(chunk.iter().take(4 - head.len()));
        }
        file.write_all(&chunk).await.map_err(io_err)?;
        got += chunk.len() as u64;
        progress.add(chunk.len() as u64);
    }
    file.flush().await.map_err(io_err)?;
    file.sync_all().await.map_err(io_err)?;
    drop(file);

    if let Some(expected) = expected_len.filter(|&n| n != got) {
        return Err(ArtifactError::Truncated {
            name: artifact.name.clone(),
            got,
            expected,
        });
    }
    check_digest(artifact, &hex::encode(hasher.finalize()))?;
    let path = dest_dir.join(final_name(artifact, &head));
    temp.persist(&path)
        .map_err(|e| ArtifactError::io(&path, e.error))?;
    Ok(path)
}

/// Compare with the API's `digest` when it gives a `sha256:` one (upload-artifact v4+).
fn check_digest(artifact: &RemoteArtifact, actual_hex: &str) -> Result<(), ArtifactError> {
    let Some(expected) = artifact.digest.as_deref() else {
        return Ok(());
    };
    let Some(expected_hex) = expected.strip_prefix("sha256:") else {
        return Ok(()); // an algorithm haul does not know: nothing to compare with
    };
    if expected_hex.eq_ignore_ascii_case(actual_hex) {
        return Ok(());
    }
    Err(ArtifactError::DigestMismatch {
        name: artifact.name.clone(),
        expected: expected.to_string(),
        actual: format!("sha256:{actual_hex}"),
    })
}

/// The file name of a finished download: the artifact name made safe for a file name,
/// plus `.zip` when the bytes are a zip (content decides, not the name).
fn final_name(artifact: &RemoteArtifact, head: &[u8]) -> String {
    let safe: String = artifact
        .name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '+' | '@' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim().trim_start_matches('.');
    let base = if safe.is_empty() {
        format!("artifact-{}", artifact.id)
    } else {
        safe.to_string()
    };
    let is_zip = head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06");
    if is_zip && !base.to_ascii_lowercase().ends_with(".zip") {
        format!("{base}.zip")
    } else {
        base
    }
}

/// Start a background download job (for the CLI and the TUI alike). Its outcome lists the
/// downloaded file, which the next [`super::scan`] of `dest_dir` shows as a local artifact.
pub fn start_download(
    jobs: &mut Jobs,
    gh: Arc<GitHub>,
    artifact: RemoteArtifact,
    dest_dir: PathBuf,
) -> JobId {
    let label = format!("download {}", artifact.name);
    jobs.spawn(JobKind::Download, label, move |ctx| async move {
        ctx.phase(Phase::Transferring);
        let path = download_artifact(&gh, &artifact, &dest_dir, &ctx.progress, &ctx.cancel).await?;
        Ok(JobOutcome {
            summary: format!(
                "downloaded {} ({}) to {}",
                artifact.name,
                crate::units::bytes(ctx.progress.done()),
                path.display()
            ),
            images: Vec::new(),
            files: vec![path],
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(name: &str, digest: Option<&str>) -> RemoteArtifact {
        RemoteArtifact {
            id: 9,
            name: name.to_string(),
            size_in_bytes: 0,
            expired: false,
            created_at: None,
            expires_at: None,
            digest: digest.map(str::to_string),
            workflow_run: None,
        }
    }

    #[test]
    fn final_names_are_safe_and_follow_content() {
        assert_eq!(
            final_name(&artifact("image", None), b"PK\x03\x04"),
            "image.zip"
        );
        assert_eq!(
            final_name(&artifact("app.zip", None), b"PK\x03\x04"),
            "app.zip"
        );
        assert_eq!(final_name(&artifact("img.tar", None), b"ustar"), "img.tar");
        assert_eq!(final_name(&artifact("../../etc/x", None), b""), "_.._etc_x");
        assert_eq!(final_name(&artifact("..", None), b""), "artifact-9");
    }

    #[test]
    fn digests_are_compared_when_known() {
        let hex = hex::encode(Sha256::digest(b"abc"));
        assert!(check_digest(&artifact("a", None), &hex).is_ok());
        assert!(check_digest(&artifact("a", Some(&format!("sha256:{hex}"))), &hex).is_ok());
        let err = check_digest(&artifact("a", Some("sha256:00")), &hex).expect_err("mismatch");
        assert!(err.to_string().contains("digest mismatch"), "{err}");
        assert!(check_digest(&artifact("a", Some("md5:00")), &hex).is_ok());
    }
}
