//! Render snapshots of the files view and the comparison, at 80x24 and 140x40. The test theme
//! has no colours: the marks (`+ ~ -`) carry the change kinds alone.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crossterm::event::KeyCode;
use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::files_fixtures::*;
use super::fixtures::*;
use crate::tui::app::{App, Effect, Mode, Msg};
use crate::tui::contents::{Compared, ContentsEffect, ContentsMsg, Failure};
use crate::tui::render;

fn draw(app: &mut App, width: u16, height: u16) -> String {
    app.on_resize(width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|frame| render::draw(frame, app, &[]))
        .expect("draw");
    terminal.backend().to_string()
}

/// The screen at 80x24, then at 140x40.
fn both(app: &mut App) -> String {
    let small = draw(app, 80, 24);
    let big = draw(app, 140, 40);
    format!("{small}\n{big}")
}

fn ready_app() -> App {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.inspect_selected();
    app.apply(Msg::ImageInfo {
        id: digest(1),
        result: Ok(Box::new(info(1, &["app:1.0", "app:latest"]))),
    });
    app
}

fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        app.on_key(key(c));
    }
}

#[test]
fn files_progress_while_reading() {
    let mut app = ready_app();
    let (_, run) = analyse_of(&app.on_key(key('f')));
    run.control.total.store(182_400_000, Ordering::Relaxed);
    run.control.read.store(45_600_000, Ordering::Relaxed);
    assert_snapshot!(both(&mut app));
}

#[test]
fn files_error() {
    let mut app = ready_app();
    let (target, run) = analyse_of(&app.on_key(key('f')));
    app.apply(Msg::Contents(ContentsMsg::Analysed {
        ticket: run.ticket,
        target,
        result: Err(Failure::Failed(
            "docker://app:1.0: layer 2/layer.tar: corrupt gzip stream".into(),
        )),
    }));
    assert_snapshot!(both(&mut app));
}

#[test]
fn files_final_tree() {
    let mut app = ready_app();
    open_ready(&mut app);
    keys(&mut app, "j ");
    keys(&mut app, "jjjjjj ");
    assert_snapshot!(both(&mut app));
}

#[test]
fn files_layer_changes() {
    let mut app = ready_app();
    app.on_key(code(KeyCode::Enter));
    keys(&mut app, "jj");
    open_ready(&mut app);
    assert_snapshot!(both(&mut app));
}

#[test]
fn files_filter_modified_and_search() {
    let mut app = ready_app();
    open_ready(&mut app);
    keys(&mut app, "+cc");
    let filtered = both(&mut app);
    keys(&mut app, "cc/bin");
    assert_snapshot!(format!("{filtered}\n{}", both(&mut app)));
}

#[test]
fn files_waste_summary() {
    let mut app = ready_app();
    open_ready(&mut app);
    keys(&mut app, "wj");
    assert_snapshot!(both(&mut app));
}

#[test]
fn files_preview_text_binary_and_reading() {
    let mut app = ready_app();
    open_ready(&mut app);
    keys(&mut app, "jj j");
    assert_eq!(
        browser_path(&app),
        "/srv/config.yaml",
        "the file to preview"
    );
    let effects = app.on_key(key('p'));
    let run = match effects.as_slice() {
        [Effect::Contents(e)] => match e.as_ref() {
            ContentsEffect::Preview { run, .. } => run.clone(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    run.control.total.store(2_400_000, Ordering::Relaxed);
    run.control.read.store(600_000, Ordering::Relaxed);
    let reading = draw(&mut app, 140, 40);
    let config = "listen: 8080\nlog:\n\tlevel: info\nname: app\n";
    app.apply(Msg::Contents(ContentsMsg::Previewed {
        ticket: run.ticket,
        result: Ok(peek("srv/config.yaml", config.as_bytes(), 41)),
    }));
    let text = both(&mut app);
    app.on_key(code(KeyCode::Esc));
    keys(&mut app, "g j");
    let effects = app.on_key(key('p'));
    let Some(Effect::Contents(e)) = effects.first() else {
        panic!("no preview");
    };
    let ContentsEffect::Preview { run, .. } = e.as_ref() else {
        panic!("no preview");
    };
    app.apply(Msg::Contents(ContentsMsg::Previewed {
        ticket: run.ticket,
        result: Ok(peek("bin/busybox", b"\x7fELF\0\x01\x02\x03", 8)),
    }));
    let binary = draw(&mut app, 80, 24);
    assert_snapshot!(format!("{reading}\n{text}\n{binary}"));
}

fn browser_path(app: &App) -> String {
    match &app.mode {
        Mode::Files(v) => v
            .browser()
            .and_then(|b| b.selected_path())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

#[test]
fn files_extract_prompt_and_keys() {
    let mut app = ready_app();
    open_ready(&mut app);
    keys(&mut app, "je");
    let prompt = both(&mut app);
    app.on_key(code(KeyCode::Enter));
    let submitted = draw(&mut app, 80, 24);
    app.on_key(key('?'));
    assert_snapshot!(format!("{prompt}\n{submitted}\n{}", both(&mut app)));
}

#[test]
fn diff_view() {
    let mut app = ready_app();
    app.on_key(key('m'));
    keys(&mut app, "jj");
    let marked = draw(&mut app, 80, 24);
    let effects = app.on_key(key('D'));
    let Some(Effect::Contents(e)) = effects.first() else {
        panic!("no comparison");
    };
    let ContentsEffect::Diff { ticket, a, b } = e.as_ref().clone() else {
        panic!("no comparison");
    };
    a.2.control.total.store(182_400_000, Ordering::Relaxed);
    a.2.control.read.store(182_400_000, Ordering::Relaxed);
    b.2.control.total.store(431_000_000, Ordering::Relaxed);
    b.2.control.read.store(43_100_000, Ordering::Relaxed);
    let reading = draw(&mut app, 80, 24);
    let compared = Compared {
        a: analysis(),
        b: analysis_b(),
        diff: Arc::new(crate::archive::contents::diff(&analysis(), &analysis_b())),
    };
    app.apply(Msg::Contents(ContentsMsg::Compared {
        ticket,
        targets: (a.0, b.0),
        result: Ok(compared),
    }));
    assert_snapshot!(format!("{marked}\n{reading}\n{}", both(&mut app)));
}
