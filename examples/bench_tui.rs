//! Drives `haul` (no subcommand) in a pseudo-terminal and measures it. Run by
//! `scripts/bench-tui.sh`, which prepares the images and tarballs and removes them after.
//!
//! usage: bench_tui HAUL_BINARY SCAN_DIR HOME_DIR BIG_FILE_NAME
//! Prints: first frame, time until every list is filled, idle CPU over 10 s,
//! keystroke-to-redraw latency while the big file loads, and the load's duration.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 140;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: bench_tui HAUL_BINARY SCAN_DIR HOME_DIR BIG_FILE_NAME");
        std::process::exit(2);
    }
    let (haul, scan, home, big) = (&args[1], Path::new(&args[2]), Path::new(&args[3]), &args[4]);

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
    let mut child = pty.slave.spawn_command(cmd).expect("spawn");
    let pid = child.process_id().expect("pid");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let mut writer = pty.master.take_writer().expect("writer");
    let screen = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
    let first_output: Arc<Mutex<Option<Duration>>> = Arc::default();
    {
        let (screen, first_output) = (screen.clone(), first_output.clone());
        std::thread::spawn(move || {
            let _master = pty.master;
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut s = screen.lock().expect("lock");
                s.process(&buf[..n]);
                let mut first = first_output.lock().expect("lock");
                if first.is_none() && s.screen().contents().contains("Images") {
                    *first = Some(started.elapsed());
                }
            }
        });
    }
    let text = || screen.lock().expect("lock").screen().contents();
    let wait = |what: &str, timeout: Duration, pred: &dyn Fn(&str) -> bool| -> Duration {
        let start = Instant::now();
        loop {
            if pred(&text()) {
                return start.elapsed();
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {what}:\n{}", text());
            }
            std::thread::sleep(Duration::from_micros(500));
        }
    };
    let count = |t: &str, label: &str| -> usize {
        t.split(label)
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };

    wait("the first frame", Duration::from_secs(10), &|t| {
        t.contains("Images")
    });
    let first = first_output.lock().expect("lock").unwrap_or_default();
    println!(
        "first frame:                 {:>8.1} ms",
        first.as_secs_f64() * 1e3
    );
    wait("every list", Duration::from_secs(120), &|t| {
        count(t, "Images ") >= 300 && count(t, "Tarballs ") >= 200
    });
    println!(
        "images and files listed:     {:>8.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let mut send = |keys: &str| {
        writer.write_all(keys.as_bytes()).expect("write");
        writer.flush().expect("flush");
    };
    send("2");
    wait(
        "the visible tarballs inspected",
        Duration::from_secs(300),
        &|t| !t.contains("inspecting…"),
    );
    println!(
        "visible tarballs inspected:  {:>8.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    // Let the remaining inspections finish before measuring idle.
    std::thread::sleep(Duration::from_secs(5));
    let cpu = |pid: u32| -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let after = stat.rsplit(')').next().unwrap_or("");
        let fields: Vec<&str> = after.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the line: 12 and 13 after ")".
        let ticks: f64 = [11, 12]
            .iter()
            .filter_map(|i| fields.get(*i)?.parse::<f64>().ok())
            .sum();
        ticks / 100.0
    };
    let (c0, t0) = (cpu(pid), Instant::now());
    std::thread::sleep(Duration::from_secs(10));
    let idle = (cpu(pid) - c0) / t0.elapsed().as_secs_f64() * 100.0;
    println!("idle CPU over 10 s:          {idle:>8.2} %");

    send("/");
    for c in big.chars() {
        send(&c.to_string());
    }
    send("\r");
    wait("the big file selected", Duration::from_secs(10), &|t| {
        t.lines()
            .any(|l| l.contains('▶') && l.contains(big.as_str()))
    });
    let load_start = Instant::now();
    send("l");
    wait("the transfer", Duration::from_secs(30), &|t| {
        t.contains("transferring") || t.contains("✓ load") || t.contains("✗ load")
    });
    let mut latencies = Vec::new();
    for _ in 0..30 {
        if text().contains("✓ load") || text().contains("✗ load") {
            break;
        }
        let t = Instant::now();
        send("?");
        wait("help", Duration::from_secs(5), &|s| s.contains("this help"));
        latencies.push(t.elapsed());
        let t = Instant::now();
        send("k");
        wait("help closed", Duration::from_secs(5), &|s| {
            !s.contains("this help")
        });
        latencies.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(60));
    }
    let load = wait("the load", Duration::from_secs(600), &|t| {
        t.contains("✓ load") || t.contains("✗ load")
    });
    let ok = text().contains("✓ load");
    latencies.sort();
    if latencies.is_empty() {
        println!("keystroke to redraw:         the load ended before any key was measured");
    } else {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let p = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
        println!(
            "keystroke to redraw (load):  median {:.1} ms, p95 {:.1} ms, max {:.1} ms ({} keys)",
            ms(p(0.5)),
            ms(p(0.95)),
            ms(*latencies.last().expect("one")),
            latencies.len()
        );
    }
    println!(
        "load of {big}:        {} in {:.1} s",
        if ok { "done" } else { "FAILED" },
        (load_start.elapsed().max(load)).as_secs_f64()
    );
    send("q");
    let status = child.wait().expect("wait");
    println!(
        "exit:                        {}",
        if status.success() { "0" } else { "non-zero" }
    );
}
