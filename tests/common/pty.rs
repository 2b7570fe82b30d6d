//! haul's TUI in a real pseudo-terminal, read through a vt100 screen.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub const ROWS: u16 = 40;
pub const COLS: u16 = 140;

/// A running `haul` (no subcommand) in a pty; killed when dropped.
pub struct Tui {
    screen: Arc<Mutex<vt100::Parser>>,
    /// Every byte haul wrote, for escape sequences the screen does not keep.
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Tui {
    /// Start haul in `cwd` with haul's folders under `home` (config, data, cache) and `env`.
    pub fn start(cwd: &Path, home: &Path, env: &[(&str, String)]) -> Tui {
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
        cmd.env_remove("DOCKER_CONTEXT");
        for (var, value) in env {
            cmd.env(var, value);
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
        Tui {
            screen,
            raw,
            writer,
            child,
        }
    }

    /// Everything haul wrote so far, escape sequences included.
    pub fn raw(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }

    /// True while haul holds the alternate screen.
    pub fn on_alternate_screen(&self) -> bool {
        self.screen.lock().unwrap().screen().alternate_screen()
    }

    pub fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    pub fn press(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write key");
        self.writer.flush().expect("flush");
    }

    /// Wait until the screen satisfies `pred`; panic with the screen after `timeout`.
    pub fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
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

    /// True once haul gave the terminal back: off the alternate screen, cursor shown.
    pub fn restored(&self) -> bool {
        let parser = self.screen.lock().unwrap();
        !parser.screen().alternate_screen() && !parser.screen().hide_cursor()
    }

    /// Wait for haul to exit (`why` names what should have made it).
    pub fn wait_exit(&mut self, why: &str) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "haul did not exit after {why}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Press `q` and wait for a clean exit.
    pub fn quit(&mut self) {
        self.press("q");
        let status = self.wait_exit("q");
        assert!(status.success(), "exit status {status:?}");
    }
}

/// A `scan` folder and a haul `home` in `work` whose config scans only that folder (never the
/// real download folder): `(scan, home)`, for [`Tui::start`] in `scan`.
pub fn scan_only(work: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (scan, home) = (work.join("scan"), work.join("home"));
    std::fs::create_dir_all(&scan).unwrap();
    std::fs::create_dir_all(home.join("config")).unwrap();
    std::fs::write(
        home.join("config/config.toml"),
        "scan_defaults = false\nscan_folders = [\".\"]\n",
    )
    .unwrap();
    (scan, home)
}

/// The screen line holding `needle`.
pub fn line_with<'t>(text: &'t str, needle: &str) -> Option<&'t str> {
    text.lines().find(|l| l.contains(needle))
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
