//! The real backend: `haul::daemon` and `haul::transfer` behind the TUI's [`Backend`] trait.
//! The connection is made (and the endpoint resolved again) on every refresh; the other calls
//! use the last one, connecting first when there is none yet.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use futures_util::StreamExt;

use super::backend::{
    Analysing, Backend, DaemonEvent, DaemonInfo, Events, JobReply, Listing, Reply,
};
use crate::archive::ImageInfo;
use crate::archive::contents::{ContentsError, Options};
use crate::daemon::model::{self, ImageSource, Looked};
use crate::daemon::{self, Daemon};
use crate::transfer::{self, JobContext, JobOutcome, LoadOptions, SaveRequest};

pub struct DockerBackend {
    /// `--host` from the command line.
    host: Option<String>,
    current: Arc<RwLock<Option<Daemon>>>,
}

impl DockerBackend {
    pub fn new(host: Option<String>) -> DockerBackend {
        DockerBackend {
            host,
            current: Arc::default(),
        }
    }

    /// A future giving the connected daemon, connecting when needed.
    fn daemon(&self) -> impl Future<Output = Result<Daemon, String>> + Send + 'static {
        let (host, current) = (self.host.clone(), self.current.clone());
        async move {
            let known = current.read().ok().and_then(|d| d.clone());
            match known {
                Some(daemon) => Ok(daemon),
                None => {
                    let daemon = Daemon::connect_default(host)
                        .await
                        .map_err(|e| e.to_string())?;
                    if let Ok(mut slot) = current.write() {
                        *slot = Some(daemon.clone());
                    }
                    Ok(daemon)
                }
            }
        }
    }
}

/// Drive a future whose `Send`-ness rustc cannot prove (stream combinators with borrowing
/// closures) on a blocking thread, with the runtime's I/O driver.
async fn on_blocking<T, F, Fut>(make: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, String>>,
{
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(make()))
        .await
        .map_err(|e| format!("daemon task failed: {e}"))?
}

impl DockerBackend {
    fn contents(&self, id: String, opts: Options) -> Analysing {
        let daemon = self.daemon();
        Box::pin(async move {
            let daemon = daemon.await.map_err(|message| ContentsError::Image {
                origin: format!("docker://{id}"),
                message,
            })?;
            daemon::contents::analyse_image(&daemon, &id, opts).await
        })
    }

    fn export_stream(&self, id: String) -> Reply<Box<dyn std::io::Read + Send>> {
        let daemon = self.daemon();
        Box::pin(async move {
            let daemon = daemon.await?;
            let reader = daemon::contents::bridge(daemon.transfer().export_image(&id));
            Ok(Box::new(reader) as Box<dyn std::io::Read + Send>)
        })
    }
}

impl Backend for DockerBackend {
    fn connect(&self) -> Reply<DaemonInfo> {
        let (host, current) = (self.host.clone(), self.current.clone());
        Box::pin(async move {
            let daemon = Daemon::connect_default(host)
                .await
                .map_err(|e| e.to_string())?;
            if let Ok(mut slot) = current.write() {
                *slot = Some(daemon.clone());
            }
            let engine = daemon.engine();
            Ok(DaemonInfo {
                endpoint: daemon.endpoint.to_string(),
                kind: engine.kind,
                version: engine.version.clone(),
                api_version: daemon.api_version(),
            })
        })
    }

    fn list_images(&self) -> Reply<Listing> {
        let daemon = self.daemon();
        Box::pin(async move {
            let daemon = daemon.await?;
            let rows = ImageSource::list(&daemon, None)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Listing {
                ids: daemon.engine().ids,
                rows,
            })
        })
    }

    fn look_images(&self, references: BTreeMap<String, bool>) -> Reply<Vec<Looked>> {
        let daemon = self.daemon();
        Box::pin(async move {
            let daemon = daemon.await?;
            on_blocking(move || async move {
                model::look(&daemon, &references)
                    .await
                    .map_err(|e| e.to_string())
            })
            .await
        })
    }

    fn inspect_image(&self, id: String) -> Reply<ImageInfo> {
        let daemon = self.daemon();
        Box::pin(async move {
            let daemon = daemon.await?;
            daemon::image_info(&daemon, &id)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn load(&self, path: PathBuf, tag: Option<String>, ctx: JobContext) -> JobReply {
        let daemon = self.daemon();
        Box::pin(async move {
            let daemon = daemon.await?;
            let opts = LoadOptions { full: false };
            let report = transfer::load_as(&ctx, &daemon, &path, opts, tag.as_deref()).await?;
            Ok(report.outcome())
        })
    }

    /// The request as the dialog confirmed it: a missing folder is created and a file
    /// replaced only with `force` (the user said yes).
    fn save(&self, req: SaveRequest, ctx: JobContext) -> JobReply {
        let daemon = self.daemon();
        Box::pin(async move {
            let daemon = daemon.await?;
            let report = transfer::save(&ctx, &daemon, &req).await?;
            let images = req.images.join(" ");
            Ok(JobOutcome {
                summary: format!(
                    "saved {images} to {} ({})",
                    report.path.display(),
                    crate::units::bytes(report.file_bytes)
                ),
                images: req.images,
                files: vec![report.path],
            })
        })
    }

    /// Untag every tag of the image (the last one removes it), or remove it by ID when
    /// untagged. Never forced: an image a container uses stays, with the daemon's reason.
    fn remove_image(&self, id: String) -> Reply<()> {
        let daemon = self.daemon();
        Box::pin(async move {
            let daemon = daemon.await?;
            daemon::tags::remove_image(&daemon, &id)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }

    fn tag_image(&self, id: String, name: String) -> Reply<()> {
        let daemon = self.daemon();
        Box::pin(async move {
            let daemon = daemon.await?;
            daemon::tags::tag(&daemon, &id, &name)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn untag(&self, name: String) -> Reply<()> {
        let daemon = self.daemon();
        Box::pin(async move {
            let daemon = daemon.await?;
            daemon::tags::untag(&daemon, &name)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn disk_use(&self) -> Reply<Vec<crate::du::Item>> {
        let daemon = self.daemon();
        Box::pin(async move {
            let daemon = daemon.await?;
            crate::du::daemon_items(&daemon)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn clean_images(
        &self,
        items: Vec<crate::du::Item>,
    ) -> Reply<Vec<(crate::du::Item, Result<(), String>)>> {
        let daemon = self.daemon();
        Box::pin(async move {
            let daemon = daemon.await?;
            crate::du::remove_images(&daemon, &items)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn image_events(&self, since: String) -> Events {
        self.events_stream(since)
    }
    fn analyse(&self, id: String, opts: Options) -> Analysing {
        self.contents(id, opts)
    }
    fn export(&self, id: String) -> Reply<Box<dyn std::io::Read + Send>> {
        self.export_stream(id)
    }
}

impl DockerBackend {
    /// `GET /events?filters={"type":["image"]}&since=...` as a stream of [`DaemonEvent`]s
    /// naming the image each event is about.
    fn events_stream(&self, since: String) -> Events {
        let daemon = self.daemon();
        let connected = futures_util::stream::once(daemon).flat_map(move |daemon| {
            let daemon = match daemon {
                Ok(daemon) => daemon,
                Err(e) => return futures_util::stream::iter(vec![Err(e)]).boxed(),
            };
            let events = model::events::image_events(&daemon, since.clone())
                .map(|event| event.map(DaemonEvent::Image).map_err(|e| e.to_string()));
            futures_util::stream::iter(vec![Ok(DaemonEvent::Connected)])
                .chain(events)
                .boxed()
        });
        connected.boxed()
    }
}
