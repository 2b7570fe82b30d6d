//! List a streamed archive while passing its decompressed tar on: one decompression instead of two.
//!
//! A compressed tar (or a tar inside a Deflate zip entry) must be decompressed in full to be
//! listed, because `manifest.json` comes after the layers. When its bytes go to the daemon anyway,
//! a tee under the streaming listing hands every decompressed tar byte to a writer unchanged; at
//! the end the report is assembled exactly as [`super::inspect`] does and stored in the cache.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use super::open::{self, Target};
use super::probe::{self, Sniffed};
use super::read_ahead;
use super::tar_source::{Counting, StreamedTar, corrupt_tar};
use super::zipped::{self, ZipImageEntry};
use super::{
    ArchiveError, ArchiveReport, Compression, Container, Format, Problem, SkippedEntry, cache,
    formats,
};

/// Where the decompressed tar comes from.
#[derive(Debug, Clone)]
enum Origin {
    /// A compressed tar file (gzip, zstd, xz, bzip2).
    File(Compression),
    /// The only image entry of a zip (or the one named by `file.zip!entry`), not seekable in
    /// place, and the zip's entries that are not images (listed in the report).
    ZipEntry(ZipImageEntry, Vec<SkippedEntry>),
}

/// A path whose listing costs a full decompressing pass, ready to be sent and listed at once.
#[derive(Debug)]
pub struct StreamedSource {
    /// The path as the user wrote it.
    path: PathBuf,
    file: PathBuf,
    file_size: u64,
    origin: Origin,
    meta: std::fs::Metadata,
}

impl StreamedSource {
    /// `Some` for a compressed tar file, or a zip whose single image entry (or named entry) is
    /// deflated or holds a compressed tar. `None` for everything [`super::inspect`] lists
    /// without decompressing (plain tars, Stored tar entries, folders), for zips with several
    /// image tarballs, and for content that is not an archive (inspect reports that).
    pub fn open(path: &Path) -> Result<Option<StreamedSource>, ArchiveError> {
        let target = Target::parse(path);
        let at = |p: Problem| p.at(path);
        let meta = std::fs::metadata(&target.file).map_err(|e| at(e.into()))?;
        if meta.is_dir() || meta.len() == 0 {
            return Ok(None);
        }
        let mut head = Vec::with_capacity(probe::SNIFF_LEN);
        File::open(&target.file)
            .and_then(|f| f.take(probe::SNIFF_LEN as u64).read_to_end(&mut head))
            .map_err(|e| at(e.into()))?;
        let origin = match (probe::sniff(&head), &target.entry) {
            (Sniffed::Compressed(c), None) => Origin::File(c),
            (Sniffed::Zip, wanted) => {
                let (mut entries, skipped) =
                    zipped::image_entries(&target.file, wanted.as_deref()).map_err(at)?;
                match entries.pop() {
                    Some(only) if entries.is_empty() && !only.stored_tar => {
                        Origin::ZipEntry(only, skipped)
                    }
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(StreamedSource {
            path: path.to_path_buf(),
            file: target.file,
            file_size: meta.len(),
            origin,
            meta,
        }))
    }

    /// The path as the user wrote it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The progress total of [`Self::send_and_inspect`], counted like the converted load
    /// counts the same source: the compressed file's bytes, or a zip entry's decompressed bytes.
    pub fn total(&self) -> u64 {
        match &self.origin {
            Origin::File(_) => self.file_size,
            Origin::ZipEntry(entry, _) => entry.size,
        }
    }

    fn key(&self) -> Option<cache::Key> {
        let entry = match &self.origin {
            Origin::File(_) => None,
            Origin::ZipEntry(e, _) => Some(e.name.as_str()),
        };
        cache::Key::new(&self.file, entry, &self.meta)
    }

    /// True when the cache already holds this source's report (then listing it is instant).
    pub fn is_cached(&self, cache_dir: Option<&Path>) -> bool {
        cache_dir
            .zip(self.key())
            .is_some_and(|(dir, key)| cache::load(dir, &key).is_some())
    }

    /// Decompress once: every byte of the tar goes to `out` unchanged (up to the end of the
    /// stream, padding included), `read` advances towards [`Self::total`], and the listing made
    /// on the way is returned and stored in the cache. Synchronous: run it on a blocking thread.
    /// A failing `out` stops the pass with [`Problem::Output`].
    pub fn send_and_inspect(
        &self,
        out: &mut dyn Write,
        read: &AtomicU64,
        cache_dir: Option<&Path>,
    ) -> Result<ArchiveReport, ArchiveError> {
        let (report_path, compression, container, entry) = match &self.origin {
            Origin::File(c) => (self.path.clone(), *c, Container::Tar, None),
            Origin::ZipEntry(e, _) => (
                PathBuf::from(format!("{}!{}", self.file.display(), e.name)),
                e.compression,
                Container::Zip,
                Some(e.name.clone()),
            ),
        };
        let at = |p: Problem| p.at(&report_path);
        let images = match &self.origin {
            Origin::File(c) => {
                let file = File::open(&self.file).map_err(|e| at(e.into()))?;
                let counted = Counting {
                    inner: file,
                    count: read,
                };
                tee_and_list(*c, BufReader::with_capacity(256 * 1024, counted), out)
            }
            Origin::ZipEntry(e, _) => {
                let mut zip = zipped::open_zip(&self.file).map_err(at)?;
                let reader = zip
                    .by_index(e.index)
                    .map_err(|e| Problem::Zip(e.to_string()))
                    .map_err(at)?;
                let mut damage = None;
                let data = ZipData {
                    inner: Counting {
                        inner: reader,
                        count: read,
                    },
                    failed: &mut damage,
                };
                match (tee_and_list(e.compression, data, out), damage) {
                    (Err(p), Some(detail)) if !matches!(p, Problem::Output(_)) => {
                        Err(Problem::Corrupt {
                            what: "zip entry".into(),
                            detail,
                        })
                    }
                    (result, _) => result,
                }
            }
        }
        .map_err(at)?;
        let mut report = open::assemble(
            &report_path,
            compression,
            container,
            self.file_size,
            entry,
            images,
        );
        if let Origin::ZipEntry(_, skipped) = &self.origin {
            report.skipped = skipped.clone();
        }
        if let Some((dir, key)) = cache_dir.zip(self.key()) {
            cache::store(dir, &key, &report);
        }
        report.path = self.path.to_string_lossy().into_owned();
        Ok(report)
    }
}

/// Passes what it reads to `out`; remembers why `out` failed.
struct Tee<'a, R> {
    inner: R,
    out: &'a mut dyn Write,
    failed: Option<io::Error>,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Err(e) = self.out.write_all(&buf[..n]) {
            let kind = e.kind();
            self.failed = Some(e);
            return Err(io::Error::new(kind, "the output stopped"));
        }
        Ok(n)
    }
}

/// Remembers the zip reader's own error (a bad checksum, damaged Deflate data): it names the
/// problem better than the tar or decoder error it causes further up.
struct ZipData<'a, R> {
    inner: R,
    failed: &'a mut Option<String>,
}

impl<R: Read> Read for ZipData<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            self.failed.get_or_insert_with(|| e.to_string());
        })
    }
}

/// Decompressing runs on a thread of its own (a core), the listing, its digests and the copy to
/// `out` on this one.
fn tee_and_list(
    compression: Compression,
    reader: impl Read + Send,
    out: &mut dyn Write,
) -> Result<formats::Images, Problem> {
    read_ahead::with(
        move || open::decoder(compression, reader),
        |decoded| tee_decoded(compression, decoded, out),
    )
}

fn tee_decoded(
    compression: Compression,
    decoded: impl Read,
    out: &mut dyn Write,
) -> Result<formats::Images, Problem> {
    let mut tee = Tee {
        inner: open::checked_tar(compression, decoded)?,
        out,
        failed: None,
    };
    let listed = StreamedTar::read(&mut tee).and_then(|mut tar| {
        // The rest: end-of-archive blocks, padding, and the decoder's (or zip's) checksum.
        io::copy(&mut tee, &mut io::sink()).map_err(corrupt_tar)?;
        formats::read_images(&mut tar, false)
    });
    if let Some(e) = tee.failed.take() {
        return Err(Problem::Output(e));
    }
    let images = listed?;
    tee.out.flush().map_err(Problem::Output)?;
    Ok(images)
}

/// True when a daemon loads the decompressed tar of `report` as it is: a docker-archive
/// (`manifest.json` present) without zstd layers, which Docker Engine 20.10 cannot read.
pub fn daemon_accepts_decompressed(report: &ArchiveReport) -> bool {
    matches!(
        report.format,
        Format::DockerArchive | Format::DockerOciArchive
    ) && report
        .images
        .iter()
        .flat_map(|i| &i.layers)
        .all(|l| l.compression != Compression::Zstd)
}
