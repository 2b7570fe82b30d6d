//! Content digests: validation, hashing, and layer chain IDs.

use sha2::{Digest, Sha256};

/// `sha256:<hex>` of some bytes.
pub fn sha256_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// True for `sha256:` followed by 64 lowercase hex digits (the only algorithm images use in practice).
/// Validating before a digest is joined to a path keeps hostile names out of file lookups.
pub fn is_valid(digest: &str) -> bool {
    match digest.split_once(':') {
        Some(("sha256", hex)) => {
            hex.len() == 64
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        Some(("sha512", hex)) => {
            hex.len() == 128
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        _ => false,
    }
}

/// The hex part of a digest (`sha256:abc` -> `abc`).
pub fn hex_part(digest: &str) -> &str {
    digest.split_once(':').map_or(digest, |(_, hex)| hex)
}

/// Chain IDs of a layer stack: chain(0) = diff(0), chain(n) = sha256(chain(n-1) + " " + diff(n)).
/// The daemon keys its layers by chain ID, so this tells which layers of an image it already has.
pub fn chain_ids<S: AsRef<str>>(diff_ids: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(diff_ids.len());
    for diff in diff_ids {
        let next = match out.last() {
            None => diff.as_ref().to_string(),
            Some(parent) => sha256_of(format!("{parent} {}", diff.as_ref()).as_bytes()),
        };
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_ids_follow_the_docker_definition() {
        let a = sha256_of(b"a");
        let b = sha256_of(b"b");
        let chain = chain_ids(&[a.clone(), b.clone()]);
        assert_eq!(chain[0], a);
        assert_eq!(chain[1], sha256_of(format!("{a} {b}").as_bytes()));
        assert!(chain_ids::<String>(&[]).is_empty());
    }

    #[test]
    fn validates_digests() {
        assert!(is_valid(&sha256_of(b"x")));
        assert!(!is_valid("sha256:../../etc/passwd"));
        assert!(!is_valid("sha256:ABC"));
        assert!(!is_valid("md5:abc"));
        assert_eq!(hex_part("sha256:abc"), "abc");
    }
}
