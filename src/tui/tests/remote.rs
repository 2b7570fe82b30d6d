//! The Artifacts pane with remote artifacts: rows, `l` (download, then load), expiry, messages.

use std::path::PathBuf;

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::fixtures::*;
use crate::transfer::{JobEvent, JobKind, JobOutcome};
use crate::tui::app::{App, Effect, Msg};
use crate::tui::render;
use crate::tui::state::LoadState;

fn shot(app: &mut App, width: u16, height: u16) -> String {
    app.on_resize(width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    let jobs = app.jobs.snapshots();
    terminal
        .draw(|frame| render::draw(frame, app, &jobs))
        .expect("draw");
    terminal.backend().to_string()
}

#[test]
fn local_and_remote_rows_share_the_pane_and_survive_each_others_updates() {
    let (mut app, _rx) = app();
    app.on_key(key('3'));
    remote(&mut app);
    assert_eq!(
        app.artifacts.visible_len(),
        2,
        "remote rows before the scan answers"
    );
    assert_eq!(
        app.artifacts.status,
        LoadState::Loading,
        "the scan still runs"
    );
    let files = files(&mut app);
    assert_eq!(app.artifacts.visible_len(), 3, "one local, two remote");
    assert!(app.artifacts.rows[0].local().is_some(), "local rows first");
    app.apply(Msg::Scanned(Ok(files)));
    assert_eq!(
        app.artifacts.visible_len(),
        3,
        "a rescan keeps the remote rows"
    );
    app.apply(Msg::Remote(Err("GitHub API rate limit exceeded".into())));
    assert_eq!(app.artifacts.visible_len(), 1, "the local row stays");
    assert_eq!(
        app.remote_line(),
        ("remote: GitHub API rate limit exceeded".to_string(), true)
    );
    // The filter sees remote names and branches.
    remote(&mut app);
    app.on_key(key('/'));
    for c in "old".chars() {
        app.on_key(key(c));
    }
    assert_eq!(app.artifacts.visible_len(), 1);
    assert_eq!(app.selected_remote().map(|a| a.id), Some(12));
}

#[tokio::test]
async fn l_on_a_remote_artifact_downloads_then_loads_its_images() {
    let (mut app, mut rx) = app();
    app.on_key(key('3'));
    files(&mut app);
    remote(&mut app);
    app.on_key(key('j'));
    let selected = app.selected_remote().cloned().expect("a remote row");
    assert_eq!(selected.id, 11);
    assert_eq!(
        app.on_key(key('l')),
        vec![Effect::Download(Box::new(selected))]
    );

    // The worker starts the download job and remembers to load after it.
    let id = app
        .jobs
        .spawn(JobKind::Download, "download web-image", |_| async {
            Ok(JobOutcome {
                summary: "downloaded web-image".into(),
                files: vec![PathBuf::from("/cache/artifacts/web-image.zip")],
                ..Default::default()
            })
        });
    app.load_after.insert(id);
    let event = rx.recv().await.expect("event");
    assert!(matches!(event, JobEvent::Finished { .. }));
    assert_eq!(
        app.apply(Msg::Job(event)),
        vec![
            Effect::Rescan,
            Effect::LoadDownloaded(PathBuf::from("/cache/artifacts/web-image.zip"))
        ]
    );
    assert!(app.load_after.is_empty());

    // The images inside become load jobs, one each, through the usual load path.
    let effects = app.apply(Msg::Loadable(Ok((
        "web-image".into(),
        vec![PathBuf::from("/cache/artifacts/web-image.zip!image.tar")],
    ))));
    assert_eq!(
        effects,
        vec![Effect::Load {
            path: PathBuf::from("/cache/artifacts/web-image.zip!image.tar"),
            label: "load web-image: image.tar".into(),
            tag: None,
        }]
    );
    app.apply(Msg::Loadable(Err(
        "artifact x holds no image haul can load".into(),
    )));
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("no image"))
    );
}

#[tokio::test]
async fn a_failed_download_loads_nothing() {
    let (mut app, mut rx) = app();
    let id = app.jobs.spawn(JobKind::Download, "download x", |_| async {
        Err("x has expired (410 Gone)".into())
    });
    app.load_after.insert(id);
    let event = rx.recv().await.expect("event");
    assert_eq!(app.apply(Msg::Job(event)), vec![]);
    assert!(app.load_after.is_empty());
}

#[test]
fn l_on_an_expired_artifact_explains_and_starts_nothing() {
    let (mut app, _rx) = app();
    app.on_key(key('3'));
    remote(&mut app);
    app.on_key(key('G'));
    assert_eq!(app.selected_remote().map(|a| a.expired), Some(true));
    assert_eq!(app.on_key(key('l')), vec![]);
    let notice = app.notice.clone().expect("a message");
    assert!(notice.text.contains("old-image expired"), "{}", notice.text);
    assert!(app.jobs.is_empty());
    // d does not pretend to delete on GitHub.
    assert_eq!(app.on_key(key('d')), vec![]);
    assert_eq!(app.mode, crate::tui::app::Mode::Normal);
}

#[test]
fn artifacts_pane_with_local_and_remote_rows() {
    let (mut app, _rx) = app();
    app.on_key(key('3'));
    connect(&mut app);
    files(&mut app);
    remote(&mut app);
    app.on_key(key('j'));
    let wide = shot(&mut app, 100, 30);
    let narrow = shot(&mut app, 80, 24);
    assert_snapshot!(format!("{wide}\n{narrow}"));
}

#[test]
fn artifacts_pane_without_a_token() {
    let (mut app, _rx) = app();
    app.on_key(key('3'));
    connect(&mut app);
    files(&mut app);
    app.apply(Msg::Remote(Err(crate::tui::remote::explain(
        crate::artifacts::ArtifactError::NoToken,
    ))));
    assert_snapshot!(shot(&mut app, 100, 30));
}

#[test]
fn an_image_event_looks_at_that_image_and_changes_only_its_rows() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.inspect_selected();
    app.image_info
        .insert(digest(4), LoadState::Failed("not asked again".into()));
    let names =
        |app: &App| -> Vec<String> { app.images.visible().map(|e| e.name().to_string()).collect() };
    assert_eq!(
        names(&app),
        ["app:1.0", "app:latest", "postgres:16", "<none>", "redis:7"]
    );
    let mut touched = crate::daemon::model::Touched::default();
    touched.add(crate::daemon::model::events::touch(
        "tag",
        &digest(1),
        Some("postgres:16"),
    ));
    assert_eq!(
        app.apply(Msg::ImagesTouched(touched.clone())),
        vec![Effect::FollowImages(touched)],
        "the event names image 1: only it is inspected"
    );
    // `postgres:16` moved from image 2 to image 1.
    let tags = ["app:1.0".to_string(), "postgres:16".to_string()];
    let layers = (10..13).map(digest).collect();
    assert_eq!(
        app.apply(Msg::Looked(Ok(vec![looked(&digest(1), &tags, layers)]))),
        vec![Effect::InspectImage(digest(1))],
        "the selected image changed: its details are asked again"
    );
    assert_eq!(
        names(&app),
        ["app:1.0", "postgres:16", "<none>", "<none>", "redis:7"]
    );
    assert!(
        app.image_info.contains_key(&digest(4)),
        "other images keep their details"
    );
    assert_eq!(app.holdings().map(|h| h.len()), Some(5));
    app.apply(Msg::Watch(Err("the event stream broke off".into())));
    let screen = shot(&mut app, 100, 30);
    assert!(
        screen.contains("live updates paused: the event stream broke off"),
        "{screen}"
    );
}
