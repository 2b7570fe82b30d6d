//! The files view on a daemon image, on every engine: `f` reads the image's export stream
//! through the TUI's real backend and worker (no temporary file), and `p` reads one file's first
//! bytes from a new export stream.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::docker::{rootfs_tar, unique_name};
use common::engines::{Kind, each_engine};
use crossterm::event::{KeyCode, KeyEvent};
use haul::daemon::model::Listed;
use haul::daemon::{ImageIds, ImageRow};
use haul::tui::app::{App, Mode, Msg};
use haul::tui::backend::Listing;
use haul::tui::contents::view::{Panel, PreviewStage};
use haul::tui::docker::DockerBackend;
use haul::tui::remote::RemoteSource;
use haul::tui::worker::Worker;
use haul::tui::{Config, Effect};
use tokio::sync::mpsc::{UnboundedReceiver, channel, unbounded_channel};

fn press(app: &mut App, worker: &Worker, keys: &str) {
    for c in keys.chars() {
        let code = if c == '\r' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        let effects: Vec<Effect> = app.on_key(KeyEvent::from(code));
        for effect in effects {
            worker.run(app, effect);
        }
    }
}

async fn settle(app: &mut App, rx: &mut UnboundedReceiver<Msg>, what: &str) {
    let start = Instant::now();
    while app.contents_busy() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "waited for {what}"
        );
        let msg = tokio::time::timeout(Duration::from_secs(120), rx.recv())
            .await
            .expect("a message in time")
            .expect("open");
        app.apply(msg);
    }
}

#[test]
fn f_on_a_daemon_image_reads_its_export_stream() {
    each_engine("f_on_a_daemon_image_reads_its_export_stream", |engine| {
        let mut images = engine.images();
        let name = unique_name("tui-files", "1");
        let rootfs = rootfs_tar(&[
            ("etc/os-release", b"NAME=daemon\n"),
            ("srv/known.txt", b"from the daemon's export\n"),
        ]);
        let id = engine.import(&rootfs, &name, &mut images);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let work = tempfile::tempdir().expect("tempdir");
        rt.block_on(async {
            let (tx, mut rx) = unbounded_channel();
            let (job_tx, _jobs) = unbounded_channel();
            let (scan, _) = channel(1);
            let worker = Worker {
                backend: Arc::new(DockerBackend::new(Some(engine.host.clone()))),
                tx,
                scan,
                remote: Arc::new(RemoteSource::new(None, work.path().to_path_buf())),
            };
            let mut app = App::new(Config::defaults(work.path(), true), job_tx);
            app.contents.cache_dir = Some(work.path().join("cache"));
            let ids = match engine.kind {
                Kind::Docker26Containerd => ImageIds::TargetDigest,
                _ => ImageIds::ConfigDigest,
            };
            let row = ImageRow {
                id: id.clone(),
                tags: vec![name.clone()],
                created: 0,
                size: 0,
                layer_count: None,
                dangling: false,
                platforms: Vec::new(),
            };
            app.apply(Msg::Listed {
                fresh: true,
                result: Ok(Listing {
                    ids,
                    rows: vec![Listed {
                        row,
                        parent: String::new(),
                    }],
                }),
            });
            press(&mut app, &worker, "f");
            settle(&mut app, &mut rx, "the analysis").await;
            let Mode::Files(view) = &app.mode else {
                panic!("[{}] the files view: {:?}", engine.name, app.mode);
            };
            let browser = view.browser().unwrap_or_else(|| {
                panic!(
                    "[{}] the files were not read: {:?}",
                    engine.name, view.stage
                )
            });
            assert!(
                browser.tree.find("srv/known.txt").is_some(),
                "[{}] the imported file",
                engine.name
            );
            press(&mut app, &worker, "/known\rjp");
            settle(&mut app, &mut rx, "the preview").await;
            let Mode::Files(view) = &app.mode else {
                panic!("[{}] the files view", engine.name);
            };
            match &view.browser().expect("ready").panel {
                Panel::Preview(p) => match &p.stage {
                    PreviewStage::Ready(peek) => assert_eq!(
                        peek.text(),
                        Some("from the daemon's export\n"),
                        "[{}]",
                        engine.name
                    ),
                    other => panic!("[{}] {other:?}", engine.name),
                },
                other => panic!("[{}] {other:?}", engine.name),
            }
        });
    });
}
