//! Drive one job of the shared engine from the command line: an indicatif bar on stderr when it
//! is a terminal (and not `-q`) showing the same facts as the TUI, in the same units; Ctrl-C,
//! SIGTERM and SIGHUP cancel the job and wait for its cleanup (see [`super::signals`]).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc::UnboundedReceiver;

use super::signals::Listener;
use crate::transfer::{JobEvent, JobId, Jobs, Phase};

/// Wait for job `id` to finish; returns its final phase.
pub async fn drive(
    jobs: &mut Jobs,
    events: &mut UnboundedReceiver<JobEvent>,
    id: JobId,
    quiet: bool,
) -> Phase {
    let bar = (!quiet && std::io::stderr().is_terminal()).then(new_bar);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut signals = Listener::new();
    let mut interrupted = false;
    loop {
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else { break };
                jobs.apply(event);
            }
            _ = signals.recv(), if !interrupted => {
                interrupted = true;
                jobs.cancel(id);
            }
            _ = tick.tick(), if bar.is_some() => {}
        }
        let Some(snap) = jobs.snapshot(id) else { break };
        if let Some(bar) = &bar {
            bar.set_length(snap.total.max(snap.done).max(1));
            bar.set_position(if snap.total > 0 { snap.done } else { 0 });
            let mut facts = snap.facts();
            if interrupted {
                facts.push("cancelling…".to_string());
            }
            bar.set_message(facts.join("  "));
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
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr_with_hz(10));
    // Bytes, rate and times come from the job's facts (humansize units, as in every summary).
    let style = ProgressStyle::with_template("[{bar:30}] {percent:>3}%  {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar
}
