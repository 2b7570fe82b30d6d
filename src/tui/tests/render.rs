//! Render snapshots on a `TestBackend`: every pane in every state, jobs, overlays, 80x24.

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

fn shot(app: &mut App, jobs: &[JobSnapshot]) -> String {
    draw(app, jobs, 100, 30)
}

#[test]
fn images_loading() {
    let (mut app, _rx) = app();
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn images_failed_without_a_daemon() {
    let (mut app, _rx) = app();
    app.apply(Msg::Daemon(Err(
        "cannot reach the Docker daemon at unix:///var/run/docker.sock: connection refused".into(),
    )));
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn images_empty() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.apply(Msg::Images(Ok(Vec::new())));
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn images_populated_with_details() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.inspect_selected();
    app.apply(Msg::ImageInfo {
        id: digest(1),
        result: Ok(Box::new(info(1, &["app:1.0", "app:latest"]))),
    });
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn images_details_inspecting_and_failed() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.inspect_selected();
    let inspecting = shot(&mut app, &[]);
    app.apply(Msg::ImageInfo {
        id: digest(1),
        result: Err("no such image".into()),
    });
    assert_snapshot!(format!("{inspecting}\n{}", shot(&mut app, &[])));
}

#[test]
fn tarballs_loading() {
    let (mut app, _rx) = app();
    app.on_key(key('2'));
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn tarballs_empty() {
    let (mut app, _rx) = app();
    app.on_key(key('2'));
    app.apply(Msg::Scanned(Ok(Vec::new())));
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn tarballs_failed_scan() {
    let (mut app, _rx) = app();
    app.on_key(key('2'));
    app.apply(Msg::Scanned(Err(
        "the folder scan stopped unexpectedly".into()
    )));
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn tarballs_populated_marks_loaded_and_counts_present_layers() {
    let (mut app, _rx) = app();
    connect(&mut app);
    files(&mut app);
    app.on_key(key('2'));
    app.on_key(key('j'));
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn tarball_that_failed_to_inspect() {
    let (mut app, _rx) = app();
    connect(&mut app);
    files(&mut app);
    app.on_key(key('2'));
    app.on_key(key('G'));
    app.on_key(key('k'));
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn artifacts_empty_and_populated() {
    let (mut app, _rx) = app();
    app.on_key(key('3'));
    app.apply(Msg::Scanned(Ok(Vec::new())));
    let empty = shot(&mut app, &[]);
    connect(&mut app);
    files(&mut app);
    assert_snapshot!(format!("{empty}\n{}", shot(&mut app, &[])));
}

#[test]
fn a_job_in_progress() {
    let (mut app, _rx) = app();
    connect(&mut app);
    files(&mut app);
    app.on_key(key('2'));
    let jobs = [job(
        1,
        "load ci/web-9.tar",
        Phase::Transferring,
        450_000_000,
        1_000_000_000,
    )];
    assert_snapshot!(shot(&mut app, &jobs));
}

#[test]
fn finished_and_failed_jobs() {
    let (mut app, _rx) = app();
    connect(&mut app);
    let jobs = [
        job(
            1,
            "load ci/web-9.tar",
            Phase::Done,
            142_400_000,
            142_400_000,
        ),
        job(
            2,
            "load notes.tar",
            Phase::Failed("not an image archive: no manifest.json or index.json".into()),
            0,
            10_240,
        ),
        job(
            3,
            "save app:1.0 -> /exports/app_1.0.tar",
            Phase::DaemonProcessing,
            0,
            0,
        ),
        job(4, "load big.tar", Phase::Cancelled, 10, 100),
    ];
    assert_snapshot!(shot(&mut app, &jobs));
}

#[test]
fn help_overlay() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key('?'));
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn save_prompt() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key('s'));
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn confirm_delete() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key('d'));
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn filter_in_progress() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key('/'));
    app.on_key(key('r'));
    app.on_key(key('e'));
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn small_terminal_80x24_with_a_job() {
    let (mut app, _rx) = app();
    connect(&mut app);
    files(&mut app);
    app.on_key(key('2'));
    app.on_key(key('j'));
    let jobs = [job(
        1,
        "load ci/web-9.tar",
        Phase::Transferring,
        71_200_000,
        142_400_000,
    )];
    assert_snapshot!(draw(&mut app, &jobs, 80, 24));
}

#[test]
fn help_fits_80x24() {
    let (mut app, _rx) = app();
    app.on_key(key('?'));
    assert_snapshot!(draw(&mut app, &[], 80, 24));
}

#[test]
fn wide_terminal_puts_details_beside_the_list() {
    let (mut app, _rx) = app();
    connect(&mut app);
    files(&mut app);
    app.on_key(key('2'));
    app.on_key(key('j'));
    app.on_key(key('J'));
    app.on_key(code(crossterm::event::KeyCode::Enter));
    let jobs = [job(
        1,
        "load ci/web-9.tar",
        Phase::Transferring,
        71_200_000,
        142_400_000,
    )];
    assert_snapshot!(draw(&mut app, &jobs, 140, 34));
}

#[test]
fn tiny_terminal_does_not_panic() {
    let (mut app, _rx) = app();
    connect(&mut app);
    files(&mut app);
    let jobs = [job(1, "load", Phase::Transferring, 1, 2)];
    for (w, h) in [(1, 1), (10, 5), (40, 10), (80, 8)] {
        for pane in ['1', '2', '3'] {
            app.on_key(key(pane));
            draw(&mut app, &jobs, w, h);
            app.on_key(key('?'));
            draw(&mut app, &jobs, w, h);
            app.on_key(key('?'));
        }
    }
}

#[test]
fn a_long_list_scrolls_with_the_selection() {
    let (mut app, _rx) = app();
    connect(&mut app);
    let many: Vec<_> = (0..300u32)
        .map(|n| crate::daemon::ImageRow {
            id: format!("sha256:{n:064x}"),
            tags: vec![format!("bench/img-{n}:1")],
            created: 1_700_000_000,
            size: 1000 + n as u64,
            layer_count: Some(1),
            dangling: false,
            platforms: Vec::new(),
        })
        .collect();
    app.apply(Msg::Images(Ok(many)));
    app.on_resize(100, 30);
    for _ in 0..150 {
        app.on_key(key('j'));
    }
    let screen = shot(&mut app, &[]);
    assert!(screen.contains("▶bench/img-150:1"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn a_file_with_several_images_switches_with_brackets() {
    let (mut app, _rx) = app();
    connect(&mut app);
    let file = found("two.tar", crate::tui::state::FileKind::Tarball, 300_000_000);
    let mut both = report(&file, info(9, &["web:9"]));
    both.images.push(info(8, &["worker:8"]));
    app.apply(Msg::Scanned(Ok(vec![file.clone()])));
    app.apply(Msg::Inspected {
        file,
        result: Ok(Box::new(both)),
    });
    app.on_key(key('2'));
    let first = shot(&mut app, &[]);
    assert!(
        first.contains("image 1 of 2 in this file ([ ] to switch)"),
        "{first}"
    );
    app.on_key(key(']'));
    assert_eq!(app.detail_image, 1);
    let second = shot(&mut app, &[]);
    assert!(second.contains("worker:8"), "{second}");
    app.on_key(key(']'));
    assert_eq!(app.detail_image, 0, "wraps around");
    app.on_key(key('['));
    assert_snapshot!(shot(&mut app, &[]));
}

#[test]
fn no_color_draws_without_colours_and_colours_otherwise() {
    use ratatui::style::Color;
    let colours = |no_color: bool| -> usize {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let mut config = config();
        config.theme = crate::tui::theme::Theme::new(&Default::default(), no_color);
        let mut app = App::new(config, tx);
        connect(&mut app);
        files(&mut app);
        app.on_key(key('2'));
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
        let jobs = [job(1, "load", Phase::Transferring, 1, 2)];
        terminal
            .draw(|frame| render::draw(frame, &app, &jobs))
            .expect("draw");
        terminal
            .backend()
            .buffer()
            .content
            .iter()
            .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
            .count()
    };
    assert_eq!(colours(true), 0, "NO_COLOR: no colour at all");
    assert!(colours(false) > 0);
}
