//! Seek walks: a layout folder (blobs in name order) and a seekable tar (blobs in offset order).

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{BlobBody, BlobMeta, BlobVisitor, HEAD_LEN, Inner};
use crate::archive::index::{Blobs, Kind};
use crate::archive::layout_dir::LayoutDir;
use crate::archive::tar_source::SeekableTar;
use crate::archive::{Compression, Problem};

pub(super) fn read_up_to(
    reader: &mut impl Read,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<()> {
    reader.take((limit - buf.len()) as u64).read_to_end(buf)?;
    Ok(())
}

pub(super) fn walk_folder(
    root: &Path,
    visitor: &mut dyn BlobVisitor,
    cancelled: &AtomicBool,
) -> Result<(), Problem> {
    let dir = LayoutDir::open(root)?;
    let mut files: Vec<(String, u64)> = dir
        .index()
        .iter()
        .filter(|e| *e.kind == Kind::File && e.name.starts_with("blobs/"))
        .map(|e| (e.name.to_string(), e.size))
        .collect();
    files.sort();
    for (name, size) in files {
        if cancelled.load(Ordering::Relaxed) {
            return Err(Problem::Cancelled);
        }
        let mut file = BufReader::new(File::open(dir.file_path(&name)?)?);
        let mut head = Vec::with_capacity(HEAD_LEN);
        read_up_to(&mut file, &mut head, HEAD_LEN)?;
        let meta = BlobMeta {
            path: name,
            size,
            compression: Compression::sniff(&head),
            head,
        };
        if !visitor.wants(&meta) {
            continue;
        }
        file.seek(SeekFrom::Start(0))?;
        let mut body = BlobBody::new(Vec::new(), Inner::File(file.take(size), size), &meta);
        visitor.visit(&meta, &mut body)?;
    }
    Ok(())
}

pub(super) fn walk_seekable(
    tar: &mut SeekableTar,
    visitor: &mut dyn BlobVisitor,
    seen: &mut HashSet<String>,
    cancelled: &AtomicBool,
) -> Result<(), Problem> {
    let mut files: Vec<(u64, String, u64)> = tar
        .index()
        .iter()
        .filter(|e| *e.kind == Kind::File)
        .map(|e| (e.offset.unwrap_or(0), e.name.to_string(), e.size))
        .collect();
    files.sort();
    for (offset, name, size) in files {
        if cancelled.load(Ordering::Relaxed) {
            return Err(Problem::Cancelled);
        }
        if seen.contains(&name) {
            continue;
        }
        let (mut take, _) = tar.open_entry(&name)?;
        let mut head = Vec::with_capacity(HEAD_LEN);
        read_up_to(&mut take, &mut head, HEAD_LEN)?;
        let meta = BlobMeta {
            path: name,
            size,
            compression: Compression::sniff(&head),
            head,
        };
        if !visitor.wants(&meta) {
            continue;
        }
        seen.insert(meta.path.clone());
        let mut body = BlobBody::new(Vec::new(), Inner::Seek { take, offset, size }, &meta);
        body.rewind()?;
        visitor.visit(&meta, &mut body)?;
    }
    Ok(())
}
