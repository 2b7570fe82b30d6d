//! Clean messages: a path or entry name holding a newline or ESC cannot forge an `error:` line
//! or send escape codes, on the command line or in the TUI.

mod common;

use common::archives::*;

const EVIL: &str = "evil\nerror: forged\x1b[31m";

fn no_raw_controls(text: &str) {
    assert!(!text.contains('\x1b'), "raw ESC in {text:?}");
}

#[test]
fn a_hostile_file_name_is_one_escaped_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{EVIL}.tar"));
    std::fs::write(&path, b"not an archive at all, just text").unwrap();
    let out = common::docker::haul()
        .arg("inspect")
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.starts_with("error: "), "{stderr:?}");
    assert!(stderr.contains("evil\\nerror: forged\\e[31m"), "{stderr:?}");
    no_raw_controls(&stderr);
    // The artifacts listing escapes it too.
    let out = common::docker::haul()
        .args(["artifacts", "local"])
        .arg(dir.path())
        .output()
        .unwrap();
    no_raw_controls(&String::from_utf8_lossy(&out.stdout));
    no_raw_controls(&String::from_utf8_lossy(&out.stderr));
}

#[test]
fn hostile_entry_names_are_escaped_in_reports_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let image = legacy_docker_archive(&[TestImage::new("msg/app:1", "msg", 1)]);
    let zip = zip_of(&[(EVIL, b"log".as_slice()), ("image.tar", &image)], true);
    let path = dir.path().join("ci.zip");
    std::fs::write(&path, zip).unwrap();
    let out = common::docker::haul()
        .arg("inspect")
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("skipped evil\\nerror"), "{stdout}");
    no_raw_controls(&stdout);
    // Naming the hostile entry: one escaped error line.
    let named = format!("{}!{EVIL}", path.display());
    let out = common::docker::haul()
        .arg("inspect")
        .arg(&named)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    no_raw_controls(&stderr);
}

#[test]
fn the_tui_shows_hostile_names_escaped() {
    let cwd = std::path::Path::new("/work");
    let shown = haul::tui::scan::display_path(&cwd.join(format!("{EVIL}.tar")), cwd);
    assert_eq!(shown, "evil\\nerror: forged\\e[31m.tar");
    assert!(
        !haul::tui::format::fit(EVIL, 8)
            .chars()
            .any(char::is_control)
    );
    assert!(
        !haul::tui::format::fit_end(EVIL, 8)
            .chars()
            .any(char::is_control)
    );
}
