//! The entries of an image tar (or layout folder), keyed by normalised name, and the lookups
//! the format parsers need: follow symlinks safely, read small metadata files, sniff blob heads.

use std::collections::HashMap;

use super::{Compression, Problem};

/// Metadata files bigger than this are not metadata: refuse them instead of reading them.
pub const META_LIMIT: u64 = 16 * 1024 * 1024;
/// Symlink hops before a chain counts as a loop.
const MAX_HOPS: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    File,
    /// Target as written in the archive, resolved relative to the link's folder.
    Symlink(String),
    /// Target as written, relative to the archive root.
    Hardlink(String),
    /// A GNU sparse file: never a blob of an image, and not read.
    Sparse,
    Other,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub kind: Kind,
    pub size: u64,
    /// Byte offset of the body in the container (seekable sources only).
    pub offset: Option<u64>,
    /// First bytes of the body (streamed sources fill it while passing by).
    pub head: Vec<u8>,
    /// Whole body, kept by streamed sources for files that look like JSON metadata.
    pub content: Option<Vec<u8>>,
    /// sha256 of the body, computed by streamed sources as it passed by.
    pub digest: Option<[u8; 32]>,
}

/// Normalise an entry name by the one policy ([`super::names::container_entry`]): `None` for
/// names that climb out, are absolute or otherwise refused, which can never name a blob.
pub fn normalise(name: &str) -> Option<String> {
    super::names::container_entry(name).ok()
}

/// Join a symlink target to the folder of the link, normalising `..` within the archive.
fn resolve_link(link_name: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = link_name.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Entry names longer than this are not indexed: no writer names a blob or metadata file so
/// (`blobs/sha256/<64 hex>` is 77 bytes), and keeping them would let a tar of many long names
/// grow memory without bound.
pub const MAX_INDEXED_NAME: usize = 160;
/// Most entries indexed: an image archive has a few per layer; past this the archive is refused
/// (memory stays bounded whatever the number of entries).
pub const MAX_INDEXED: usize = 100_000;

/// What the index keeps of one entry (its name is the map key).
#[derive(Debug)]
struct Stored {
    kind: Kind,
    size: u64,
    offset: Option<u64>,
    head: [u8; 8],
    head_len: u8,
    content: Option<Box<[u8]>>,
    digest: Option<[u8; 32]>,
}

/// A regular file found by [`EntryIndex::resolve`].
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    /// The file's own (normalised) name, after following links.
    pub name: &'a str,
    pub size: u64,
    pub offset: Option<u64>,
    pub head: &'a [u8],
    pub content: Option<&'a [u8]>,
    /// `sha256:<hex>` of the body, when a streamed pass computed it.
    pub digest: Option<String>,
}

/// One indexed entry, as [`EntryIndex::iter`] lists it.
#[derive(Debug, Clone, Copy)]
pub struct Listed<'a> {
    pub name: &'a str,
    pub kind: &'a Kind,
    pub size: u64,
    pub offset: Option<u64>,
}

/// The entries that can name a blob or metadata file: names of at most [`MAX_INDEXED_NAME`]
/// bytes, regular files and links only. Everything else passes by without being kept.
#[derive(Debug, Default)]
pub struct EntryIndex {
    entries: HashMap<Box<str>, Stored>,
}

impl EntryIndex {
    /// Add an entry. Names refused by the name policy, long names and other entry types (folders,
    /// devices) are dropped (they can't be looked up); past [`MAX_INDEXED`] entries, an error.
    pub fn insert(&mut self, entry: Entry) -> Result<(), Problem> {
        if entry.name.len() > MAX_INDEXED_NAME || entry.kind == Kind::Other {
            return Ok(());
        }
        let Some(name) = normalise(&entry.name) else {
            return Ok(());
        };
        if self.entries.len() >= MAX_INDEXED && !self.entries.contains_key(name.as_str()) {
            return Err(Problem::Invalid(format!(
                "more than {MAX_INDEXED} entries: too many for an image archive haul reads"
            )));
        }
        let mut head = [0u8; 8];
        let head_len = entry.head.len().min(8);
        head[..head_len].copy_from_slice(&entry.head[..head_len]);
        let stored = Stored {
            kind: entry.kind,
            size: entry.size,
            offset: entry.offset,
            head,
            head_len: head_len as u8,
            content: entry.content.map(Vec::into_boxed_slice),
            digest: entry.digest,
        };
        self.entries.insert(name.into_boxed_str(), stored);
        Ok(())
    }

    /// Every indexed entry, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = Listed<'_>> {
        self.entries.iter().map(|(name, e)| Listed {
            name,
            kind: &e.kind,
            size: e.size,
            offset: e.offset,
        })
    }

    pub fn contains(&self, name: &str) -> bool {
        normalise(name).is_some_and(|n| self.entries.contains_key(n.as_str()))
    }

    /// The regular file `name` stands for, following symlinks and hardlinks.
    pub fn resolve(&self, name: &str) -> Result<Resolved<'_>, Problem> {
        let mut current = normalise(name).ok_or_else(|| Problem::UnsafeName(name.to_string()))?;
        for _ in 0..MAX_HOPS {
            let (key, entry) = self
                .entries
                .get_key_value(current.as_str())
                .ok_or_else(|| Problem::Missing {
                    what: "file",
                    name: name.to_string(),
                })?;
            current = match &entry.kind {
                Kind::File => {
                    return Ok(Resolved {
                        name: key,
                        size: entry.size,
                        offset: entry.offset,
                        head: &entry.head[..entry.head_len as usize],
                        content: entry.content.as_deref(),
                        digest: entry.digest.map(|d| format!("sha256:{}", hex::encode(d))),
                    });
                }
                Kind::Symlink(target) => resolve_link(&current, target)
                    .ok_or_else(|| Problem::UnsafeName(target.clone()))?,
                Kind::Hardlink(target) => {
                    normalise(target).ok_or_else(|| Problem::UnsafeName(target.clone()))?
                }
                Kind::Sparse => {
                    return Err(Problem::Invalid(format!(
                        "{name} is a GNU sparse file, which no image writer makes: not read"
                    )));
                }
                Kind::Other => {
                    return Err(Problem::Invalid(format!("{name} is not a regular file")));
                }
            };
        }
        Err(Problem::LinkLoop(name.to_string()))
    }
}

/// Where the parsers get blob bytes from: a seekable tar, a streamed tar, or a folder.
pub trait Blobs {
    fn index(&self) -> &EntryIndex;

    /// Read a whole metadata file (manifest, index, config), refusing oversized ones.
    fn read_meta(&mut self, name: &str) -> Result<Vec<u8>, Problem>;

    /// Compression of a blob, from its first bytes.
    fn compression(&mut self, name: &str) -> Result<Compression, Problem>;

    fn exists(&self, name: &str) -> bool {
        self.index().resolve(name).is_ok()
    }

    fn size(&self, name: &str) -> Result<u64, Problem> {
        self.index().resolve(name).map(|e| e.size)
    }
}

pub fn check_meta_size(name: &str, size: u64) -> Result<(), Problem> {
    if size > META_LIMIT {
        return Err(Problem::MetadataTooLarge {
            name: name.to_string(),
            size,
            limit: META_LIMIT,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> Entry {
        Entry {
            name: name.into(),
            kind: Kind::File,
            size: 1,
            offset: None,
            head: vec![],
            content: None,
            digest: None,
        }
    }

    fn link(name: &str, target: &str) -> Entry {
        Entry {
            kind: Kind::Symlink(target.into()),
            ..file(name)
        }
    }

    #[test]
    fn normalises_names_and_refuses_escapes() {
        assert_eq!(normalise("./a//b/./c").as_deref(), Some("a/b/c"));
        assert_eq!(normalise("../etc/passwd"), None);
        assert_eq!(normalise("/abs"), None);
        assert_eq!(normalise("./"), None);
    }

    #[test]
    fn follows_relative_symlinks_and_detects_loops() {
        let mut index = EntryIndex::default();
        for entry in [
            file("abc.tar"),
            link("123/layer.tar", "../abc.tar"),
            link("loop/a", "b"),
            link("loop/b", "a"),
            link("out", "../../etc/passwd"),
            file("../evil"),
            file(&"x".repeat(MAX_INDEXED_NAME + 1)),
        ] {
            index.insert(entry).unwrap();
        }
        assert_eq!(index.resolve("123/layer.tar").unwrap().name, "abc.tar");
        assert!(matches!(index.resolve("loop/a"), Err(Problem::LinkLoop(_))));
        assert!(matches!(index.resolve("out"), Err(Problem::UnsafeName(_))));
        assert!(matches!(
            index.resolve("../evil"),
            Err(Problem::UnsafeName(_))
        ));
        assert!(matches!(
            index.resolve("nope"),
            Err(Problem::Missing { .. })
        ));
        assert!(!index.contains("evil"), "the escaping entry is not indexed");
        assert!(!index.contains(&"x".repeat(MAX_INDEXED_NAME + 1)));
    }
}
