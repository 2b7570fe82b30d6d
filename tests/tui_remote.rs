//! The TUI's remote artifact source against the fake GitHub API on 127.0.0.1, with
//! `GITHUB_API_URL` pointed at it: the rows the Artifacts pane gets, and the download a
//! remote row's `l` starts, down to the image paths the loads take.

mod common;

use common::fake_github::{FakeGitHub, TOKEN};
use haul::transfer::JobEvent;
use haul::tui::app::{App, Msg, PaneId};
use haul::tui::remote::RemoteSource;
use haul::tui::{Config, Effect};

#[tokio::test]
async fn the_pane_lists_remote_artifacts_and_l_downloads_one() {
    let fake = FakeGitHub::start();
    let work = tempfile::tempdir().expect("tempdir");
    // The only test in this binary: nothing else reads the environment meanwhile.
    unsafe {
        std::env::set_var("GITHUB_API_URL", &fake.api.base);
        std::env::remove_var("GH_TOKEN");
        std::env::set_var("GITHUB_TOKEN", "wrong");
    }
    let source = RemoteSource::new(Some("o/r".into()), work.path().to_path_buf());
    let (tx, mut job_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut app = App::new(Config::defaults(work.path(), true), tx);
    app.act(haul::tui::Action::ArtifactsPane);

    // A bad token is a line in the pane, not a crash.
    app.apply(Msg::Remote(source.list().await));
    let (line, failed) = app.remote_line();
    assert!(failed && line.contains("rejected the token"), "{line}");
    assert_eq!(app.artifacts.visible_len(), 0);

    unsafe { std::env::set_var("GH_TOKEN", TOKEN) };
    app.apply(Msg::Scanned(Ok(Vec::new())));
    app.apply(Msg::Remote(source.list().await));
    let names: Vec<(u64, String, bool)> = app
        .artifacts
        .visible()
        .filter_map(|r| r.remote())
        .map(|a| (a.id, a.name.clone(), a.expired))
        .collect();
    assert_eq!(names.len(), 7, "every page followed: {names:?}");
    assert!(names.contains(&(3, "old".into(), true)));
    assert_eq!(
        app.remote_line(),
        ("remote: 7 artifacts of o/r".into(), false)
    );
    assert!(
        fake.api
            .requests()
            .iter()
            .all(|r| r.path().starts_with("/repos/o/r/"))
    );

    // Select artifact 1 ("image", a zip holding a docker-archive) and press l.
    while app.selected_remote().map(|a| a.id) != Some(1) {
        app.act(haul::tui::Action::Down);
    }
    assert_eq!(app.pane, PaneId::Artifacts);
    let effects = app.act(haul::tui::Action::Load);
    let [Effect::Download(artifact)] = &effects[..] else {
        panic!("expected one download, got {effects:?}");
    };
    // What the worker does with it: a download job on the source's client.
    let client = source.client().expect("the listing's client");
    let dest = work.path().join("cache");
    let id = haul::artifacts::start_download(&mut app.jobs, client, (**artifact).clone(), dest);
    app.load_after.insert(id);
    let effects = loop {
        let event = job_rx.recv().await.expect("job event");
        let last = matches!(event, JobEvent::Finished { .. });
        let effects = app.apply(Msg::Job(event));
        if last {
            break effects;
        }
    };
    let path = match &effects[..] {
        [Effect::Rescan, Effect::LoadDownloaded(path)] => path.clone(),
        other => panic!("expected a rescan and a load, got {other:?}"),
    };
    assert_eq!(path, work.path().join("cache/image.zip"));
    let (artifact, paths) = haul::artifacts::images_to_load(&path).expect("images");
    assert_eq!(artifact.name, "image");
    let loads = app.apply(Msg::Loadable(Ok((artifact.name, paths))));
    assert_eq!(
        loads,
        vec![Effect::Load {
            path: format!("{}!image.tar", path.display()).into(),
            label: "load image: image.tar".into(),
            tag: None,
        }]
    );
}
