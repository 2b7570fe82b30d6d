//! Visit the blobs of an image archive from any source, in the cheapest order: seeks in a plain
//! tar, a Stored zip entry or a layout folder; one streaming pass over a compressed tar, a
//! deflated zip entry, or any `Read` of a tar (the daemon's export stream).
//!
//! The visitor sees each blob's path in the archive, size and sniffed head before its bytes and
//! says whether it wants them. A streamed pass meets `manifest.json` last, so it decides per blob
//! by name or head; the listing made on the way is returned at the end of a streamed walk.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

mod body;
mod seek;
mod stream;

pub use body::BlobBody;
use body::Inner;

use super::open::{self, Target};
use super::probe::{self, Sniffed};
use super::tar_source::{SeekableTar, Window, corrupt_tar};
use super::zipped::{self, ZipImageEntry};
use super::{ArchiveError, ArchiveReport, Compression, Container, Problem};
use seek::{walk_folder, walk_seekable};
use stream::walk_stream;

/// Bytes of a blob's head handed to [`BlobVisitor::wants`]: a tar header block.
pub const HEAD_LEN: usize = 512;

/// One blob, before its bytes are read.
#[derive(Debug, Clone)]
pub struct BlobMeta {
    /// Normalised path in the archive (for a zip: inside its image tarball).
    pub path: String,
    /// Bytes as stored.
    pub size: u64,
    /// Compression sniffed from its first bytes.
    pub compression: Compression,
    /// Its first bytes (up to [`HEAD_LEN`]): e.g. `open::is_tar_header(&head)` for a plain layer.
    pub head: Vec<u8>,
}

/// What a walk does with each blob.
pub trait BlobVisitor {
    /// True to be handed the blob's bytes. Called once per blob path, in the walk's order.
    fn wants(&mut self, blob: &BlobMeta) -> bool;
    /// The raw bytes of a wanted blob (compression included). Unread bytes are skipped.
    fn visit(&mut self, blob: &BlobMeta, body: &mut BlobBody<'_>) -> Result<(), Problem>;
}

/// How the blobs of a source are reached.
enum Mode {
    Folder(PathBuf),
    /// A plain tar file, or Stored zip entries: `(file, window as (start, len))`.
    Seek(Vec<(PathBuf, Option<(u64, u64)>)>),
    StreamFile(PathBuf, Compression),
    /// Zip entries holding compressed (or deflated) tars: read each once.
    /// Zip entries holding compressed (or deflated) tars: read each once; `true` when one
    /// entry was named (`file.zip!entry`), which must then be an image.
    StreamZip(PathBuf, Vec<ZipImageEntry>, bool),
    Reader(Box<dyn Read + Send>),
}

/// A planned walk over one source.
pub struct Walk {
    path: PathBuf,
    file_size: u64,
    mode: Mode,
}

/// What a walk learnt beyond the blobs: the listing a streamed pass made on the way, one
/// report per tarball passed (a zip may hold several); empty for seek walks.
#[derive(Debug, Default)]
pub struct WalkEnd {
    pub listings: Vec<ArchiveReport>,
}

impl Walk {
    /// Anything [`super::inspect`] takes: a tar (plain or compressed), a zip (or `file.zip!entry`),
    /// an OCI layout folder.
    pub fn open(path: &Path) -> Result<Walk, ArchiveError> {
        let at = |p: Problem| p.at(path);
        let target = Target::parse(path);
        let meta = std::fs::metadata(&target.file).map_err(|e| at(e.into()))?;
        let file_size = if meta.is_dir() { 0 } else { meta.len() };
        let mode = if meta.is_dir() {
            Mode::Folder(target.file.clone())
        } else {
            let mut head = Vec::with_capacity(probe::SNIFF_LEN);
            File::open(&target.file)
                .and_then(|f| f.take(probe::SNIFF_LEN as u64).read_to_end(&mut head))
                .map_err(|e| at(e.into()))?;
            match (probe::sniff(&head), &target.entry) {
                (Sniffed::Zip, wanted) => {
                    let (entries, _skipped) =
                        zipped::image_entries(&target.file, wanted.as_deref()).map_err(at)?;
                    // Seeks only when every image tar is Stored, as the conversion counts.
                    if entries.iter().all(|e| e.stored_tar) {
                        let windows = entries.iter().map(|e| Some((e.data_start, e.size)));
                        Mode::Seek(windows.map(|w| (target.file.clone(), w)).collect())
                    } else {
                        Mode::StreamZip(target.file.clone(), entries, wanted.is_some())
                    }
                }
                (_, Some(_)) => {
                    return Err(at(Problem::NotAnArchive(
                        "only a zip has entries (path!entry)".into(),
                    )));
                }
                (Sniffed::Tar, None) => Mode::Seek(vec![(target.file.clone(), None)]),
                (Sniffed::Compressed(c), None) => Mode::StreamFile(target.file.clone(), c),
                (Sniffed::Unknown, None) => {
                    return Err(at(Problem::NotAnArchive(
                        "unrecognised content: not a tar, gzip, zstd, xz, bzip2 or zip file".into(),
                    )));
                }
            }
        };
        Ok(Walk {
            path: path.to_path_buf(),
            file_size,
            mode,
        })
    }

    /// A tar (plain or compressed, sniffed) read once from a stream; `name` labels errors.
    pub fn reader(name: &str, reader: Box<dyn Read + Send>) -> Walk {
        Walk {
            path: PathBuf::from(name),
            file_size: 0,
            mode: Mode::Reader(reader),
        }
    }

    /// True when the walk is one pass in archive order (the visitor decides blob by blob).
    pub fn is_streamed(&self) -> bool {
        !matches!(self.mode, Mode::Folder(_) | Mode::Seek(_))
    }

    /// The source bytes a streamed walk reads (what it counts in `read`): the compressed
    /// file, or the zip entries' decompressed bytes. `None` for seek walks and plain readers.
    pub fn stream_total(&self) -> Option<u64> {
        match &self.mode {
            Mode::StreamFile(..) => Some(self.file_size),
            Mode::StreamZip(_, entries, _) => Some(entries.iter().map(|e| e.size).sum()),
            _ => None,
        }
    }

    /// Visit the blobs. A streamed walk advances `read` by the source bytes it consumes
    /// (see [`Self::stream_total`]); a seek walk leaves counting to the visitor. A blob path
    /// met twice (two tarballs in one zip) is offered once.
    pub fn run(
        self,
        visitor: &mut dyn BlobVisitor,
        read: &AtomicU64,
    ) -> Result<WalkEnd, ArchiveError> {
        self.run_until(visitor, read, &AtomicBool::new(false))
    }

    /// [`Self::run`], stopping with [`Problem::Cancelled`] soon after `cancelled` is set
    /// (checked between blobs and, in a streamed walk, between blocks of the source).
    pub fn run_until(
        self,
        visitor: &mut dyn BlobVisitor,
        read: &AtomicU64,
        cancelled: &AtomicBool,
    ) -> Result<WalkEnd, ArchiveError> {
        self.walk(visitor, read, cancelled).map_err(|mut e| {
            if cancelled.load(Ordering::Relaxed) {
                e.problem = Problem::Cancelled;
            }
            e
        })
    }

    fn walk(
        self,
        visitor: &mut dyn BlobVisitor,
        read: &AtomicU64,
        cancelled: &AtomicBool,
    ) -> Result<WalkEnd, ArchiveError> {
        let at = |p: Problem| p.at(&self.path);
        let mut seen = HashSet::new();
        let mut end = WalkEnd::default();
        match self.mode {
            Mode::Folder(root) => walk_folder(&root, visitor, cancelled).map_err(at)?,
            Mode::Seek(windows) => {
                for (file, window) in windows {
                    let file = BufReader::new(File::open(&file).map_err(|e| at(e.into()))?);
                    let mut tar = match window {
                        Some((start, len)) => {
                            SeekableTar::open(Box::new(Window::new(file, start, len)), len)
                        }
                        None => SeekableTar::open(Box::new(file), self.file_size),
                    }
                    .map_err(at)?;
                    walk_seekable(&mut tar, visitor, &mut seen, cancelled).map_err(at)?;
                }
            }
            Mode::StreamFile(file, c) => {
                let reader = File::open(&file).map_err(|e| at(e.into()))?;
                let counted = Metered {
                    inner: reader,
                    count: read,
                    cancelled,
                };
                let reader = BufReader::with_capacity(256 * 1024, counted);
                let images = walk_stream(c, reader, visitor, &mut seen).map_err(at)?;
                let report =
                    open::assemble(&self.path, c, Container::Tar, self.file_size, None, images);
                end.listings.push(report);
            }
            Mode::StreamZip(file, entries, named) => {
                for entry in entries {
                    let entry_path = PathBuf::from(format!("{}!{}", file.display(), entry.name));
                    let at = |p: Problem| p.at(&entry_path);
                    let mut zip = zipped::open_zip(&file).map_err(at)?;
                    let reader = zip
                        .by_index(entry.index)
                        .map_err(|e| at(Problem::Zip(e.to_string())))?;
                    let counted = Metered {
                        inner: reader,
                        count: read,
                        cancelled,
                    };
                    let images = match walk_stream(entry.compression, counted, visitor, &mut seen) {
                        Ok(images) => images,
                        // A tar of sources beside the image: not an image, skipped.
                        Err(p) if !named && super::probe::is_not_an_image(&p) => continue,
                        Err(p) => return Err(at(p)),
                    };
                    end.listings.push(open::assemble(
                        &entry_path,
                        entry.compression,
                        Container::Zip,
                        self.file_size,
                        Some(entry.name.clone()),
                        images,
                    ));
                }
            }
            Mode::Reader(mut reader) => {
                let mut head = Vec::with_capacity(probe::SNIFF_LEN);
                (&mut reader)
                    .take(probe::SNIFF_LEN as u64)
                    .read_to_end(&mut head)
                    .map_err(|e| at(corrupt_tar(e)))?;
                let c = match probe::sniff(&head) {
                    Sniffed::Tar => Compression::None,
                    Sniffed::Compressed(c) => c,
                    _ if head.is_empty() => return Err(at(Problem::Empty)),
                    _ => return Err(at(Problem::NotAnArchive("not a tar stream".into()))),
                };
                let counted = Metered {
                    inner: io::Cursor::new(head).chain(reader),
                    count: read,
                    cancelled,
                };
                let images = walk_stream(c, counted, visitor, &mut seen).map_err(at)?;
                end.listings.push(open::assemble(
                    &self.path,
                    c,
                    Container::Tar,
                    0,
                    None,
                    images,
                ));
            }
        }
        Ok(end)
    }
}

/// Counts the source bytes read; stops with an error once `cancelled` is set.
struct Metered<'a, R> {
    inner: R,
    count: &'a AtomicU64,
    cancelled: &'a AtomicBool,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
