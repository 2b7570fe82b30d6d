//! Scan one decompressed layer tar into its entries and whiteouts, hashing file content as it
//! streams by. Independent of the other layers, so a streamed pass can scan blobs as they come.

use std::collections::HashMap;
use std::io::Read;

use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use super::{FileKind, LayerScan, Node};
use crate::archive::Problem;
use crate::archive::tar_source::corrupt_tar;

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";

/// A layer member's path, normalised: `./a//b/` -> `a/b`, a leading `/` dropped (members are
/// relative to the root whatever they say). `None` for a name with a `..` component, which is
/// never applied; `Some("")` for the root itself.
pub fn member_path(raw: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains('\0') => return None,
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// `a/b/c` -> (`a/b`, `c`); `c` -> (``, `c`).
pub fn split_parent(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((parent, base)) => (parent, base),
        None => ("", path),
    }
}

pub fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}/{name}")
    }
}

fn kind_of(entry_type: tar::EntryType) -> FileKind {
    match entry_type {
        tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
            FileKind::File
        }
        t if t.as_byte() == 0 => FileKind::File,
        tar::EntryType::Directory => FileKind::Dir,
        tar::EntryType::Symlink => FileKind::Symlink,
        tar::EntryType::Link => FileKind::Hardlink,
        _ => FileKind::Other,
    }
}

/// Scan a decompressed layer tar. File bodies are hashed and dropped as they pass.
pub fn scan_layer(reader: impl Read) -> Result<LayerScan, Problem> {
    let mut archive = tar::Archive::new(reader);
    let mut scan = LayerScan::default();
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut buf = vec![0u8; 128 * 1024];
    for entry in archive.entries().map_err(corrupt_tar)? {
        let mut entry = entry.map_err(corrupt_tar)?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(path) = member_path(&raw) else {
            scan.refused.push(raw);
            continue;
        };
        if path.is_empty() {
            continue; // the root folder itself
        }
        let (parent, base) = split_parent(&path);
        if let Some(name) = base.strip_prefix(WHITEOUT) {
            if base == OPAQUE {
                scan.opaque.push(parent.to_string());
            } else if !name.starts_with(WHITEOUT) && !name.is_empty() {
                scan.whiteouts.push(join(parent, name));
            } // other `.wh..wh.*` names are aufs bookkeeping
            continue;
        }
        let header = entry.header();
        let kind = kind_of(header.entry_type());
        let mode = header.mode().unwrap_or(0) & 0o7777;
        let (uid, gid) = (header.uid().unwrap_or(0), header.gid().unwrap_or(0));
        let link = match kind {
            FileKind::Symlink | FileKind::Hardlink => entry
                .link_name_bytes()
                .map(|l| String::from_utf8_lossy(&l).into_owned()),
            _ => None,
        };
        let (size, hash) = match kind {
            FileKind::File => hash_body(&mut entry, &mut buf)?,
            FileKind::Symlink => (0, xxh3_64(link.as_deref().unwrap_or("").as_bytes())),
            FileKind::Hardlink => {
                // Its content is its target's, met earlier in the same layer.
                let target = link.as_deref().and_then(member_path);
                match target.and_then(|t| at.get(&t)).map(|i| &scan.nodes[*i]) {
                    Some(t) => (t.size, t.hash),
                    None => (0, xxh3_64(link.as_deref().unwrap_or("").as_bytes())),
                }
            }
            _ => (0, 0),
        };
        let node = Node {
            path: path.clone(),
            kind,
            size,
            mode,
            uid,
            gid,
            link,
            hash,
        };
        match at.get(&path) {
            Some(i) => scan.nodes[*i] = node,
            None => {
                at.insert(path, scan.nodes.len());
                scan.nodes.push(node);
            }
        }
    }
    // The rest of the stream: end blocks, and a decoder's checksum.
    std::io::copy(&mut archive.into_inner(), &mut std::io::sink()).map_err(corrupt_tar)?;
    Ok(scan)
}

fn hash_body(body: &mut impl Read, buf: &mut [u8]) -> Result<(u64, u64), Problem> {
    let mut hasher = Xxh3::new();
    let mut size = 0u64;
    loop {
        let n = match body.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(corrupt_tar(e)),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hasher.digest()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_paths_are_normalised_and_climbers_refused() {
        assert_eq!(member_path("./etc//passwd").as_deref(), Some("etc/passwd"));
        assert_eq!(member_path("/abs/x/").as_deref(), Some("abs/x"));
        assert_eq!(member_path("./").as_deref(), Some(""));
        assert_eq!(member_path("a/../../etc"), None);
        assert_eq!(member_path("a\\b").as_deref(), Some("a\\b"));
        assert_eq!(split_parent("a/b/c"), ("a/b", "c"));
        assert_eq!(split_parent("c"), ("", "c"));
    }
}
