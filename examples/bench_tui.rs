//! Drives `haul` (no subcommand) in a pseudo-terminal and measures it. Run by
//! `scripts/bench-tui.sh`, which prepares the images and tarballs and removes them after.
//!
//! usage: bench_tui HAUL_BINARY SCAN_DIR HOME_DIR BIG_FILE_NAME
//! Prints: first frame, time until every list is filled, idle CPU over 10 s,
//! keystroke-to-redraw latency while the big file loads, and the load's duration.

use std::path::Path;
use std::time::{Duration, Instant};

#[path = "common/driver.rs"]
mod driver;

use driver::{Driven, count, cpu_seconds, press};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: bench_tui HAUL_BINARY SCAN_DIR HOME_DIR BIG_FILE_NAME");
        std::process::exit(2);
    }
    let (haul, scan, home, big) = (&args[1], Path::new(&args[2]), Path::new(&args[3]), &args[4]);

    let mut haul = Driven::start(haul, scan, home);
    let started = haul.started;
    let first = haul.first_frame();
    println!(
        "first frame:                 {:>8.1} ms",
        first.as_secs_f64() * 1e3
    );
    haul.screen
        .wait("every list", Duration::from_secs(120), &|t| {
            count(t, "Images ") >= 300 && count(t, "Tarballs ") >= 200
        });
    println!(
        "images and files listed:     {:>8.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    press(&mut haul.writer, "2");
    haul.screen.wait(
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
    let (c0, t0) = (cpu_seconds(haul.pid), Instant::now());
    std::thread::sleep(Duration::from_secs(10));
    let idle = (cpu_seconds(haul.pid) - c0) / t0.elapsed().as_secs_f64() * 100.0;
    println!("idle CPU over 10 s:          {idle:>8.2} %");

    press(&mut haul.writer, "/");
    for c in big.chars() {
        press(&mut haul.writer, &c.to_string());
    }
    press(&mut haul.writer, "\r");
    haul.screen
        .wait("the big file selected", Duration::from_secs(10), &|t| {
            t.lines()
                .any(|l| l.contains('▶') && l.contains(big.as_str()))
        });
    let load_start = Instant::now();
    press(&mut haul.writer, "l");
    haul.screen
        .wait("the transfer", Duration::from_secs(30), &|t| {
            t.contains("transferring") || t.contains("✓ load") || t.contains("✗ load")
        });
    let mut latencies = Vec::new();
    for _ in 0..30 {
        if haul.screen.text().contains("✓ load") || haul.screen.text().contains("✗ load") {
            break;
        }
        let t = Instant::now();
        press(&mut haul.writer, "?");
        haul.screen
            .wait("help", Duration::from_secs(5), &|s| s.contains("this help"));
        latencies.push(t.elapsed());
        let t = Instant::now();
        press(&mut haul.writer, "k");
        haul.screen
            .wait("help closed", Duration::from_secs(5), &|s| {
                !s.contains("this help")
            });
        latencies.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(60));
    }
    let load = haul
        .screen
        .wait("the load", Duration::from_secs(600), &|t| {
            t.contains("✓ load") || t.contains("✗ load")
        });
    let ok = haul.screen.text().contains("✓ load");
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
    press(&mut haul.writer, "q");
    let status = haul.child.wait().expect("wait");
    println!(
        "exit:                        {}",
        if status.success() { "0" } else { "non-zero" }
    );
}
