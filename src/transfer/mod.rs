//! Background jobs (load, save, download) with progress and cancellation.
//!
//! A job is a tokio task. Its byte counters are atomics the task bumps per chunk and the front
//! end samples when it redraws; the task sends an event only when its phase changes or it ends.
//! [`Jobs`] is owned by one front end (the TUI's `App`, or a CLI command): no mutex around it.

mod job;

pub use job::{
    CANCELLED, JobContext, JobEvent, JobId, JobKind, JobOutcome, JobSnapshot, Jobs, Phase, Progress,
};
