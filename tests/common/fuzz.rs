//! A seeded mutation fuzzer on stable Rust: real archives (as haul's writers and the engines
//! lay them out) are mutated structurally (duplicate, drop, rename entries; lie in JSON) and
//! byte-wise (truncate, flip, splice, lie in tar headers and zip directories), then read by
//! haul. Every case is reproducible from (seed, case number).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

/// xorshift64*: small, fast, reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

pub type Files = Vec<(String, Vec<u8>)>;

/// How a case's files are packed into one file.
#[derive(Debug, Clone, Copy)]
pub enum Pack {
    Tar,
    Gzip,
    Zstd,
    ZipDeflate,
    ZipStored,
}

pub const PACKS: [Pack; 5] = [
    Pack::Tar,
    Pack::Gzip,
    Pack::Zstd,
    Pack::ZipDeflate,
    Pack::ZipStored,
];

fn raw_tar(files: &Files) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        // Names are written raw, as a hostile writer would (no `..` refusal by the tar crate).
        let bytes = name.as_bytes();
        if bytes.len() <= 100 {
            header.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
            header.set_cksum();
            builder.append(&header, &data[..]).unwrap();
        } else {
            let _ = builder.append_data(&mut header, name, &data[..]);
        }
    }
    builder.into_inner().unwrap()
}

pub fn pack(files: &Files, how: Pack) -> Vec<u8> {
    match how {
        Pack::Tar => raw_tar(files),
        Pack::Gzip => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&raw_tar(files)).unwrap();
            gz.finish().unwrap()
        }
        Pack::Zstd => zstd::encode_all(&raw_tar(files)[..], 1).unwrap(),
        Pack::ZipDeflate | Pack::ZipStored => {
            // The image tar inside an artifact zip, beside a log.
            let tar = raw_tar(files);
            let method = match how {
                Pack::ZipStored => zip::CompressionMethod::Stored,
                _ => zip::CompressionMethod::Deflated,
            };
            let opts = zip::write::SimpleFileOptions::default().compression_method(method);
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            zip.start_file("build.log", opts).unwrap();
            zip.write_all(b"log").unwrap();
            zip.start_file("image.tar", opts).unwrap();
            zip.write_all(&tar).unwrap();
            zip.finish().unwrap().into_inner()
        }
    }
}

const HOSTILE_NAMES: &[&str] = &[
    "../escape",
    "/abs/path",
    "a/../../b",
    "C:/x",
    "a\\..\\b",
    "dir/",
    "",
    ".",
    "manifest.json",
    "index.json",
    "blobs/sha256/",
    "\u{1b}[31mred\n",
];

fn random_json(rng: &mut Rng, depth: usize) -> serde_json::Value {
    use serde_json::json;
    match rng.below(if depth > 3 { 5 } else { 8 }) {
        0 => json!(null),
        1 => json!(rng.next() as i64),
        2 => json!(u64::MAX),
        3 => json!(format!("sha256:{:064x}", rng.next())),
        4 => json!(HOSTILE_NAMES[rng.below(HOSTILE_NAMES.len())]),
        5 => json!([random_json(rng, depth + 1), random_json(rng, depth + 1)]),
        6 => {
            json!({"manifests": [random_json(rng, depth + 1)], "digest": random_json(rng, depth + 1)})
        }
        _ => {
            json!({"Config": random_json(rng, depth + 1), "Layers": [random_json(rng, depth + 1)]})
        }
    }
}

/// Replace one random node of a JSON value.
fn mutate_value(v: &mut serde_json::Value, rng: &mut Rng, depth: usize) {
    use serde_json::Value;
    let descend = rng.chance(70);
    match v {
        Value::Array(items) if descend && !items.is_empty() => {
            let i = rng.below(items.len());
            match rng.below(4) {
                0 => {
                    let dup = items[i].clone();
                    items.push(dup);
                }
                1 => {
                    items.remove(i);
                }
                _ => mutate_value(&mut items[i], rng, depth + 1),
            }
        }
        Value::Object(map) if descend && !map.is_empty() => {
            let key = map.keys().nth(rng.below(map.len())).cloned().unwrap();
            if rng.chance(20) {
                map.remove(&key);
            } else if let Some(child) = map.get_mut(&key) {
                mutate_value(child, rng, depth + 1);
            }
        }
        _ => *v = random_json(rng, depth),
    }
}

/// One structural mutation of the files of an archive.
pub fn mutate_files(files: &mut Files, rng: &mut Rng) {
    if files.is_empty() {
        return;
    }
    let i = rng.below(files.len());
    match rng.below(7) {
        0 => {
            let dup = files[i].clone();
            let at = rng.below(files.len() + 1);
            files.insert(at, dup);
        }
        1 => {
            files.remove(i);
        }
        2 => files[i].0 = HOSTILE_NAMES[rng.below(HOSTILE_NAMES.len())].to_string(),
        3 => {
            let j = rng.below(files.len());
            files.swap(i, j);
        }
        _ => {
            // Lie in a JSON file (manifest, index, config), or make a non-JSON one JSON.
            let json_files: Vec<usize> = (0..files.len())
                .filter(|&k| serde_json::from_slice::<serde_json::Value>(&files[k].1).is_ok())
                .collect();
            let k = json_files
                .get(rng.below(json_files.len()))
                .copied()
                .unwrap_or(i);
            let mut value =
                serde_json::from_slice(&files[k].1).unwrap_or_else(|_| random_json(rng, 0));
            mutate_value(&mut value, rng, 0);
            files[k].1 = serde_json::to_vec(&value).unwrap();
        }
    }
}

fn set_octal(field: &mut [u8], n: u64) {
    let text = format!("{n:0width$o}", width = field.len() - 1);
    let text = &text.as_bytes()[text.len().saturating_sub(field.len() - 1)..];
    field[..text.len()].copy_from_slice(text);
    field[text.len()] = 0;
}

/// Make a tar header lie about its size (checksum fixed, so the lie is believed).
fn lie_in_tar_header(bytes: &mut [u8], rng: &mut Rng) -> bool {
    let headers: Vec<usize> = (0..bytes.len() / 512)
        .map(|b| b * 512)
        .filter(|&at| haul::archive::is_tar_header(&bytes[at..at + 512]))
        .collect();
    let Some(&at) = headers.get(rng.below(headers.len())) else {
        return false;
    };
    let size = match rng.below(4) {
        0 => 0,
        1 => rng.next() % 100_000,
        2 => (1 << 33) - 1,
        _ => bytes.len() as u64 * 2,
    };
    let block = &mut bytes[at..at + 512];
    set_octal(&mut block[124..136], size);
    if rng.chance(30) {
        block[156] = [b'S', b'L', b'K', b'x', b'g', b'5', b'1'][rng.below(7)];
    }
    block[148..156].copy_from_slice(b"        ");
    let sum: u64 = block.iter().map(|b| *b as u64).sum();
    set_octal(&mut block[148..155], sum);
    true
}

/// Make a zip's directory lie: sizes, offsets, entry counts.
fn lie_in_zip(bytes: &mut [u8], rng: &mut Rng) -> bool {
    let records: Vec<usize> = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x01\x02" || *w == b"PK\x05\x06" || *w == b"PK\x03\x04")
        .map(|(i, _)| i)
        .collect();
    let Some(&at) = records.get(rng.below(records.len())) else {
        return false;
    };
    let field = match &bytes[at..at + 4] {
        b"PK\x01\x02" => [20, 24, 42, 28][rng.below(4)], // csize, size, offset, name len
        b"PK\x05\x06" => [10, 12, 16][rng.below(3)],     // count, dir size, dir offset
        _ => [18, 22, 26][rng.below(3)],                 // local csize, size, name len
    };
    let value = match rng.below(3) {
        0 => 0u32,
        1 => u32::MAX,
        _ => rng.next() as u32 % (bytes.len() as u32 + 1),
    };
    if at + field + 4 > bytes.len() {
        return false;
    }
    bytes[at + field..at + field + 4].copy_from_slice(&value.to_le_bytes());
    true
}

/// One byte-level mutation of a packed file.
pub fn mutate_bytes(bytes: &mut Vec<u8>, corpus: &[Vec<u8>], rng: &mut Rng) {
    if bytes.is_empty() {
        return;
    }
    match rng.below(6) {
        0 => bytes.truncate(rng.below(bytes.len())),
        1 => {
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
        }
        2 => {
            let other = &corpus[rng.below(corpus.len())];
            if !other.is_empty() {
                let from = rng.below(other.len());
                let len = rng.below((other.len() - from).min(4096)) + 1;
                let at = rng.below(bytes.len());
                let end = (at + len).min(bytes.len());
                bytes.splice(at..end, other[from..from + len].iter().copied());
            }
        }
        3 => {
            if !lie_in_tar_header(bytes, rng) {
                lie_in_zip(bytes, rng);
            }
        }
        4 => {
            if !lie_in_zip(bytes, rng) {
                lie_in_tar_header(bytes, rng);
            }
        }
        _ => {
            let at = rng.below(bytes.len());
            let len = rng.below(1024).min(bytes.len() - at);
            let chunk: Vec<u8> = bytes[at..at + len].to_vec();
            bytes.splice(at..at, chunk);
        }
    }
}

/// Everything haul does with a file it is given: probe, inspect, convert, artifact scan.
pub fn exercise(path: &Path, zipped: bool) -> Result<(), String> {
    let check_error = |text: String| {
        if text.contains('\n') || text.chars().any(|c| c.is_control()) {
            return Err(format!("error with control characters: {text:?}"));
        }
        Ok(())
    };
    let _ = haul::archive::probe_path(path);
    let targets = if zipped {
        vec![
            path.to_path_buf(),
            PathBuf::from(format!("{}!image.tar", path.display())),
        ]
    } else {
        vec![path.to_path_buf()]
    };
    for target in targets {
        match haul::archive::inspect_with_cache(&target, None) {
            Ok(_) => {
                let read = AtomicU64::new(0);
                if let Err(e) = haul::archive::write_docker_archive(
                    &target,
                    &HashSet::new(),
                    &mut std::io::sink(),
                    &read,
                ) {
                    check_error(e.to_string())?;
                }
            }
            Err(e) => check_error(e.to_string())?,
        }
    }
    if zipped {
        let _ = haul::archive::probe::zip_entries(path);
    }
    if let Ok(Some(artifact)) = haul::artifacts::scan_path_with_cache(path, None) {
        for image in &artifact.images {
            if let Some(e) = &image.error {
                check_error(e.clone())?;
            }
        }
    }
    Ok(())
}
