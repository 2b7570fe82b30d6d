//! The Images pane follows the daemon: the TUI's event source, against the real daemon,
//! sends a refresh when another tool (the docker CLI here) tags an image.

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
    import(
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
    assert!(
        matches!(next, Ok(Some(Msg::ImagesChanged))),
        "the tag was noticed: {next:?}"
    );
    // One burst, one refresh: nothing else arrives while nothing changes.
    let quiet = tokio::time::timeout(Duration::from_secs(1), rx.recv()).await;
    assert!(quiet.is_err(), "no more messages: {quiet:?}");
    watcher.abort();
    drop(images);
}
