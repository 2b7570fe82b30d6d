//! `haul` with no subcommand in a real pseudo-terminal: find a tarball, load it with `l`,
//! see it marked as loaded, quit with `q` and leave the terminal as it was.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::docker::{rootfs_tar, unique_name};
use common::engines::each_engine;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 140;

/// A running haul in a pty, with a vt100 screen fed by a reader thread.
struct Session {
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(cwd: &Path, home: &Path) -> Session {
        Session::start_on(cwd, home, None)
    }

    /// The same on the engine at `host` (`DOCKER_HOST`).
    fn start_on(cwd: &Path, home: &Path, host: Option<&str>) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_haul"));
        cmd.cwd(cwd);
        for (var, dir) in [
            ("HAUL_CONFIG_DIR", "config"),
            ("HAUL_DATA_DIR", "data"),
            ("HAUL_CACHE_DIR", "cache"),
        ] {
            cmd.env(var, home.join(dir));
        }
        cmd.env("TERM", "xterm-256color");
        if let Some(host) = host {
            cmd.env("DOCKER_HOST", host);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn haul");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (screen2, raw2) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            // Keep the master open as long as the reader runs.
            let _master = pty.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                screen2.lock().unwrap().process(&buf[..n]);
                raw2.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Session {
            screen,
            raw,
            writer,
            child,
        }
    }

    fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn press(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write key");
        self.writer.flush().expect("flush");
    }

    /// Wait until the screen satisfies `pred`; panic with the screen after `timeout`.
    fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let text = self.text();
            if pred(&text) {
                return text;
            }
            assert!(
                start.elapsed() < timeout,
                "timed out waiting for {what}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The screen line holding `needle`.
fn line_with<'t>(text: &'t str, needle: &str) -> Option<&'t str> {
    text.lines().find(|l| l.contains(needle))
}

#[test]
fn load_a_tarball_with_one_key_and_quit_cleanly() {
    each_engine("load_a_tarball_with_one_key_and_quit_cleanly", |engine| {
        let work = tempfile::tempdir().expect("tempdir");
        let scan = work.path().join("scan");
        let home = work.path().join("home");
        std::fs::create_dir_all(&scan).unwrap();
        std::fs::create_dir_all(home.join("config")).unwrap();
        // Scan only the test folder, never the real download folder.
        std::fs::write(
            home.join("config/config.toml"),
            "scan_defaults = false\nscan_folders = [\".\"]\n",
        )
        .unwrap();

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

        let mut haul = Session::start_on(&scan, &home, Some(&engine.host));
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

        haul.press("q");
        let start = Instant::now();
        let status = loop {
            if let Some(status) = haul.child.try_wait().expect("try_wait") {
                break status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "haul did not exit after q"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "exit status {status:?}");
        std::thread::sleep(Duration::from_millis(200));
        let screen = haul.screen.lock().unwrap();
        assert!(
            !screen.screen().alternate_screen(),
            "left the alternate screen"
        );
        assert!(
            !screen.screen().hide_cursor(),
            "the cursor is visible again"
        );
        let raw = haul.raw.lock().unwrap();
        let raw = String::from_utf8_lossy(&raw);
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
    let mut haul = Session::start(work.path(), &home);
    haul.wait_for("the first frame", Duration::from_secs(10), |t| {
        t.contains("Images")
    });
    assert!(haul.screen.lock().unwrap().screen().alternate_screen());
    let pid = haul.child.process_id().expect("pid");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = haul.child.try_wait().expect("try_wait") {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "haul ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        status.exit_code(),
        143,
        "SIGTERM: a clean quit, reported as 128 + 15: {status:?}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(!haul.screen.lock().unwrap().screen().alternate_screen());
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

        let mut haul = Session::start_on(work.path(), &home, Some(&engine.host));
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
