//! Flat memory on any input: a tar of 200,000 entries with 900-character names beside a valid
//! image is inspected, loaded and scanned by the TUI in less than 64 MB peak RSS (measured by
//! the kernel for a child process, `wait4`'s `ru_maxrss`).

mod common;

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::archives::*;
use common::hostile::{junk_entries, peak_kb};

const ENTRIES: usize = 200_000;
const NAME_LEN: usize = 900;
const LIMIT_KB: i64 = 64 * 1024;

/// Copy the entries of `archive` into `builder`, with the junk entries before `manifest.json`
/// and `index.json` (which writers put last).
fn with_junk(archive: &[u8], out: &Path, compress: bool) {
    let file = BufWriter::with_capacity(1 << 20, std::fs::File::create(out).unwrap());
    let sink: Box<dyn Write> = if compress {
        Box::new(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::fast(),
        ))
    } else {
        Box::new(file)
    };
    let mut builder = tar::Builder::new(sink);
    let mut junk_done = false;
    let mut tar = tar::Archive::new(archive);
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if !junk_done && (name == "manifest.json" || name == "index.json") {
            junk_entries(&mut builder, ENTRIES, NAME_LEN, b"");
            junk_done = true;
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        let mut header = entry.header().clone();
        builder.append_data(&mut header, &name, &data[..]).unwrap();
    }
    builder.into_inner().unwrap().flush().unwrap();
}

fn fixtures(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let image = TestImage::new("flat/app:1", "flat", 2);
    let legacy = legacy_docker_archive(std::slice::from_ref(&image));
    let oci = tar_of(&oci_layout_files(&[image], &OciOptions::default()));
    let mut out = Vec::new();
    for (name, bytes, compress) in [
        ("legacy.tar", &legacy, false),
        ("legacy.tar.gz", &legacy, true),
        ("oci.tar", &oci, false),
    ] {
        let path = dir.join(name);
        with_junk(bytes, &path, compress);
        out.push((path, name));
    }
    out
}

#[test]
fn many_long_entry_names_keep_memory_flat() {
    if std::env::var_os("HAUL_TUI_SCAN_CHILD").is_some() {
        return; // the child run below, not a test of its own
    }
    let dir = tempfile::tempdir().unwrap();
    let files = fixtures(dir.path());
    let mut figures = Vec::new();
    for (path, name) in &files {
        let mut cmd = common::docker::haul();
        cmd.args(["inspect", "--no-cache"]).arg(path);
        let (ok, stderr, kb) = peak_kb(cmd);
        assert!(ok, "{name}: {stderr}");
        figures.push(format!("inspect {name}: {} MB", kb / 1024));
        assert!(kb < LIMIT_KB, "inspect {name}: {kb} KiB peak");
    }
    // The TUI's scan and inspection, in a child process of this test binary.
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "tui_scan_child", "--nocapture"])
        .env("HAUL_TUI_SCAN_CHILD", dir.path())
        .env("HAUL_CACHE_DIR", dir.path().join("cache"));
    let (ok, stderr, kb) = peak_kb(cmd);
    assert!(ok, "tui scan: {stderr}");
    figures.push(format!("tui scan: {} MB", kb / 1024));
    assert!(kb < LIMIT_KB, "tui scan: {kb} KiB peak");
    eprintln!("peak RSS: {}", figures.join(", "));
}

/// Run by [`many_long_entry_names_keep_memory_flat`] in a child: scan the folder as the TUI does
/// and inspect every file found.
#[test]
fn tui_scan_child() {
    let Some(dir) = std::env::var_os("HAUL_TUI_SCAN_CHILD") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let mut scanner = haul::tui::scan::Scanner::new(vec![dir.clone()], 1, dir);
    let found = scanner.scan();
    assert_eq!(found.len(), 3, "{found:?}");
    for file in found {
        let report = haul::archive::inspect(&file.path).expect("inspects");
        assert_eq!(report.images.len(), 1);
    }
}

#[test]
fn loading_beside_many_long_names_keeps_memory_flat() {
    use common::docker::{Images, daemon_available, image_id};
    if std::env::var_os("HAUL_TUI_SCAN_CHILD").is_some()
        || !daemon_available("loading_beside_many_long_names")
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tag = common::docker::unique_name("harden-flat-load", "1");
    let mut images = Images::new();
    images.track(&tag);
    let image = TestImage::new(&tag, &tag, 2);
    // An OCI archive goes through the conversion, which sends only the image's blobs.
    let path = dir.path().join("oci.tar");
    with_junk(
        &tar_of(&oci_layout_files(
            std::slice::from_ref(&image),
            &OciOptions::default(),
        )),
        &path,
        false,
    );
    let mut cmd = common::docker::haul();
    cmd.args(["load", "-q"]).arg(&path);
    let (ok, stderr, kb) = peak_kb(cmd);
    assert!(ok, "{stderr}");
    assert_eq!(image_id(&tag), image.id());
    eprintln!("peak RSS: load oci.tar: {} MB", kb / 1024);
    assert!(kb < LIMIT_KB, "load: {kb} KiB peak");
}
