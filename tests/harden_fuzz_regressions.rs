//! What the fuzzer found, kept: every file in `tests/fuzz-regressions/` is read the way the
//! fuzzer reads a case (probe, inspect, convert, artifact scan) and must end cleanly, with a
//! one-line error free of control characters.
//!
//! - `ctrl-chars-in-tar-error-*`: a damaged tar header whose garbage (control characters, ESC)
//!   was quoted raw in the error line; now "a damaged entry header", and every error line is
//!   escaped.

mod common;

#[test]
fn every_kept_fuzz_case_ends_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let zipped = path.to_string_lossy().contains("Zip");
        common::fuzz::exercise(&path, zipped).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        seen += 1;
    }
    assert!(seen >= 4, "the kept cases are there");
}

#[test]
fn a_damaged_tar_header_is_one_clean_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut block = [0u8; 512];
    block[..11].copy_from_slice(b"\x1b[31mevil\nx");
    block[148..156].copy_from_slice(b"\x07\x1b[2J\x00\x00\x00");
    block[257..262].copy_from_slice(b"ustar");
    let path = dir.path().join("damaged.tar");
    std::fs::write(&path, [&block[..], &[0u8; 1024][..]].concat()).unwrap();
    let err = haul::archive::inspect_with_cache(&path, None)
        .unwrap_err()
        .to_string();
    assert!(!err.chars().any(|c| c.is_control()), "{err:?}");
    assert!(err.contains("damaged entry header"), "{err}");
}
