//! Image tarballs inside a zip (a downloaded workflow artifact). The zip is listed from its
//! central directory (bounded in size before the zip crate reads it); entries are classified by
//! [`super::probe`]; a Stored entry is seek-listed in place, a Deflate one streamed once.
//! Nothing is extracted.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::open::{self, Target};
use super::probe::{self, Verdict, ZipEntry};
use super::{ArchiveError, ArchiveReport, Compression, Container, Problem, SkippedEntry, cache};

/// A central directory bigger than this, or with more entries, is refused before it is read:
/// the zip crate keeps every directory record in memory.
pub const MAX_DIRECTORY_BYTES: u64 = 16 * 1024 * 1024;
pub const MAX_ENTRIES: u64 = 50_000;

/// One image entry of a zip, as the engine reads it.
#[derive(Debug, Clone)]
pub struct ZipImageEntry {
    pub index: usize,
    pub name: String,
    /// Compression of the tar inside the entry (beyond the zip's own).
    pub compression: Compression,
    /// Stored (not deflated) and an uncompressed tar: readable in place at `data_start`.
    pub stored_tar: bool,
    pub data_start: u64,
    pub size: u64,
}

impl ZipImageEntry {
    fn from_probe(entry: &ZipEntry) -> Option<ZipImageEntry> {
        match entry.verdict {
            Verdict::Image {
                compression,
                stored_tar,
                data_start,
            } => Some(ZipImageEntry {
                index: entry.index,
                name: entry.name.clone(),
                compression,
                stored_tar,
                data_start,
                size: entry.size,
            }),
            _ => None,
        }
    }
}

pub fn zip_problem(e: zip::result::ZipError) -> Problem {
    match e {
        zip::result::ZipError::Io(io) => Problem::Io(io),
        other => Problem::Zip(other.to_string()),
    }
}

/// Entries and size of the central directory, from the end records (zip64 included).
fn directory_size(file: &mut File) -> std::io::Result<Option<(u64, u64)>> {
    let len = file.metadata()?.len();
    let tail_len = len.min(65_557 + 20);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0; tail_len as usize];
    file.read_exact(&mut tail)?;
    let Some(eocd) = tail.windows(4).rposition(|w| w == b"PK\x05\x06") else {
        return Ok(None);
    };
    let rec = &tail[eocd..];
    if rec.len() < 22 {
        return Ok(None);
    }
    let u16_at = |b: &[u8], i: usize| u16::from_le_bytes([b[i], b[i + 1]]) as u64;
    let u32_at =
        |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as u64;
    let (entries, size) = (u16_at(rec, 10), u32_at(rec, 12));
    if entries != 0xFFFF && size != 0xFFFF_FFFF {
        return Ok(Some((entries, size)));
    }
    // Zip64: the locator sits just before the end record and says where the zip64 record is.
    if eocd < 20 || &tail[eocd - 20..eocd - 16] != b"PK\x06\x07" {
        return Ok(Some((entries, size)));
    }
    let loc = &tail[eocd - 20..eocd];
    let at = u64::from_le_bytes(loc[8..16].try_into().unwrap_or_default());
    let mut rec64 = [0u8; 56];
    file.seek(SeekFrom::Start(at))?;
    if file.read_exact(&mut rec64).is_err() || &rec64[..4] != b"PK\x06\x06" {
        return Ok(Some((entries, size)));
    }
    let u64_at = |i: usize| u64::from_le_bytes(rec64[i..i + 8].try_into().unwrap_or_default());
    Ok(Some((u64_at(32), u64_at(40))))
}

pub fn open_zip(file: &Path) -> Result<zip::ZipArchive<BufReader<File>>, Problem> {
    let mut handle = File::open(file)?;
    if let Some((entries, bytes)) = directory_size(&mut handle)?
        && (entries > MAX_ENTRIES || bytes > MAX_DIRECTORY_BYTES)
    {
        return Err(Problem::Zip(format!(
            "its directory lists {entries} entries in {bytes} bytes, more than haul reads \
             ({MAX_ENTRIES} entries, {MAX_DIRECTORY_BYTES} bytes)"
        )));
    }
    handle.seek(SeekFrom::Start(0))?;
    zip::ZipArchive::new(BufReader::new(handle)).map_err(|e| match e {
        zip::result::ZipError::InvalidArchive(_) => Problem::Truncated(format!(
            "not a complete zip (a download still running or cut short?): {e}"
        )),
        other => zip_problem(other),
    })
}

/// The image entries of a zip (or the one named by `wanted`), and the entries skipped.
pub fn image_entries(
    file: &Path,
    wanted: Option<&str>,
) -> Result<(Vec<ZipImageEntry>, Vec<SkippedEntry>), Problem> {
    if let Some(wanted) = wanted {
        let entry = probe::zip_entry(file, wanted)?;
        return Ok((
            ZipImageEntry::from_probe(&entry).into_iter().collect(),
            Vec::new(),
        ));
    }
    let mut images = Vec::new();
    let mut skipped = Vec::new();
    for entry in probe::zip_entries(file)? {
        match &entry.verdict {
            Verdict::Image { .. } => images.extend(ZipImageEntry::from_probe(&entry)),
            Verdict::Skipped(why) | Verdict::Refused(why) => skipped.push(SkippedEntry {
                entry: entry.name.clone(),
                reason: why.clone(),
            }),
        }
    }
    Ok((images, skipped))
}

/// Inspect one image entry of a zip (cached when it had to be decompressed).
fn inspect_entry(
    file: &Path,
    entry: &ZipImageEntry,
    file_size: u64,
    meta: &std::fs::Metadata,
    cache_dir: Option<&Path>,
) -> Result<ArchiveReport, ArchiveError> {
    let entry_path = format!("{}!{}", file.display(), entry.name);
    let entry_path = Path::new(&entry_path);
    if entry.stored_tar {
        let images = open::windowed_images(file, entry.data_start, entry.size)
            .map_err(|p| p.at(entry_path))?;
        return Ok(open::assemble(
            entry_path,
            Compression::None,
            Container::Zip,
            file_size,
            Some(entry.name.clone()),
            images,
        ));
    }
    let key = cache::Key::new(file, Some(&entry.name), meta);
    open::cached_stream(entry_path, cache_dir, key, || {
        let mut zip = open_zip(file)?;
        let reader = zip.by_index(entry.index).map_err(zip_problem)?;
        let images = open::streamed_images(entry.compression, reader)?;
        Ok(open::assemble(
            entry_path,
            entry.compression,
            Container::Zip,
            file_size,
            Some(entry.name.clone()),
            images,
        ))
    })
}

pub fn inspect_zip(
    path: &Path,
    target: &Target,
    file_size: u64,
    cache_dir: Option<&Path>,
) -> Result<ArchiveReport, ArchiveError> {
    let (entries, mut skipped) =
        image_entries(&target.file, target.entry.as_deref()).map_err(|p| p.at(path))?;
    let meta = std::fs::metadata(&target.file).map_err(|e| Problem::Io(e).at(path))?;
    let mut reports = Vec::with_capacity(entries.len());
    for entry in &entries {
        match inspect_entry(&target.file, entry, file_size, &meta, cache_dir) {
            Ok(report) => reports.push(report),
            // A tar of sources beside the image: not an image, skipped. A named entry must be one.
            Err(e) if target.entry.is_none() && probe::is_not_an_image(&e.problem) => {
                skipped.push(SkippedEntry {
                    entry: entry.name.clone(),
                    reason: e.problem.to_string(),
                })
            }
            Err(e) => return Err(e),
        }
    }
    if reports.len() == 1 && skipped.is_empty() {
        let mut only = reports.remove(0);
        only.path = path.to_string_lossy().into_owned();
        return Ok(only);
    }
    if reports.len() == 1 {
        // One image beside logs: the entry's own report, with the skipped entries listed.
        let mut only = reports.remove(0);
        only.path = path.to_string_lossy().into_owned();
        only.skipped = skipped;
        return Ok(only);
    }
    probe::merge(path, file_size, reports, skipped).map_err(|p| p.at(path))
}
