//! Big lists: remote artifacts come a page at a time, as the Artifacts pane needs them; the
//! Images pane changes one image's rows per event.

use super::fixtures::*;
use crate::artifacts::RemoteArtifact;
use crate::tui::app::{Effect, Msg};
use crate::tui::artifact_rows::RemoteList;

fn page(from: u64, n: u64, next: Option<&str>) -> RemoteList {
    RemoteList {
        repo: "octo/app".into(),
        artifacts: (from..from + n)
            .map(|id| RemoteArtifact {
                id,
                name: format!("build-{id}"),
                size_in_bytes: 1000,
                expired: false,
                created_at: Some("2024-03-01T10:20:30Z".into()),
                expires_at: None,
                digest: None,
                workflow_run: None,
            })
            .collect(),
        next: next.map(|u| u.parse().expect("url")),
        total: Some(300),
    }
}

const PAGE2: &str = "http://127.0.0.1:1/repos/octo/app/actions/artifacts?per_page=100&page=2";
const PAGE3: &str = "http://127.0.0.1:1/repos/octo/app/actions/artifacts?per_page=100&page=3";

#[test]
fn remote_pages_come_as_the_list_is_scrolled_or_filtered() {
    let (mut app, _rx) = app();
    app.apply(Msg::Scanned(Ok(Vec::new())));
    assert!(
        app.apply(Msg::Remote(Ok(page(1, 100, Some(PAGE2)))))
            .is_empty(),
        "another pane is shown: nothing more is fetched"
    );
    assert!(app.on_key(key('3')).is_empty(), "the top of the list");
    assert!(
        app.tab_labels()[2].ends_with("100+"),
        "{:?}",
        app.tab_labels()
    );
    assert!(app.remote_line().0.contains("100 of 300 artifacts"));

    let wanted = app.on_key(key('G'));
    assert_eq!(wanted, vec![Effect::MoreRemote(PAGE2.parse().unwrap())]);
    assert!(
        app.on_key(key('k')).is_empty(),
        "one page on its way at a time"
    );
    let more = app.apply(Msg::RemotePage {
        from: PAGE2.parse().unwrap(),
        result: Ok(page(101, 100, Some(PAGE3))),
    });
    assert!(more.is_empty(), "the cursor is far from the new end");
    assert_eq!(app.artifacts.visible_len(), 200);
    assert_eq!(
        app.artifacts
            .selected()
            .and_then(|r| r.remote())
            .map(|a| a.id),
        Some(99),
        "the selection stays on its row"
    );

    // A filter needs every row: the last page is asked for at once.
    app.on_key(key('/'));
    let wanted = app.on_key(key('9'));
    assert_eq!(wanted, vec![Effect::MoreRemote(PAGE3.parse().unwrap())]);
    // `r` meanwhile: the page asked before it is dropped.
    app.apply(Msg::Remote(Ok(page(1, 100, None))));
    let stale = app.apply(Msg::RemotePage {
        from: PAGE3.parse().unwrap(),
        result: Ok(page(201, 100, None)),
    });
    assert!(stale.is_empty());
    app.set_filter(crate::tui::app::PaneId::Artifacts, String::new());
    assert_eq!(app.artifacts.visible_len(), 100);
    assert!(!app.tab_labels()[2].ends_with('+'));
}

#[test]
fn thousands_of_files_inspected_one_by_one_keep_a_filter_right() {
    use crate::tui::state::FileKind;
    let (mut app, _rx) = app();
    let files: Vec<_> = (0..5000)
        .map(|i| {
            found(
                &format!("dir-{}/t-{i}.tar", i / 100),
                FileKind::Tarball,
                10_240,
            )
        })
        .collect();
    app.apply(Msg::Scanned(Ok(files.clone())));
    app.on_key(key('2'));
    app.set_filter(crate::tui::app::PaneId::Tarballs, "web".into());
    assert_eq!(app.tarballs.visible_len(), 0, "no file is named web");
    for (i, f) in files.iter().enumerate() {
        let tags = if i % 2 == 0 {
            vec!["web:9"]
        } else {
            vec!["api:1"]
        };
        app.apply(Msg::Inspected {
            file: f.clone(),
            result: Ok(Box::new(report(f, info(9, &tags)))),
        });
    }
    assert_eq!(
        app.tarballs.visible_len(),
        2500,
        "matched by the tags inspected"
    );
    app.set_filter(crate::tui::app::PaneId::Tarballs, String::new());
    assert_eq!(app.tarballs.visible_len(), 5000);
    assert!(app.tarballs.rows.iter().all(|e| e.report.ready().is_some()));
}
