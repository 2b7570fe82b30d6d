//! The loop: select over terminal input, background messages, job events, a tick that runs
//! only while a job is active, and SIGTERM/SIGHUP. It draws only when the App is dirty.

use std::io;
use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend as TermBackend;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::app::{App, Effect, Msg};
use super::render;
use super::worker::Worker;
use crate::transfer::JobEvent;

/// How often job progress is sampled while a job runs.
pub const TICK: Duration = Duration::from_millis(200);

pub struct Channels {
    pub msgs: UnboundedReceiver<Msg>,
    pub jobs: UnboundedReceiver<JobEvent>,
}

pub async fn run<B: TermBackend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    worker: &Worker,
    mut channels: Channels,
) -> io::Result<()>
where
    B::Error: Into<io::Error>,
{
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut term = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut interrupt = signal(SignalKind::interrupt())?;

    let size = terminal.size().map_err(Into::into)?;
    app.on_resize(size.width, size.height);
    for effect in app.start() {
        worker.run(app, effect);
    }
    loop {
        if app.take_dirty() {
            let jobs = app.jobs.snapshots();
            terminal
                .draw(|frame| render::draw(frame, app, &jobs))
                .map_err(Into::into)?;
        }
        if app.should_quit() {
            return Ok(());
        }
        let effects: Vec<Effect> = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => app.on_key(key),
                Some(Ok(Event::Mouse(mouse))) => app.on_mouse(mouse),
                Some(Ok(Event::Resize(w, h))) => {
                    app.on_resize(w, h);
                    Vec::new()
                }
                Some(Ok(_)) => Vec::new(),
                Some(Err(e)) => return Err(e),
                None => {
                    app.request_quit();
                    Vec::new()
                }
            },
            Some(msg) = channels.msgs.recv() => app.apply(msg),
            Some(event) = channels.jobs.recv() => app.apply(Msg::Job(event)),
            _ = tick.tick(), if app.needs_tick() => {
                app.mark_dirty();
                Vec::new()
            }
            _ = term.recv() => { app.stopped_by = Some(15); app.request_quit(); Vec::new() }
            _ = hangup.recv() => { app.stopped_by = Some(1); app.request_quit(); Vec::new() }
            _ = interrupt.recv() => { app.stopped_by = Some(2); app.request_quit(); Vec::new() }
        };
        let mut pending = effects;
        // Take whatever else is already waiting, so a burst costs one redraw.
        while let Ok(msg) = channels.msgs.try_recv() {
            pending.extend(app.apply(msg));
        }
        while let Ok(event) = channels.jobs.try_recv() {
            pending.extend(app.apply(Msg::Job(event)));
        }
        for effect in pending {
            worker.run(app, effect);
        }
    }
}

/// Channels for a new App: (senders for the worker and jobs, receivers for the loop).
pub fn channels() -> (
    tokio::sync::mpsc::UnboundedSender<Msg>,
    tokio::sync::mpsc::UnboundedSender<JobEvent>,
    Channels,
) {
    let (msg_tx, msgs) = unbounded_channel();
    let (job_tx, jobs) = unbounded_channel();
    (msg_tx, job_tx, Channels { msgs, jobs })
}
