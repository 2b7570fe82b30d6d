//! The one owner of all TUI state. Input ([`super::input`]) and background messages
//! ([`super::update`]) change it through plain synchronous functions; whatever needs the
//! outside world comes back as an [`Effect`] for the event loop to run.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedSender;

use super::artifact_rows::{ArtifactRow, RemoteList};
use super::backend::DaemonInfo;
use super::config::Config;
use super::state::{Cursor, FileEntry, FoundFile, ListPane, LoadState};
use crate::archive::{ArchiveReport, ImageInfo};
use crate::artifacts::RemoteArtifact;
use crate::daemon::{Holdings, ImageRow};
use crate::transfer::{JobEvent, JobId, Jobs};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Images,
    Tarballs,
    Artifacts,
}

impl PaneId {
    pub const ALL: [PaneId; 3] = [PaneId::Images, PaneId::Tarballs, PaneId::Artifacts];

    pub fn title(self) -> &'static str {
        match self {
            PaneId::Images => "Images",
            PaneId::Tarballs => "Tarballs",
            PaneId::Artifacts => "Artifacts",
        }
    }
    pub fn index(self) -> usize {
        match self {
            PaneId::Images => 0,
            PaneId::Tarballs => 1,
            PaneId::Artifacts => 2,
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

/// What the keyboard is doing right now. One enum, not a pile of flags.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Normal,
    /// Typing a filter for the current pane (kept in the pane).
    Filter,
    /// Editing the destination of a save.
    SavePrompt {
        image: String,
        input: String,
    },
    /// Waiting for y/n before deleting.
    ConfirmDelete(DeleteTarget),
    Help,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeleteTarget {
    Image { id: String, name: String },
    File(PathBuf),
}

/// Work for the event loop: talks to the daemon, the disk, or starts a job.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Connect, list images and collect present layers.
    RefreshDaemon,
    InspectImage(String),
    /// Walk the scan folders again and re-inspect every file.
    Rescan,
    Load {
        path: PathBuf,
        label: String,
    },
    Save {
        image: String,
        dest: PathBuf,
    },
    RemoveImage(String),
    RemoveFile(PathBuf),
    /// List the remote artifacts (GitHub Actions API) again.
    RefreshRemote,
    /// Download a remote artifact as a job; its images load when it is done.
    Download(Box<RemoteArtifact>),
    /// Find the images of a downloaded artifact, to load them.
    LoadDownloaded(PathBuf),
}

/// Results of background work, fed back through [`App::apply`].
#[derive(Debug, Clone)]
pub enum Msg {
    Daemon(Result<DaemonInfo, String>),
    Images(Result<Vec<ImageRow>, String>),
    Holdings(Result<Holdings, String>),
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
    /// The images of a downloaded artifact to load (label, paths), or why there are none.
    Loadable(Result<(String, Vec<PathBuf>), String>),
    /// The daemon reported an image event (pull, load, tag, untag, delete), debounced.
    ImagesChanged,
    /// The daemon's event stream: connected, or dropped with a reason (it reconnects).
    Watch(Result<(), String>),
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
    /// What the daemon holds: the one identity for marks and layer counts.
    pub holdings: LoadState<Holdings>,
    pub images: ListPane<ImageRow>,
    pub image_info: HashMap<String, LoadState<Box<ImageInfo>>>,
    pub tarballs: ListPane<FileEntry>,
    pub artifacts: ListPane<ArtifactRow>,
    /// The remote listing: the repository, or why there is none.
    pub remote: LoadState<String>,
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
            holdings: LoadState::Loading,
            images: ListPane::default(),
            image_info: HashMap::new(),
            tarballs: ListPane::default(),
            artifacts: ListPane::default(),
            remote: LoadState::Loading,
            load_after: HashSet::new(),
            watch: LoadState::Loading,
            jobs: Jobs::new(job_events),
            job_cursor: None,
            detail_scroll: 0,
            detail_image: 0,
            notice: None,
            size: (80, 24),
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

    /// True while a job runs: the loop ticks (to sample progress) only then.
    pub fn needs_tick(&self) -> bool {
        self.jobs.any_running()
    }

    /// The file list of a pane (Tarballs only: Artifacts mixes local and remote rows).
    pub fn files(&self, pane: PaneId) -> Option<&ListPane<FileEntry>> {
        (pane == PaneId::Tarballs).then_some(&self.tarballs)
    }

    /// The cursor of a pane's list.
    pub fn cursor(&self, pane: PaneId) -> Cursor {
        match pane {
            PaneId::Images => self.images.cursor,
            PaneId::Tarballs => self.tarballs.cursor,
            PaneId::Artifacts => self.artifacts.cursor,
        }
    }

    pub fn cursor_mut(&mut self, pane: PaneId) -> &mut Cursor {
        match pane {
            PaneId::Images => &mut self.images.cursor,
            PaneId::Tarballs => &mut self.tarballs.cursor,
            PaneId::Artifacts => &mut self.artifacts.cursor,
        }
    }

    pub fn set_filter(&mut self, pane: PaneId, text: String) {
        match pane {
            PaneId::Images => self.images.set_filter(text),
            PaneId::Tarballs => self.tarballs.set_filter(text),
            PaneId::Artifacts => self.artifacts.set_filter(text),
        }
    }

    /// Number of visible rows and the filter text of the current pane.
    pub fn current_len(&self) -> usize {
        match self.pane {
            PaneId::Images => self.images.visible_len(),
            PaneId::Tarballs => self.tarballs.visible_len(),
            PaneId::Artifacts => self.artifacts.visible_len(),
        }
    }

    pub fn current_filter(&self) -> &str {
        match self.pane {
            PaneId::Images => &self.images.filter,
            PaneId::Tarballs => &self.tarballs.filter,
            PaneId::Artifacts => &self.artifacts.filter,
        }
    }

    pub fn selected_image(&self) -> Option<&ImageRow> {
        (self.pane == PaneId::Images)
            .then(|| self.images.selected())
            .flatten()
    }

    pub fn selected_file(&self) -> Option<&FileEntry> {
        match self.pane {
            PaneId::Images => None,
            PaneId::Tarballs => self.tarballs.selected(),
            PaneId::Artifacts => self.artifacts.selected().and_then(ArtifactRow::local),
        }
    }

    /// True when the daemon already has this archive image (see `daemon::holdings`).
    pub fn in_daemon(&self, image: &ImageInfo) -> bool {
        self.holdings.ready().is_some_and(|h| h.has_image(image))
    }

    /// True when every image of a report is already in the daemon.
    pub fn report_loaded(&self, report: &ArchiveReport) -> bool {
        !report.images.is_empty() && report.images.iter().all(|i| self.in_daemon(i))
    }

    /// Layers of `image` the daemon has: (present count, bytes still to send).
    pub fn layers_present(&self, image: &ImageInfo) -> Option<(usize, u64)> {
        let holdings = self.holdings.ready()?;
        let mut have = 0;
        let mut send = 0;
        for (layer, present) in image.layers.iter().zip(holdings.layers_present(image)) {
            if present {
                have += 1;
            } else {
                send += layer.size;
            }
        }
        Some((have, send))
    }

    /// Layers in the detail area of the selected item (what j/k scroll there).
    pub fn detail_len(&self) -> usize {
        match self.pane {
            PaneId::Images => self
                .selected_image()
                .and_then(|r| self.image_info.get(&r.id))
                .and_then(|s| s.ready())
                .map_or(0, |i| i.layers.len()),
            _ => self
                .selected_file()
                .and_then(|f| f.report.ready())
                .and_then(|r| r.images.get(self.detail_image))
                .map_or(0, |i| i.layers.len()),
        }
    }

    /// The jobs cursor, falling back to the newest job.
    pub fn selected_job(&self) -> Option<JobId> {
        let snaps = self.jobs.snapshots();
        self.job_cursor
            .filter(|id| snaps.iter().any(|s| s.id == *id))
            .or_else(|| snaps.last().map(|s| s.id))
    }
}
