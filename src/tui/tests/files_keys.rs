//! The files view and the comparison, key -> state: every key they add.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::files_fixtures::*;
use super::fixtures::*;
use crate::archive::contents::ChangeKind;
use crate::tui::app::{App, Effect, Focus, Mode, Msg};
use crate::tui::contents::tree::Order;
use crate::tui::contents::view::{Browser, FilesView, Panel, PreviewStage, Stage};
use crate::tui::contents::{ContentsEffect, ContentsMsg, Failure, Target};

fn view(app: &App) -> &FilesView {
    match &app.mode {
        Mode::Files(view) => view,
        other => panic!("not the files view: {other:?}"),
    }
}

pub fn browser(app: &App) -> &Browser {
    view(app).browser().expect("the tree is read")
}

fn selected(app: &App) -> String {
    browser(app).selected_path().expect("a row")
}

fn shown(app: &App) -> Vec<String> {
    let b = browser(app);
    b.rows
        .iter()
        .map(|r| b.tree.node(*r).path.clone())
        .collect()
}

pub fn ready_app() -> App {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.inspect_selected();
    app.apply(Msg::ImageInfo {
        id: digest(1),
        result: Ok(Box::new(info(1, &["app:1.0", "app:latest"]))),
    });
    app
}

pub fn contents(effects: &[Effect]) -> &ContentsEffect {
    match effects {
        [Effect::Contents(e)] => e,
        other => panic!("expected one contents effect, got {other:?}"),
    }
}

#[test]
fn f_reads_the_selected_daemon_image_and_esc_cancels() {
    let mut app = ready_app();
    let effects = app.on_key(key('f'));
    let (target, run) = analyse_of(&effects);
    assert_eq!(
        target,
        Target::Daemon {
            id: digest(1),
            name: "app:1.0".into()
        }
    );
    assert!(matches!(view(&app).stage, Stage::Reading(_)));
    assert!(app.needs_tick(), "the progress is sampled while reading");
    app.on_key(key('j'));
    assert!(!run.control.is_cancelled(), "other keys wait");
    app.on_key(code(KeyCode::Esc));
    assert!(
        run.control.is_cancelled(),
        "the engine's cancel flag is set"
    );
    assert_eq!(app.mode, Mode::Normal);
    assert!(!app.needs_tick());
    // The cancelled analysis ends later: nothing reopens.
    app.apply(Msg::Contents(ContentsMsg::Analysed {
        ticket: run.ticket,
        target,
        result: Err(Failure::Cancelled),
    }));
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn the_result_opens_the_tree_and_a_second_f_is_instant() {
    let mut app = ready_app();
    open_ready(&mut app);
    assert_eq!(view(&app).layer, None);
    assert_eq!(shown(&app), ["bin", "etc", "srv", "tmp", "usr", "var"]);
    app.on_key(key('q'));
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.on_key(key('f')), vec![], "kept in memory: no reading");
    assert!(browser(&app).rows.len() > 1);
}

#[test]
fn a_stale_or_failed_result() {
    let mut app = ready_app();
    let (target, run) = analyse_of(&app.on_key(key('f')));
    app.apply(Msg::Contents(ContentsMsg::Analysed {
        ticket: run.ticket + 7,
        target: target.clone(),
        result: Ok(analysis()),
    }));
    assert!(
        matches!(view(&app).stage, Stage::Reading(_)),
        "not its ticket"
    );
    app.apply(Msg::Contents(ContentsMsg::Analysed {
        ticket: run.ticket,
        target,
        result: Err(Failure::Failed("layer 2: corrupt gzip".into())),
    }));
    assert_eq!(
        view(&app).stage,
        Stage::Failed("layer 2: corrupt gzip".into())
    );
    app.on_key(code(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn f_on_a_layer_of_the_details_shows_its_changes_and_brackets_switch_layers() {
    let mut app = ready_app();
    app.on_key(code(KeyCode::Enter));
    app.on_key(key('j'));
    assert_eq!((app.focus, app.detail_scroll), (Focus::Details, 1));
    open_ready(&mut app);
    assert_eq!(view(&app).layer, Some(1));
    assert_eq!(
        shown(&app),
        [
            "tmp",
            "tmp/cache.bin",
            "usr",
            "usr/bin",
            "usr/bin/curl",
            "var",
            "var/lib",
            "var/lib/apt",
            "var/lib/apt/lists",
            "var/lib/apt/lists/index"
        ],
        "a layer's few changes show with their folders open"
    );
    app.on_key(key('o'));
    app.on_key(key(']'));
    assert_eq!(view(&app).layer, Some(2));
    assert_eq!(browser(&app).order, Order::Size, "the order stays");
    app.on_key(key(']'));
    assert_eq!(
        view(&app).layer,
        None,
        "after the last layer: the final tree"
    );
    app.on_key(key(']'));
    assert_eq!(view(&app).layer, Some(0));
    app.on_key(key('['));
    assert_eq!(
        view(&app).layer,
        None,
        "before the first layer: the final tree"
    );
    app.on_key(key('['));
    assert_eq!(view(&app).layer, Some(2));
}

#[test]
fn folders_open_and_close() {
    let mut app = ready_app();
    open_ready(&mut app);
    app.on_key(key('j'));
    assert_eq!(selected(&app), "/etc");
    app.on_key(code(KeyCode::Enter));
    assert_eq!(shown(&app)[1..4], ["etc", "etc/motd", "etc/os-release"]);
    app.on_key(key('j'));
    app.on_key(key('h'));
    assert_eq!(selected(&app), "/etc", "h on a file goes to its folder");
    app.on_key(code(KeyCode::Left));
    assert_eq!(shown(&app).len(), 6, "h on an open folder closes it");
    app.on_key(code(KeyCode::Right));
    assert_eq!(shown(&app).len(), 8);
    app.on_key(key(' '));
    assert_eq!(shown(&app).len(), 6, "space toggles");
    app.on_key(key('+'));
    assert!(shown(&app).contains(&"usr/local/bin/app".to_string()));
    app.on_key(key('-'));
    assert_eq!(shown(&app).len(), 6);
}

#[test]
fn change_filter_order_and_search() {
    let mut app = ready_app();
    open_ready(&mut app);
    app.on_key(key('+'));
    app.on_key(key('c'));
    assert_eq!(browser(&app).filter, Some(ChangeKind::Added));
    app.on_key(key('c'));
    assert_eq!(browser(&app).filter, Some(ChangeKind::Modified));
    assert_eq!(shown(&app), ["etc", "etc/motd"], "the chmod copy-up");
    app.on_key(key('c'));
    app.on_key(key('c'));
    assert_eq!(browser(&app).filter, None);
    app.on_key(key('-'));
    app.on_key(key('o'));
    assert_eq!(browser(&app).order, Order::Size);
    assert_eq!(shown(&app)[0], "usr", "the biggest folder first");
    app.on_key(key('o'));
    app.on_key(key('/'));
    assert_eq!(browser(&app).panel, Panel::Search);
    for c in "conf".chars() {
        app.on_key(key(c));
    }
    assert_eq!(
        shown(&app),
        ["srv", "srv/config.yaml"],
        "opened by the search"
    );
    app.on_key(code(KeyCode::Enter));
    assert_eq!(
        (browser(&app).panel.clone(), browser(&app).search.as_str()),
        (Panel::Tree, "conf")
    );
    app.on_key(code(KeyCode::Esc));
    assert_eq!(browser(&app).search, "", "esc clears the search first");
    assert!(matches!(app.mode, Mode::Files(_)));
    app.on_key(key('/'));
    app.on_key(key('x'));
    app.on_key(code(KeyCode::Esc));
    assert_eq!(
        (browser(&app).panel.clone(), browser(&app).search.as_str()),
        (Panel::Tree, "")
    );
}

#[test]
fn y_copies_the_path_and_question_mark_shows_the_view_keys() {
    let mut app = ready_app();
    open_ready(&mut app);
    app.on_key(key('j'));
    assert_eq!(app.on_key(key('y')), vec![Effect::Copy("/etc".into())]);
    app.on_key(key('?'));
    assert_eq!(browser(&app).panel, Panel::Help);
    app.on_key(key('x'));
    assert_eq!(browser(&app).panel, Panel::Tree);
}

#[test]
fn the_waste_summary_jumps_to_the_wasted_paths() {
    let mut app = ready_app();
    open_ready(&mut app);
    app.on_key(key('w'));
    assert!(matches!(browser(&app).panel, Panel::Waste(_)));
    let paths: Vec<String> = browser(&app)
        .analysis()
        .waste
        .paths
        .iter()
        .map(|p| p.path.clone())
        .collect();
    assert_eq!(
        paths,
        ["var/lib/apt/lists/index", "tmp/cache.bin", "etc/motd"]
    );
    // Removed later: shown in the layer that wrote it.
    app.on_key(code(KeyCode::Enter));
    assert_eq!(view(&app).layer, Some(1));
    assert_eq!(selected(&app), "/var/lib/apt/lists/index");
    assert_eq!(browser(&app).panel, Panel::Tree);
    // Overwritten: shown in the final tree.
    app.on_key(key('w'));
    app.on_key(key('j'));
    app.on_key(key('j'));
    app.on_key(code(KeyCode::Enter));
    assert_eq!(view(&app).layer, None);
    assert_eq!(selected(&app), "/etc/motd");
    app.on_key(key('w'));
    app.on_key(key('w'));
    assert_eq!(browser(&app).panel, Panel::Tree, "w again closes it");
}

#[test]
fn p_previews_a_file_and_only_files() {
    let mut app = ready_app();
    open_ready(&mut app);
    app.on_key(key('j'));
    assert_eq!(app.on_key(key('p')), vec![], "a folder: nothing to read");
    assert!(
        matches!(&browser(&app).panel, Panel::Preview(p) if p.stage == PreviewStage::Note("a folder".into()))
    );
    app.on_key(code(KeyCode::Esc));
    app.on_key(code(KeyCode::Enter));
    app.on_key(key('j'));
    assert_eq!(selected(&app), "/etc/motd");
    let effects = app.on_key(code(KeyCode::Enter));
    let run = match contents(&effects) {
        ContentsEffect::Preview {
            path, layer, run, ..
        } => {
            assert_eq!((path.as_str(), *layer), ("etc/motd", None));
            run.clone()
        }
        other => panic!("{other:?}"),
    };
    assert!(app.needs_tick());
    app.apply(Msg::Contents(ContentsMsg::Previewed {
        ticket: run.ticket,
        result: Ok(peek("etc/motd", "line\n".repeat(100).as_bytes(), 500)),
    }));
    assert!(
        matches!(&browser(&app).panel, Panel::Preview(p) if matches!(p.stage, PreviewStage::Ready(_)))
    );
    app.on_key(key('j'));
    assert!(matches!(&browser(&app).panel, Panel::Preview(p) if p.scroll == 1));
    app.on_key(key('G'));
    let last = 100 - crate::tui::contents::layout::panel_rows(app.size);
    assert!(
        matches!(&browser(&app).panel, Panel::Preview(p) if p.scroll == last),
        "not past the end"
    );
    app.on_key(key('p'));
    assert_eq!(browser(&app).panel, Panel::Tree);
}

#[test]
fn e_asks_for_a_folder_then_extracts_as_a_job() {
    let mut app = ready_app();
    open_ready(&mut app);
    app.on_key(key('j'));
    app.on_key(key('e'));
    match &browser(&app).panel {
        Panel::Extract { path, input } => {
            assert_eq!(path, "/etc");
            assert_eq!(input, "/exports/app-1.0-files");
        }
        other => panic!("{other:?}"),
    }
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    for c in "/tmp/out".chars() {
        app.on_key(key(c));
    }
    let effects = app.on_key(code(KeyCode::Enter));
    match contents(&effects) {
        ContentsEffect::Extract {
            path,
            layer,
            out_dir,
            ..
        } => {
            assert_eq!((path.as_str(), *layer), ("/etc", None));
            assert_eq!(out_dir, &std::path::PathBuf::from("/tmp/out"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(browser(&app).panel, Panel::Tree);
    app.on_key(key('e'));
    assert_eq!(app.on_key(code(KeyCode::Esc)), vec![]);
    assert_eq!(browser(&app).panel, Panel::Tree, "esc: nothing extracted");
}

#[test]
fn the_wheel_moves_the_selection() {
    use crossterm::event::{MouseEvent, MouseEventKind};
    let mut app = ready_app();
    open_ready(&mut app);
    let wheel = |kind| MouseEvent {
        kind,
        column: 10,
        row: 10,
        modifiers: KeyModifiers::NONE,
    };
    app.on_mouse(wheel(MouseEventKind::ScrollDown));
    assert_eq!(selected(&app), "/tmp", "three rows down");
    app.on_mouse(wheel(MouseEventKind::ScrollUp));
    assert_eq!(selected(&app), "/bin");
}
