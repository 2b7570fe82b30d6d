//! The streamed walk: one pass over a (compressed) tar in archive order.

use std::collections::HashSet;
use std::io::{self, Read};

use sha2::{Digest, Sha256};

use super::seek::read_up_to;
use super::{BlobBody, BlobMeta, BlobVisitor, HEAD_LEN, Inner};
use crate::archive::index::{Entry, EntryIndex, Kind, MAX_INDEXED_NAME, META_LIMIT, normalise};
use crate::archive::tar_source::{
    STREAM_META_BUDGET, StreamedTar, corrupt_tar, entry_kind, looks_like_json,
};
use crate::archive::verify::digest_named_by;
use crate::archive::{Compression, Problem, formats, open, read_ahead};

/// One pass over a (compressed) tar: offer every regular file, keep small JSON files and every
/// entry's name for the listing, which is returned at the end.
pub(super) fn walk_stream(
    compression: Compression,
    reader: impl Read + Send,
    visitor: &mut dyn BlobVisitor,
    seen: &mut HashSet<String>,
) -> Result<formats::Images, Problem> {
    if compression == Compression::None {
        return walk_tar(open::tar_stream(compression, reader)?, visitor, seen);
    }
    // Decompressing takes a core of its own; the tar, the digests and the visitor take another.
    read_ahead::with(
        move || open::decoder(compression, reader),
        |decoded| walk_tar(open::checked_tar(compression, decoded)?, visitor, seen),
    )
}

fn walk_tar(
    tar: impl Read,
    visitor: &mut dyn BlobVisitor,
    seen: &mut HashSet<String>,
) -> Result<formats::Images, Problem> {
    let mut index = EntryIndex::default();
    let mut budget = STREAM_META_BUDGET;
    let mut archive = tar::Archive::new(tar);
    for entry in archive.entries().map_err(corrupt_tar)? {
        let mut entry = entry.map_err(corrupt_tar)?;
        let raw_name = entry
            .path()
            .map_err(corrupt_tar)?
            .to_string_lossy()
            .into_owned();
        let (size, kind) = (entry.size(), entry_kind(&entry));
        let mut listed = Entry {
            name: raw_name.clone(),
            kind: kind.clone(),
            size,
            offset: None,
            head: Vec::new(),
            content: None,
            digest: None,
        };
        if let (Kind::File, Some(name)) = (&kind, normalise(&raw_name)) {
            // Every body that can be a blob is hashed as it passes, once: what the visitor reads
            // and what it leaves. A blob named by its digest is checked as soon as it has passed;
            // the listing's digests let the format parser check the rest (a legacy layer against
            // its diff ID) in this same pass.
            let hashed = raw_name.len() <= MAX_INDEXED_NAME;
            let mut body = Hashing {
                inner: &mut entry,
                hasher: hashed.then(Sha256::new),
            };
            let mut head = Vec::with_capacity(HEAD_LEN);
            read_up_to(&mut body, &mut head, HEAD_LEN).map_err(corrupt_tar)?;
            listed.head = head[..head.len().min(8)].to_vec();
            let keep = size <= META_LIMIT && size <= budget && hashed && looks_like_json(&head);
            if keep {
                body.read_to_end(&mut head).map_err(corrupt_tar)?;
                budget -= size;
            }
            let meta = BlobMeta {
                path: name,
                size,
                compression: Compression::sniff(&head),
                head: head[..head.len().min(HEAD_LEN)].to_vec(),
            };
            if !seen.contains(&meta.path) && visitor.wants(&meta) {
                seen.insert(meta.path.clone());
                let mut blob = if keep {
                    BlobBody::new(head.clone(), Inner::Done, &meta)
                } else {
                    BlobBody::unchecked(meta.head.clone(), Inner::Stream(&mut body), &meta)
                };
                visitor.visit(&meta, &mut blob)?;
            }
            io::copy(&mut body, &mut io::sink()).map_err(corrupt_tar)?;
            if let Some(hasher) = body.hasher {
                let raw: [u8; 32] = hasher.finalize().into();
                let actual = format!("sha256:{}", hex::encode(raw));
                if let Some(expected) = digest_named_by(&meta.path)
                    && expected.starts_with("sha256:")
                    && expected != actual
                {
                    return Err(Problem::DigestMismatch {
                        blob: meta.path,
                        expected,
                        actual,
                    });
                }
                listed.digest = Some(raw);
            }
            if keep {
                listed.content = Some(head);
            }
        }
        index.insert(listed)?;
    }
    // The rest: end-of-archive blocks, padding, and the decoder's checksum (and progress).
    io::copy(&mut archive.into_inner(), &mut io::sink()).map_err(corrupt_tar)?;
    formats::read_images(&mut StreamedTar::from_index(index), false)
}

/// A tar entry's body, hashed as it is read.
struct Hashing<R> {
    inner: R,
    hasher: Option<Sha256>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}
