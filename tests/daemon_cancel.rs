//! Cancelling a load leaves no tag and no half-loaded image, during the upload and after it.

mod common;

use std::time::Duration;

use common::docker::*;
use haul::transfer::{JobEvent, Jobs, LoadOptions, Phase, start_load};

/// A ~150 MB image saved with haul, then removed from the daemon (base too).
fn big_saved(
    test: &str,
    dir: &std::path::Path,
    images: &mut Images,
) -> (String, String, std::path::PathBuf) {
    let base = small_base(test, images);
    let name = unique_name(test, "big");
    let id = build_on(
        &base,
        &name,
        &[Layer::Random("big.bin", 150_000_000)],
        images,
    );
    let tar = dir.join("big.tar");
    let out = haul()
        .args(["save", "-q", &name, "-o", tar.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    docker(&["rmi", &name, &base]);
    assert!(!exists(&id));
    (name, id, tar)
}

/// Load `tar`, calling `cancel_when` on every event/tick until it says to cancel.
fn load_and_cancel(
    tar: &std::path::Path,
    mut cancel_when: impl FnMut(&haul::transfer::JobSnapshot, Option<&JobEvent>) -> bool,
) -> Phase {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let daemon = haul::daemon::Daemon::connect_default(None).await.unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut jobs = Jobs::new(tx);
        let (id, _report) =
            start_load(&mut jobs, daemon, tar.to_path_buf(), LoadOptions::default());
        let mut cancelled = false;
        while jobs.any_running() {
            let event = tokio::time::timeout(Duration::from_millis(2), rx.recv())
                .await
                .ok()
                .flatten();
            if let Some(event) = &event {
                jobs.apply(event.clone());
            }
            let snap = jobs.snapshot(id).unwrap();
            if !cancelled && !snap.phase.is_finished() && cancel_when(&snap, event.as_ref()) {
                jobs.cancel(id);
                cancelled = true;
            }
        }
        assert!(cancelled, "the job ended before the cancel point");
        jobs.snapshot(id).unwrap().phase
    })
}

#[test]
fn cancel_during_the_upload_loads_nothing() {
    if !daemon_available("cancel_during_the_upload_loads_nothing") {
        return;
    }
    let mut images = Images::new();
    let dir = tempfile::tempdir().unwrap();
    let (name, id, tar) = big_saved("cancel-upload", dir.path(), &mut images);
    let phase = load_and_cancel(&tar, |snap, _| {
        snap.phase == Phase::Transferring && snap.done > 5_000_000
    });
    assert_eq!(phase, Phase::Cancelled);
    std::thread::sleep(Duration::from_millis(500));
    assert!(!exists(&name), "no tag");
    assert!(!exists(&id), "no image");
}

#[test]
fn cancel_while_the_daemon_processes_undoes_the_load() {
    if !daemon_available("cancel_while_the_daemon_processes_undoes_the_load") {
        return;
    }
    let mut images = Images::new();
    let dir = tempfile::tempdir().unwrap();
    let (name, id, tar) = big_saved("cancel-late", dir.path(), &mut images);
    let phase = load_and_cancel(&tar, |_, event| {
        matches!(
            event,
            Some(JobEvent::Phase {
                phase: Phase::DaemonProcessing,
                ..
            })
        )
    });
    assert_eq!(phase, Phase::Cancelled);
    assert!(!exists(&name), "no tag");
    assert!(!exists(&id), "no image");
}

#[test]
fn cancel_after_the_upload_restores_a_moved_tag() {
    if !daemon_available("cancel_after_the_upload_restores_a_moved_tag") {
        return;
    }
    let mut images = Images::new();
    let dir = tempfile::tempdir().unwrap();
    let (name, id, tar) = big_saved("cancel-retag", dir.path(), &mut images);
    // The tag exists already, on another image: after the cancel it must point there again.
    let other = import(&rootfs_tar(&[("other", b"x")]), &name, &mut images);
    let phase = load_and_cancel(&tar, |_, event| {
        matches!(
            event,
            Some(JobEvent::Phase {
                phase: Phase::DaemonProcessing,
                ..
            })
        )
    });
    assert_eq!(phase, Phase::Cancelled);
    assert_eq!(image_id(&name), other);
    assert!(!exists(&id));
}
