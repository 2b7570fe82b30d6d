//! What the benchmark drivers share: `haul` (no subcommand) in a pseudo-terminal, read through a
//! vt100 screen, with the time of its first frame; waiting on the screen; reading its tab counts
//! and a process's CPU time.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 140;

/// A running haul: its process, its keyboard and its screen.
pub struct Driven {
    pub child: Box<dyn Child + Send + Sync>,
    pub pid: u32,
    pub writer: Box<dyn Write + Send>,
    pub screen: Screen,
    /// When haul was started.
    pub started: Instant,
    /// Time from the start to the first screen naming the Images pane.
    first_frame: Arc<Mutex<Option<Duration>>>,
}

impl Driven {
    /// Start `haul` in `scan` with its folders (config, data, cache) under `home`; the rest of
    /// the environment is this process's.
    pub fn start(haul: &str, scan: &Path, home: &Path) -> Driven {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(haul);
        cmd.cwd(scan);
        cmd.env("HAUL_CONFIG_DIR", home.join("config"));
        cmd.env("HAUL_DATA_DIR", home.join("data"));
        cmd.env("HAUL_CACHE_DIR", home.join("cache"));
        cmd.env("TERM", "xterm-256color");
        let started = Instant::now();
        let child = pty.slave.spawn_command(cmd).expect("spawn");
        let pid = child.process_id().expect("pid");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let first_frame: Arc<Mutex<Option<Duration>>> = Arc::default();
        {
            let (parser, first_frame) = (parser.clone(), first_frame.clone());
            std::thread::spawn(move || {
                let _master = pty.master;
                let mut buf = [0u8; 65536];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut p = parser.lock().expect("lock");
                    p.process(&buf[..n]);
                    let mut first = first_frame.lock().expect("lock");
                    if first.is_none() && p.screen().contents().contains("Images") {
                        *first = Some(started.elapsed());
                    }
                }
            });
        }
        Driven {
            child,
            pid,
            writer,
            screen: Screen { parser },
            started,
            first_frame,
        }
    }

    /// Wait for the first frame and give its time from the start.
    pub fn first_frame(&self) -> Duration {
        self.screen
            .wait("the first frame", Duration::from_secs(10), &|t| {
                t.contains("Images")
            });
        self.first_frame.lock().expect("lock").unwrap_or_default()
    }
}

/// Type `keys` into haul's terminal.
pub fn press(writer: &mut dyn Write, keys: &str) {
    writer.write_all(keys.as_bytes()).expect("write");
    writer.flush().expect("flush");
}

pub struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
}

impl Screen {
    pub fn text(&self) -> String {
        self.parser.lock().expect("lock").screen().contents()
    }

    /// Wait until the screen satisfies `pred`, and give how long that took; panic after `timeout`.
    pub fn wait(&self, what: &str, timeout: Duration, pred: &dyn Fn(&str) -> bool) -> Duration {
        self.wait_for(timeout, pred)
            .unwrap_or_else(|| panic!("timed out waiting for {what}:\n{}", self.text()))
    }

    pub fn wait_for(&self, timeout: Duration, pred: &dyn Fn(&str) -> bool) -> Option<Duration> {
        let start = Instant::now();
        loop {
            if pred(&self.text()) {
                return Some(start.elapsed());
            }
            if start.elapsed() > timeout {
                return None;
            }
            std::thread::sleep(Duration::from_micros(300));
        }
    }
}

/// The number after `label` in the tab line ("1 Images 300", "3 Artifacts 100+"); 0 when none.
pub fn count(text: &str, label: &str) -> usize {
    text.split(label)
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// utime + stime of a process, in seconds.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line: 12 and 13 after ")".
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}
