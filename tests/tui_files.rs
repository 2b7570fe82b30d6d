//! The files view in a real pseudo-terminal: `haul` finds a tarball the test wrote, `f` opens its
//! files, a search finds a known file, `p` shows its first lines, and `q` leaves cleanly. No
//! daemon is needed (a tarball is read by haul itself).

mod common;

use std::time::Duration;

use common::archives::{TestImage, layer_tar, legacy_docker_archive};
use common::pty::{Tui, line_with, scan_only};

#[test]
fn f_opens_the_files_of_a_tarball_and_q_leaves_cleanly() {
    let work = tempfile::tempdir().expect("tempdir");
    let (scan, home) = scan_only(work.path());
    let tag = format!("haul-test/files-{}:1", std::process::id());
    let layers = vec![
        layer_tar(&[("etc/os-release", b"NAME=e2e\n")]),
        layer_tar(&[("srv/haul-e2e-known.txt", b"hello from the second layer\n")]),
    ];
    let image = TestImage::with_layers(&[&tag], layers, "amd64");
    std::fs::write(scan.join("image.tar"), legacy_docker_archive(&[image])).unwrap();

    // No daemon: point at a socket that does not exist, so the Images pane just says so.
    let nowhere = format!("unix://{}", work.path().join("no.sock").display());
    let mut haul = Tui::start(&scan, &home, &[("DOCKER_HOST", nowhere)]);
    haul.wait_for("the first frame", Duration::from_secs(10), |t| {
        t.contains("Images")
    });
    haul.press("2");
    haul.wait_for("the tarball, inspected", Duration::from_secs(30), |t| {
        line_with(t, "image.tar").is_some_and(|l| l.contains(&tag))
    });
    haul.press("f");
    haul.wait_for("the final tree", Duration::from_secs(30), |t| {
        t.contains("final filesystem") && t.contains("srv/") && t.contains("etc/")
    });
    haul.press("/known\r");
    let screen = haul.wait_for("the known file", Duration::from_secs(10), |t| {
        t.contains("haul-e2e-known.txt")
    });
    assert!(
        line_with(&screen, "haul-e2e-known.txt").is_some_and(|l| l.contains('+')),
        "marked as added:\n{screen}"
    );
    haul.press("jp");
    haul.wait_for("its first line", Duration::from_secs(30), |t| {
        t.contains("hello from the second layer")
    });
    haul.press("\x1b");
    std::thread::sleep(Duration::from_millis(300));
    haul.press("q");
    haul.wait_for("the panes again", Duration::from_secs(10), |t| {
        t.contains("Tarballs") && !t.contains("final filesystem")
    });
    haul.quit();
    std::thread::sleep(Duration::from_millis(200));
    assert!(haul.restored(), "the terminal is as it was");
}
