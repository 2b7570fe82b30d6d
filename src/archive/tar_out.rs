//! Writing a tar stream: the one way haul's converted archives (docker-archive and OCI layout)
//! add their regular files, and count the bytes they wrote.

use std::io::{self, Read, Write};

use super::Problem;

/// A writer that counts the bytes it passed on.
pub(super) struct Counted<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A tar stream into `out`, counting what it writes.
pub(super) type Tar<'a> = tar::Builder<Counted<&'a mut dyn Write>>;

pub(super) fn tar_into(out: &mut dyn Write) -> Tar<'_> {
    tar::Builder::new(Counted {
        inner: out,
        written: 0,
    })
}

/// Bytes written so far into the stream under `tar`.
pub(super) fn written(tar: &Tar<'_>) -> u64 {
    tar.get_ref().written
}

/// Append one regular file of `size` bytes read from `body` (mode 0644, mtime 0: the stream is
/// the same whenever it is written).
pub(super) fn append(
    tar: &mut Tar<'_>,
    name: &str,
    size: u64,
    body: impl Read,
) -> Result<(), Problem> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, body.take(size))?;
    Ok(())
}
