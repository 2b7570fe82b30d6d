//! A panic inside the TUI leaves the terminal usable: the panic hook restores it first.
//! The test runs itself again, in a pseudo-terminal, as the panicking child.

use std::io::Read;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const CHILD: &str = "HAUL_TUI_PANIC_CHILD";

/// In the child: enter the TUI's terminal mode, then panic.
#[test]
fn panicking_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let (_terminal, _guard) = haul::tui::terminal::enter().expect("terminal");
    std::mem::forget(_guard); // only the panic hook may restore
    panic!("boom inside the TUI");
}

#[test]
fn a_panic_restores_the_terminal() {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    let mut cmd = CommandBuilder::new(std::env::current_exe().expect("test binary"));
    cmd.args([
        "--exact",
        "panicking_child",
        "--nocapture",
        "--test-threads=1",
    ]);
    cmd.env(CHILD, "1");
    let mut child = pty.slave.spawn_command(cmd).expect("spawn");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let out = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = reader.read_to_end(&mut all);
        all
    });
    let start = Instant::now();
    while child.try_wait().expect("try_wait").is_none() {
        assert!(start.elapsed() < Duration::from_secs(20), "child hung");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(pty.master);
    let raw = out.join().expect("reader thread");
    let mut screen = vt100::Parser::new(24, 80, 0);
    screen.process(&raw);
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.contains("\x1b[?1049h"),
        "the child entered the alternate screen"
    );
    assert!(
        text.contains("boom inside the TUI"),
        "the panic message is shown: {text}"
    );
    let left = text.find("\x1b[?1049l").expect("left the alternate screen");
    let message = text.find("boom inside the TUI").expect("message");
    assert!(left < message, "restored before the message was printed");
    assert!(!screen.screen().alternate_screen());
}
