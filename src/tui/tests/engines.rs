//! Marks and layer counts on every kind of engine: the Tarballs pane asks the one identity
//! (`daemon::holdings`), whose answer depends on what the engine's image IDs are.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::fixtures::*;
use crate::archive::ImageInfo;
use crate::daemon::{EngineKind, Held, Holdings, ImageIds};
use crate::tui::app::{App, Msg};
use crate::tui::backend::DaemonInfo;
use crate::tui::render;
use crate::tui::state::FoundFile;

fn screen(app: &mut App) -> String {
    app.on_resize(120, 30);
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
    terminal
        .draw(|frame| render::draw(frame, app, &[]))
        .expect("draw");
    terminal.backend().to_string()
}

/// How an engine of `kind` knows archive image `n`: on the containerd store by the digest of
/// its index entry (`digest(n)`, also the daemon row's ID), the config digest elsewhere.
/// `legacy`: a docker-archive without index (the containerd store matches layers and config).
fn archive_image(kind: EngineKind, n: u8, tags: &[&str], legacy: bool) -> ImageInfo {
    let mut image = info(n, tags);
    if kind == EngineKind::DockerContainerd {
        image.id = digest(60 + n);
        image.target_digest = (!legacy).then(|| digest(n));
        image.manifest_digest = image.target_digest.clone();
    }
    image
}

/// The engine holds rows 1-4; row 1 is the first archive's image (and holds the base layer
/// image 9 shares).
fn connect_to(app: &mut App, kind: EngineKind) {
    app.apply(Msg::Daemon(Ok(DaemonInfo {
        endpoint: "unix:///run/engine.sock".into(),
        kind,
        version: "26.1.5".into(),
        api_version: "1.45".into(),
    })));
    app.apply(Msg::Images(Ok(rows())));
    let ids = match kind {
        EngineKind::DockerContainerd => ImageIds::TargetDigest,
        _ => ImageIds::ConfigDigest,
    };
    let mut holdings = Holdings::new(ids);
    let first = info(1, &[]);
    for (i, row) in rows().into_iter().enumerate() {
        let mut held = Held {
            id: row.id,
            tags: row.tags,
            ..Default::default()
        };
        if i == 0 {
            // Image 1 as the engine shows it: its layers, creation time and platform.
            held.diff_ids = first.diff_ids();
            held.created = first.created.clone();
            held.platform = first.platform();
        }
        holdings.insert(held);
    }
    app.apply(Msg::Holdings(Ok(holdings)));
}

fn tarballs(app: &mut App, kind: EngineKind, legacy: bool) -> Vec<FoundFile> {
    let files = files(app);
    let mut web = archive_image(kind, 9, &["web:9"], legacy);
    // Image 9: the same base layer as image 1, two layers of its own.
    for (i, layer) in web.layers.iter_mut().enumerate().skip(1) {
        layer.diff_id = digest(120 + i as u8);
    }
    for (file, image) in [
        (&files[0], archive_image(kind, 1, &["app:1.0"], legacy)),
        (&files[1], web),
    ] {
        app.apply(Msg::Inspected {
            file: file.clone(),
            result: Ok(Box::new(report(file, image))),
        });
    }
    files
}

fn check(kind: EngineKind, legacy: bool) {
    let (mut app, _rx) = app();
    connect_to(&mut app, kind);
    tarballs(&mut app, kind, legacy);
    app.on_key(key('2'));
    let text = screen(&mut app);
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{kind:?}: no {needle} in\n{text}"))
            .to_string()
    };
    assert!(
        line("app-1.0.tar.gz").contains('●'),
        "{kind:?}: image 1 is in the engine:\n{text}"
    );
    assert!(
        !line("web-9.tar").contains('●'),
        "{kind:?}: image 9 is not:\n{text}"
    );
    assert!(
        text.contains("already loaded"),
        "{kind:?}: the details of app-1.0 say it is loaded:\n{text}"
    );
    app.on_key(key('j'));
    let text = screen(&mut app);
    assert!(
        text.contains("1 of 3 layers already in the daemon"),
        "{kind:?}: image 9's base layer is there:\n{text}"
    );
}

#[test]
fn marks_and_layer_counts_on_every_engine_kind() {
    for kind in [
        EngineKind::DockerClassic,
        EngineKind::DockerContainerd,
        EngineKind::Podman,
    ] {
        check(kind, false);
    }
}

#[test]
fn a_legacy_archive_on_the_containerd_store_is_known_by_its_layers_and_config() {
    check(EngineKind::DockerContainerd, true);
}

#[test]
fn a_config_digest_never_marks_an_image_on_the_containerd_store() {
    let (mut app, _rx) = app();
    connect_to(&mut app, EngineKind::DockerContainerd);
    let files = files(&mut app);
    // An archive whose config digest equals a daemon row ID, but whose index entry is another
    // image: not loaded.
    let mut image = info(2, &["postgres:16"]);
    image.target_digest = Some(digest(90));
    app.apply(Msg::Inspected {
        file: files[0].clone(),
        result: Ok(Box::new(report(&files[0], image))),
    });
    app.on_key(key('2'));
    let text = screen(&mut app);
    let line = text.lines().find(|l| l.contains("app-1.0.tar.gz")).unwrap();
    assert!(!line.contains('●'), "{text}");
}

#[test]
fn a_multi_platform_archive_lists_its_platforms_and_which_the_engine_has() {
    let (mut app, _rx) = app();
    connect_to(&mut app, EngineKind::DockerContainerd);
    let files = files(&mut app);
    // One index (digest 1, held), two platforms: the engine unpacked only linux/amd64.
    let amd64 = archive_image(EngineKind::DockerContainerd, 1, &["app:1.0"], false);
    let mut arm64 = amd64.clone();
    arm64.architecture = "arm64".into();
    arm64.variant = Some("v8".into());
    arm64.id = digest(70);
    for (i, layer) in arm64.layers.iter_mut().enumerate() {
        layer.diff_id = digest(130 + i as u8);
    }
    let mut report = report(&files[0], amd64);
    report.images.push(arm64);
    app.apply(Msg::Inspected {
        file: files[0].clone(),
        result: Ok(Box::new(report)),
    });
    app.on_key(key('2'));
    let text = screen(&mut app);
    let line = text
        .lines()
        .find(|l| l.contains("platforms:"))
        .unwrap_or_else(|| panic!("no platforms line:\n{text}"));
    assert!(line.contains("linux/amd64 ●"), "{line}");
    assert!(line.contains("linux/arm64/v8 0/3"), "{line}");
}
