//! The bytes of one blob as a walk hands them to its visitor, verified as they are read.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

use super::BlobMeta;
use crate::archive::tar_source::ReadSeek;
use crate::archive::verify::{Hasher, Mismatch, digest_named_by};

/// The bytes of one blob. On seekable sources it can go back to its start ([`BlobBody::rewind`]).
///
/// Every blob is verified as it is read, in the same pass: a blob whose path names its digest
/// (`blobs/sha256/<hex>`), or whose digest the visitor gives ([`BlobBody::expect_digest`]), fails
/// its last read with a digest mismatch naming it ([`crate::archive::verify`]).
pub struct BlobBody<'a> {
    /// Bytes already read from a stream, served first.
    head: io::Cursor<Vec<u8>>,
    inner: Inner<'a>,
    size: u64,
    check: Option<Check>,
}

/// The running check of one blob's digest.
struct Check {
    blob: String,
    expected: String,
    hasher: Hasher,
    size: u64,
    left: u64,
}

impl Check {
    fn new(blob: &str, expected: &str, size: u64) -> Option<Check> {
        Some(Check {
            blob: blob.to_string(),
            expected: expected.to_string(),
            hasher: Hasher::for_digest(expected)?,
            size,
            left: size,
        })
    }
}

pub(super) enum Inner<'a> {
    Seek {
        take: io::Take<&'a mut Box<dyn ReadSeek>>,
        offset: u64,
        size: u64,
    },
    File(io::Take<BufReader<File>>, u64),
    Stream(&'a mut dyn Read),
    Done,
}

impl<'a> BlobBody<'a> {
    pub(super) fn new(head: Vec<u8>, inner: Inner<'a>, meta: &BlobMeta) -> BlobBody<'a> {
        let check = digest_named_by(&meta.path).and_then(|d| Check::new(&meta.path, &d, meta.size));
        BlobBody {
            head: io::Cursor::new(head),
            inner,
            size: meta.size,
            check,
        }
    }

    /// A body whose bytes the walk hashes and checks itself (a streamed pass hashes every body
    /// once, read or not); a digest the visitor gives still adds its own check.
    pub(super) fn unchecked(head: Vec<u8>, inner: Inner<'a>, meta: &BlobMeta) -> BlobBody<'a> {
        BlobBody {
            head: io::Cursor::new(head),
            inner,
            size: meta.size,
            check: None,
        }
    }

    /// The digest the blob's bytes must have (a layer the visitor knows by its diff ID, say);
    /// replaces the one its path names. Call it before reading.
    pub fn expect_digest(&mut self, blob: &str, expected: &str) {
        self.check = Check::new(blob, expected, self.size);
    }

    /// Go back to the first byte: true on seekable sources; false on a stream, where the bytes
    /// already read are gone.
    pub fn rewind(&mut self) -> io::Result<bool> {
        let rewound = match &mut self.inner {
            Inner::Seek { take, offset, size } => {
                take.get_mut().seek(SeekFrom::Start(*offset))?;
                take.set_limit(*size);
                true
            }
            Inner::File(take, size) => {
                take.get_mut().seek(SeekFrom::Start(0))?;
                take.set_limit(*size);
                true
            }
            Inner::Done => {
                self.head.set_position(0);
                true
            }
            // The bytes already read stay hashed: the check goes on with the rest.
            Inner::Stream(_) => false,
        };
        if rewound && let Some(c) = self.check.take() {
            self.check = Check::new(&c.blob, &c.expected, c.size);
        }
        Ok(rewound)
    }
}

impl BlobBody<'_> {
    fn read_raw(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        match &mut self.inner {
            Inner::Seek { take, .. } => take.read(buf),
            Inner::File(take, _) => take.read(buf),
            Inner::Stream(r) => r.read(buf),
            Inner::Done => Ok(0),
        }
    }
}

impl Read for BlobBody<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.read_raw(buf)?;
        let Some(check) = &mut self.check else {
            return Ok(n);
        };
        check.hasher.update(&buf[..n]);
        check.left = check.left.saturating_sub(n as u64);
        if check.left == 0 || (n == 0 && !buf.is_empty()) {
            let Some(c) = self.check.take() else {
                return Ok(n);
            };
            let actual = c.hasher.finish();
            if actual != c.expected {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    Mismatch {
                        blob: c.blob,
                        expected: c.expected,
                        actual,
                    },
                ));
            }
        }
        Ok(n)
    }
}
