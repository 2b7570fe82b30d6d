//! Byte plumbing between synchronous writers and async request bodies.

use std::io::{self, Write};

use bytes::{Bytes, BytesMut};
use tokio::sync::mpsc;

/// Size of the chunks handed between threads and to the HTTP body.
/// Under 256 KiB: larger buffers fall out of the CPU cache and copies into the kernel slow down.
pub const CHUNK: usize = 128 * 1024;
/// Chunks in flight between a blocking producer and the async consumer (bounds memory).
pub const CHANNEL_CHUNKS: usize = 8;

/// A [`Write`] that sends its bytes as chunks into a bounded channel; the receiver becomes a
/// request body stream. Use it only on a blocking thread (`spawn_blocking`).
pub struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
    buf: BytesMut,
}

impl ChannelWriter {
    pub fn new(tx: mpsc::Sender<Result<Bytes, io::Error>>) -> ChannelWriter {
        ChannelWriter {
            tx,
            buf: BytesMut::with_capacity(CHUNK),
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = self.buf.split().freeze();
        self.buf.reserve(CHUNK);
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the upload was stopped"))
    }

    /// Make the body fail with `message` (so the daemon sees a broken upload, not a short tar).
    pub fn fail(self, message: String) {
        let _ = self.tx.blocking_send(Err(io::Error::other(message)));
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() + data.len() > CHUNK && !self.buf.is_empty() {
            self.send()?;
        }
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_arrive_in_order_and_a_closed_receiver_is_an_error() {
        let (tx, mut rx) = mpsc::channel(64);
        let mut w = ChannelWriter::new(tx);
        let data: Vec<u8> = (0..CHUNK * 3 + 10).map(|i| (i % 251) as u8).collect();
        for part in data.chunks(1000) {
            w.write_all(part).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        let mut got = Vec::new();
        while let Some(chunk) = rx.blocking_recv() {
            let chunk = chunk.unwrap();
            assert!(chunk.len() <= CHUNK);
            got.extend_from_slice(&chunk);
        }
        assert_eq!(got, data);

        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        let mut w = ChannelWriter::new(tx);
        let err = w.write_all(&vec![0; CHUNK]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }
}
