//! The one probe: "what is this file, folder or zip entry, and is it an image?", and the one
//! merge of several entries' reports. The archive engine, `artifacts`, the TUI scan and the CLI
//! all ask here; names go through [`super::names`].
//!
//! Content decides, never a name: magic bytes, and for a compressed stream its first
//! decompressed block (a tar header or not). A stream that is not a tar (a `build-log.json.gz`,
//! an SBOM) is [`Probed::Other`]; a tar that turns out to hold no image is found out by the
//! engine and skipped the same way. Only a broken image fails.

use std::collections::HashSet;
use std::io::{self, Read};
use std::path::Path;

use super::names;
use super::zipped::{self, zip_problem};
use super::{ArchiveReport, Compression, Container, ImageInfo, Problem, SkippedEntry};

/// Raw bytes that decide: a tar header is 512 bytes.
pub const SNIFF_LEN: usize = 512;
/// At most this many compressed bytes are read to decompress one tar header.
const COMPRESSED_LIMIT: u64 = 1 << 20;

/// What the first raw bytes of a file say it is (magic numbers only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Tar,
    Compressed(Compression),
    Zip,
    Unknown,
}

pub fn sniff(head: &[u8]) -> Sniffed {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Sniffed::Zip;
    }
    match Compression::sniff(head) {
        Compression::None if is_tar_header(head) => Sniffed::Tar,
        Compression::None => Sniffed::Unknown,
        c => Sniffed::Compressed(c),
    }
}

/// A tar header block: `ustar` magic, or a valid header checksum (old v7 tars have no magic).
pub fn is_tar_header(block: &[u8]) -> bool {
    if block.len() < 512 {
        return false;
    }
    if &block[257..262] == b"ustar" {
        return true;
    }
    let stored = std::str::from_utf8(&block[148..156])
        .ok()
        .map(|s| s.trim_matches(|c: char| c == '\0' || c == ' '))
        .and_then(|s| u32::from_str_radix(s, 8).ok());
    let sum: u32 = block[..512]
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                *b as u32
            }
        })
        .sum();
    stored == Some(sum) && block[0] != 0
}

/// What a stream is, from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probed {
    /// A zip (local file header, or the end record of an empty zip).
    Zip,
    /// A tar, plain or inside a gzip/zstd/xz/bzip2 stream: a candidate image tarball.
    Tar(Compression),
    /// An OCI layout folder.
    Layout,
    /// Anything else, in a few words ("gzip data, not a tar").
    Other(&'static str),
}

impl Probed {
    pub fn is_candidate(self) -> bool {
        matches!(self, Probed::Tar(_) | Probed::Layout)
    }
}

fn read_head(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    reader
        .by_ref()
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// Read the first bytes of `reader` (a compressed stream is decompressed only as far as its
/// first tar header, from at most 1 MiB of input) and say what it is. A corrupt compressed
/// stream is simply "not a tar" here; the engine reports the details when asked.
pub fn probe(reader: impl Read) -> io::Result<Probed> {
    let mut reader = reader.take(COMPRESSED_LIMIT);
    let head = read_head(&mut reader)?;
    Ok(match sniff(&head) {
        Sniffed::Zip => Probed::Zip,
        Sniffed::Tar => Probed::Tar(Compression::None),
        Sniffed::Compressed(c) => {
            let inner = super::open::decoder(c, io::Cursor::new(head).chain(reader))
                .ok()
                .and_then(|mut d| read_head(&mut d).ok());
            match inner {
                Some(block) if is_tar_header(&block) => Probed::Tar(c),
                _ => Probed::Other(match c {
                    Compression::Gzip => "gzip data, not a tar",
                    Compression::Zstd => "zstd data, not a tar",
                    Compression::Xz => "xz data, not a tar",
                    _ => "bzip2 data, not a tar",
                }),
            }
        }
        Sniffed::Unknown if head.is_empty() => Probed::Other("empty"),
        Sniffed::Unknown => Probed::Other("not a tar or zip"),
    })
}

/// [`probe`] a path: a folder is a layout when it has `index.json` or `oci-layout`.
pub fn probe_path(path: &Path) -> io::Result<Probed> {
    if std::fs::metadata(path)?.is_dir() {
        return Ok(if super::layout_dir::LayoutDir::is_layout(path) {
            Probed::Layout
        } else {
            Probed::Other("a folder without an OCI layout")
        });
    }
    probe(std::fs::File::open(path)?)
}

/// What a zip entry is.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// A tar (plain or compressed) that may hold an image.
    Image {
        compression: Compression,
        /// Stored (not deflated) and an uncompressed tar: readable in place at `data_start`.
        stored_tar: bool,
        data_start: u64,
    },
    /// Not an image tarball (a log, an SBOM): skipped, with what it is.
    Skipped(String),
    /// Refused (an unsafe name) or unreadable (encrypted, unsupported method): an error to show.
    Refused(String),
}

/// One file entry of a zip (directories are left out).
#[derive(Debug, Clone)]
pub struct ZipEntry {
    pub index: usize,
    /// The name as written in the zip (shown escaped).
    pub name: String,
    /// Uncompressed bytes.
    pub size: u64,
    pub verdict: Verdict,
}

/// Every file entry of a zip, classified. The zip as a whole fails (`Err`) when it cannot be
/// read at all (truncated), is too big a directory, or has overlapping entries.
pub fn zip_entries(file: &Path) -> Result<Vec<ZipEntry>, Problem> {
    let mut zip = zipped::open_zip(file)?;
    let mut out = Vec::new();
    let mut ranges = Vec::new();
    let mut to_probe = Vec::new();
    for index in 0..zip.len() {
        let listed_name = match zip.name_for_index(index) {
            Some(Ok(n)) => n.into_owned(),
            _ => format!("#{index}"),
        };
        let raw = match zip.by_index_raw(index) {
            Ok(raw) => raw,
            Err(e) => {
                out.push(ZipEntry {
                    index,
                    name: listed_name,
                    size: 0,
                    verdict: Verdict::Refused(format!("unreadable entry: {e}")),
                });
                continue;
            }
        };
        let name = listed_name;
        if raw.is_dir() {
            continue;
        }
        let (size, encrypted) = (raw.size(), raw.encrypted());
        let stored = raw.compression() == zip::CompressionMethod::Stored;
        let data_start = raw.data_start();
        if let Some(start) = data_start {
            ranges.push((start, raw.compressed_size(), index));
        }
        drop(raw);
        let verdict = if let Err(why) = names::container_entry(&name) {
            Verdict::Refused(names::refusal_text(&name, why))
        } else if encrypted {
            Verdict::Refused("encrypted entry: haul reads no password-protected zip".into())
        } else {
            // Probed below, once the entries are known not to overlap.
            to_probe.push((out.len(), stored, data_start));
            Verdict::Skipped(String::new())
        };
        out.push(ZipEntry {
            index,
            name,
            size,
            verdict,
        });
    }
    // Checked before any entry is decompressed: a bomb is refused at once.
    check_overlaps(&mut ranges, &out)?;
    for (at, stored, data_start) in to_probe {
        let index = out[at].index;
        out[at].verdict = match zip.by_index(index).map_err(zip_problem) {
            Err(e) => Verdict::Refused(format!("unreadable entry: {e}")),
            Ok(entry) => match probe(entry) {
                Err(e) => Verdict::Refused(format!("unreadable entry: {e}")),
                Ok(Probed::Tar(compression)) => Verdict::Image {
                    compression,
                    stored_tar: stored && compression == Compression::None,
                    data_start: data_start.unwrap_or(0),
                },
                Ok(Probed::Zip) => Verdict::Skipped("a zip inside the zip".into()),
                Ok(other) => Verdict::Skipped(describe(other)),
            },
        };
    }
    Ok(out)
}

fn describe(probed: Probed) -> String {
    match probed {
        Probed::Other(what) => what.to_string(),
        other => format!("{other:?}"),
    }
}

/// Entries whose compressed bytes overlap (many directory entries pointing into one stream, the
/// "overlapping zip bomb") would make every entry decompress the same data again: refused.
fn check_overlaps(ranges: &mut [(u64, u64, usize)], entries: &[ZipEntry]) -> Result<(), Problem> {
    ranges.sort_unstable();
    for pair in ranges.windows(2) {
        let ((start, len, a), (next, _, b)) = (pair[0], pair[1]);
        if start.saturating_add(len) > next {
            let name = |i: usize| {
                entries
                    .iter()
                    .find(|e| e.index == i)
                    .map_or_else(|| format!("#{i}"), |e| crate::escape::quoted(&e.name))
            };
            return Err(Problem::Zip(format!(
                "entries {} and {} share compressed bytes (an overlapping-entry zip bomb?): refused",
                name(a),
                name(b)
            )));
        }
    }
    Ok(())
}

/// The one entry `wanted` of a zip (`file.zip!entry`), which must be an image tarball.
pub fn zip_entry(file: &Path, wanted: &str) -> Result<ZipEntry, Problem> {
    let entry = zip_entries(file)?
        .into_iter()
        .find(|e| e.name == wanted)
        .ok_or_else(|| Problem::Missing {
            what: "zip entry",
            name: wanted.to_string(),
        })?;
    match &entry.verdict {
        Verdict::Image { .. } => Ok(entry),
        Verdict::Refused(why) => Err(Problem::Invalid(why.clone())),
        Verdict::Skipped(what) => Err(Problem::NotAnArchive(format!(
            "zip entry {} is not an image tarball: {what}",
            crate::escape::quoted(wanted)
        ))),
    }
}

/// Distinct layers over `images` (a layer shared by two images or two entries counts once, by
/// blob digest, else diff ID) and their bytes.
pub fn distinct_layers<'a>(images: impl IntoIterator<Item = &'a ImageInfo>) -> (usize, u64) {
    let mut seen = HashSet::new();
    let mut bytes = 0;
    for layer in images.into_iter().flat_map(|i| &i.layers) {
        let key = layer.digest.as_deref().unwrap_or(&layer.diff_id);
        if seen.insert(key.to_string()) {
            bytes += layer.size;
        }
    }
    (seen.len(), bytes)
}

/// One report for a zip holding several image tarballs: images of every entry, layers counted
/// once, skipped entries listed.
pub fn merge(
    path: &Path,
    file_size: u64,
    entries: Vec<ArchiveReport>,
    skipped: Vec<SkippedEntry>,
) -> Result<ArchiveReport, Problem> {
    let Some(first) = entries.first() else {
        return Err(no_image_among(&skipped));
    };
    let (layer_count, layers_size) = distinct_layers(entries.iter().flat_map(|e| &e.images));
    Ok(ArchiveReport {
        path: path.to_string_lossy().into_owned(),
        format: first.format,
        compression: first.compression,
        container: Container::Zip,
        file_size,
        entry: None,
        images: entries.iter().flat_map(|e| e.images.clone()).collect(),
        layer_count,
        layers_size,
        missing_manifests: entries.iter().map(|e| e.missing_manifests).sum(),
        entries,
        skipped,
    })
}

/// The error for a zip in which no entry is an image.
pub fn no_image_among(skipped: &[SkippedEntry]) -> Problem {
    if skipped.is_empty() {
        return Problem::NotAnArchive("a zip that holds no image tarball".into());
    }
    let list: Vec<String> = skipped
        .iter()
        .take(5)
        .map(|s| format!("{}: {}", crate::escape::quoted(&s.entry), s.reason))
        .collect();
    let more = skipped.len().saturating_sub(5);
    Problem::NotAnArchive(format!(
        "a zip that holds no image tarball (skipped {}{})",
        list.join("; "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        }
    ))
}

/// True when an inspection error means "no image here" rather than "a broken image".
pub fn is_not_an_image(problem: &Problem) -> bool {
    matches!(problem, Problem::NoImage | Problem::NotAnArchive(_))
}
