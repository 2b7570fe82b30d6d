//! The Images pane follows the daemon: the TUI's event source, against the real daemon,
//! names the image another tool (the docker CLI here) tagged, so only it is inspected.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::docker::{Images, daemon_available, docker, import, rootfs_tar, unique_name};
use haul::tui::Msg;
use haul::tui::docker::DockerBackend;

#[tokio::test]
async fn a_tag_made_by_the_docker_cli_refreshes_the_images_pane() {
    if !daemon_available("a_tag_made_by_the_docker_cli_refreshes_the_images_pane") {
        return;
    }
    let mut images = Images::new();
    let base = unique_name("events", "base");
    let seed = format!("events-{}", std::process::id());
    let id = import(
        &rootfs_tar(&[("etc/seed", seed.as_bytes())]),
        &base,
        &mut images,
    );

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let watcher = tokio::spawn(haul::tui::daemon_events::watch(
        Arc::new(DockerBackend::new(None)),
        tx,
    ));
    let first = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await;
    assert!(
        matches!(first, Ok(Some(Msg::Watch(Ok(()))))),
        "subscribed: {first:?}"
    );
    let tagged = unique_name("events", "tagged");
    images.track(&tagged);
    let (b, t) = (base.clone(), tagged.clone());
    tokio::task::spawn_blocking(move || docker(&["tag", &b, &t]))
        .await
        .expect("docker tag");
    let next = tokio::time::timeout(Duration::from_secs(20), rx.recv()).await;
    let Ok(Some(Msg::ImagesTouched(touched))) = next else {
        panic!("the tag was noticed: {next:?}");
    };
    assert!(!touched.relist, "no listing: {touched:?}");
    // Other tests share the engine: their images may be in the same burst.
    assert!(
        touched.images.contains_key(&id),
        "the tagged image, named by its ID: {touched:?}"
    );
    // One burst, one message: nothing more about this image while nothing changes.
    let quiet = tokio::time::sleep(Duration::from_secs(1));
    tokio::pin!(quiet);
    loop {
        tokio::select! {
            _ = &mut quiet => break,
            more = rx.recv() => {
                if let Some(Msg::ImagesTouched(more)) = &more {
                    assert!(!more.images.contains_key(&id), "named again: {more:?}");
                }
            }
        }
    }
    watcher.abort();
    drop(images);
}
