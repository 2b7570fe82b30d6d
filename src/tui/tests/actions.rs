//! The daily-driver keys -> state: tags, copy, sort, marks and batches, the full details view,
//! load under a name, the Disk pane.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::fixtures::*;
use crate::du::Category;
use crate::tui::app::{Effect, Msg, PaneId};
use crate::tui::dialogs::{Confirm, CopyChoice, Mode, Prompt, PromptKind, Untag};
use crate::tui::state::SortBy;

fn inspected(app: &mut crate::tui::App) {
    app.apply(Msg::ImageInfo {
        id: digest(1),
        result: Ok(Box::new(rich_info())),
    });
}

#[test]
fn t_tags_and_retags_the_selected_image() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key('t'));
    assert_eq!(
        app.mode,
        Mode::Prompt(Prompt {
            kind: PromptKind::Tag {
                id: digest(1),
                shown: "app:1.0".into()
            },
            input: "app:1.0".into(),
        })
    );
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    for c in "app".chars() {
        app.on_key(key(c));
    }
    assert_eq!(
        app.on_key(code(KeyCode::Enter)),
        vec![Effect::TagImage {
            id: digest(1),
            name: "app:latest".into()
        }],
        "no tag means latest"
    );
    app.on_key(key('t'));
    app.on_key(code(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn u_untags_after_saying_which_image_goes_with_its_last_tag() {
    let (mut app, _rx) = app();
    connect(&mut app);
    app.on_key(key('u'));
    assert_eq!(
        app.mode,
        Mode::Confirm(Confirm::Untag(vec![Untag {
            name: "app:1.0".into(),
            last: false
        }]))
    );
    assert_eq!(
        app.on_key(key('y')),
        vec![Effect::Untag(vec!["app:1.0".into()])]
    );
    // Both tags of image 1 marked: the second is its last.
    app.on_key(key(' '));
    app.on_key(key(' '));
    app.on_key(key('u'));
    assert_eq!(
        app.mode,
        Mode::Confirm(Confirm::Untag(vec![
            Untag {
                name: "app:1.0".into(),
                last: true
            },
            Untag {
                name: "app:latest".into(),
                last: true
            },
        ]))
    );
    assert_eq!(app.on_key(key('n')), vec![], "no: nothing untagged");
}

#[test]
fn capital_t_toggles_one_row_per_tag_and_one_per_image() {
    let (mut app, _rx) = app();
    connect(&mut app);
    assert_eq!(app.images.visible_len(), 5);
    app.on_key(key('j'));
    assert_eq!(
        app.selected_entry().and_then(|e| e.tag.clone()),
        Some("app:latest".into())
    );
    app.on_key(key('T'));
    assert!(!app.per_tag);
    assert_eq!(app.images.visible_len(), 4);
    assert_eq!(
        app.selected_image().map(|r| r.id.clone()),
        Some(digest(1)),
        "same image"
    );
    assert_eq!(app.selected_entry().map(|e| e.hidden_tags()), Some(1));
    app.on_key(key('T'));
    assert_eq!(app.images.visible_len(), 5);
}

#[test]
fn y_copies_with_osc52_choosing_what() {
    let (mut app, _rx) = app();
    connect(&mut app);
    inspected(&mut app);
    assert_eq!(app.on_key(key('y')), vec![]);
    let Mode::Copy(choices) = app.mode.clone() else {
        panic!("a menu: {:?}", app.mode);
    };
    let keys: Vec<char> = choices.iter().map(|c| c.key).collect();
    assert_eq!(keys, ['t', 'i', 'd'], "tag, ID, digest");
    assert_eq!(app.on_key(key('i')), vec![Effect::Copy(digest(1))]);
    assert_eq!(app.mode, Mode::Normal);
    app.on_key(key('y'));
    assert_eq!(
        app.on_key(code(KeyCode::Enter)),
        vec![Effect::Copy("app:1.0".into())]
    );

    let files = files(&mut app);
    app.on_key(key('2'));
    app.on_key(key('y'));
    let Mode::Copy(choices) = app.mode.clone() else {
        panic!("a menu");
    };
    assert_eq!(
        choices[0],
        CopyChoice {
            key: 'p',
            what: "path",
            text: files[0].path.display().to_string()
        }
    );
    app.on_key(code(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal, "esc copies nothing");
}

#[test]
fn o_sorts_each_pane_by_name_size_then_age() {
    let (mut app, _rx) = app();
    connect(&mut app);
    let names = |app: &crate::tui::App| -> Vec<String> {
        app.images.visible().map(|e| e.name().to_string()).collect()
    };
    app.on_key(key('o'));
    assert_eq!(app.images.sort, Some(SortBy::Name));
    assert_eq!(
        names(&app),
        ["<none>", "app:1.0", "app:latest", "postgres:16", "redis:7"]
    );
    app.on_key(key('o'));
    assert_eq!(names(&app)[0], "postgres:16", "biggest first");
    app.on_key(key('o'));
    assert_eq!(names(&app)[0], "app:1.0", "newest first");
    files(&mut app);
    app.on_key(key('2'));
    app.on_key(key('o'));
    app.on_key(key('o'));
    assert_eq!(
        app.tarballs.sort,
        Some(SortBy::Size),
        "each pane its own order"
    );
    assert_eq!(app.images.sort, Some(SortBy::Age));
    assert_eq!(
        app.tarballs.selected().map(|f| f.file.display.as_str()),
        Some("app-1.0.tar.gz"),
        "the selection stays on its row"
    );
}

#[test]
fn space_and_v_mark_rows_for_batch_load_save_and_delete() {
    let (mut app, _rx) = app();
    connect(&mut app);
    // Images: mark app:1.0 and postgres:16, save both into one tarball.
    app.on_key(key(' '));
    app.on_key(key('j'));
    app.on_key(key(' '));
    assert_eq!(app.images.marked_rows().len(), 2);
    app.on_key(key('s'));
    let Mode::Save(dialog) = app.mode.clone() else {
        panic!("save dialog");
    };
    assert_eq!(dialog.images, ["app:1.0", "postgres:16"]);
    assert_eq!(dialog.input, "/exports/app_1.0_and_1_more.tar");
    app.on_key(code(KeyCode::Esc));
    app.on_key(key('d'));
    assert_eq!(
        app.mode,
        Mode::Confirm(Confirm::DeleteImages(vec![
            (digest(1), "app:1.0, app:latest".into()),
            (digest(2), "postgres:16".into()),
        ]))
    );
    assert_eq!(
        app.on_key(key('y')),
        vec![
            Effect::RemoveImage(digest(1)),
            Effect::RemoveImage(digest(2))
        ]
    );
    app.on_key(key('v'));
    assert_eq!(app.images.marked_rows().len(), 5, "v: all");
    app.on_key(key('v'));
    assert!(
        app.images.marked_rows().is_empty(),
        "v: none when all were marked"
    );

    // Tarballs: v marks all, l loads each.
    let files = files(&mut app);
    app.on_key(key('2'));
    app.on_key(key('v'));
    let effects = app.on_key(key('l'));
    let paths: Vec<_> = effects
        .iter()
        .map(|e| match e {
            Effect::Load { path, .. } => path.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(paths.len(), 4);
    assert_eq!(paths[1], files[1].path);
}

#[test]
fn i_opens_everything_scrolls_and_closes() {
    let (mut app, _rx) = app();
    connect(&mut app);
    inspected(&mut app);
    app.on_resize(80, 24);
    app.on_key(key('i'));
    assert_eq!(app.mode, Mode::Details { scroll: 0 });
    app.on_key(key('j'));
    assert_eq!(app.mode, Mode::Details { scroll: 1 });
    app.on_key(key('G'));
    let (total, height) = crate::tui::render::details_extent(&app);
    assert!(total > height, "more than a screen: {total} lines");
    assert_eq!(
        app.mode,
        Mode::Details {
            scroll: total - height
        }
    );
    app.on_key(code(KeyCode::PageUp));
    app.on_key(key('g'));
    assert_eq!(app.mode, Mode::Details { scroll: 0 });
    // The wheel scrolls the view, not the list beneath.
    let wheel = crossterm::event::MouseEvent {
        kind: crossterm::event::MouseEventKind::ScrollDown,
        column: 10,
        row: 5,
        modifiers: KeyModifiers::NONE,
    };
    app.on_mouse(wheel);
    assert_eq!(app.mode, Mode::Details { scroll: 3 });
    assert_eq!(app.images.cursor.selected, 0);
    app.on_key(code(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn capital_l_loads_a_file_under_a_new_name() {
    let (mut app, _rx) = app();
    connect(&mut app);
    let files = files(&mut app);
    app.on_key(key('2'));
    app.on_key(key('j'));
    app.on_key(key('L'));
    assert!(matches!(&app.mode, Mode::Prompt(p) if p.input == "web:9"));
    app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    for c in "web:candidate".chars() {
        app.on_key(key(c));
    }
    assert_eq!(
        app.on_key(code(KeyCode::Enter)),
        vec![Effect::Load {
            path: files[1].path.clone(),
            label: "load ci/web-9.tar as web:candidate".into(),
            tag: Some("web:candidate".into()),
        }]
    );
}

#[test]
fn the_disk_pane_lists_what_takes_space_and_cleans_up_after_a_yes() {
    let (mut app, _rx) = app();
    connect(&mut app);
    files(&mut app);
    assert_eq!(app.on_key(key('4')), vec![Effect::DiskUse]);
    assert_eq!(app.pane, PaneId::Disk);
    let (daemon, cache) = disk_items();
    app.apply(Msg::DiskUse {
        daemon: Ok(daemon),
        cache,
    });
    let kinds: Vec<Category> = app.disk.visible().map(|i| i.category).collect();
    assert_eq!(kinds.first(), Some(&Category::Dangling));
    assert_eq!(kinds.last(), Some(&Category::InspectCache));
    assert_eq!(
        kinds.iter().filter(|k| **k == Category::ImageFile).count(),
        5,
        "the four tarballs the scan found, and the artifact zip"
    );
    // The image in use is never cleaned.
    app.on_key(key('j'));
    app.on_key(key('j'));
    app.on_key(key('d'));
    assert_eq!(app.mode, Mode::Normal);
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("in use"))
    );
    // Dangling and unused: marked, asked, cleaned.
    app.on_key(key('g'));
    app.on_key(key(' '));
    app.on_key(key(' '));
    app.on_key(key('d'));
    let Mode::Confirm(Confirm::Clean(items)) = app.mode.clone() else {
        panic!("a confirmation: {:?}", app.mode);
    };
    assert_eq!(items.len(), 2);
    assert_eq!(app.on_key(key('y')), vec![Effect::Clean(items)]);
    // After the cleanup, the pane lists again.
    assert!(
        app.apply(Msg::Done(Ok("removed 2 items".into())))
            .contains(&Effect::DiskUse)
    );
}
