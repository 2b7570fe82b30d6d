//! Background jobs (load, save, download) with progress and cancellation.
//!
//! A job is a tokio task. Its byte counters are atomics the task bumps per chunk and the front
//! end samples when it redraws; the task sends an event only when its phase changes or it ends.
//! [`Jobs`] is owned by one front end (the TUI's `App`, or a CLI command): no mutex around it.

mod body;
mod delta;
mod error;
mod job;
pub mod load;
mod restore;
mod retag;
pub mod save;
mod single_pass;
mod upload;

pub use body::ChannelWriter;
pub use error::TransferError;
pub use job::{
    JobContext, JobEvent, JobFailure, JobId, JobKind, JobOutcome, JobResult, JobSnapshot, Jobs,
    Phase, Progress,
};
pub use load::{LoadMode, LoadOptions, LoadReport, LoadedImage, load, start_load};
pub use save::{
    Destination, SaveCompression, SaveReport, SaveRequest, check_destination, save, start_save,
};
