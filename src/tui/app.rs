//! The one owner of all TUI state. Input ([`super::input`]) and background messages
//! ([`super::update`]) change it through plain synchronous functions; whatever needs the
//! outside world comes back as an [`Effect`] for the event loop to run.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedSender;

use super::artifact_rows::{ArtifactRow, RemoteList};
use super::backend::{DaemonInfo, Listing};
use super::config::Config;
use super::contents::{Contents, ContentsEffect, ContentsMsg};
pub use super::dialogs::Mode;
use super::image_rows::ImageEntry;
use super::state::{FileEntry, FoundFile, ListPane, LoadState};
use crate::archive::{ArchiveReport, ImageInfo};
use crate::artifacts::RemoteArtifact;
use crate::daemon::ImageIds;
use crate::daemon::model::{ImageModel, Looked, Touched};
use crate::du;
use crate::transfer::{JobEvent, JobId, Jobs, SaveRequest};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Images,
    Tarballs,
    Artifacts,
    /// Disk use and cleanup.
    Disk,
}

impl PaneId {
    pub const ALL: [PaneId; 4] = [
        PaneId::Images,
        PaneId::Tarballs,
        PaneId::Artifacts,
        PaneId::Disk,
    ];

    pub fn title(self) -> &'static str {
        match self {
            PaneId::Images => "Images",
            PaneId::Tarballs => "Tarballs",
            PaneId::Artifacts => "Artifacts",
            PaneId::Disk => "Disk",
        }
    }
    pub fn index(self) -> usize {
        match self {
            PaneId::Images => 0,
            PaneId::Tarballs => 1,
            PaneId::Artifacts => 2,
            PaneId::Disk => 3,
        }
    }
}

/// Which part of the screen j/k act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Details,
    Jobs,
}

/// Work for the event loop: talks to the daemon, the disk, or starts a job.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Connect, list every image afresh, then inspect each (the model starts over).
    RefreshDaemon,
    /// Bring the model of the daemon's images up to date: a listing when `relist` (then an
    /// inspect of each image it shows new), an inspect of each image named.
    FollowImages(Touched),
    InspectImage(String),
    /// Walk the scan folders again and re-inspect every file.
    Rescan,
    Load {
        path: PathBuf,
        label: String,
        /// Name the loaded image so (the archive's tags stay as they were).
        tag: Option<String>,
    },
    Save(SaveRequest),
    /// Remove an image with every tag.
    RemoveImage(String),
    /// Remove these names (`repo:tag`); an image goes with its last one.
    Untag(Vec<String>),
    TagImage {
        id: String,
        name: String,
    },
    RemoveFiles(Vec<PathBuf>),
    /// Put text on the clipboard of the terminal (OSC 52: works over ssh and in tmux).
    Copy(String),
    /// List what takes space (daemon images by use, haul's cache) for the Disk pane.
    DiskUse,
    /// Remove these Disk pane items (images with every tag, downloads, the inspect cache,
    /// image files the user marked).
    Clean(Vec<du::Item>),
    /// List the remote artifacts (GitHub Actions API) again.
    RefreshRemote,
    /// The next page of the remote artifacts.
    MoreRemote(reqwest::Url),
    /// Download a remote artifact as a job; its images load when it is done.
    Download(Box<RemoteArtifact>),
    /// Find the images of a downloaded artifact, to load them.
    LoadDownloaded(PathBuf),
    /// Inside the layers: analyse, preview, extract, compare (`super::contents`).
    Contents(Box<ContentsEffect>),
}

/// Results of background work, fed back through [`App::apply`].
#[derive(Debug, Clone)]
pub enum Msg {
    Daemon(Result<DaemonInfo, String>),
    /// One listing of the daemon's images: `fresh` starts the model over (start, `r`).
    Listed {
        fresh: bool,
        result: Result<Listing, String>,
    },
    /// What inspecting some images found.
    Looked(Result<Vec<Looked>, String>),
    ImageInfo {
        id: String,
        result: Result<Box<ImageInfo>, String>,
    },
    /// Every image file in the scan folders (sent only when the set changed).
    Scanned(Result<Vec<FoundFile>, String>),
    Inspected {
        file: FoundFile,
        result: Result<Box<ArchiveReport>, String>,
    },
    Job(JobEvent),
    /// A one-off action finished: a line for the status bar.
    Done(Result<String, String>),
    /// The remote artifact listing (or why there is none).
    Remote(Result<RemoteList, String>),
    /// A further page of the remote listing (`from`: its address).
    RemotePage {
        from: reqwest::Url,
        result: Result<RemoteList, String>,
    },
    /// The images of a downloaded artifact to load (label, paths), or why there are none.
    Loadable(Result<(String, Vec<PathBuf>), String>),
    /// The daemon reported image events (pull, load, tag, untag, delete), debounced: the
    /// images they name, or that a listing is needed.
    ImagesTouched(Touched),
    /// The daemon's event stream: connected, or dropped with a reason (it reconnects).
    Watch(Result<(), String>),
    /// Disk use: the daemon's images by use (or why not), haul's downloads and cache.
    DiskUse {
        daemon: Result<Vec<du::Item>, String>,
        cache: Vec<du::Item>,
    },
    /// Inside the layers: an analysis, a preview, a comparison.
    Contents(ContentsMsg),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// A dismissable line in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
}

/// The whole TUI state.
pub struct App {
    pub config: Config,
    pub pane: PaneId,
    pub focus: Focus,
    pub mode: Mode,
    pub daemon: LoadState<DaemonInfo>,
    /// The daemon's images, kept current from its events: rows, and the holdings (the one
    /// identity for marks and layer counts). See `daemon::model`.
    pub model: ImageModel,
    /// Where the model is: loading until the first listing, failed with the reason.
    pub model_state: LoadState<()>,
    pub images: ListPane<ImageEntry>,
    /// One row per tag (else one per image), toggled with `T`.
    pub per_tag: bool,
    pub image_info: HashMap<String, LoadState<Box<ImageInfo>>>,
    pub tarballs: ListPane<FileEntry>,
    pub artifacts: ListPane<ArtifactRow>,
    /// What takes space (the Disk pane), and why the daemon's part is missing when it is.
    pub disk: ListPane<du::Item>,
    pub disk_daemon: LoadState<()>,
    /// The remote listing: the repository, or why there is none.
    pub remote: LoadState<String>,
    /// The next page of the remote listing, the page on its way, the listing's size.
    pub remote_next: Option<reqwest::Url>,
    pub remote_fetching: Option<reqwest::Url>,
    pub remote_total: Option<u64>,
    /// Download jobs whose images load when they finish.
    pub load_after: HashSet<JobId>,
    /// The daemon's event stream (live updates of the Images pane).
    pub watch: LoadState<()>,
    pub jobs: Jobs,
    /// The job `c` and `x` act on.
    pub job_cursor: Option<JobId>,
    /// First layer row shown in the details.
    pub detail_scroll: usize,
    /// Which image of a multi-image file the details show.
    pub detail_image: usize,
    pub notice: Option<Notice>,
    /// Terminal size (columns, rows), for layout-dependent input (page size, mouse).
    pub size: (u16, u16),
    /// The signal that ended the session (SIGTERM, SIGHUP), for the exit code.
    pub stopped_by: Option<i32>,
    /// Analyses kept in memory and the image `m` marked (the views are in `mode`).
    pub contents: Contents,
    dirty: bool,
    quit: bool,
}

impl App {
    pub fn new(config: Config, job_events: UnboundedSender<JobEvent>) -> App {
        App {
            config,
            pane: PaneId::Images,
            focus: Focus::List,
            mode: Mode::Normal,
            daemon: LoadState::Loading,
            model: ImageModel::new(ImageIds::ConfigDigest),
            model_state: LoadState::Loading,
            images: ListPane::default(),
            per_tag: true,
            image_info: HashMap::new(),
            tarballs: ListPane::default(),
            artifacts: ListPane::default(),
            disk: ListPane::default(),
            disk_daemon: LoadState::Loading,
            remote: LoadState::Loading,
            remote_next: None,
            remote_fetching: None,
            remote_total: None,
            load_after: HashSet::new(),
            watch: LoadState::Loading,
            jobs: Jobs::new(job_events),
            job_cursor: None,
            detail_scroll: 0,
            detail_image: 0,
            notice: None,
            size: (80, 24),
            stopped_by: None,
            contents: Contents::new(crate::paths::cache_dir()),
            dirty: true,
            quit: false,
        }
    }

    /// Effects to run at start: everything loads in the background.
    pub fn start(&self) -> Vec<Effect> {
        vec![Effect::RefreshDaemon, Effect::Rescan, Effect::RefreshRemote]
    }

    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// True once per change: the loop redraws only then.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn request_quit(&mut self) {
        self.quit = true;
        self.jobs.cancel_all();
    }

    pub fn notify(&mut self, level: Level, text: impl Into<String>) {
        self.notice = Some(Notice {
            level,
            text: text.into(),
        });
        self.dirty = true;
    }

    /// True while a job runs or a view waits for the layers: the loop ticks (to sample
    /// progress) only then.
    pub fn needs_tick(&self) -> bool {
        self.jobs.any_running() || self.contents_busy()
    }
}
