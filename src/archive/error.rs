use std::path::PathBuf;

/// A path that could not be read as an image archive. Displays as one line: `PATH: problem`,
/// control characters (from the path or from names inside the archive) escaped.
#[derive(Debug, thiserror::Error)]
pub struct ArchiveError {
    pub path: PathBuf,
    pub problem: Problem,
}

impl std::fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = format!("{}: {}", self.path.display(), self.problem);
        f.write_str(&crate::escape::text(&text))
    }
}

/// What is wrong with an archive, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("cannot read: {0}")]
    Io(std::io::Error),
    #[error("empty file")]
    Empty,
    #[error("not an image archive ({0})")]
    NotAnArchive(String),
    #[error("truncated: {0}")]
    Truncated(String),
    #[error("corrupt {what}: {detail}")]
    Corrupt { what: String, detail: String },
    #[error("holds no image: no manifest.json or index.json")]
    NoImage,
    #[error("{name}: invalid JSON: {detail}")]
    BadJson { name: String, detail: String },
    #[error("{name} is {size} bytes, too large for image metadata (limit {limit})")]
    MetadataTooLarge { name: String, size: u64, limit: u64 },
    #[error("{what} {name} is named but not in the archive")]
    Missing { what: &'static str, name: String },
    #[error("link loop at {0}: its symbolic or hard links lead back to themselves")]
    LinkLoop(String),
    #[error("unsafe entry name {0:?}")]
    UnsafeName(String),
    #[error("{0}")]
    Invalid(String),
    #[error("zip: {0}")]
    Zip(String),
    #[error("cancelled")]
    Cancelled,
    /// The writer the decompressed tar was passed on to failed (e.g. the upload stopped).
    #[error("passing the tar on: {0}")]
    Output(std::io::Error),
    /// A blob's bytes do not hash to the digest it is named by.
    #[error(
        "{blob}: digest mismatch: its bytes hash to {actual}, not the {expected} it is named by"
    )]
    DigestMismatch {
        blob: String,
        expected: String,
        actual: String,
    },
}

impl From<std::io::Error> for Problem {
    /// A digest mismatch found by a verifying reader deep in a reader stack comes back as itself.
    fn from(e: std::io::Error) -> Problem {
        if e.get_ref()
            .is_some_and(|inner| inner.is::<super::verify::Mismatch>())
        {
            if let Some(inner) = e.into_inner()
                && let Ok(m) = inner.downcast::<super::verify::Mismatch>()
            {
                return (*m).into();
            }
            return Problem::Invalid("digest mismatch".into());
        }
        Problem::Io(e)
    }
}

impl Problem {
    pub fn at(self, path: impl Into<PathBuf>) -> ArchiveError {
        ArchiveError {
            path: path.into(),
            problem: self,
        }
    }
}
