//! The files view with a real worker: the analysis runs off the UI thread and `esc` stops it;
//! a real tarball goes through `f`, a preview and an extraction (a job), all read by the
//! contents engine, and a second look is answered from memory and from the engine's cache.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::{UnboundedReceiver, channel, unbounded_channel};

use super::fixtures::*;
use crate::archive::ImageInfo;
use crate::archive::contents::{self, Options};
use crate::daemon::model::Looked;
use crate::transfer::{JobContext, Phase, SaveRequest};
use crate::tui::app::{App, Effect, Mode, Msg};
use crate::tui::backend::{Analysing, Backend, DaemonInfo, JobReply, Listing, NoDaemon, Reply};
use crate::tui::contents::view::{Panel, PreviewStage, Stage};
use crate::tui::contents::{ContentsMsg, Failure};
use crate::tui::remote::RemoteSource;
use crate::tui::state::{FileKind, FoundFile, Stamp};
use crate::tui::worker::Worker;

/// An endless image export: a tar holding one layer blob, itself a tar of one huge file of
/// zeros, served slowly. Remembers the thread that reads it.
struct Endless {
    head: Vec<u8>,
    at: usize,
    thread: Arc<Mutex<Option<ThreadId>>>,
    served: Arc<AtomicU64>,
}

impl Endless {
    fn new(thread: Arc<Mutex<Option<ThreadId>>>, served: Arc<AtomicU64>) -> Endless {
        let header = |path: &str, size: u64| {
            let mut h = tar::Header::new_gnu();
            h.set_path(path).expect("path");
            h.set_size(size);
            h.set_mode(0o644);
            h.set_cksum();
            h.as_bytes().to_vec()
        };
        let size = 4 << 30;
        let mut head = header("blob/layer.tar", size);
        head.extend(header("big", size - 1024));
        Endless {
            head,
            at: 0,
            thread,
            served,
        }
    }
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Ok(mut slot) = self.thread.lock() {
            slot.get_or_insert(std::thread::current().id());
        }
        std::thread::sleep(Duration::from_millis(2));
        let n = if self.at < self.head.len() {
            let n = buf.len().min(self.head.len() - self.at);
            buf[..n].copy_from_slice(&self.head[self.at..self.at + n]);
            self.at += n;
            n
        } else {
            let n = buf.len().min(64 * 1024);
            buf[..n].fill(0);
            n
        };
        self.served.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A daemon whose images never end: `analyse` runs the real contents engine on [`Endless`].
#[derive(Default)]
struct Slow {
    thread: Arc<Mutex<Option<ThreadId>>>,
    served: Arc<AtomicU64>,
}

impl Backend for Slow {
    fn connect(&self) -> Reply<DaemonInfo> {
        NoDaemon("test".into()).connect()
    }
    fn list_images(&self) -> Reply<Listing> {
        NoDaemon("test".into()).list_images()
    }
    fn look_images(&self, references: BTreeMap<String, bool>) -> Reply<Vec<Looked>> {
        NoDaemon("test".into()).look_images(references)
    }
    fn inspect_image(&self, id: String) -> Reply<ImageInfo> {
        NoDaemon("test".into()).inspect_image(id)
    }
    fn load(&self, path: PathBuf, tag: Option<String>, ctx: JobContext) -> JobReply {
        NoDaemon("test".into()).load(path, tag, ctx)
    }
    fn save(&self, req: SaveRequest, ctx: JobContext) -> JobReply {
        NoDaemon("test".into()).save(req, ctx)
    }
    fn remove_image(&self, id: String) -> Reply<()> {
        NoDaemon("test".into()).remove_image(id)
    }
    fn analyse(&self, _id: String, opts: Options) -> Analysing {
        let reader = Endless::new(self.thread.clone(), self.served.clone());
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                contents::analyse_reader("docker://slow", Box::new(reader), &[], &opts)
            })
            .await
            .expect("the analysis thread")
        })
    }
}

fn worker(backend: Arc<dyn Backend>) -> (Worker, UnboundedReceiver<Msg>) {
    let (tx, rx) = unbounded_channel();
    let (scan, _) = channel(1);
    let remote = Arc::new(RemoteSource::new(None, PathBuf::from("/")));
    let worker = Worker {
        backend,
        tx,
        scan,
        remote,
    };
    (worker, rx)
}

async fn until(what: &str, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "waited for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn next_msg(rx: &mut UnboundedReceiver<Msg>) -> Msg {
    tokio::time::timeout(Duration::from_secs(30), rx.recv())
        .await
        .expect("a message in time")
        .expect("the channel is open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_analysis_runs_off_the_ui_thread_and_esc_stops_it() {
    let slow = Arc::new(Slow::default());
    let (worker, mut rx) = worker(slow.clone());
    let (mut app, _jobs) = app();
    app.contents.cache_dir = None;
    connect(&mut app);
    let started = Instant::now();
    for effect in app.on_key(key('f')) {
        worker.run(&mut app, effect);
    }
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "the key returns before the layers are read"
    );
    let Mode::Files(view) = &app.mode else {
        panic!("the files view is open");
    };
    let Stage::Reading(run) = &view.stage else {
        panic!("reading");
    };
    let run = run.clone();
    until("the engine to read", || run.control.progress().0 > 0).await;
    let reader = slow.thread.lock().expect("thread").expect("read by now");
    assert_ne!(
        reader,
        std::thread::current().id(),
        "read off the UI thread"
    );
    // The UI answers keys meanwhile.
    app.on_key(key('j'));
    assert!(app.needs_tick() && app.take_dirty());
    app.on_key(code(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);
    assert!(run.control.is_cancelled());
    match next_msg(&mut rx).await {
        Msg::Contents(ContentsMsg::Analysed { result, .. }) => {
            assert_eq!(result.err(), Some(Failure::Cancelled));
        }
        other => panic!("{other:?}"),
    }
    let served = slow.served.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        slow.served.load(Ordering::Relaxed),
        served,
        "nothing is read after the cancel"
    );
    assert!(served < 4 << 30, "stopped long before the end");
}

/// Apply messages until the view is ready (or `what` times out).
async fn settle(app: &mut App, rx: &mut UnboundedReceiver<Msg>, what: &str) {
    let start = Instant::now();
    while app.contents_busy() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "waited for {what}"
        );
        let msg = next_msg(rx).await;
        app.apply(msg);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_tarball_files_preview_and_extract() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tarball = dir.path().join("image.tar");
    let layers = super::files_fixtures::layers();
    let archive = contents::fixture::docker_archive("files-e2e:1", &layers);
    std::fs::write(&tarball, archive).expect("write");
    let cache = dir.path().join("cache");
    let (worker, mut rx) = worker(Arc::new(NoDaemon("no daemon".into())));
    let (mut app, mut jobs) = app();
    app.contents.cache_dir = Some(cache.clone());
    let found = FoundFile {
        path: tarball.clone(),
        display: "image.tar".into(),
        kind: FileKind::Tarball,
        stamp: Stamp {
            size: 1,
            mtime_ns: 1,
        },
        link: None,
    };
    app.apply(Msg::Scanned(Ok(vec![found.clone()])));
    let report = crate::archive::inspect(&tarball).expect("inspect");
    app.apply(Msg::Inspected {
        file: found,
        result: Ok(Box::new(report)),
    });
    app.on_key(key('2'));
    let run = |app: &mut App, effects: Vec<Effect>| {
        for effect in effects {
            worker.run(app, effect);
        }
    };
    let effects = app.on_key(key('f'));
    run(&mut app, effects);
    settle(&mut app, &mut rx, "the analysis").await;
    let keys = |app: &mut App, text: &str| {
        for c in text.chars() {
            app.on_key(key(c));
        }
    };
    keys(&mut app, "/config");
    app.on_key(code(KeyCode::Enter));
    keys(&mut app, "j");
    let effects = app.on_key(key('p'));
    run(&mut app, effects);
    settle(&mut app, &mut rx, "the preview").await;
    let Mode::Files(view) = &app.mode else {
        panic!("the files view");
    };
    match &view.browser().expect("ready").panel {
        Panel::Preview(p) => match &p.stage {
            PreviewStage::Ready(peek) => assert!(
                peek.text().is_some_and(|t| t.starts_with("listen: 8080\n")),
                "{peek:?}"
            ),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    app.on_key(code(KeyCode::Esc));
    app.on_key(key('e'));
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    let out = dir.path().join("out");
    keys(&mut app, &out.display().to_string());
    let effects = app.on_key(code(KeyCode::Enter));
    run(&mut app, effects);
    while app.jobs.any_running() {
        let event = tokio::time::timeout(Duration::from_secs(30), jobs.recv())
            .await
            .expect("a job event in time")
            .expect("open");
        app.apply(Msg::Job(event));
    }
    let snap = app.jobs.snapshots().pop().expect("the extract job");
    assert_eq!(snap.phase, Phase::Done, "{snap:?}");
    assert!(
        snap.label.starts_with("extract /srv/config.yaml"),
        "{}",
        snap.label
    );
    let written = std::fs::read_to_string(out.join("srv/config.yaml")).expect("extracted");
    assert!(written.starts_with("listen: 8080"));
    assert!(
        std::fs::read_dir(cache.join("contents")).is_ok_and(|mut d| d.next().is_some()),
        "the engine cached the analysis"
    );
    // Closed and opened again: from memory, no work at all.
    app.on_key(key('q'));
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.on_key(key('f')), vec![]);
    app.on_key(key('q'));
    // A new session (nothing in memory): the engine's cache answers.
    app.contents = crate::tui::contents::Contents::new(Some(cache));
    let effects = app.on_key(key('f'));
    assert_eq!(effects.len(), 1);
    run(&mut app, effects);
    settle(&mut app, &mut rx, "the cached analysis").await;
    let Mode::Files(view) = &app.mode else {
        panic!("the files view");
    };
    assert!(
        view.browser()
            .is_some_and(|b| b.tree.find("srv/config.yaml").is_some())
    );
}
