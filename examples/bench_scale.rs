//! Drives `haul` (no subcommand) in a pseudo-terminal over big lists and measures it. Run by
//! `scripts/bench-scale.sh`, which makes the images, the scan folder and the stand-in API,
//! and removes them after.
//!
//! usage: bench_scale HAUL SCAN_DIR HOME_DIR N_IMAGES N_TARBALLS N_ARTIFACTS TAG_SOURCE TAG_PREFIX DOCKERD_PID
//!
//! Prints: the daemon's CPU for 20 `docker tag`s in 10 s without and with the TUI open, the
//! first frame, the time until every list is filled, keystroke-to-redraw latencies in each
//! pane (moving, paging, jumping, filtering), and haul's peak memory.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "common/driver.rs"]
mod driver;

use driver::{Driven, count, cpu_seconds, press};

const TAGS: usize = 20;

/// Peak resident memory of a process (VmHWM), in MB.
fn peak_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The daemon's CPU seconds for `TAGS` `docker tag`s spread over 10 s, plus 2 s to settle.
fn tag_burst(dockerd: u32, source: &str, prefix: &str, round: &str) -> f64 {
    let before = cpu_seconds(dockerd);
    for i in 0..TAGS {
        let started = Instant::now();
        let status = Command::new("docker")
            .args(["tag", source, &format!("{prefix}-tag-{round}-{i}:1")])
            .status()
            .expect("docker tag");
        assert!(status.success(), "docker tag failed");
        let step = Duration::from_millis(10_000 / TAGS as u64);
        std::thread::sleep(step.saturating_sub(started.elapsed()));
    }
    std::thread::sleep(Duration::from_secs(2));
    cpu_seconds(dockerd) - before
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 10 {
        eprintln!(
            "usage: bench_scale HAUL SCAN_DIR HOME_DIR N_IMAGES N_TARBALLS N_ARTIFACTS \
             TAG_SOURCE TAG_PREFIX DOCKERD_PID"
        );
        std::process::exit(2);
    }
    let (haul, scan, home) = (&args[1], Path::new(&args[2]), Path::new(&args[3]));
    let num = |i: usize| -> usize { args[i].parse().expect("a number") };
    let (n_images, n_tarballs, n_artifacts) = (num(4), num(5), num(6));
    let (source, prefix) = (&args[7], &args[8]);
    let dockerd: u32 = args[9].parse().expect("dockerd pid");

    let without = tag_burst(dockerd, source, prefix, "idle");
    println!(
        "daemon CPU, {TAGS} tags in 10 s, no TUI:      {without:>6.2} s ({:.1} ms per event)",
        without * 1e3 / TAGS as f64
    );

    let driven = Driven::start(haul, scan, home);
    let first = driven.first_frame();
    let Driven {
        mut child,
        pid,
        mut writer,
        screen,
        started,
        ..
    } = driven;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "first frame:                               {:>8.1} ms",
        ms(first)
    );
    let first_page = n_artifacts.min(100);
    screen.wait("every list", Duration::from_secs(600), &|t| {
        count(t, "1 Images ") >= n_images
            && count(t, "2 Tarballs ") >= n_tarballs
            && count(t, "3 Artifacts ") >= first_page
    });
    println!(
        "every list filled (artifacts: first page):{:>9.1} ms",
        ms(started.elapsed())
    );

    let mut send = |keys: &str| press(&mut writer, keys);
    // Each key is timed until the screen changed (a key that changes nothing, such as paging
    // down at the end of a short list, is not counted).
    let timed = |send: &mut dyn FnMut(&str), keys: &[&str]| -> Vec<Duration> {
        let mut out = Vec::new();
        for key in keys {
            let before = screen.text();
            let t = Instant::now();
            send(key);
            if screen
                .wait_for(Duration::from_secs(2), &|s| s != before)
                .is_some()
            {
                out.push(t.elapsed());
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        out
    };
    let moves: Vec<&str> = [
        "j", "j", "j", "k", "\x1b[6~", "\x1b[6~", "\x1b[5~", "G", "g",
    ]
    .into_iter()
    .cycle()
    .take(27)
    .collect();
    let report = |pane: &str, mut latencies: Vec<Duration>| {
        latencies.sort();
        let p = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
        println!(
            "keystroke to redraw, {pane:<10} median {:>5.1} ms, p95 {:>5.1} ms, max {:>5.1} ms ({} keys)",
            ms(p(0.5)),
            ms(p(0.95)),
            ms(*latencies.last().expect("one")),
            latencies.len()
        );
    };
    for (pane, key, filter) in [
        ("Images", "1", "img-1"),
        ("Tarballs", "2", "t-1"),
        ("Artifacts", "3", "build-1"),
    ] {
        let mut latencies = timed(&mut send, &[key]);
        latencies.extend(timed(&mut send, &moves));
        let mut typing = vec!["/"];
        typing.extend(filter.split_inclusive(|_: char| true));
        typing.push("\x1b");
        latencies.extend(timed(&mut send, &typing));
        report(pane, latencies);
    }
    // The rest of the remote pages: `G` at the end asks for the next one while the tab
    // says `+` (the filter asked for some already).
    let pages = Instant::now();
    let more = |t: &str| t.contains(&format!("3 Artifacts {}+", count(t, "3 Artifacts ")));
    while more(&screen.text()) {
        let before = count(&screen.text(), "3 Artifacts ");
        send("G");
        screen.wait("the next page", Duration::from_secs(30), &|t| {
            count(t, "3 Artifacts ") > before || !more(t)
        });
    }
    println!(
        "the rest of the remote pages, with G:     {:>8.1} ms ({} artifacts)",
        ms(pages.elapsed()),
        count(&screen.text(), "3 Artifacts ")
    );
    assert!(count(&screen.text(), "3 Artifacts ") >= n_artifacts);

    // The daemon's cost while the TUI is open; the Images pane shows each new tag.
    send("1");
    std::thread::sleep(Duration::from_secs(3));
    let shown = count(&screen.text(), "1 Images ");
    let with = tag_burst(dockerd, source, prefix, "tui");
    screen.wait(
        "the new tags in the Images pane",
        Duration::from_secs(30),
        &|t| count(t, "1 Images ") >= shown + TAGS,
    );
    println!(
        "daemon CPU, {TAGS} tags in 10 s, TUI open:    {with:>6.2} s ({:.1} ms per event)",
        with * 1e3 / TAGS as f64
    );
    println!(
        "haul's peak memory (VmHWM):                {:>8.1} MB",
        peak_mb(pid)
    );
    send("q");
    let status = child.wait().expect("wait");
    println!(
        "exit:                                      {}",
        if status.success() { "0" } else { "non-zero" }
    );
}
