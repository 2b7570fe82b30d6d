//! A bad config stops haul before it touches the terminal, naming the line.

use assert_cmd::Command;

#[test]
fn a_bad_config_names_the_line_and_haul_does_not_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("config.toml"),
        "scan_depth = 2\n[keys]\nlaod = \"l\"\n",
    )
    .expect("write");
    let out = Command::cargo_bin("haul")
        .expect("binary")
        .env("HAUL_CONFIG_DIR", dir.path())
        .env("HAUL_DATA_DIR", dir.path())
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.toml: line 3, column 1: unknown action `laod`"),
        "{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing drawn: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn without_a_terminal_haul_says_to_use_a_subcommand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::cargo_bin("haul")
        .expect("binary")
        .env("HAUL_CONFIG_DIR", dir.path())
        .env("HAUL_DATA_DIR", dir.path())
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the TUI needs a terminal"), "{stderr}");
}
