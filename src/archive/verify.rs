//! Digests checked while the bytes stream by, in the same pass: a reader that hashes what passes
//! through and compares at EOF, and the check for whole metadata blobs already in memory.
//! A mismatch is one error naming the blob ([`Problem::DigestMismatch`]).

use std::io::{self, Read};

use sha2::{Digest, Sha256, Sha512};

use super::Problem;

/// A running hash of one algorithm.
#[derive(Clone)]
pub enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    /// The hasher for `digest`'s algorithm; `None` for a digest haul cannot check.
    pub fn for_digest(digest: &str) -> Option<Hasher> {
        match digest.split_once(':')?.0 {
            "sha256" => Some(Hasher::Sha256(Sha256::new())),
            "sha512" => Some(Hasher::Sha512(Sha512::new())),
            _ => None,
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    pub fn finish(self) -> String {
        match self {
            Hasher::Sha256(h) => format!("sha256:{}", hex::encode(h.finalize())),
            Hasher::Sha512(h) => format!("sha512:{}", hex::encode(h.finalize())),
        }
    }
}

/// The error a [`Verifying`] reader returns at EOF on a mismatch, carried inside an
/// `io::Error` so any reader stack passes it up; [`Problem`]'s `From<io::Error>` unwraps it.
#[derive(Debug, thiserror::Error)]
#[error("{blob}: digest mismatch: its bytes hash to {actual}, not the {expected} it is named by")]
pub struct Mismatch {
    pub blob: String,
    pub expected: String,
    pub actual: String,
}

/// The digest mismatch anywhere in `err`'s chain of causes (a tar parser wraps the error of the
/// reader under it), as a [`Problem`].
pub fn find_mismatch(err: &(dyn std::error::Error + 'static)) -> Option<Problem> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(m) = e.downcast_ref::<Mismatch>() {
            return Some(Problem::DigestMismatch {
                blob: m.blob.clone(),
                expected: m.expected.clone(),
                actual: m.actual.clone(),
            });
        }
        // io::Error hides its payload from source(): look inside it too.
        current = match e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

impl From<Mismatch> for Problem {
    fn from(m: Mismatch) -> Problem {
        Problem::DigestMismatch {
            blob: m.blob,
            expected: m.expected,
            actual: m.actual,
        }
    }
}

/// Hashes every byte read through it; at EOF compares with the expected digest and fails the
/// read with a [`Mismatch`] (wrapped in `io::Error`, kind `InvalidData`) if they differ.
pub struct Verifying<R> {
    inner: R,
    hasher: Option<Hasher>,
    expected: String,
    blob: String,
    /// Bytes still to come when the length is known: the check runs with the last of them,
    /// so a consumer that stops at the length (`Read::take`) still gets it.
    left: Option<u64>,
}

impl<R: Read> Verifying<R> {
    /// Verify `inner` against `expected` (`sha256:…`) at its end, or once `len` bytes (when
    /// given) have passed; a digest of another algorithm passes unchecked.
    pub fn new(inner: R, blob: &str, expected: &str, len: Option<u64>) -> Self {
        Verifying {
            inner,
            hasher: Hasher::for_digest(expected),
            expected: expected.to_string(),
            blob: blob.to_string(),
            left: len,
        }
    }
}

impl<R: Read> Read for Verifying<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(left) = &mut self.left {
            *left = left.saturating_sub(n as u64);
        }
        if n > 0
            && let Some(h) = &mut self.hasher
        {
            h.update(&buf[..n]);
        }
        let ended = (n == 0 && !buf.is_empty()) || self.left == Some(0);
        if ended && let Some(h) = self.hasher.take() {
            let actual = h.finish();
            if actual != self.expected {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    Mismatch {
                        blob: self.blob.clone(),
                        expected: self.expected.clone(),
                        actual,
                    },
                ));
            }
        }
        Ok(n)
    }
}

/// The digest a blob's path names: `blobs/<alg>/<hex>`, or a legacy docker-archive config
/// `<64 hex>.json` at the root (named by its own sha256).
pub fn digest_named_by(path: &str) -> Option<String> {
    let digest = if let Some(rest) = path.strip_prefix("blobs/") {
        let (alg, hex) = rest.split_once('/')?;
        format!("{alg}:{hex}")
    } else {
        let hex = path.strip_suffix(".json")?;
        format!("sha256:{hex}")
    };
    crate::digest::is_valid(&digest).then_some(digest)
}

/// Check a whole blob already read (a config, a manifest) against `expected`.
pub fn check_bytes(blob: &str, expected: &str, bytes: &[u8]) -> Result<(), Problem> {
    let Some(mut hasher) = Hasher::for_digest(expected) else {
        return Ok(());
    };
    hasher.update(bytes);
    let actual = hasher.finish();
    if actual == expected {
        return Ok(());
    }
    Err(Problem::DigestMismatch {
        blob: blob.to_string(),
        expected: expected.to_string(),
        actual,
    })
}

/// Check a metadata blob whose path names its digest (no-op for other paths).
pub fn check_named(path: &str, bytes: &[u8]) -> Result<(), Problem> {
    match digest_named_by(path) {
        Some(expected) => check_bytes(path, &expected, bytes),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_checks_at_eof_and_names_the_blob() {
        let good = crate::digest::sha256_of(b"layer bytes");
        let mut out = Vec::new();
        Verifying::new(&b"layer bytes"[..], "blobs/sha256/x", &good, None)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"layer bytes");
        let err = Verifying::new(&b"tampered"[..], "blobs/sha256/x", &good, None)
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        // With a known length, a reader that stops there still gets the check.
        let short = Verifying::new(&b"tampered"[..], "b", &good, Some(8));
        assert!(short.take(8).read_to_end(&mut Vec::new()).is_err());
        let problem = Problem::from(err);
        let text = problem.to_string();
        assert!(matches!(problem, Problem::DigestMismatch { .. }), "{text}");
        assert!(
            text.contains("blobs/sha256/x") && text.contains(&good),
            "{text}"
        );
    }

    #[test]
    fn paths_name_digests() {
        let hex = "a".repeat(64);
        assert_eq!(
            digest_named_by(&format!("blobs/sha256/{hex}")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(
            digest_named_by(&format!("{hex}.json")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(digest_named_by("manifest.json"), None);
        assert_eq!(digest_named_by(&format!("{hex}/layer.tar")), None);
        assert!(check_named(&format!("{hex}.json"), b"{}").is_err());
        assert!(check_named("config.json", b"{}").is_ok());
    }
}
