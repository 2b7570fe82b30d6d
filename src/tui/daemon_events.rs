//! The Images pane follows the daemon: image events (pull, load, tag, untag, delete, by any
//! tool) become one [`Msg::ImagesTouched`] per burst (debounced), naming each image the burst
//! touched once, so the model inspects just those (`daemon::model`). A dropped stream is
//! reconnected with backoff, and what happened meanwhile is found by one listing. Nothing is
//! polled: without events, nothing is sent and nothing is redrawn.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use tokio::sync::mpsc::UnboundedSender;

use super::app::Msg;
use super::backend::{DaemonEvent, SharedBackend};
use crate::daemon::model::Touched;

/// Events closer together than this are one refresh.
pub const DEBOUNCE: Duration = Duration::from_millis(300);
const FIRST_RETRY: Duration = Duration::from_secs(1);
const MAX_RETRY: Duration = Duration::from_secs(30);

/// Now as Unix seconds with nanoseconds, the way the events API takes `since`.
fn now() -> String {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}.{:09}", t.as_secs(), t.subsec_nanos())
}

/// Follow the daemon until the App goes away (`tx` closes).
pub async fn watch(backend: SharedBackend, tx: UnboundedSender<Msg>) {
    let mut since = now();
    let mut retry = FIRST_RETRY;
    let mut reconnecting = false;
    loop {
        let mut events = backend.image_events(since.clone());
        let reason = loop {
            match events.next().await {
                Some(Ok(DaemonEvent::Connected)) => {
                    retry = FIRST_RETRY;
                    if tx.send(Msg::Watch(Ok(()))).is_err() {
                        return;
                    }
                    // Whatever happened while disconnected and is no longer in the
                    // daemon's buffer: one listing finds it.
                    let relist = Touched {
                        relist: true,
                        ..Default::default()
                    };
                    if reconnecting && tx.send(Msg::ImagesTouched(relist)).is_err() {
                        return;
                    }
                }
                Some(Ok(DaemonEvent::Image(touch))) => {
                    // Gather the rest of the burst, then look once at each image it touched.
                    let mut touched = Touched::default();
                    touched.add(touch);
                    let quiet = tokio::time::sleep(DEBOUNCE);
                    tokio::pin!(quiet);
                    let mut ended = None;
                    loop {
                        tokio::select! {
                            _ = &mut quiet => break,
                            next = events.next() => match next {
                                Some(Ok(DaemonEvent::Image(touch))) => touched.add(touch),
                                Some(Ok(DaemonEvent::Connected)) => {}
                                Some(Err(e)) => { ended = Some(e); break; }
                                None => { ended = Some(closed()); break; }
                            },
                        }
                    }
                    if !touched.is_empty() && tx.send(Msg::ImagesTouched(touched)).is_err() {
                        return;
                    }
                    if let Some(reason) = ended {
                        break reason;
                    }
                }
                Some(Err(reason)) => break reason,
                None => break closed(),
            }
        };
        if tx.send(Msg::Watch(Err(reason))).is_err() {
            return;
        }
        since = now();
        reconnecting = true;
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(MAX_RETRY);
    }
}

fn closed() -> String {
    "the daemon closed the event stream".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::backend::{Backend, Events, NoDaemon};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A backend whose event stream gives a burst, then drops; the second connection stays.
    struct Scripted {
        connections: AtomicUsize,
        inner: NoDaemon,
    }

    impl Scripted {
        fn events(&self) -> Events {
            let n = self.connections.fetch_add(1, Ordering::SeqCst);
            let image = |action: &str, id: &str| {
                Ok(DaemonEvent::Image(crate::daemon::model::events::touch(
                    action, id, None,
                )))
            };
            let burst = vec![
                Ok(DaemonEvent::Connected),
                image("tag", "sha256:a"),
                image("untag", "sha256:a"),
                image("save", "sha256:b"),
                image("delete", "sha256:c"),
            ];
            if n == 0 {
                futures_util::stream::iter(burst)
                    .chain(futures_util::stream::iter(vec![Err("broken pipe".into())]))
                    .boxed()
            } else {
                futures_util::stream::iter(vec![Ok(DaemonEvent::Connected)])
                    .chain(futures_util::stream::pending())
                    .boxed()
            }
        }
    }

    macro_rules! delegate {
        ($($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
            $(fn $name(&self, $($arg: $ty),*) -> $ret { self.inner.$name($($arg),*) })*
        };
    }

    impl Backend for Scripted {
        delegate! {
            connect() -> crate::tui::backend::Reply<crate::tui::backend::DaemonInfo>;
            list_images() -> crate::tui::backend::Reply<crate::tui::backend::Listing>;
            look_images(references: std::collections::BTreeMap<String, bool>) -> crate::tui::backend::Reply<Vec<crate::daemon::model::Looked>>;
            inspect_image(id: String) -> crate::tui::backend::Reply<crate::archive::ImageInfo>;
            load(path: std::path::PathBuf, tag: Option<String>, ctx: crate::transfer::JobContext) -> crate::tui::backend::JobReply;
            save(req: crate::transfer::SaveRequest, ctx: crate::transfer::JobContext) -> crate::tui::backend::JobReply;
            remove_image(id: String) -> crate::tui::backend::Reply<()>;
        }
        fn image_events(&self, _since: String) -> Events {
            self.events()
        }
    }

    #[tokio::test]
    async fn a_burst_is_one_refresh_and_a_drop_reconnects() {
        let backend = Arc::new(Scripted {
            connections: AtomicUsize::new(0),
            inner: NoDaemon("none".into()),
        });
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(watch(backend.clone(), tx));
        let mut got = Vec::new();
        while got.len() < 5 {
            let msg = rx.recv().await.expect("message");
            got.push(match msg {
                Msg::Watch(Ok(())) => "connected".to_string(),
                Msg::Watch(Err(e)) => format!("dropped: {e}"),
                Msg::ImagesTouched(touched) if touched.relist => "relist".to_string(),
                Msg::ImagesTouched(touched) => format!(
                    "look at {}",
                    touched.images.keys().cloned().collect::<Vec<_>>().join(" ")
                ),
                other => format!("{other:?}"),
            });
        }
        assert_eq!(
            got,
            [
                "connected",
                "look at sha256:a sha256:c",
                "dropped: broken pipe",
                "connected",
                "relist"
            ],
            "four events, one message naming each image touched once (a save changes nothing); \
             after the drop, one listing for what was missed"
        );
        assert_eq!(backend.connections.load(Ordering::SeqCst), 2);
        task.abort();
    }
}
