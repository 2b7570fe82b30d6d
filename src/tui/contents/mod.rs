//! Inside the layers, in the TUI: `f` opens the files of the selected image (the final tree, or
//! the changes of the layer selected in the details), `m` marks an image and `D` compares another
//! with it. The analysis runs in the background through the contents engine
//! ([`crate::archive::contents`]); its progress is sampled while the view draws and `esc` cancels
//! it. Analyses are cached by the engine (config digest) and the last few are kept here too, so a
//! second `f` is instant.
//!
//! State lives in the view ([`view::FilesView`], [`diff_view::DiffView`], both held by the one
//! [`super::app::Mode`]); keys are in `input.rs`, background results in `update.rs`, the
//! background work in `work.rs`, the drawing under `render/`.

mod diff_input;
pub mod diff_view;
mod input;
pub mod keys;
pub mod layout;
mod open;
pub mod render;
pub mod tree;
mod update;
pub mod view;
pub mod work;

use std::path::PathBuf;
use std::sync::Arc;

use crate::archive::contents::{Analysis, Control, ImageDiff, Peek};

/// An image whose files can be read: a daemon image, or one image of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Daemon {
        id: String,
        /// How it is shown: a tag, else the short ID.
        name: String,
    },
    File {
        /// What the contents engine opens (a file, `file.zip!entry`, a layout folder).
        path: PathBuf,
        /// The image's ID in that file (its config digest).
        image: String,
        name: String,
    },
}

impl Target {
    pub fn name(&self) -> &str {
        match self {
            Target::Daemon { name, .. } | Target::File { name, .. } => name,
        }
    }

    /// The image ID (config digest for files).
    pub fn image_id(&self) -> &str {
        match self {
            Target::Daemon { id, .. } => id,
            Target::File { image, .. } => image,
        }
    }

    /// Where the bytes come from and which image: two sources of one image are two keys
    /// (their layer blobs have different paths).
    pub fn key(&self) -> String {
        match self {
            Target::Daemon { id, .. } => format!("docker://{id}"),
            Target::File { path, image, .. } => format!("{}\0{image}", path.display()),
        }
    }
}

/// Background work in flight: its ticket (results for an older ticket are dropped) and its
/// progress and cancel flag, shared with the contents engine.
#[derive(Debug, Clone, Default)]
pub struct Running {
    pub ticket: u64,
    pub control: Arc<Control>,
}

impl PartialEq for Running {
    fn eq(&self, other: &Running) -> bool {
        self.ticket == other.ticket && Arc::ptr_eq(&self.control, &other.control)
    }
}

/// Why background work has no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Cancelled,
    Failed(String),
}

impl From<crate::archive::contents::ContentsError> for Failure {
    fn from(e: crate::archive::contents::ContentsError) -> Failure {
        match e {
            crate::archive::contents::ContentsError::Cancelled => Failure::Cancelled,
            other => Failure::Failed(other.to_string().replace('\n', " ")),
        }
    }
}

/// One side of a comparison: analysed already, or to read.
#[derive(Debug, Clone, PartialEq)]
pub enum Side {
    Known(Arc<Analysis>),
    Read(Target),
}

/// Work for the worker ([`work::run`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ContentsEffect {
    Analyse {
        target: Target,
        run: Running,
    },
    /// The first bytes of one file.
    Preview {
        target: Target,
        analysis: Arc<Analysis>,
        path: String,
        layer: Option<usize>,
        run: Running,
    },
    /// Copy `path` out of the image into `out_dir`, as a job.
    Extract {
        target: Target,
        analysis: Arc<Analysis>,
        path: String,
        layer: Option<usize>,
        out_dir: PathBuf,
    },
    Diff {
        ticket: u64,
        a: (Target, Side, Running),
        b: (Target, Side, Running),
    },
}

impl From<ContentsEffect> for crate::tui::app::Effect {
    fn from(effect: ContentsEffect) -> Self {
        crate::tui::app::Effect::Contents(Box::new(effect))
    }
}

/// Two analyses and their difference.
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    pub a: Arc<Analysis>,
    pub b: Arc<Analysis>,
    pub diff: Arc<ImageDiff>,
}

/// Results of the background work, fed back through [`super::app::App::apply`].
#[derive(Debug, Clone)]
pub enum ContentsMsg {
    Analysed {
        ticket: u64,
        target: Target,
        result: Result<Arc<Analysis>, Failure>,
    },
    Previewed {
        ticket: u64,
        result: Result<Peek, Failure>,
    },
    Compared {
        ticket: u64,
        targets: (Target, Target),
        result: Result<Compared, Failure>,
    },
}

/// How many analyses stay in memory (the engine's cache on disk keeps more).
const KEPT: usize = 4;

/// What the App keeps for this feature besides the open view.
#[derive(Debug, Default)]
pub struct Contents {
    /// Recent analyses by [`Target::key`], the most recent last.
    kept: Vec<(String, Arc<Analysis>)>,
    /// The image `m` marked, for `D`.
    pub compare: Option<Target>,
    /// Where the contents engine caches analyses (`None`: no cache).
    pub cache_dir: Option<PathBuf>,
    next_ticket: u64,
}

impl Contents {
    pub fn new(cache_dir: Option<PathBuf>) -> Contents {
        Contents {
            cache_dir,
            ..Contents::default()
        }
    }

    /// A new ticket with a fresh control.
    pub fn start(&mut self) -> Running {
        self.next_ticket += 1;
        Running {
            ticket: self.next_ticket,
            control: Arc::default(),
        }
    }

    pub fn kept(&mut self, target: &Target) -> Option<Arc<Analysis>> {
        let key = target.key();
        let at = self.kept.iter().position(|(k, _)| *k == key)?;
        let entry = self.kept.remove(at);
        let analysis = entry.1.clone();
        self.kept.push(entry);
        Some(analysis)
    }

    pub fn keep(&mut self, target: &Target, analysis: Arc<Analysis>) {
        let key = target.key();
        self.kept.retain(|(k, _)| *k != key);
        self.kept.push((key, analysis));
        if self.kept.len() > KEPT {
            self.kept.remove(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_few_analyses_by_source_and_image() {
        let mut c = Contents::default();
        let target = |n: u8| Target::File {
            path: PathBuf::from(format!("/x/{n}.tar")),
            image: "sha256:aa".into(),
            name: "x".into(),
        };
        let analysis = Arc::new(Analysis {
            image: Default::default(),
            layers: Vec::new(),
            tree: Vec::new(),
            waste: Default::default(),
            refused: Vec::new(),
        });
        for n in 0..=KEPT as u8 {
            c.keep(&target(n), analysis.clone());
        }
        assert!(c.kept(&target(0)).is_none(), "the oldest went");
        assert!(c.kept(&target(1)).is_some());
        c.keep(&target(9), analysis.clone());
        assert!(c.kept(&target(1)).is_some(), "recently used stays");
        assert!(c.kept(&target(2)).is_none());
        let daemon = Target::Daemon {
            id: "sha256:aa".into(),
            name: "x".into(),
        };
        assert!(
            c.kept(&daemon).is_none(),
            "another source of the same image"
        );
        assert_ne!(c.start(), c.start());
    }
}
