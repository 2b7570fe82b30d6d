//! How a job ends, as the front ends see it: its phase, its outcome, or why it has none.

/// Where a job is in its life.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Preparing,
    /// The daemon builds what it will send (a save before its first byte): no bytes yet.
    DaemonPreparing,
    Transferring,
    DaemonProcessing,
    Done,
    Failed(String),
    Cancelled,
}

impl Phase {
    pub fn is_finished(&self) -> bool {
        matches!(self, Phase::Done | Phase::Failed(_) | Phase::Cancelled)
    }

    pub fn label(&self) -> &str {
        match self {
            Phase::Preparing => "preparing",
            Phase::DaemonPreparing => "daemon preparing",
            Phase::Transferring => "transferring",
            Phase::DaemonProcessing => "daemon processing",
            Phase::Done => "done",
            Phase::Failed(_) => "failed",
            Phase::Cancelled => "cancelled",
        }
    }
}

/// What a finished job produced, for the front end to show.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct JobOutcome {
    /// One line for a status bar, e.g. "loaded app:1.0 (sha256:…)".
    pub summary: String,
    /// Images the job loaded or saved.
    pub images: Vec<String>,
    /// Files the job wrote.
    pub files: Vec<std::path::PathBuf>,
}

/// Why a job did not produce an outcome: typed, never recognised by its text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobFailure {
    /// Stopped on request; whatever it had changed was undone.
    #[error("cancelled")]
    Cancelled,
    /// Failed, with a one-line reason.
    #[error("{0}")]
    Failed(String),
}

impl From<String> for JobFailure {
    fn from(reason: String) -> JobFailure {
        JobFailure::Failed(reason)
    }
}

impl From<&str> for JobFailure {
    fn from(reason: &str) -> JobFailure {
        JobFailure::Failed(reason.to_string())
    }
}

/// What a job's task ends with.
pub type JobResult = Result<JobOutcome, JobFailure>;
