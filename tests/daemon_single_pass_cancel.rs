//! Cancelling a single-pass load (a deflated artifact zip, cold cache) after its upload, on
//! every engine: the archive's tags are only known at the end, so the undo works from a
//! snapshot of every tag.
//! One test only in this binary: it sets `HAUL_CACHE_DIR` for the library before any thread.

mod common;

use std::time::Duration;

use common::archives::zip_of;
use common::docker::*;
use common::engines::each_engine;
use haul::transfer::{JobEvent, Jobs, LoadOptions, Phase, start_load};

#[test]
fn cancel_after_a_single_pass_upload_restores_the_tag_and_removes_the_image() {
    let test = "cancel_after_a_single_pass_upload_restores_the_tag_and_removes_the_image";
    let cache = tempfile::tempdir().unwrap();
    // SAFETY: the only test of this binary, before it starts any thread or child process.
    unsafe { std::env::set_var("HAUL_CACHE_DIR", cache.path()) };
    each_engine(test, |engine| {
        for entry in std::fs::read_dir(cache.path().join("inspect"))
            .into_iter()
            .flatten()
        {
            let _ = std::fs::remove_file(entry.unwrap().path());
        }
        let mut images = engine.images();
        let dir = tempfile::tempdir().unwrap();
        let base = engine.small_base("cancel-single", &mut images);
        let name = unique_name("cancel-single", "big");
        let id = engine.build_on(
            &base,
            &name,
            &[Layer::Random("big.bin", 60_000_000)],
            &mut images,
        );
        let tar = dir.path().join("big.tar");
        engine.haul_save(&[&name, "-o", tar.to_str().unwrap()]);
        let zip = dir.path().join("artifact.zip");
        std::fs::write(
            &zip,
            zip_of(&[("big.tar", &std::fs::read(&tar).unwrap())], true),
        )
        .unwrap();
        engine.run(&["rmi", &name, &base]);
        assert!(!engine.exists(&id));
        // The tag exists already, on another image: after the cancel it must point there again.
        let other = engine.import(&rootfs_tar(&[("other", b"x")]), &name, &mut images);

        let rt = tokio::runtime::Runtime::new().unwrap();
        let (phase, upload_total) = rt.block_on(async {
            let daemon = engine.connect_async().await;
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let mut jobs = Jobs::new(tx);
            let opts = LoadOptions { full: true };
            let (job, _report) = start_load(&mut jobs, daemon, zip.clone(), opts);
            let mut cancelled = false;
            let mut uploading_total = 0;
            while jobs.any_running() {
                let event = tokio::time::timeout(Duration::from_millis(2), rx.recv())
                    .await
                    .ok()
                    .flatten();
                if let Some(event) = &event {
                    jobs.apply(event.clone());
                }
                let snap = jobs.snapshot(job).unwrap();
                if snap.phase == Phase::Transferring {
                    uploading_total = snap.total;
                }
                let processing = matches!(
                    event,
                    Some(JobEvent::Phase {
                        phase: Phase::DaemonProcessing,
                        ..
                    })
                );
                if !cancelled && processing {
                    jobs.cancel(job);
                    cancelled = true;
                }
            }
            assert!(cancelled, "the job ended before the engine processed");
            (jobs.snapshot(job).unwrap().phase, uploading_total)
        });
        assert_eq!(phase, Phase::Cancelled);
        // The zip entry's decompressed bytes: in one pass (or, on a populated containerd store,
        // the entry's tar sent decompressed after listing it).
        assert_eq!(upload_total, std::fs::metadata(&tar).unwrap().len());
        assert_eq!(
            engine.image_id(&name),
            other,
            "the tag points where it pointed"
        );
        assert!(!engine.exists(&id), "the loaded image is gone");
        // The listing made on the way was cached all the same.
        assert_eq!(
            std::fs::read_dir(cache.path().join("inspect"))
                .map(|d| d.count())
                .unwrap_or(0),
            1
        );
    });
}
