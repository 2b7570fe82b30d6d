//! Background jobs (load, save, download) with progress and cancellation.
//!
//! A job is a tokio task. Its byte counters are atomics the task bumps per chunk and the front
//! end samples when it redraws; the task sends an event only when its phase changes or it ends.
//! [`Jobs`] is owned by one front end (the TUI's `App`, or a CLI command): no mutex around it.
//!
//! Loads: leaves ([`types`], `body`, `answer`, `upload`, `undo`, `verify`, `recheck`) under routes
//! (`routes`: the bodies a load can send, independent of each other) under [`load`], which
//! chooses a route from the engine's description.

mod answer;
mod body;
mod destination;
mod error;
mod facts;
mod job;
pub mod load;
mod outcome;
mod recheck;
mod retag;
mod routes;
pub mod save;
mod save_check;
pub mod types;
mod undo;
mod upload;
mod verify;

pub use body::ChannelWriter;
pub use destination::{Destination, check_destination};
pub use error::TransferError;
pub use job::{
    JobContext, JobEvent, JobFailure, JobId, JobKind, JobOutcome, JobResult, JobSnapshot, Jobs,
    Phase, Progress,
};
pub use load::dry_run::{DryImage, DryRun, dry_run, dry_run_path};
pub use load::{load, start_load};
pub use retag::{load_as, start_load_as};
pub use save::{SaveCompression, SaveReport, SaveRequest, save, start_save};
pub use types::{LoadMode, LoadOptions, LoadReport, LoadedImage, summary};
