//! Reading ahead on a thread of its own: a decompressor fills chunks on one core while the
//! caller parses, hashes and scans them on another. Memory stays bounded by the chunks in flight.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::Problem;

const CHUNK: usize = 256 * 1024;
/// Chunks in flight between the reading thread and the caller.
const CHUNKS: usize = 4;

/// Run `consume` on the bytes of the reader `make` opens, read ahead on a scoped thread (the
/// reader is made there, so it need not move between threads). Read errors reach the caller in
/// order, after the bytes read before them. When `consume` returns early, the thread stops at
/// its next chunk.
pub fn with<R: Read, T>(
    make: impl FnOnce() -> Result<R, Problem> + Send,
    consume: impl FnOnce(&mut dyn Read) -> T,
) -> T {
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<io::Result<Vec<u8>>>(CHUNKS);
        // Read chunks come back to be filled again (no allocation and zeroing per chunk).
        let (spent_tx, spent_rx) = sync_channel::<Vec<u8>>(CHUNKS + 1);
        scope.spawn(move || {
            let mut reader = match make() {
                Ok(reader) => reader,
                Err(problem) => {
                    let _ = tx.send(Err(io::Error::other(problem.to_string())));
                    return;
                }
            };
            loop {
                let mut chunk = spent_rx.try_recv().unwrap_or_default();
                chunk.resize(CHUNK, 0);
                let (filled, error) = fill(&mut reader, &mut chunk);
                if filled > 0 {
                    chunk.truncate(filled);
                    if tx.send(Ok(chunk)).is_err() {
                        return; // the caller stopped reading
                    }
                }
                match error {
                    Some(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                    None if filled < CHUNK => return, // the end: the sender goes, the stream ends
                    None => {}
                }
            }
        });
        let mut ahead = Ahead {
            rx,
            spent: spent_tx,
            chunk: Vec::new(),
            pos: 0,
            failed: None,
        };
        let result = consume(&mut ahead);
        drop(ahead);
        result
    })
}

/// Read until `buf` is full, the reader ends or fails: the bytes read, and the failure.
pub(super) fn fill(reader: &mut impl Read, buf: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (filled, Some(e)),
        }
    }
    (filled, None)
}

struct Ahead {
    rx: Receiver<io::Result<Vec<u8>>>,
    spent: SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
    /// The reader's failure, given again to every later read (as a failing reader would).
    failed: Option<(io::ErrorKind, String)>,
}

impl Read for Ahead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some((kind, message)) = &self.failed {
            return Err(io::Error::new(*kind, message.clone()));
        }
        if self.pos == self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    let spent = std::mem::replace(&mut self.chunk, chunk);
                    let _ = self.spent.try_send(spent);
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.failed = Some((e.kind(), e.to_string()));
                    return Err(e);
                }
                Err(_) => return Ok(0), // the reader ended
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives `data`, then fails.
    struct Failing<'a> {
        data: &'a [u8],
    }

    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.data.is_empty() {
                return Err(io::Error::other("broken source"));
            }
            let n = buf.len().min(self.data.len()).min(1000);
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn bytes_arrive_in_order_then_the_error() {
        let data: Vec<u8> = (0..CHUNK * 3 + 17).map(|i| (i % 251) as u8).collect();
        let got = with(
            || Ok(data.as_slice()),
            |r| {
                let mut all = Vec::new();
                r.read_to_end(&mut all).map(|_| all)
            },
        );
        assert_eq!(got.unwrap(), data);

        let (read, err) = with(
            || Ok(Failing { data: &data }),
            |r| {
                let mut all = Vec::new();
                let err = r.read_to_end(&mut all).unwrap_err();
                (all.len(), err.to_string())
            },
        );
        assert_eq!(read, data.len(), "every byte before the error");
        assert_eq!(err, "broken source");
        let again = with(
            || Ok(Failing { data: b"abc" }),
            |r| {
                let mut all = Vec::new();
                let first = r.read_to_end(&mut all).is_err();
                (first, all, r.read(&mut [0u8; 8]).map_err(|e| e.to_string()))
            },
        );
        assert_eq!(
            again,
            (true, b"abc".to_vec(), Err("broken source".to_string()))
        );
    }

    #[test]
    fn a_caller_that_stops_early_stops_the_thread() {
        let first = with(
            || Ok(io::repeat(7)),
            |r| {
                let mut buf = [0u8; 10];
                r.read_exact(&mut buf).map(|_| buf)
            },
        );
        assert_eq!(first.unwrap(), [7u8; 10]);
    }
}
