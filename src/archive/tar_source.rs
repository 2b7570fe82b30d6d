//! Tar sources. A seekable tar is listed with header seeks, so layer bytes are never read; a
//! compressed tar is listed in one streaming pass that keeps only small JSON-looking files.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use super::index::{Blobs, Entry, EntryIndex, Kind, MAX_INDEXED_NAME, META_LIMIT, check_meta_size};
use super::{Compression, Problem};

pub trait ReadSeek: Read + Seek + Send {}

/// The body of one entry of a [`SeekableTar`].
pub type EntryBody<'a> = io::Take<&'a mut Box<dyn ReadSeek>>;
impl<T: Read + Seek + Send> ReadSeek for T {}

/// Bytes kept from the start of every streamed entry (enough for any compression magic).
const HEAD_LEN: usize = 8;
/// Upper bound on metadata kept in memory during a streaming pass.
pub const STREAM_META_BUDGET: u64 = 24 * 1024 * 1024;

pub fn entry_kind(entry: &tar::Entry<'_, impl Read>) -> Kind {
    let link = || {
        entry
            .link_name()
            .ok()
            .flatten()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    match entry.header().entry_type() {
        tar::EntryType::Regular | tar::EntryType::Continuous => Kind::File,
        tar::EntryType::GNUSparse => Kind::Sparse,
        t if t.as_byte() == 0 => Kind::File,
        tar::EntryType::Symlink => Kind::Symlink(link()),
        tar::EntryType::Link => Kind::Hardlink(link()),
        _ => Kind::Other,
    }
}

pub fn corrupt_tar(e: io::Error) -> Problem {
    // A verifying reader under the tar parser: the parser wraps its error, the mismatch is the news.
    if let Some(m) = super::verify::find_mismatch(&e) {
        return m;
    }
    // The tar crate quotes the damaged header bytes; what matters is that a header is damaged.
    let text = e.to_string();
    if text.contains("when getting cksum") || text.contains("checksum mismatch") {
        return Problem::Corrupt {
            what: "tar".into(),
            detail: "a damaged entry header (its checksum field or checksum is wrong)".into(),
        };
    }
    // The tar crate reports a short header read as a plain error with this text.
    if e.to_string().contains("failed to read entire block") {
        return Problem::Truncated("tar ends in the middle of an entry header".into());
    }
    // Decoders say "incomplete" (zstd frame, deflate stream) when their input stops early.
    if e.kind() == io::ErrorKind::UnexpectedEof || e.to_string().contains("incomplete") {
        Problem::Truncated(format!("the archive ends early ({e})"))
    } else {
        Problem::Corrupt {
            what: "tar".into(),
            detail: e.to_string(),
        }
    }
}

/// An uncompressed tar we can seek in: a file, or a Stored entry of a zip.
pub struct SeekableTar {
    reader: Box<dyn ReadSeek>,
    index: EntryIndex,
}

impl SeekableTar {
    /// List the tar by reading headers only. `len` is the byte length of the tar.
    pub fn open(mut reader: Box<dyn ReadSeek>, len: u64) -> Result<Self, Problem> {
        reader.seek(SeekFrom::Start(0))?;
        let mut index = EntryIndex::default();
        {
            let mut archive = tar::Archive::new(&mut reader);
            for entry in archive.entries_with_seek().map_err(corrupt_tar)? {
                let entry = entry.map_err(corrupt_tar)?;
                let name = entry
                    .path()
                    .map_err(corrupt_tar)?
                    .to_string_lossy()
                    .into_owned();
                let size = entry.size();
                let offset = entry.raw_file_position();
                let kind = entry_kind(&entry);
                // A sparse entry's size is its expanded size, not the bytes it holds here.
                if kind != Kind::Sparse && offset.checked_add(size).is_none_or(|end| end > len) {
                    return Err(Problem::Truncated(format!(
                        "entry {name} claims {size} bytes at offset {offset}, past the end ({len} bytes)"
                    )));
                }
                index.insert(Entry {
                    name,
                    kind,
                    size,
                    offset: Some(offset),
                    head: Vec::new(),
                    content: None,
                    digest: None,
                })?;
            }
        }
        Ok(SeekableTar { reader, index })
    }

    /// Read `len` bytes at `offset`.
    fn read_at(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, Problem> {
        self.reader.seek(SeekFrom::Start(offset))?;
        let mut buf = vec![0; len];
        self.reader
            .read_exact(&mut buf)
            .map_err(|e| Problem::Truncated(e.to_string()))?;
        Ok(buf)
    }

    /// A reader over one resolved entry's body.
    pub fn open_entry(&mut self, name: &str) -> Result<(EntryBody<'_>, u64), Problem> {
        let entry = self.index.resolve(name)?;
        let (offset, size) = (entry.offset.unwrap_or(0), entry.size);
        self.reader.seek(SeekFrom::Start(offset))?;
        Ok(((&mut self.reader).take(size), size))
    }
}

impl Blobs for SeekableTar {
    fn index(&self) -> &EntryIndex {
        &self.index
    }

    fn read_meta(&mut self, name: &str) -> Result<Vec<u8>, Problem> {
        let entry = self.index.resolve(name)?;
        check_meta_size(name, entry.size)?;
        let (offset, size) = (entry.offset.unwrap_or(0), entry.size as usize);
        self.read_at(offset, size)
    }

    fn compression(&mut self, name: &str) -> Result<Compression, Problem> {
        let entry = self.index.resolve(name)?;
        let (offset, size) = (
            entry.offset.unwrap_or(0),
            entry.size.min(HEAD_LEN as u64) as usize,
        );
        Ok(Compression::sniff(&self.read_at(offset, size)?))
    }
}

/// A tar read once from a stream (decompressed on the fly). Keeps heads and small JSON files.
pub struct StreamedTar {
    index: EntryIndex,
}

pub fn looks_like_json(head: &[u8]) -> bool {
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[')
}

impl StreamedTar {
    /// The entries another streamed pass met, for the format parsers.
    pub fn from_index(index: EntryIndex) -> Self {
        StreamedTar { index }
    }

    /// Read the whole stream once. `on_body` sees every byte of every entry body, so a caller
    /// can count progress; bodies are dropped as they pass unless they look like metadata.
    pub fn read(reader: impl Read) -> Result<Self, Problem> {
        let mut index = EntryIndex::default();
        let mut budget = STREAM_META_BUDGET;
        let mut archive = tar::Archive::new(reader);
        let mut buf = vec![0u8; 256 * 1024];
        for entry in archive.entries().map_err(corrupt_tar)? {
            let mut entry = entry.map_err(corrupt_tar)?;
            let name = entry
                .path()
                .map_err(corrupt_tar)?
                .to_string_lossy()
                .into_owned();
            let size = entry.size();
            let kind = entry_kind(&entry);
            let mut head = Vec::new();
            let mut content = None;
            let mut digest = None;
            if kind == Kind::File && size > 0 {
                // Bodies that can be blobs are hashed as they pass: checked against the digests
                // the manifests name, in this same pass.
                let mut hasher = (name.len() <= MAX_INDEXED_NAME).then(Sha256::new);
                let first = read_up_to(&mut entry, &mut buf)?;
                if let Some(h) = &mut hasher {
                    h.update(&buf[..first]);
                }
                head = buf[..first.min(HEAD_LEN)].to_vec();
                if size <= META_LIMIT
                    && size <= budget
                    && name.len() <= MAX_INDEXED_NAME
                    && looks_like_json(&head)
                {
                    let mut body = buf[..first].to_vec();
                    entry.read_to_end(&mut body).map_err(corrupt_tar)?;
                    if let Some(h) = &mut hasher {
                        h.update(&body[first..]);
                    }
                    budget -= size;
                    content = Some(body);
                } else if first == buf.len() {
                    drain(&mut entry, &mut buf, hasher.as_mut())?;
                }
                digest = hasher.map(|h| h.finalize().into());
            }
            index.insert(Entry {
                name,
                kind,
                size,
                offset: None,
                head,
                content,
                digest,
            })?;
        }
        Ok(StreamedTar { index })
    }
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> Result<usize, Problem> {
    match super::read_ahead::fill(reader, buf) {
        (_, Some(e)) => Err(corrupt_tar(e)),
        (filled, None) => Ok(filled),
    }
}

fn drain(
    reader: &mut impl Read,
    buf: &mut [u8],
    mut hasher: Option<&mut Sha256>,
) -> Result<(), Problem> {
    loop {
        let n = read_up_to(reader, buf)?;
        if let Some(h) = hasher.as_mut() {
            h.update(&buf[..n]);
        }
        if n < buf.len() {
            return Ok(());
        }
    }
}

impl Blobs for StreamedTar {
    fn index(&self) -> &EntryIndex {
        &self.index
    }

    fn read_meta(&mut self, name: &str) -> Result<Vec<u8>, Problem> {
        let entry = self.index.resolve(name)?;
        check_meta_size(name, entry.size)?;
        entry
            .content
            .map(<[u8]>::to_vec)
            .ok_or_else(|| Problem::Invalid(format!("{name} is not JSON metadata")))
    }

    fn compression(&mut self, name: &str) -> Result<Compression, Problem> {
        Ok(Compression::sniff(self.index.resolve(name)?.head))
    }
}

/// A window `[start, start + len)` of a seekable reader, itself seekable: a Stored zip entry.
pub struct Window<R> {
    inner: R,
    start: u64,
    len: u64,
    pos: u64,
}

impl<R: Read + Seek> Window<R> {
    pub fn new(inner: R, start: u64, len: u64) -> Self {
        Window {
            inner,
            start,
            len,
            pos: 0,
        }
    }
}

impl<R: Read + Seek> Read for Window<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        if left == 0 {
            return Ok(0);
        }
        let want = buf.len().min(left as usize);
        self.inner.seek(SeekFrom::Start(self.start + self.pos))?;
        let n = self.inner.read(&mut buf[..want])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek> Seek for Window<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before start"))?;
        Ok(self.pos)
    }
}

/// A reader that adds the bytes it passes to a progress counter.
pub struct Counting<'a, R> {
    pub inner: R,
    pub count: &'a AtomicU64,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<'_, R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}
