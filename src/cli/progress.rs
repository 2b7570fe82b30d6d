//! Drive one job of the shared engine from the command line: an indicatif bar on stderr when it
//! is a terminal (and not `-q`), Ctrl-C cancels the job and waits for its cleanup.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc::UnboundedReceiver;

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
    let mut interrupted = false;
    loop {
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else { break };
                jobs.apply(event);
            }
            _ = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                jobs.cancel(id);
                if let Some(bar) = &bar {
                    bar.set_message("cancelling…");
                }
            }
            _ = tick.tick(), if bar.is_some() => {}
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
