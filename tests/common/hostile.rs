//! Hostile inputs made by byte surgery: zips whose directory lies, encrypted flags, huge tars.

use std::io::Write;

fn u16_at(b: &[u8], i: usize) -> usize {
    u16::from_le_bytes([b[i], b[i + 1]]) as usize
}

fn u32_at(b: &[u8], i: usize) -> usize {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize
}

/// A zip written with a seekable writer (sizes in the local headers, no data descriptors).
pub fn plain_zip(entries: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Split a zip into (bytes before the directory, directory records, end record).
fn split(zip: &[u8]) -> (usize, Vec<Vec<u8>>) {
    let eocd = zip.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    let (count, start) = (u16_at(zip, eocd + 10), u32_at(zip, eocd + 16));
    let mut records = Vec::new();
    let mut at = start;
    for _ in 0..count {
        let len = 46 + u16_at(zip, at + 28) + u16_at(zip, at + 30) + u16_at(zip, at + 32);
        records.push(zip[at..at + len].to_vec());
        at += len;
    }
    (start, records)
}

fn join(zip: &[u8], start: usize, records: &[Vec<u8>]) -> Vec<u8> {
    let mut out = zip[..start].to_vec();
    let dir: Vec<u8> = records.concat();
    out.extend_from_slice(&dir);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    let n = records.len() as u16;
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&(dir.len() as u32).to_le_bytes());
    out.extend_from_slice(&(start as u32).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A zip whose directory lists `copies` entries (`e00000.tar`...) that all point at the one
/// deflated entry holding `inner`: the overlapping-entry zip bomb.
pub fn overlapping_zip(inner: &[u8], copies: usize) -> Vec<u8> {
    let zip = plain_zip(&[("img.tar", inner)], true);
    let (start, records) = split(&zip);
    let record = &records[0];
    let name_len = u16_at(record, 28);
    let mut out = Vec::with_capacity(copies);
    for i in 0..copies {
        let name = format!("e{i:05}.tar");
        let mut r = record[..46].to_vec();
        r[28..30].copy_from_slice(&(name.len() as u16).to_le_bytes());
        r.extend_from_slice(name.as_bytes());
        r.extend_from_slice(&record[46 + name_len..]);
        out.push(r);
    }
    join(&zip, start, &out)
}

/// Mark every entry of a zip encrypted (general purpose flag bit 0), in the local and central
/// headers: what a password-protected zip looks like to a reader without the password.
pub fn mark_encrypted(mut zip: Vec<u8>) -> Vec<u8> {
    let mut i = 0;
    while i + 8 < zip.len() {
        if &zip[i..i + 4] == b"PK\x03\x04" {
            zip[i + 6] |= 1;
        } else if &zip[i..i + 4] == b"PK\x01\x02" {
            zip[i + 8] |= 1;
        }
        i += 1;
    }
    zip
}

/// Append `count` regular files with `name_len`-character names (and `body` each) to a tar
/// builder writing to `out`: the many-long-names case for flat memory.
pub fn junk_entries(
    builder: &mut tar::Builder<impl Write>,
    count: usize,
    name_len: usize,
    body: &[u8],
) {
    for i in 0..count {
        let mut name = format!("junk/{i:08}-");
        while name.len() < name_len {
            name.push('x');
        }
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, &name, body).unwrap();
    }
}

/// Run `cmd` and return (success, stderr, peak RSS in KiB as the kernel counted it). An upper
/// bound: the kernel also counts the test process's own high-water mark at the spawn, so keep
/// the test's own memory small (write fixtures to disk as a stream) for exact figures.
// The child is reaped by wait4 (which also gives its rusage), not by Child::wait.
#[allow(clippy::zombie_processes)]
pub fn peak_kb(mut cmd: std::process::Command) -> (bool, String, i64) {
    use std::io::Read;
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut text = String::new();
    child.stderr.unwrap().read_to_string(&mut text).unwrap();
    let mut status = 0;
    // SAFETY: wait4 on our own child with valid out-pointers; rusage is plain old data.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(got, pid);
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    (ok, text, usage.ru_maxrss)
}
