//! The comparison (`m`, `D`), `f` on files, and the view keys in the config.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::files_fixtures::*;
use super::files_keys::{browser, contents, ready_app};
use super::fixtures::*;
use crate::archive::contents::ChangeKind;
use crate::tui::app::{App, Mode, Msg, PaneId};
use crate::tui::contents::diff_view::{DiffPanel, DiffStage};
use crate::tui::contents::view::Panel;
use crate::tui::contents::{ContentsEffect, ContentsMsg, Target};

#[test]
fn f_on_files_and_where_it_cannot() {
    let (mut app, _rx) = app();
    let found = files(&mut app);
    app.on_key(key('2'));
    let (target, _) = analyse_of(&app.on_key(key('f')));
    assert_eq!(
        target,
        Target::File {
            path: found[0].path.clone(),
            image: digest(1),
            name: "app:1.0".into()
        }
    );
    app.on_key(code(KeyCode::Esc));
    app.on_key(key('j'));
    app.on_key(key('j'));
    assert_eq!(app.on_key(key('f')), vec![]);
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("cannot read notes.tar")
    );
    assert_eq!(app.mode, Mode::Normal);
    app.on_key(key('1'));
    assert_eq!(app.on_key(key('f')), vec![], "no daemon image listed");
    assert_eq!(app.pane, PaneId::Images);
}

#[test]
fn m_marks_and_d_compares() {
    let mut app = ready_app();
    assert_eq!(app.on_key(key('D')), vec![]);
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("mark an image with m")
    );
    app.on_key(key('m'));
    assert!(app.notice.as_ref().unwrap().text.contains("app:1.0 marked"));
    assert_eq!(app.on_key(key('D')), vec![], "the marked image itself");
    app.on_key(key('j'));
    app.on_key(key('j'));
    let effects = app.on_key(key('D'));
    let ticket = match contents(&effects) {
        ContentsEffect::Diff { ticket, a, b } => {
            assert_eq!(a.0.name(), "app:1.0");
            assert_eq!(b.0.name(), "postgres:16");
            *ticket
        }
        other => panic!("{other:?}"),
    };
    let (a, b) = match &app.mode {
        Mode::Diff(v) => (v.a.clone(), v.b.clone()),
        other => panic!("{other:?}"),
    };
    let compared = crate::tui::contents::Compared {
        a: analysis(),
        b: analysis_b(),
        diff: std::sync::Arc::new(crate::archive::contents::diff(&analysis(), &analysis_b())),
    };
    app.apply(Msg::Contents(ContentsMsg::Compared {
        ticket,
        targets: (a.clone(), b),
        result: Ok(compared),
    }));
    let rows = |app: &App| match &app.mode {
        Mode::Diff(v) => match &v.stage {
            DiffStage::Ready(b) => (b.rows.len(), b.panel, b.filter),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    let all = rows(&app).0;
    assert_eq!(all, 5, "2 added, 1 modified, 2 removed");
    app.on_key(key('c'));
    assert_eq!(rows(&app).2, Some(ChangeKind::Added));
    assert_eq!(rows(&app).0, 2, "srv/extra.conf and the apt index");
    app.on_key(key('c'));
    app.on_key(key('c'));
    app.on_key(key('c'));
    app.on_key(key('/'));
    app.on_key(key('m'));
    app.on_key(key('o'));
    assert_eq!(rows(&app).1, DiffPanel::Search);
    assert_eq!(rows(&app).0, 1, "/etc/motd");
    app.on_key(code(KeyCode::Enter));
    app.on_key(key('o'));
    app.on_key(key('?'));
    assert_eq!(rows(&app).1, DiffPanel::Help);
    app.on_key(key('?'));
    app.on_key(code(KeyCode::Esc));
    app.on_key(code(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);
    // Both analyses are kept: comparing again reads nothing.
    assert!(app.contents.kept(&a).is_some());
}

#[test]
fn esc_cancels_a_comparison() {
    let mut app = ready_app();
    app.on_key(key('m'));
    app.on_key(key('j'));
    app.on_key(key('j'));
    let effects = app.on_key(key('D'));
    let ContentsEffect::Diff { a, b, .. } = contents(&effects).clone() else {
        panic!("not a comparison");
    };
    app.on_key(code(KeyCode::Esc));
    assert!(a.2.control.is_cancelled() && b.2.control.is_cancelled());
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn view_keys_can_be_overridden_in_the_config() {
    let config = crate::tui::config::Config::parse(
        "scan_defaults = false\n[files_keys]\npreview = \"v\"\nwaste = [\"W\"]\n",
        std::path::Path::new("/cfg/config.toml"),
        std::path::Path::new("/"),
        true,
    )
    .expect("config");
    let (mut app, _rx) = app();
    app.config = config;
    connect(&mut app);
    open_ready(&mut app);
    app.on_key(key('w'));
    assert_eq!(
        browser(&app).panel,
        Panel::Tree,
        "w is no longer the waste key"
    );
    app.on_key(KeyEvent::new(KeyCode::Char('W'), KeyModifiers::SHIFT));
    assert!(matches!(browser(&app).panel, Panel::Waste(_)));
    let err = crate::tui::config::Config::parse(
        "[files_keys]\npreveiw = \"v\"\n",
        std::path::Path::new("/cfg/config.toml"),
        std::path::Path::new("/"),
        true,
    )
    .expect_err("unknown view action");
    assert!(
        err.to_string()
            .contains("line 2, column 1: unknown action `preveiw`"),
        "{err}"
    );
}
