//! The first bytes of one file of an analysed image (a preview), read from the layer that holds
//! the version asked for: only that layer blob is decompressed, up to the entry, and only the
//! first `limit` bytes of the entry are kept. Never the whole layer in memory.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};

use super::scan::member_path;
use super::{Analysis, ChangeKind, ContentsError, Control, FileKind};
use crate::archive::blob_walk::{BlobBody, BlobMeta, BlobVisitor, Walk};
use crate::archive::{Problem, open, tar_source::corrupt_tar};

/// The head of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peek {
    /// The path asked for (normalised, without a leading `/`).
    pub path: String,
    /// The file's whole size.
    pub size: u64,
    /// Its first bytes (at most the limit asked for).
    pub head: Vec<u8>,
}

impl Peek {
    /// True when the head is not text: a NUL byte, or bytes that are not UTF-8 (a character cut
    /// at the end of the head does not count).
    pub fn is_binary(&self) -> bool {
        if self.head.contains(&0) {
            return true;
        }
        match std::str::from_utf8(&self.head) {
            Ok(_) => false,
            // `error_len() == None`: an incomplete character at the very end.
            Err(e) => e.error_len().is_some(),
        }
    }

    /// The head as text, up to its last whole character; `None` when binary.
    pub fn text(&self) -> Option<&str> {
        if self.is_binary() {
            return None;
        }
        match std::str::from_utf8(&self.head) {
            Ok(text) => Some(text),
            Err(e) => std::str::from_utf8(&self.head[..e.valid_up_to()]).ok(),
        }
    }

    /// True when the file is longer than its head.
    pub fn truncated(&self) -> bool {
        (self.head.len() as u64) < self.size
    }
}

/// Read the first `limit` bytes of `path` as the final filesystem has it, or (with `layer`) as
/// that layer (0-based) adds or modifies it, reading the layer blob through `walk`.
pub fn peek(
    walk: Walk,
    analysis: &Analysis,
    path: &str,
    layer: Option<usize>,
    limit: usize,
    control: &Control,
) -> Result<Peek, ContentsError> {
    let fail = |message: String| ContentsError::Image {
        origin: format!("/{}", path.trim_start_matches('/')),
        message,
    };
    let key = member_path(path).ok_or_else(|| fail("a path that climbs out".into()))?;
    let (index, node) = match layer {
        None => analysis
            .find(&key)
            .map(|e| (e.layer, &e.node))
            .ok_or_else(|| fail("not in the image".into()))?,
        Some(n) => {
            let contents = analysis
                .layers
                .get(n)
                .ok_or_else(|| fail(format!("no layer {}", n + 1)))?;
            let change = contents
                .changes
                .binary_search_by(|c| c.node.path.as_str().cmp(&key))
                .ok()
                .map(|i| &contents.changes[i])
                .ok_or_else(|| fail(format!("not changed by layer {}", n + 1)))?;
            if change.change == ChangeKind::Removed {
                return Err(fail(format!("removed by layer {}", n + 1)));
            }
            (n, &change.node)
        }
    };
    // A hardlink's content is its target's, in the same layer.
    let member = match node.kind {
        FileKind::File => key.clone(),
        FileKind::Hardlink => node
            .link
            .as_deref()
            .and_then(member_path)
            .ok_or_else(|| fail("a hardlink that climbs out".into()))?,
        FileKind::Dir => return Err(fail("a folder".into())),
        FileKind::Symlink => return Err(fail("a symbolic link".into())),
        FileKind::Other => return Err(fail("not a regular file".into())),
    };
    let blob = analysis
        .image
        .layers
        .get(index)
        .map(|l| l.path.clone())
        .ok_or_else(|| fail(format!("layer {} is not in the image", index + 1)))?;
    let mut reader = Reader {
        blob,
        member,
        size: node.size,
        limit,
        cancelled: control.flag(),
        found: None,
    };
    let result = walk.run_until(&mut reader, &control.read, control.flag());
    if let Some(head) = reader.found {
        return Ok(Peek {
            path: key,
            size: node.size,
            head,
        });
    }
    match result {
        Err(e) if matches!(e.problem, Problem::Cancelled) || control.is_cancelled() => {
            Err(ContentsError::Cancelled)
        }
        Err(e) => Err(ContentsError::Archive(e)),
        Ok(_) => Err(fail(format!("not found in layer {}", index + 1))),
    }
}

/// Finds one member in one blob and keeps its head; stops the walk once it has it.
struct Reader<'a> {
    blob: String,
    member: String,
    /// The size of the version asked for: a member met with another size is an earlier
    /// version of the path in the same layer (rare), and the search goes on.
    size: u64,
    limit: usize,
    cancelled: &'a AtomicBool,
    found: Option<Vec<u8>>,
}

/// Stops a read once cancelled.
struct Guard<'a, R> {
    inner: R,
    cancelled: &'a AtomicBool,
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("cancelled"));
        }
        self.inner.read(buf)
    }
}

impl BlobVisitor for Reader<'_> {
    fn wants(&mut self, blob: &BlobMeta) -> bool {
        self.found.is_none() && blob.path == self.blob
    }

    fn visit(&mut self, blob: &BlobMeta, body: &mut BlobBody<'_>) -> Result<(), Problem> {
        let guarded = Guard {
            inner: body,
            cancelled: self.cancelled,
        };
        let mut archive = tar::Archive::new(open::decoder(blob.compression, guarded)?);
        for entry in archive.entries().map_err(corrupt_tar)? {
            let entry = entry.map_err(corrupt_tar)?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            if member_path(&raw).as_deref() != Some(self.member.as_str()) {
                continue;
            }
            let last = entry.size() == self.size;
            let mut head = Vec::with_capacity(self.limit.min(64 * 1024));
            entry
                .take(self.limit as u64)
                .read_to_end(&mut head)
                .map_err(corrupt_tar)?;
            self.found = Some(head);
            if last {
                break;
            }
        }
        if self.found.is_some() {
            // Nothing else to read: stop the walk here (the caller keeps what was found).
            return Err(Problem::Cancelled);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peek_of(head: &[u8], size: u64) -> Peek {
        Peek {
            path: "a".into(),
            size,
            head: head.to_vec(),
        }
    }

    #[test]
    fn text_binary_and_cut_characters() {
        assert_eq!(peek_of(b"hello\n", 6).text(), Some("hello\n"));
        assert!(!peek_of(b"hello\n", 6).truncated());
        assert!(peek_of(b"ab\0cd", 5).is_binary());
        assert!(peek_of(&[0xff, 0xfe, b'a'], 3).is_binary());
        // "é" is two bytes; the head ends after the first.
        let cut = peek_of(&[b'o', b'k', 0xc3], 10);
        assert!(!cut.is_binary());
        assert_eq!(cut.text(), Some("ok"));
        assert!(cut.truncated());
    }

    #[test]
    fn reads_the_head_of_a_file_from_its_layer_and_refuses_the_rest() {
        use crate::archive::contents::fixture::{docker_archive, layer};
        use crate::archive::contents::{Options, analyse_path};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("image.tar");
        let big: Vec<u8> = b"line\n".repeat(10_000);
        let layers = [
            layer(&[
                ("etc/", b""),
                ("etc/motd", b"old\n"),
                ("bin/tool", b"\x7fELF\0\0"),
            ]),
            layer(&[
                ("etc/", b""),
                ("etc/motd", b"hello\nworld\n"),
                ("big.txt", &big),
            ]),
        ];
        std::fs::write(&path, docker_archive("t:1", &layers)).unwrap();
        let analysis = analyse_path(&path, &Options::default()).unwrap();
        let control = Control::default();
        let walk = || Walk::open(&path).unwrap();
        let motd = peek(walk(), &analysis, "/etc/motd", None, 1024, &control).unwrap();
        assert_eq!(motd.text(), Some("hello\nworld\n"));
        let old = peek(walk(), &analysis, "etc/motd", Some(0), 1024, &control).unwrap();
        assert_eq!(old.text(), Some("old\n"), "layer 1's version");
        let tool = peek(walk(), &analysis, "bin/tool", None, 1024, &control).unwrap();
        assert!(tool.is_binary());
        let head = peek(walk(), &analysis, "big.txt", None, 100, &control).unwrap();
        assert_eq!((head.head.len(), head.size), (100, 50_000));
        assert!(head.truncated());
        for (path, layer, why) in [
            ("etc", None, "a folder"),
            ("nothing", None, "not in the image"),
            ("big.txt", Some(0), "not changed by layer 1"),
            ("../etc/passwd", None, "climbs out"),
        ] {
            let err = peek(walk(), &analysis, path, layer, 10, &control).unwrap_err();
            assert!(err.to_string().contains(why), "{path}: {err}");
        }
        control.cancel();
        let err = peek(walk(), &analysis, "big.txt", None, 10, &control).unwrap_err();
        assert!(matches!(err, ContentsError::Cancelled), "{err}");
    }
}
