//! Key (and mouse) -> action -> state, without a terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::fixtures::*;
use crate::transfer::SaveCompression;
use crate::tui::app::{Effect, Focus, Mode, PaneId};
use crate::tui::dialogs::{Confirm, SaveDialog};
use crate::tui::state::LoadState;

#[test]
fn j_k_g_and_pages_move_the_selection() {
    let (mut app, _rx) = app();
    connect(&mut app);
    assert_eq!(app.images.cursor.selected, 0);
    app.on_key(key('j'));
    app.on_key(code(KeyCode::Down));
    // One row per tag: app:1.0, app:latest, postgres:16, <none>, redis:7.
    assert_eq!(app.selected_image().map(|r| r.id.clone()), Some(digest(2)));
    app.on_key(key('k'));
    assert_eq!(app.images.cursor.selected, 1);
    app.on_key(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT));
    assert_eq!(app.images.cursor.selected, 4);
    app.on_key(key('g'));
    assert_eq!(app.images.cursor.selected, 0);
    app.on_key(code(KeyCode::PageDown));
    assert_eq!(
        app.images.cursor.selected, 4,
        "a page is longer than the list"
    );
    app.on_key(code(KeyCode::PageUp));
    assert_eq!(app.images.cursor.selected, 0);
}

#[test]
fn moving_onto_an_image_asks_for_its_details_once() {
    let (mut app, _rx) = app();
    connect(&mut app);
    assert_eq!(
        app.on_key(key('j')),
        vec![],
        "app:latest: the same image as app:1.0"
    );
    assert_eq!(app.on_key(key('j')), vec![Effect::InspectImage(digest(2))]);
    app.on_key(key('k'));
    assert_eq!(app.on_key(key('j')), vec![], "already asked");
}

#[test]
fn tab_shift_tab_and_digits_switch_panes() {
    let (mut app, _rx) = app();
    app.on_key(code(KeyCode::Tab));
    assert_eq!(app.pane, PaneId::Tarballs);
    app.on_key(code(KeyCode::Tab));
    assert_eq!(app.pane, PaneId::Artifacts);
    assert_eq!(
        app.on_key(code(KeyCode::Tab)),
        vec![Effect::DiskUse],
        "the Disk pane lists what takes space when first shown"
    );
    assert_eq!(app.pane, PaneId::Disk);
    app.on_key(code(KeyCode::Tab));
    assert_eq!(app.pane, PaneId::Images);
    app.on_key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
    assert_eq!(app.pane, PaneId::Disk);
    app.on_key(key('3'));
    assert_eq!(app.pane, PaneId::Artifacts);
    app.on_key(key('2'));
    assert_eq!(app.pane, PaneId::Tarballs);
    app.on_key(key('1'));
    assert_eq!(app.pane, PaneId::Images);
}

#[test]
fn enter_focuses_details_and_escape_comes_back() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.inspect_selected();
    app.apply(crate::tui::app::Msg::ImageInfo {
        id: digest(1),
        result: Ok(Box::new(info(1, &["app:1.0"]))),
    });
    app.on_key(code(KeyCode::Enter));
    assert_eq!(app.focus, Focus::Details);
    app.on_key(key('j'));
    assert_eq!(app.detail_scroll, 1);
    app.on_key(key('G'));
    assert_eq!(app.detail_scroll, 2, "clamped to the last of 3 layers");
    assert_eq!(
        app.images.cursor.selected, 0,
        "j scrolls the layers, not the list"
    );
    app.on_key(code(KeyCode::Esc));
    assert_eq!(app.focus, Focus::List);
}

#[test]
fn slash_filters_and_escape_clears() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key('/'));
    assert_eq!(app.mode, Mode::Filter);
    for c in "POST".chars() {
        app.on_key(key(c));
    }
    assert_eq!(app.images.visible_len(), 1);
    assert_eq!(
        app.selected_image().map(|r| r.tags[0].clone()),
        Some("postgres:16".into())
    );
    app.on_key(code(KeyCode::Enter));
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.images.filter, "POST", "the filter stays after enter");
    app.on_key(key('q'));
    assert!(app.should_quit(), "q quits again in normal mode");

    let (mut app, _rx) = self::app();
    connect(&mut app);
    app.on_key(key('/'));
    app.on_key(key('z'));
    assert_eq!(app.images.visible_len(), 0);
    app.on_key(key('q'));
    assert!(!app.should_quit(), "q is text while filtering");
    app.on_key(code(KeyCode::Esc));
    assert_eq!(app.images.visible_len(), 5);
}

#[test]
fn l_loads_the_selected_tarball_with_one_key() {
    let (mut app, _rx) = app();
    connect(&mut app);
    let files = files(&mut app);
    assert_eq!(
        app.on_key(key('l')),
        vec![],
        "nothing to load in the Images pane"
    );
    assert!(app.notice.is_some());
    app.on_key(key('2'));
    app.on_key(key('j'));
    assert_eq!(
        app.on_key(key('l')),
        vec![Effect::Load {
            path: files[1].path.clone(),
            label: "load ci/web-9.tar".into(),
            tag: None,
        }]
    );
    assert_eq!(app.mode, Mode::Normal, "no dialog");
}

#[test]
fn s_opens_an_editable_save_prompt_that_asks_before_creating_a_folder() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key('s'));
    assert_eq!(
        app.mode,
        Mode::Save(SaveDialog::new(
            vec!["app:1.0".into()],
            "/exports/app_1.0.tar".into()
        ))
    );
    for _ in 0..4 {
        app.on_key(code(KeyCode::Backspace));
    }
    for c in ".tgz".chars() {
        app.on_key(key(c));
    }
    // /exports does not exist: never created without a yes.
    assert_eq!(app.on_key(code(KeyCode::Enter)), vec![]);
    let Mode::Confirm(Confirm::Save { request, problem }) = app.mode.clone() else {
        panic!("expected a confirmation, got {:?}", app.mode);
    };
    assert!(problem.contains("/exports does not exist"), "{problem}");
    assert_eq!(request.compression, SaveCompression::Gzip, "from the name");
    assert!(request.force, "the yes is the confirmation");
    assert_eq!(app.on_key(key('y')), vec![Effect::Save(request)]);
    assert_eq!(app.mode, Mode::Normal);

    app.on_key(key('s'));
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    assert_eq!(
        app.on_key(code(KeyCode::Enter)),
        vec![],
        "an empty path saves nothing"
    );
    app.on_key(code(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn save_asks_before_replacing_a_file_and_tab_cycles_the_compression() {
    let (mut app, _rx) = app();
    connect(&mut app);
    let dir = tempfile::tempdir().expect("tempdir");
    let existing = dir.path().join("app.tar");
    std::fs::write(&existing, b"previous").expect("write");
    app.on_key(key('s'));
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    for c in existing.display().to_string().chars() {
        app.on_key(key(c));
    }
    app.on_key(code(KeyCode::Tab));
    let Mode::Save(dialog) = &app.mode else {
        panic!("still the save dialog");
    };
    assert_eq!(dialog.compression(), SaveCompression::Gzip);
    assert!(dialog.input.ends_with("app.tar.gz"), "the name follows");
    app.on_key(code(KeyCode::Tab));
    app.on_key(code(KeyCode::Tab));
    // Back to app.tar, which exists.
    assert_eq!(app.on_key(code(KeyCode::Enter)), vec![]);
    assert!(matches!(
        &app.mode,
        Mode::Confirm(Confirm::Save { problem, .. }) if problem.contains("exists. Replace it?")
    ));
    assert_eq!(app.on_key(key('n')), vec![], "no: nothing saved");
    assert_eq!(std::fs::read(&existing).expect("read"), b"previous");

    // A fresh name in an existing folder saves at once, never replacing anything.
    app.on_key(key('s'));
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    let fresh = dir.path().join("new.tar.zst");
    for c in fresh.display().to_string().chars() {
        app.on_key(key(c));
    }
    assert_eq!(
        app.on_key(code(KeyCode::Enter)),
        vec![Effect::Save(crate::transfer::SaveRequest {
            images: vec!["app:1.0".into()],
            dest: fresh,
            compression: SaveCompression::Zstd,
            force: false,
        })]
    );
}

#[test]
fn d_on_a_tag_of_a_multi_tag_image_asks_untag_or_all() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key('j'));
    app.on_key(key('d'));
    assert_eq!(
        app.mode,
        Mode::Confirm(Confirm::DeleteImage {
            id: digest(1),
            tag: Some("app:latest".into()),
            tags: vec!["app:1.0".into(), "app:latest".into()],
        })
    );
    assert_eq!(app.on_key(key('n')), vec![], "anything else keeps both");
    app.on_key(key('d'));
    assert_eq!(
        app.on_key(key('u')),
        vec![Effect::Untag(vec!["app:latest".into()])],
        "u: this tag only"
    );
    app.on_key(key('d'));
    assert_eq!(
        app.on_key(key('a')),
        vec![Effect::RemoveImage(digest(1))],
        "a: the image with every tag"
    );
}

#[test]
fn d_asks_before_deleting_and_names_the_file_and_its_size() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key('j'));
    app.on_key(key('j'));
    app.on_key(key('d'));
    assert_eq!(
        app.mode,
        Mode::Confirm(Confirm::DeleteImage {
            id: digest(2),
            tag: Some("postgres:16".into()),
            tags: vec!["postgres:16".into()],
        })
    );
    assert_eq!(app.on_key(key('n')), vec![]);
    assert_eq!(app.mode, Mode::Normal);
    app.on_key(key('d'));
    assert_eq!(app.on_key(key('y')), vec![Effect::RemoveImage(digest(2))]);

    let files = files(&mut app);
    app.on_key(key('2'));
    app.on_key(key('d'));
    assert_eq!(
        app.mode,
        Mode::Confirm(Confirm::DeleteFiles(vec![(
            files[0].path.clone(),
            140_000_000
        )]))
    );
    assert_eq!(
        app.on_key(code(KeyCode::Enter)),
        vec![Effect::RemoveFiles(vec![files[0].path.clone()])]
    );
}

#[test]
fn help_opens_and_any_key_closes_it_ctrl_c_always_quits() {
    let (mut app, _rx) = app();
    app.on_key(key('?'));
    assert_eq!(app.mode, Mode::Help);
    app.on_key(key('j'));
    assert_eq!(app.mode, Mode::Normal);
    app.on_key(key('/'));
    app.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(app.should_quit());
}

#[test]
fn r_refreshes_everything() {
    let (mut app, _rx) = app();
    connect(&mut app);
    assert_eq!(
        app.on_key(key('r')),
        vec![Effect::RefreshDaemon, Effect::Rescan, Effect::RefreshRemote]
    );
    assert_eq!(
        app.remote,
        LoadState::Loading,
        "the remote list is asked again too"
    );
    assert_eq!(app.images.status, LoadState::Loading);
    assert_eq!(app.images.visible_len(), 5, "rows stay while refreshing");
}

#[tokio::test]
async fn c_cancels_the_selected_job_and_x_dismisses_it() {
    let (mut app, mut rx) = app();
    let id = app
        .jobs
        .spawn(crate::transfer::JobKind::Load, "slow", |ctx| async move {
            ctx.cancel.cancelled().await;
            Err("stopped".into())
        });
    assert!(app.needs_tick(), "ticks only while a job runs");
    app.on_key(key('x'));
    assert!(!app.jobs.is_empty(), "a running job cannot be dismissed");
    app.on_key(key('c'));
    let event = rx.recv().await.expect("job event");
    app.apply(crate::tui::app::Msg::Job(event));
    assert_eq!(
        app.jobs.snapshot(id).map(|s| s.phase),
        Some(crate::transfer::Phase::Cancelled)
    );
    assert!(!app.needs_tick());
    app.on_key(key('x'));
    assert!(app.jobs.is_empty());
}

#[test]
fn keymap_overrides_from_the_config_apply() {
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let config = crate::tui::config::Config::parse(
        "[keys]\nload = \"L\"\ndown = [\"n\"]\n",
        std::path::Path::new("/c.toml"),
        std::path::Path::new("/x"),
        true,
    )
    .expect("config");
    let mut app = crate::tui::App::new(config, tx);
    connect(&mut app);
    app.on_key(key('n'));
    assert_eq!(app.images.cursor.selected, 1);
    app.on_key(key('j'));
    assert_eq!(app.images.cursor.selected, 1, "j was replaced");
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> MouseEvent {
    MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

#[test]
fn clicks_select_rows_and_tabs_and_the_wheel_scrolls() {
    let (mut app, _rx) = app();
    connect(&mut app);
    // 100x30: the list starts on row 1 (border + tabs), its header on row 2, data from row 3.
    app.on_mouse(mouse(MouseEventKind::Down(MouseButton::Left), 10, 5));
    assert_eq!(app.images.cursor.selected, 2);
    app.on_mouse(mouse(MouseEventKind::ScrollDown, 10, 5));
    assert_eq!(app.images.cursor.selected, 3);
    app.on_mouse(mouse(MouseEventKind::ScrollUp, 10, 5));
    assert_eq!(app.images.cursor.selected, 2);
    // The second tab label starts after " 1 Images 4 │".
    app.on_mouse(mouse(MouseEventKind::Down(MouseButton::Left), 17, 1));
    assert_eq!(app.pane, PaneId::Tarballs);
    app.take_dirty();
    app.on_mouse(mouse(MouseEventKind::Moved, 3, 3));
    assert!(!app.take_dirty(), "moving the mouse does not redraw");
}
