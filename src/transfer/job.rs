use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

pub use super::outcome::{JobFailure, JobOutcome, JobResult, Phase};

pub type JobId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobKind {
    Load,
    Save,
    Download,
    /// Files copied out of an image (the TUI's files view).
    Extract,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Load => "load",
            JobKind::Save => "save",
            JobKind::Download => "download",
            JobKind::Extract => "extract",
        }
    }
}

/// Byte counters shared between a job's task and the front end, and the latest word from the
/// daemon (`Loading layer …`), where the engine sends one.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
    message: std::sync::Mutex<Option<String>>,
}

impl Progress {
    /// Replace the daemon's latest message (sampled with the counters, never sent as an event).
    pub fn set_message(&self, text: impl Into<String>) {
        if let Ok(mut slot) = self.message.lock() {
            *slot = Some(text.into());
        }
    }
    pub fn message(&self) -> Option<String> {
        self.message.lock().ok().and_then(|m| m.clone())
    }
    pub fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
    pub fn set_done(&self, n: u64) {
        self.done.store(n, Ordering::Relaxed);
    }
    pub fn set_total(&self, n: u64) {
        self.total.store(n, Ordering::Relaxed);
    }
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }
    /// The raw `done` counter, for synchronous code that counts bytes itself
    /// (e.g. `archive::write_docker_archive` on a blocking thread).
    pub fn done_counter(&self) -> &AtomicU64 {
        &self.done
    }
}

/// What a job's task gets: its counters, its cancellation, and a way to announce phases.
#[derive(Clone)]
pub struct JobContext {
    pub id: JobId,
    pub progress: Arc<Progress>,
    pub cancel: CancellationToken,
    events: UnboundedSender<JobEvent>,
}

impl JobContext {
    pub fn phase(&self, phase: Phase) {
        // The receiver is gone only when the front end is shutting down; nothing to tell then.
        let _ = self.events.send(JobEvent::Phase { id: self.id, phase });
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    Phase { id: JobId, phase: Phase },
    Finished { id: JobId, result: JobResult },
}

/// A point-in-time view of a job, for drawing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JobSnapshot {
    pub id: JobId,
    pub kind: JobKind,
    pub label: String,
    pub phase: Phase,
    pub done: u64,
    pub total: u64,
    /// Bytes per second while transferring (0 in any other phase: no rate is shown then).
    pub rate: f64,
    /// Only while transferring.
    pub eta: Option<Duration>,
    /// Time spent in the current phase (until the end, for a finished job: its whole run).
    pub elapsed: Duration,
    /// The daemon's latest progress message, where the engine sends one.
    pub message: Option<String>,
    pub outcome: Option<JobOutcome>,
}

impl JobSnapshot {
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            return if self.phase == Phase::Done { 1.0 } else { 0.0 };
        }
        (self.done as f64 / self.total as f64).clamp(0.0, 1.0)
    }
}

struct JobEntry {
    id: JobId,
    kind: JobKind,
    label: String,
    phase: Phase,
    progress: Arc<Progress>,
    cancel: CancellationToken,
    started: Instant,
    /// When the current phase began.
    phase_started: Instant,
    /// When bytes started to flow, and how many were counted before (for the rate).
    transfer: Option<(Instant, u64)>,
    finished: Option<Instant>,
    outcome: Option<JobOutcome>,
}

/// The jobs of one front end: starts tasks, reduces their events, answers snapshots.
pub struct Jobs {
    next_id: JobId,
    entries: Vec<JobEntry>,
    events: UnboundedSender<JobEvent>,
}

impl Jobs {
    /// Events of every job go to `events`; feed each one back through [`Jobs::apply`].
    pub fn new(events: UnboundedSender<JobEvent>) -> Self {
        Jobs {
            next_id: 1,
            entries: Vec::new(),
            events,
        }
    }

    /// Start `work` as a background task. Its `Ok` or `Err` becomes the job's final phase;
    /// a cancelled token turns any result into `Cancelled`. Must be called inside a tokio runtime.
    pub fn spawn<F, Fut>(&mut self, kind: JobKind, label: impl Into<String>, work: F) -> JobId
    where
        F: FnOnce(JobContext) -> Fut,
        Fut: Future<Output = JobResult> + Send + 'static,
    {
        let id = self.next_id;
        self.next_id += 1;
        let ctx = JobContext {
            id,
            progress: Arc::new(Progress::default()),
            cancel: CancellationToken::new(),
            events: self.events.clone(),
        };
        self.entries.push(JobEntry {
            id,
            kind,
            label: label.into(),
            phase: Phase::Preparing,
            progress: ctx.progress.clone(),
            cancel: ctx.cancel.clone(),
            started: Instant::now(),
            phase_started: Instant::now(),
            transfer: None,
            finished: None,
            outcome: None,
        });
        let fut = work(ctx.clone());
        tokio::spawn(async move {
            let result = fut.await;
            let result = match result {
                _ if ctx.cancel.is_cancelled() => Err(JobFailure::Cancelled),
                other => other,
            };
            let _ = ctx.events.send(JobEvent::Finished { id: ctx.id, result });
        });
        id
    }

    /// Apply one event (the reducer). Returns true when something visible changed.
    pub fn apply(&mut self, event: JobEvent) -> bool {
        let (id, phase, outcome) = match event {
            JobEvent::Phase { id, phase } => (id, phase, None),
            JobEvent::Finished {
                id,
                result: Ok(outcome),
            } => (id, Phase::Done, Some(outcome)),
            JobEvent::Finished {
                id,
                result: Err(JobFailure::Cancelled),
            } => (id, Phase::Cancelled, None),
            JobEvent::Finished {
                id,
                result: Err(JobFailure::Failed(reason)),
            } => (id, Phase::Failed(reason), None),
        };
        let Some(entry) = self.entries.iter_mut().find(|e| e.id == id) else {
            return false;
        };
        if entry.phase.is_finished() {
            return false;
        }
        let now = Instant::now();
        if phase.is_finished() {
            entry.finished = Some(now);
        }
        if phase == Phase::Transferring && entry.phase != Phase::Transferring {
            entry.transfer = Some((now, entry.progress.done()));
        }
        if phase != entry.phase {
            entry.phase_started = now;
        }
        entry.phase = phase;
        entry.outcome = outcome;
        true
    }

    /// Ask a job to stop. Returns false when there is no such running job.
    pub fn cancel(&self, id: JobId) -> bool {
        match self
            .entries
            .iter()
            .find(|e| e.id == id && !e.phase.is_finished())
        {
            Some(entry) => {
                entry.cancel.cancel();
                true
            }
            None => false,
        }
    }

    pub fn cancel_all(&self) {
        for entry in &self.entries {
            entry.cancel.cancel();
        }
    }

    /// Forget a finished job. Returns false for a running or unknown one.
    pub fn dismiss(&mut self, id: JobId) -> bool {
        let before = self.entries.len();
        self.entries
            .retain(|e| !(e.id == id && e.phase.is_finished()));
        self.entries.len() != before
    }

    pub fn any_running(&self) -> bool {
        self.entries.iter().any(|e| !e.phase.is_finished())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn snapshots(&self) -> Vec<JobSnapshot> {
        self.entries.iter().map(snapshot).collect()
    }

    pub fn snapshot(&self, id: JobId) -> Option<JobSnapshot> {
        self.entries.iter().find(|e| e.id == id).map(snapshot)
    }
}

fn snapshot(entry: &JobEntry) -> JobSnapshot {
    let done = entry.progress.done();
    let total = entry.progress.total();
    let now = entry.finished.unwrap_or_else(Instant::now);
    let elapsed = match entry.phase {
        Phase::Done | Phase::Failed(_) | Phase::Cancelled => now.duration_since(entry.started),
        _ => now.duration_since(entry.phase_started),
    };
    // The rate of the bytes flowing now; a rate averaged over the daemon's silent phases
    // would only fall, so there is none outside the transfer.
    let rate = match (&entry.phase, entry.transfer) {
        (Phase::Transferring, Some((since, base))) => {
            let secs = now.duration_since(since).as_secs_f64();
            if secs > 0.0 {
                done.saturating_sub(base) as f64 / secs
            } else {
                0.0
            }
        }
        _ => 0.0,
    };
    let eta =
        (rate > 0.0 && total > done).then(|| Duration::from_secs_f64((total - done) as f64 / rate));
    JobSnapshot {
        id: entry.id,
        kind: entry.kind,
        label: entry.label.clone(),
        phase: entry.phase.clone(),
        done,
        total,
        rate,
        eta,
        elapsed,
        message: entry.progress.message(),
        outcome: entry.outcome.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc::unbounded_channel;

    #[tokio::test]
    async fn a_job_reports_phases_progress_and_outcome() {
        let (tx, mut rx) = unbounded_channel();
        let mut jobs = Jobs::new(tx);
        let id = jobs.spawn(JobKind::Save, "save x", |ctx| async move {
            ctx.progress.set_total(10);
            ctx.phase(Phase::Transferring);
            ctx.progress.add(10);
            Ok(JobOutcome {
                summary: "saved".into(),
                ..Default::default()
            })
        });
        assert!(jobs.any_running());
        while jobs.any_running() {
            let event = rx.recv().await.expect("event");
            jobs.apply(event);
        }
        let snap = jobs.snapshot(id).expect("snapshot");
        assert_eq!(snap.phase, Phase::Done);
        assert_eq!((snap.done, snap.total), (10, 10));
        assert_eq!(snap.outcome.expect("outcome").summary, "saved");
        assert!(jobs.dismiss(id));
        assert!(jobs.is_empty());
    }

    #[tokio::test]
    async fn cancel_turns_a_job_into_cancelled_and_failures_keep_their_reason() {
        let (tx, mut rx) = unbounded_channel();
        let mut jobs = Jobs::new(tx);
        let slow = jobs.spawn(JobKind::Load, "slow", |ctx| async move {
            ctx.cancel.cancelled().await;
            Err("interrupted".into())
        });
        let bad = jobs.spawn(JobKind::Download, "bad", |_| async {
            Err("410 gone".into())
        });
        let stopped = jobs.spawn(JobKind::Save, "stopped", |_| async {
            Err(JobFailure::Cancelled)
        });
        assert!(!jobs.dismiss(slow), "a running job cannot be dismissed");
        assert!(jobs.cancel(slow));
        while jobs.any_running() {
            let event = rx.recv().await.expect("event");
            jobs.apply(event);
        }
        assert_eq!(jobs.snapshot(slow).expect("slow").phase, Phase::Cancelled);
        assert_eq!(
            jobs.snapshot(bad).expect("bad").phase,
            Phase::Failed("410 gone".into())
        );
        assert_eq!(
            jobs.snapshot(stopped).expect("stopped").phase,
            Phase::Cancelled,
            "a job may end cancelled by itself"
        );
        assert!(!jobs.cancel(slow), "a finished job cannot be cancelled");
    }

    #[test]
    fn snapshot_ratio_is_clamped() {
        let snap = JobSnapshot {
            id: 1,
            kind: JobKind::Load,
            label: String::new(),
            phase: Phase::Transferring,
            done: 15,
            total: 10,
            rate: 0.0,
            eta: None,
            elapsed: Duration::ZERO,
            message: None,
            outcome: None,
        };
        assert_eq!(snap.ratio(), 1.0);
    }
}
