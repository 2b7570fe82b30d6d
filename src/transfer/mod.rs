//! Background jobs (load, save, download) with progress counted in atomics and cancellation.

/// Where a job is in its life. Jobs send an event only when this changes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Preparing,
    Transferring,
    DaemonProcessing,
    Done,
    Failed(String),
    Cancelled,
}
