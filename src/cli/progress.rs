//! Drive one job of the shared engine from the command line: an indicatif bar on stderr when it
//! is a terminal (and not `-q`). Ctrl-C, SIGTERM and SIGHUP (what CI cancels, `timeout` and a
//! dropped SSH session send) cancel the job and wait for its cleanup: partial files removed,
//! a load undone; the command then exits 128 + the signal number (130, 143, 129).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::transfer::{JobEvent, JobId, Jobs, Phase};

/// The signal that cancelled a job of this process, if one did.
static SIGNALLED: AtomicI32 = AtomicI32::new(0);

/// The signal number that interrupted this command (2, 15 or 1), if any.
pub fn interrupted_by() -> Option<i32> {
    match SIGNALLED.load(Ordering::Relaxed) {
        0 => None,
        n => Some(n),
    }
}

/// A stream of one signal; a platform or runtime without it never fires.
struct Caught(Option<tokio::signal::unix::Signal>);

impl Caught {
    fn new(kind: tokio::signal::unix::SignalKind) -> Caught {
        Caught(tokio::signal::unix::signal(kind).ok())
    }

    async fn recv(&mut self) {
        match &mut self.0 {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending().await,
        }
    }
}

/// Wait for job `id` to finish; returns its final phase.
pub async fn drive(
    jobs: &mut Jobs,
    events: &mut UnboundedReceiver<JobEvent>,
    id: JobId,
    quiet: bool,
) -> Phase {
    let bar = (!quiet && std::io::stderr().is_terminal()).then(new_bar);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut interrupted = false;
    let mut term = Caught::new(tokio::signal::unix::SignalKind::terminate());
    let mut hup = Caught::new(tokio::signal::unix::SignalKind::hangup());
    loop {
        let signal = tokio::select! {
            event = events.recv() => {
                let Some(event) = event else { break };
                jobs.apply(event);
                None
            }
            _ = tokio::signal::ctrl_c(), if !interrupted => Some(libc::SIGINT),
            _ = term.recv(), if !interrupted => Some(libc::SIGTERM),
            _ = hup.recv(), if !interrupted => Some(libc::SIGHUP),
            _ = tick.tick(), if bar.is_some() => None,
        };
        if let Some(signal) = signal {
            interrupted = true;
            SIGNALLED.store(signal, Ordering::Relaxed);
            jobs.cancel(id);
            if let Some(bar) = &bar {
                bar.set_message("cancelling…");
            }
        }
        let Some(snap) = jobs.snapshot(id) else { break };
        if let Some(bar) = &bar {
            bar.set_length(snap.total.max(snap.done));
            bar.set_position(snap.done);
            if !interrupted {
                bar.set_message(snap.phase.label().to_string());
            }
        }
        if snap.phase.is_finished() {
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            return snap.phase;
        }
    }
    Phase::Failed("the job vanished".into())
}

fn new_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
    let style = ProgressStyle::with_template(
        "{msg:18} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar
}
