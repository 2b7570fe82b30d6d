//! An image's contents straight from the daemon's export stream (`GET /images/NAME/get`):
//! the async byte stream is bridged to a synchronous `Read` over a bounded channel and read on
//! a blocking thread by the contents engine. No temporary file; at most a few chunks in memory.

use std::io::{self, Read};
use std::sync::Arc;

use bytes::{Buf, Bytes};
use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;

use super::{Daemon, image_info};
use crate::archive::contents::{self, Analysis, ContentsError, Options};

/// Chunks in flight between the daemon's stream and the reader.
const DEPTH: usize = 8;

/// A synchronous reader over an async byte stream; read it on a blocking thread.
pub struct StreamReader {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl Read for StreamReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current.advance(n);
        Ok(n)
    }
}

/// Pump `stream` into a [`StreamReader`] from a task on the current runtime. The pump stops when
/// the reader is dropped (the channel closes).
pub fn bridge<S, E>(stream: S) -> StreamReader
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let (tx, rx) = mpsc::channel(DEPTH);
    tokio::spawn(async move {
        let mut stream = Box::pin(stream);
        while let Some(item) = stream.next().await {
            let item = item.map_err(|e| io::Error::other(e.to_string()));
            let failed = item.is_err();
            if tx.send(item).await.is_err() || failed {
                break;
            }
        }
    });
    StreamReader {
        rx,
        current: Bytes::new(),
    }
}

/// The contents of daemon image `name` (`docker://NAME`): from the cache when the image ID is
/// there, else from one pass over its export stream.
pub async fn analyse_image(
    daemon: &Daemon,
    name: &str,
    opts: Options,
) -> Result<Analysis, ContentsError> {
    let origin = format!("docker://{name}");
    let info = image_info(daemon, name)
        .await
        .map_err(|e| ContentsError::Image {
            origin: origin.clone(),
            message: e.to_string(),
        })?;
    if let Some(hit) = contents::cached_by_id(&info.id, &info.diff_ids(), &opts) {
        return Ok(hit);
    }
    opts.control
        .total
        .store(info.size, std::sync::atomic::Ordering::Relaxed);
    let reader = bridge(daemon.transfer().export_image(name));
    let opts = Options {
        image: None,
        ..opts
    };
    let id = info.id.clone();
    let control = Arc::clone(&opts.control);
    let job = tokio::task::spawn_blocking(move || {
        contents::analyse_reader(&origin, Box::new(reader), &[&id], &opts)
    });
    match job.await {
        Ok(result) => result,
        Err(e) => {
            control.cancel();
            Err(ContentsError::Image {
                origin: format!("docker://{name}"),
                message: format!("the analysis stopped: {e}"),
            })
        }
    }
}
