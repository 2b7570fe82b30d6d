//! Background messages -> state: load states, the scan following files, marks, jobs.

use super::fixtures::*;
use crate::transfer::{JobEvent, JobKind, JobOutcome};
use crate::tui::app::{Effect, Msg};
use crate::tui::state::{LoadState, Stamp};

#[test]
fn every_pane_starts_loading_and_a_missing_daemon_only_fails_its_pane() {
    let (mut app, _rx) = app();
    assert_eq!(
        app.start(),
        vec![Effect::RefreshDaemon, Effect::Rescan, Effect::RefreshRemote]
    );
    assert_eq!(app.images.status, LoadState::Loading);
    assert_eq!(app.tarballs.status, LoadState::Loading);
    app.apply(Msg::Daemon(Err("cannot reach the Docker daemon".into())));
    assert_eq!(
        app.images.status,
        LoadState::Failed("cannot reach the Docker daemon".into())
    );
    files(&mut app);
    assert_eq!(app.tarballs.status, LoadState::Ready(()));
    assert_eq!(app.tarballs.visible_len(), 4);
    assert_eq!(app.artifacts.visible_len(), 1);
}

#[test]
fn the_scan_keeps_reports_of_unchanged_files_and_drops_stale_results() {
    let (mut app, _rx) = app();
    let files = files(&mut app);
    app.apply(Msg::Scanned(Ok(files.clone())));
    assert!(
        matches!(app.tarballs.rows[0].report, LoadState::Ready(_)),
        "unchanged: kept"
    );

    let mut changed = files.clone();
    changed[0].stamp = Stamp {
        size: 1,
        mtime_ns: 2,
    };
    changed.remove(2);
    app.apply(Msg::Scanned(Ok(changed.clone())));
    assert_eq!(
        app.tarballs.rows[0].report,
        LoadState::Loading,
        "changed: inspected again"
    );
    assert_eq!(app.tarballs.visible_len(), 3, "the removed file is gone");

    // A late result for the old version of the file is ignored.
    app.apply(Msg::Inspected {
        file: files[0].clone(),
        result: Err("stale".into()),
    });
    assert_eq!(app.tarballs.rows[0].report, LoadState::Loading);
    app.apply(Msg::Inspected {
        file: changed[0].clone(),
        result: Err("truncated".into()),
    });
    assert_eq!(
        app.tarballs.rows[0].report,
        LoadState::Failed("truncated".into())
    );
}

#[test]
fn selection_survives_a_refresh_by_identity() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key('j'));
    app.on_key(key('j'));
    let mut rows = rows();
    rows.reverse();
    app.apply(listed(rows));
    assert_eq!(app.selected_image().map(|r| r.id.clone()), Some(digest(2)));
}

#[test]
fn loaded_marks_and_layer_counts_compare_with_the_daemon() {
    let (mut app, _rx) = app();
    connect(&mut app);
    files(&mut app);
    let report_of = |i: usize| match &app.tarballs.rows[i].report {
        LoadState::Ready(r) => r.clone(),
        other => panic!("not ready: {other:?}"),
    };
    assert!(app.report_loaded(&report_of(0)), "image 1 is in the daemon");
    let web = report_of(1);
    assert!(!app.report_loaded(&web));
    assert_eq!(app.layers_present(&web.images[0]), Some((1, 62_400_000)));
}

#[test]
fn messages_mark_dirty_and_drawing_clears_it() {
    let (mut app, _rx) = app();
    assert!(app.take_dirty(), "the first frame is drawn");
    assert!(!app.take_dirty(), "nothing changed since");
    app.apply(Msg::Looked(Err("no daemon".into())));
    assert!(app.take_dirty());
}

#[tokio::test]
async fn a_finished_load_refreshes_the_daemon_and_a_failed_one_stays_with_its_reason() {
    let (mut app, mut rx) = app();
    let ok = app.jobs.spawn(JobKind::Load, "load a.tar", |_| async {
        Ok(JobOutcome {
            summary: "loaded a:1".into(),
            ..Default::default()
        })
    });
    let event = rx.recv().await.expect("event");
    assert!(matches!(event, JobEvent::Finished { id, .. } if id == ok));
    assert_eq!(
        app.apply(Msg::Job(event)),
        vec![
            Effect::FollowImages(crate::daemon::model::Touched {
                relist: true,
                ..Default::default()
            }),
            Effect::Rescan
        ],
        "without live events, one listing finds what the load changed"
    );
    assert_eq!(
        app.notice.as_ref().map(|n| n.text.as_str()),
        Some("loaded a:1")
    );

    let bad = app.jobs.spawn(JobKind::Load, "load b.tar", |_| async {
        Err("daemon refused: unsupported format".into())
    });
    let event = rx.recv().await.expect("event");
    assert_eq!(app.apply(Msg::Job(event)), vec![]);
    let snap = app.jobs.snapshot(bad).expect("job");
    assert_eq!(snap.phase.label(), "failed");
    assert!(!app.should_quit(), "a failed job never ends the app");
}
