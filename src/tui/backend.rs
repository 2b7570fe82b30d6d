//! The boundary between the TUI and the daemon: the App never calls bollard itself.
//! The event loop runs these futures on background tasks and turns the results into messages;
//! tests give the App messages directly, or a fake backend.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;

use crate::archive::ImageInfo;
use crate::archive::contents::{Analysis, ContentsError, Options};
use crate::daemon::model::{Listed, Looked, Touch};
use crate::daemon::{EngineKind, ImageIds};
use crate::du;
use crate::transfer::{JobContext, JobResult, SaveRequest};

/// Where the daemon is and what it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonInfo {
    pub endpoint: String,
    pub kind: EngineKind,
    pub version: String,
    pub api_version: String,
}

pub type Reply<T> = BoxFuture<'static, Result<T, String>>;
/// A job's work: its outcome, or a typed failure (cancelled or failed).
pub type JobReply = BoxFuture<'static, JobResult>;
/// An image's contents, or why not (typed: a cancel is not a failure).
pub type Analysing = BoxFuture<'static, Result<Analysis, ContentsError>>;

/// One listing of every image (dangling and intermediate ones too), and what the engine's
/// image IDs are.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub ids: ImageIds,
    pub rows: Vec<Listed>,
}

/// What the daemon's event stream says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaemonEvent {
    /// Subscribed (sent once, first).
    Connected,
    /// An image was pulled, loaded, tagged, untagged, deleted...: which one.
    Image(Touch),
}

/// A stream of daemon events; an `Err` item or its end means it dropped.
pub type Events = BoxStream<'static, Result<DaemonEvent, String>>;

/// Everything the TUI asks of the daemon. Errors are messages for a pane, never panics.
pub trait Backend: Send + Sync + 'static {
    /// Resolve the endpoint and ask for its version.
    fn connect(&self) -> Reply<DaemonInfo>;
    /// One listing call: every image, without inspecting any.
    fn list_images(&self) -> Reply<Listing>;
    /// Inspect these images (ID or name -> may be new), for the model of the daemon's images
    /// (`daemon::model`): the one identity for marks and layer counts.
    fn look_images(&self, references: BTreeMap<String, bool>) -> Reply<Vec<Looked>>;
    /// An image's details (inspect and history).
    fn inspect_image(&self, id: String) -> Reply<ImageInfo>;
    /// Load an image file (tarball, compressed tarball, artifact zip) as a job; with a `tag`,
    /// the loaded image is named so and the archive's own tags stay as they were.
    fn load(&self, path: PathBuf, tag: Option<String>, ctx: JobContext) -> JobReply;
    /// Save images (by ID or tag) into one tarball as a job.
    fn save(&self, req: SaveRequest, ctx: JobContext) -> JobReply;
    /// Remove an image with every tag it has.
    fn remove_image(&self, id: String) -> Reply<()>;
    /// Give the image `id` the name `name` (`repo:tag`); a name another image had moves here.
    fn tag_image(&self, _id: String, _name: String) -> Reply<()> {
        unsupported("tagging")
    }
    /// Remove one name; the image goes with its last one.
    fn untag(&self, _name: String) -> Reply<()> {
        unsupported("untagging")
    }
    /// The daemon's images by use (dangling, unused, in use), for the Disk pane.
    fn disk_use(&self) -> Reply<Vec<du::Item>> {
        unsupported("disk use")
    }
    /// Remove dangling and unused images (each with every tag): one result per image.
    fn clean_images(&self, _items: Vec<du::Item>) -> Reply<Vec<(du::Item, Result<(), String>)>> {
        unsupported("cleaning")
    }
    /// Image events from `since` (Unix seconds, fractional) on. The default never yields:
    /// a backend without events is simply not followed live.
    fn image_events(&self, _since: String) -> Events {
        Box::pin(futures_util::stream::pending())
    }
    /// The contents of image `id` (the files view): the contents engine's cache, else one pass
    /// over its export stream. `opts` carries the progress and the cancel flag.
    fn analyse(&self, id: String, _opts: Options) -> Analysing {
        Box::pin(async move {
            Err(ContentsError::Image {
                origin: format!("docker://{id}"),
                message: "reading an image's files is not supported by this backend".into(),
            })
        })
    }
    /// The image's export stream as a synchronous reader (read it on a blocking thread): a
    /// preview or an extraction reads its layers again.
    fn export(&self, _id: String) -> Reply<Box<dyn std::io::Read + Send>> {
        unsupported("reading an image's layers")
    }
}

pub type SharedBackend = Arc<dyn Backend>;

fn unsupported<T: Send + 'static>(what: &'static str) -> Reply<T> {
    Box::pin(async move { Err(format!("{what} is not supported by this backend")) })
}

/// A backend for when there is no daemon support at all: every call explains why.
pub struct NoDaemon(pub String);

impl NoDaemon {
    fn fail<T: Send + 'static>(&self) -> Reply<T> {
        let reason = self.0.clone();
        Box::pin(async move { Err(reason) })
    }

    fn fail_job(&self) -> JobReply {
        let reason = self.0.clone();
        Box::pin(async move { Err(reason.into()) })
    }
}

impl Backend for NoDaemon {
    fn connect(&self) -> Reply<DaemonInfo> {
        self.fail()
    }
    fn list_images(&self) -> Reply<Listing> {
        self.fail()
    }
    fn look_images(&self, _references: BTreeMap<String, bool>) -> Reply<Vec<Looked>> {
        self.fail()
    }
    fn inspect_image(&self, _id: String) -> Reply<ImageInfo> {
        self.fail()
    }
    fn load(&self, _path: PathBuf, _tag: Option<String>, _ctx: JobContext) -> JobReply {
        self.fail_job()
    }
    fn save(&self, _req: SaveRequest, _ctx: JobContext) -> JobReply {
        self.fail_job()
    }
    fn remove_image(&self, _id: String) -> Reply<()> {
        self.fail()
    }
}
