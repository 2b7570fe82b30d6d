//! `haul` with no subcommand in a real pseudo-terminal: find a tarball, load it with `l`,
//! see it marked as loaded, quit with `q` and leave the terminal as it was.

mod common;

use std::path::Path;
use std::time::Duration;

use common::docker::{rootfs_tar, unique_name};
use common::engines::each_engine;
use common::pty::{Tui, line_with, scan_only};

/// haul in `cwd` with its folders under `home`, on the engine at `host` (`DOCKER_HOST`) if any.
fn start(cwd: &Path, home: &Path, host: Option<&str>) -> Tui {
    let env: Vec<(&str, String)> = host
        .map(|h| ("DOCKER_HOST", h.to_string()))
        .into_iter()
        .collect();
    Tui::start(cwd, home, &env)
}

#[test]
fn load_a_tarball_with_one_key_and_quit_cleanly() {
    each_engine("load_a_tarball_with_one_key_and_quit_cleanly", |engine| {
        let work = tempfile::tempdir().expect("tempdir");
        let (scan, home) = scan_only(work.path());

        let tag = unique_name("tui", "1");
        let mut images = engine.images();
        let seed = format!("tui-{}-{}", std::process::id(), engine.name);
        let id = engine.import(
            &rootfs_tar(&[("etc/seed", seed.as_bytes())]),
            &tag,
            &mut images,
        );
        let tarball = scan.join("image.tar");
        engine.run(&["save", &tag, "-o", tarball.to_str().unwrap()]);
        engine.run(&["rmi", &tag]);
        assert!(!engine.exists(&tag));

        let mut haul = start(&scan, &home, Some(&engine.host));
        haul.wait_for("the first frame", Duration::from_secs(10), |t| {
            t.contains("Images")
        });
        haul.press("2");
        // The details name it (the list may cut Podman's longer `docker.io/...` name).
        let shown = tag.split_once('/').map_or(tag.as_str(), |(_, rest)| rest);
        let screen = haul.wait_for("the tarball, inspected", Duration::from_secs(30), |t| {
            line_with(t, "image.tar").is_some() && t.contains(shown)
        });
        assert!(
            !line_with(&screen, "image.tar").unwrap().contains('●'),
            "not loaded yet:\n{screen}"
        );
        haul.press("l");
        haul.wait_for("the load job to finish", Duration::from_secs(120), |t| {
            t.contains("✓ load") || t.contains("✗ load")
        });
        let screen = haul.text();
        assert!(screen.contains("✓ load"), "the load failed:\n{screen}");
        assert!(engine.exists(&tag), "the engine has {tag} now");
        assert_eq!(
            engine.image_id(&tag),
            id,
            "the loaded image is the one saved"
        );
        // The mark comes from the engine's own identity (a manifest digest on the containerd
        // store, a config digest elsewhere).
        haul.wait_for("the loaded mark", Duration::from_secs(30), |t| {
            line_with(t, "image.tar").is_some_and(|l| l.contains('●'))
        });

        haul.quit();
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            haul.restored(),
            "left the alternate screen, the cursor is visible again"
        );
        let raw = haul.raw();
        assert!(
            raw.contains("\x1b[?1049l"),
            "leave-alternate-screen was sent"
        );
        assert!(raw.contains("\x1b[?1000l"), "mouse capture was turned off");
    });
}

#[test]
fn sigterm_restores_the_terminal() {
    let work = tempfile::tempdir().expect("tempdir");
    let home = work.path().join("home");
    std::fs::create_dir_all(home.join("config")).unwrap();
    std::fs::write(home.join("config/config.toml"), "scan_defaults = false\n").unwrap();
    let mut haul = start(work.path(), &home, None);
    haul.wait_for("the first frame", Duration::from_secs(10), |t| {
        t.contains("Images")
    });
    assert!(haul.on_alternate_screen());
    let pid = haul.child.process_id().expect("pid");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = haul.wait_exit("SIGTERM");
    assert_eq!(
        status.exit_code(),
        143,
        "SIGTERM: a clean quit, reported as 128 + 15: {status:?}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(!haul.on_alternate_screen());
}

#[test]
fn d_then_u_untags_one_tag_of_a_two_tag_image_and_the_other_survives() {
    each_engine("d_then_u_untags_one_tag", |engine| {
        let work = tempfile::tempdir().expect("tempdir");
        let home = work.path().join("home");
        std::fs::create_dir_all(home.join("config")).unwrap();
        std::fs::write(home.join("config/config.toml"), "scan_defaults = false\n").unwrap();
        let mut images = engine.images();
        let stem = format!("haul-test/tui-untag-{}", std::process::id());
        let first = engine.reported_name(&format!("{stem}:a"));
        let second = engine.reported_name(&format!("{stem}:b"));
        let id = engine.import(
            &rootfs_tar(&[("etc/untag", stem.as_bytes())]),
            &first,
            &mut images,
        );
        images.track(&second);
        engine.run(&["tag", &first, &second]);

        let mut haul = start(work.path(), &home, Some(&engine.host));
        haul.wait_for("both tags, one row each", Duration::from_secs(30), |t| {
            t.contains(&stem) && t.contains("1 Images")
        });
        // Filter to this test's image: its two tags are the only rows.
        haul.press("/");
        haul.press(&stem);
        haul.press("\r");
        haul.wait_for("the two filtered rows", Duration::from_secs(20), |t| {
            t.contains("1 Images 2 ")
        });
        haul.press("d");
        let dialog = haul.wait_for("the choice", Duration::from_secs(10), |t| {
            t.contains("u: untag ")
        });
        // The dialog names the tag `u` removes, and offers the image with every tag.
        let named = line_with(&dialog, "u: untag ")
            .and_then(|l| l.split("u: untag ").nth(1))
            .and_then(|rest| rest.split(" only").next())
            .expect("the tag u removes")
            .to_string();
        let (gone, kept) = if named == first {
            (&first, &second)
        } else {
            assert_eq!(named, second, "{dialog}");
            (&second, &first)
        };
        haul.press("u");
        haul.wait_for("the untagged row to go", Duration::from_secs(30), |t| {
            t.contains("1 Images 1 ") && t.contains(&format!("untagged {gone}"))
        });
        assert!(!engine.exists(gone), "{gone} was untagged");
        assert!(engine.exists(kept), "{kept} survives");
        assert_eq!(
            engine.image_id(kept),
            id,
            "the image is still there under its other tag"
        );
        haul.press("q");
        drop(images);
    });
}
