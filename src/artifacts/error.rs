use std::path::PathBuf;
use std::time::Duration;

/// What went wrong with an artifact, as one line a user can act on.
/// Never carries the token; network errors drop their URL (storage URLs carry signatures).
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error(
        "no GitHub token: set GH_TOKEN or GITHUB_TOKEN, or log in with `gh auth login` (needs read access to Actions)"
    )]
    NoToken,
    #[error(
        "no repository: pass --repo OWNER/NAME, or run inside a git repository whose `origin` remote is on GitHub"
    )]
    NoRepo,
    #[error("invalid repository {0:?}: expected OWNER/NAME")]
    BadRepo(String),
    #[error("invalid GitHub API URL {url:?}: {reason}")]
    BadApiUrl { url: String, reason: String },
    #[error(
        "GitHub rejected the token (401 {message}): set a valid token in GH_TOKEN or GITHUB_TOKEN, or run `gh auth login`"
    )]
    Unauthorized { message: String },
    #[error(
        "GitHub refused access to {what} (403 {message}): the token needs read access to Actions"
    )]
    Forbidden { what: String, message: String },
    #[error(
        "{what} not found (404): check the repository, the ID, and that the token can see the repository"
    )]
    NotFound { what: String },
    #[error(
        "{what} has expired (410 Gone): GitHub deleted its files; re-run the workflow to make it again"
    )]
    Expired { what: String },
    #[error("GitHub API rate limit exceeded: {}", wait_text(.retry_in))]
    RateLimited { retry_in: Option<Duration> },
    #[error("GitHub API answered {status} for {what}: {message}")]
    Api {
        status: u16,
        what: String,
        message: String,
    },
    #[error("artifact storage answered {status}: the download link may have expired, try again")]
    Storage { status: u16 },
    #[error("unexpected answer from GitHub: {0}")]
    BadResponse(String),
    #[error("cannot reach {host}: {detail}")]
    Network { host: String, detail: String },
    #[error("download of {what} broke off: {detail}; the partial file was removed")]
    Interrupted { what: String, detail: String },
    #[error("artifact {name} holds no image haul can load{}", if .why.is_empty() { String::new() } else { format!(" ({})", .why) })]
    NoImages { name: String, why: String },
    #[error("{}: neither a zip nor an image tarball, nothing to load", crate::escape::Shown(.0))]
    NotAnArtifact(PathBuf),
    #[error("no artifact named {name:?} in {scope}")]
    NoSuchArtifact { name: String, scope: String },
    #[error(
        "artifact {name} is incomplete: got {got} of {expected} bytes; the download was discarded"
    )]
    Truncated {
        name: String,
        got: u64,
        expected: u64,
    },
    #[error(
        "digest mismatch for artifact {name}: expected {expected}, got {actual}; the download was discarded"
    )]
    DigestMismatch {
        name: String,
        expected: String,
        actual: String,
    },
    #[error("{}: {source}", crate::escape::Shown(path))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no cache folder: set HAUL_CACHE_DIR or pass an output folder")]
    NoCacheDir,
    #[error("cancelled")]
    Cancelled,
}

impl From<ArtifactError> for crate::transfer::JobFailure {
    fn from(err: ArtifactError) -> crate::transfer::JobFailure {
        match err {
            ArtifactError::Cancelled => crate::transfer::JobFailure::Cancelled,
            other => crate::transfer::JobFailure::Failed(other.to_string()),
        }
    }
}

impl ArtifactError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ArtifactError::Io {
            path: path.into(),
            source,
        }
    }

    /// A reqwest error without its URL: a storage URL carries a signature worth not printing.
    pub(crate) fn network(err: reqwest::Error) -> Self {
        let host = err
            .url()
            .and_then(|u| u.host_str())
            .unwrap_or("the server")
            .to_string();
        ArtifactError::Network {
            host,
            detail: innermost(err),
        }
    }

    /// The body of `what` stopped arriving.
    pub(crate) fn interrupted(what: String, err: reqwest::Error) -> Self {
        ArtifactError::Interrupted {
            what,
            detail: innermost(err),
        }
    }
}

/// The innermost cause says what happened ("Connection refused", "timed out"); never the URL.
fn innermost(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        text = cause.to_string();
        source = cause.source();
    }
    text
}

fn wait_text(retry_in: &Option<Duration>) -> String {
    match retry_in {
        Some(d) => format!("try again in {}", crate::units::duration(*d)),
        None => "try again later".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line_and_actionable() {
        let limited = ArtifactError::RateLimited {
            retry_in: Some(Duration::from_secs(90)),
        };
        assert_eq!(
            limited.to_string(),
            "GitHub API rate limit exceeded: try again in 1m30s"
        );
        for err in [
            ArtifactError::NoToken,
            ArtifactError::NoRepo,
            ArtifactError::Expired {
                what: "artifact image (id 7)".into(),
            },
        ] {
            let text = err.to_string();
            assert!(!text.contains('\n'), "{text}");
        }
        assert!(ArtifactError::NoToken.to_string().contains("GH_TOKEN"));
        assert_eq!(
            crate::transfer::JobFailure::from(ArtifactError::Cancelled),
            crate::transfer::JobFailure::Cancelled
        );
    }
}
