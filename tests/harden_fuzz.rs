//! The mutation fuzzer, bounded for CI: `HAUL_FUZZ_CASES` cases (default 400) from
//! `HAUL_FUZZ_SEED` (default fixed, so a CI failure reproduces). `scripts/fuzz.sh` runs it long.
//! Each case must end without a panic, within a time bound, within a memory bound, and with a
//! one-line error free of control characters when it fails. A failing case is written to
//! `target/fuzz-failures/` for a regression test.

mod common;

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::archives::*;
use common::fuzz::{Files, PACKS, Pack, Rng, exercise, mutate_bytes, mutate_files, pack};

/// A case running longer than this is a hang.
const CASE_LIMIT: Duration = Duration::from_secs(10);
/// Resident memory of the whole test process past which a case is a memory spike.
const MEMORY_LIMIT_KB: u64 = 512 * 1024;

fn files_of_tar(bytes: &[u8]) -> Files {
    let mut out = Vec::new();
    let mut tar = tar::Archive::new(bytes);
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.push((name, data));
    }
    out
}

/// Real layouts: legacy and skopeo docker-archives, OCI archives (gzip, zstd, plain layers,
/// nested indexes, attestations, Docker 25+ `manifest.json`), several images sharing layers;
/// plus every tar in `HAUL_FUZZ_CORPUS` (real `docker save` outputs, say).
fn corpus() -> Vec<Files> {
    let a = TestImage::new("fuzz/a:1", "a", 2);
    let b = TestImage::new("fuzz/b:1", "b", 1);
    let mut out = vec![
        files_of_tar(&legacy_docker_archive(&[a.clone(), b.clone()])),
        files_of_tar(&skopeo_docker_archive(&a)),
    ];
    for (blobs, nested, docker_manifest) in [
        (Blob::Gzip, false, true),
        (Blob::Zstd, true, false),
        (Blob::Plain, false, false),
    ] {
        let opts = OciOptions {
            layer_blobs: blobs,
            nested,
            docker_manifest,
            attestation: nested,
            absent_platform: !nested,
            ..OciOptions::default()
        };
        out.push(oci_layout_files(&[a.clone(), b.clone()], &opts));
    }
    if let Some(dir) = std::env::var_os("HAUL_FUZZ_CORPUS") {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            if bytes.len() < 64 << 20 && haul::archive::is_tar_header(&bytes) {
                out.push(files_of_tar(&bytes));
            }
        }
    }
    out
}

fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn mutated_archives_never_crash_hang_or_balloon() {
    let cases: u64 = std::env::var("HAUL_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(400);
    let seed: u64 = std::env::var("HAUL_FUZZ_SEED")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0x4841_554c);
    let corpus = corpus();
    let packed: Vec<Vec<u8>> = corpus.iter().map(|f| pack(f, Pack::Tar)).collect();
    let dir = tempfile::tempdir().unwrap();
    let failures_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    // The watchdog: a case past the time bound aborts the run, naming the case.
    let current = std::sync::Arc::new(AtomicU64::new(u64::MAX));
    let started = std::sync::Arc::new(std::sync::Mutex::new(Instant::now()));
    {
        let (current, started) = (current.clone(), started.clone());
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(200));
                let case = current.load(Ordering::Relaxed);
                let elapsed = started.lock().map(|s| s.elapsed()).unwrap_or_default();
                if case != u64::MAX && elapsed > CASE_LIMIT {
                    eprintln!("fuzz: HANG: seed {seed} case {case} ran {elapsed:?}");
                    std::process::abort();
                }
            }
        });
    }
    let mut failures = Vec::new();
    let t0 = Instant::now();
    for case in 0..cases {
        let mut rng = Rng::new(seed ^ case.wrapping_mul(0x1000_0001));
        let mut files = corpus[rng.below(corpus.len())].clone();
        for _ in 0..rng.below(3) {
            mutate_files(&mut files, &mut rng);
        }
        let how = PACKS[rng.below(PACKS.len())];
        let mut bytes = pack(&files, how);
        for _ in 0..rng.below(4) {
            mutate_bytes(&mut bytes, &packed, &mut rng);
        }
        let path = dir.path().join(format!("case-{case}"));
        std::fs::write(&path, &bytes).unwrap();
        let zipped = matches!(how, Pack::ZipDeflate | Pack::ZipStored);
        *started.lock().unwrap() = Instant::now();
        current.store(case, Ordering::Relaxed);
        let result = std::panic::catch_unwind(|| exercise(&path, zipped));
        current.store(u64::MAX, Ordering::Relaxed);
        let problem = match result {
            Err(panic) => Some(format!(
                "panic: {}",
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )),
            Ok(Err(e)) => Some(e),
            Ok(Ok(())) if peak_kb() > MEMORY_LIMIT_KB => {
                Some(format!("memory spike: {} MB peak", peak_kb() / 1024))
            }
            Ok(Ok(())) => None,
        };
        if let Some(problem) = problem {
            std::fs::create_dir_all(&failures_dir).unwrap();
            let keep = failures_dir.join(format!("seed{seed}-case{case}-{how:?}.bin"));
            std::fs::write(&keep, &bytes).unwrap();
            failures.push(format!(
                "case {case} ({how:?}, kept as {}): {problem}",
                keep.display()
            ));
        }
        let _ = std::fs::remove_file(&path);
    }
    eprintln!(
        "fuzz: {cases} cases from seed {seed} in {:?}, peak {} MB, {} failure(s)",
        t0.elapsed(),
        peak_kb() / 1024,
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
