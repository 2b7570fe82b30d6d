//! Render snapshots of the daily-driver views at 80x24 and 140x40: nothing important cut
//! (long values wrap or scroll).

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::fixtures::*;
use crate::transfer::{JobSnapshot, Phase};
use crate::tui::app::{App, Msg};
use crate::tui::render;

fn draw(app: &mut App, jobs: &[JobSnapshot], width: u16, height: u16) -> String {
    app.on_resize(width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| render::draw(frame, app, jobs))
        .expect("draw");
    terminal.backend().to_string()
}

/// The same state at 80x24 and at 140x40, one snapshot.
fn both(app: &mut App, jobs: &[JobSnapshot]) -> String {
    let small = draw(app, jobs, 80, 24);
    let large = draw(app, jobs, 140, 40);
    format!("{small}\n{large}")
}

fn inspected(app: &mut App) {
    app.apply(Msg::ImageInfo {
        id: digest(1),
        result: Ok(Box::new(rich_info())),
    });
}

#[test]
fn images_one_row_per_tag_with_every_column() {
    let (mut app, _rx) = app();
    connect(&mut app);
    inspected(&mut app);
    let screen = both(&mut app, &[]);
    let large = screen.split('\n').skip(25).collect::<Vec<_>>().join("\n");
    for column in ["layers", "created", "app:latest"] {
        assert!(
            large.contains(column),
            "140 columns show {column}:\n{large}"
        );
    }
    assert_snapshot!(screen);
}

#[test]
fn full_details_wrap_and_scroll() {
    let (mut app, _rx) = app();
    connect(&mut app);
    inspected(&mut app);
    app.on_key(key('i'));
    let top = both(&mut app, &[]);
    assert!(top.contains("healthcheck"), "{top}");
    let mut bottoms = Vec::new();
    for (width, height) in [(80, 24), (140, 40)] {
        app.on_resize(width, height);
        app.on_key(key('G'));
        bottoms.push(draw(&mut app, &[], width, height));
    }
    let bottom = bottoms.join("\n");
    assert!(
        bottom.contains("sha256:6565"),
        "layer digests whole:\n{bottom}"
    );
    assert_snapshot!(format!("{top}\n{bottom}"));
}

#[tokio::test]
async fn full_details_of_a_tarball_and_of_a_failed_job() {
    let (mut app, mut rx) = app();
    connect(&mut app);
    files(&mut app);
    app.on_key(key('2'));
    app.on_key(key('j'));
    app.on_key(key('i'));
    let file = draw(&mut app, &[], 80, 24);
    assert!(file.contains("/data/images/ci/web-9.tar"), "{file}");
    app.on_key(code(crossterm::event::KeyCode::Esc));
    app.jobs.spawn(
        crate::transfer::JobKind::Load,
        "load notes.tar",
        |_| async {
            Err(
                "not an image archive: no manifest.json or index.json, and a reason long \
                 enough that the jobs line cuts it"
                    .into(),
            )
        },
    );
    let event = rx.recv().await.expect("job event");
    app.apply(Msg::Job(event));
    app.on_key(key('J'));
    app.on_key(key('i'));
    let jobs = app.jobs.snapshots();
    let job = draw(&mut app, &jobs, 80, 24);
    assert!(job.contains("cuts it"), "the error whole:\n{job}");
    assert_snapshot!(format!("{file}\n{job}"));
}

#[test]
fn delete_of_a_multi_tag_image_lists_the_tags() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key('d'));
    assert_snapshot!(both(&mut app, &[]));
}

#[test]
fn save_dialog_shows_the_compression_and_marked_images() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key(' '));
    app.on_key(key('j'));
    app.on_key(key(' '));
    app.on_key(key('s'));
    app.on_key(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Tab,
    ));
    assert_snapshot!(both(&mut app, &[]));
}

#[test]
fn copy_menu_and_sorted_marked_list() {
    let (mut app, _rx) = app();
    connect(&mut app);
    inspected(&mut app);
    app.on_key(key('o'));
    app.on_key(key('v'));
    app.on_key(key('y'));
    assert_snapshot!(both(&mut app, &[]));
}

#[test]
fn disk_pane() {
    let (mut app, _rx) = app();
    connect(&mut app);
    files(&mut app);
    app.on_key(key('4'));
    let (daemon, cache) = disk_items();
    app.apply(Msg::DiskUse {
        daemon: Ok(daemon),
        cache,
    });
    assert_snapshot!(both(&mut app, &[]));
}

#[test]
fn honest_progress_daemon_preparing_then_processing() {
    let (mut app, _rx) = app();
    connect(&mut app);
    let mut preparing = job(
        1,
        "save app:1.0 -> /exports/app_1.0.tar",
        Phase::DaemonPreparing,
        0,
        970_000_000,
    );
    preparing.kind = crate::transfer::JobKind::Save;
    let mut processing = job(
        2,
        "load ci/web-9.tar",
        Phase::DaemonProcessing,
        142_400_000,
        142_400_000,
    );
    processing.message = Some("Loading layer 9f8e7d6c5b4a 12.5 MB / 30 MB".into());
    let jobs = [preparing, processing];
    let screen = both(&mut app, &jobs);
    assert!(screen.contains("daemon preparing 12s"), "{screen}");
    assert!(
        !screen.contains("B/s"),
        "no rate while nothing flows:\n{screen}"
    );
    assert!(!screen.contains("MiB"), "one unit system:\n{screen}");
    assert_snapshot!(screen);
}

#[test]
fn help_lists_every_key_and_fits_80x24() {
    let (mut app, _rx) = app();
    app.on_key(key('?'));
    let small = draw(&mut app, &[], 80, 24);
    for key in [
        "space",
        "mark all",
        "sort",
        "copy",
        "untag",
        "load under a new name",
        "Disk",
    ] {
        assert!(small.contains(key), "help lists {key}:\n{small}");
    }
    assert_snapshot!(small);
}
