//! Cancelling a load leaves no tag and no half-loaded image, during the upload and after it,
//! on every engine.

mod common;

use std::time::Duration;

use common::docker::*;
use common::engines::{Engine, each_engine};
use haul::transfer::{JobEvent, Jobs, LoadOptions, Phase, start_load};

/// A ~60 MB image saved with haul, then removed from the engine (base too).
fn big_saved(
    engine: &'static Engine,
    test: &str,
    dir: &std::path::Path,
    images: &mut Images,
) -> (String, String, std::path::PathBuf) {
    let base = engine.small_base(test, images);
    let name = unique_name(test, "big");
    let id = engine.build_on(
        &base,
        &name,
        &[Layer::Random("big.bin", 60_000_000)],
        images,
    );
    let tar = dir.join("big.tar");
    engine.haul_save(&[&name, "-o", tar.to_str().unwrap()]);
    engine.run(&["rmi", &name, &base]);
    assert!(!engine.exists(&id));
    (name, id, tar)
}

/// Load `tar`, calling `cancel_when` on every event/tick until it says to cancel.
fn load_and_cancel(
    engine: &Engine,
    tar: &std::path::Path,
    mut cancel_when: impl FnMut(&haul::transfer::JobSnapshot, Option<&JobEvent>) -> bool,
) -> Phase {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let daemon = engine.connect_async().await;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut jobs = Jobs::new(tx);
        // Full: a delta would leave out the layers some other image on the engine still holds.
        let opts = LoadOptions { full: true };
        let (id, _report) = start_load(&mut jobs, daemon, tar.to_path_buf(), opts);
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

fn processing(event: Option<&JobEvent>) -> bool {
    matches!(
        event,
        Some(JobEvent::Phase {
            phase: Phase::DaemonProcessing,
            ..
        })
    )
}

#[test]
fn cancel_during_the_upload_loads_nothing() {
    each_engine("cancel_during_the_upload_loads_nothing", |engine| {
        let mut images = engine.images();
        let dir = tempfile::tempdir().unwrap();
        let (name, id, tar) = big_saved(engine, "cancel-upload", dir.path(), &mut images);
        let phase = load_and_cancel(engine, &tar, |snap, _| {
            snap.phase == Phase::Transferring && snap.done > 5_000_000
        });
        assert_eq!(phase, Phase::Cancelled);
        std::thread::sleep(Duration::from_millis(500));
        assert!(!engine.exists(&name), "no tag");
        assert!(!engine.exists(&id), "no image");
    });
}

#[test]
fn cancel_while_the_daemon_processes_undoes_the_load() {
    each_engine(
        "cancel_while_the_daemon_processes_undoes_the_load",
        |engine| {
            let mut images = engine.images();
            let dir = tempfile::tempdir().unwrap();
            let (name, id, tar) = big_saved(engine, "cancel-late", dir.path(), &mut images);
            let phase = load_and_cancel(engine, &tar, |_, event| processing(event));
            assert_eq!(phase, Phase::Cancelled);
            assert!(!engine.exists(&name), "no tag");
            assert!(!engine.exists(&id), "no image");
        },
    );
}

#[test]
fn cancel_after_the_upload_restores_a_moved_tag() {
    each_engine("cancel_after_the_upload_restores_a_moved_tag", |engine| {
        let mut images = engine.images();
        let dir = tempfile::tempdir().unwrap();
        let (name, id, tar) = big_saved(engine, "cancel-retag", dir.path(), &mut images);
        // The tag exists already, on another image: after the cancel it must point there again.
        let other = engine.import(&rootfs_tar(&[("other", b"x")]), &name, &mut images);
        let phase = load_and_cancel(engine, &tar, |_, event| processing(event));
        assert_eq!(phase, Phase::Cancelled);
        assert_eq!(engine.image_id(&name), other);
        assert!(!engine.exists(&id));
    });
}
