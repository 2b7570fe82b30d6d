//! Image tarballs inside a zip (a downloaded workflow artifact). The zip is listed from its
//! central directory; a Stored entry is seek-listed in place, a Deflate one streamed once.
//! Nothing is extracted.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::open::{self, Sniffed, Target};
use super::{ArchiveError, ArchiveReport, Compression, Container, Problem, cache};

/// One entry of a zip that holds an image tarball.
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

fn zip_problem(e: zip::result::ZipError) -> Problem {
    match e {
        zip::result::ZipError::Io(io) => Problem::Io(io),
        other => Problem::Zip(other.to_string()),
    }
}

pub fn open_zip(file: &Path) -> Result<zip::ZipArchive<BufReader<File>>, Problem> {
    zip::ZipArchive::new(BufReader::new(File::open(file)?)).map_err(|e| match e {
        zip::result::ZipError::InvalidArchive(_) => {
            Problem::Truncated(format!("zip without a readable central directory ({e})"))
        }
        other => zip_problem(other),
    })
}

/// The entries of a zip that hold image tarballs, recognised by their first decompressed bytes.
/// `wanted` restricts the search to one entry name (an error if it is not an image tarball).
pub fn image_entries(file: &Path, wanted: Option<&str>) -> Result<Vec<ZipImageEntry>, Problem> {
    let mut zip = open_zip(file)?;
    let mut found = Vec::new();
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).map_err(zip_problem)?;
        let name = entry.name().map_err(zip_problem)?.into_owned();
        if wanted.is_some_and(|w| w != name) || entry.is_dir() {
            continue;
        }
        if entry.enclosed_name().is_none() {
            if wanted.is_some() {
                return Err(Problem::UnsafeName(name));
            }
            continue; // a hostile name is never an image we offer
        }
        let stored = entry.compression() == zip::CompressionMethod::Stored;
        let (size, data_start) = (entry.size(), entry.data_start().unwrap_or(0));
        let stored = stored && entry.data_start().is_some();
        let mut head = Vec::with_capacity(open::SNIFF_LEN);
        if let Err(e) = (&mut entry)
            .take(open::SNIFF_LEN as u64)
            .read_to_end(&mut head)
        {
            if wanted.is_some() {
                return Err(Problem::Zip(format!("entry {name}: {e}")));
            }
            continue;
        }
        let (compression, is_tar) = match open::sniff(&head) {
            Sniffed::Tar => (Compression::None, true),
            Sniffed::Compressed(c) => (c, false),
            _ => {
                if wanted.is_some() {
                    return Err(Problem::NotAnArchive(format!(
                        "zip entry {name} is not an image tarball"
                    )));
                }
                continue;
            }
        };
        found.push(ZipImageEntry {
            index,
            name,
            compression,
            stored_tar: stored && is_tar,
            data_start,
            size,
        });
    }
    if let Some(w) = wanted
        && found.is_empty()
    {
        return Err(Problem::Missing {
            what: "zip entry",
            name: w.to_string(),
        });
    }
    Ok(found)
}

pub fn inspect_zip(
    path: &Path,
    target: &Target,
    file_size: u64,
    cache_dir: Option<&Path>,
) -> Result<ArchiveReport, ArchiveError> {
    let entries = image_entries(&target.file, target.entry.as_deref()).map_err(|p| p.at(path))?;
    if entries.is_empty() {
        return Err(Problem::NotAnArchive("a zip that holds no image tarball".into()).at(path));
    }
    let meta = std::fs::metadata(&target.file).map_err(|e| Problem::Io(e).at(path))?;
    let mut reports = Vec::with_capacity(entries.len());
    for entry in &entries {
        let entry_path = format!("{}!{}", target.file.display(), entry.name);
        let entry_path = Path::new(&entry_path);
        let report = if entry.stored_tar {
            let images = open::windowed_images(&target.file, entry.data_start, entry.size)
                .map_err(|p| p.at(entry_path))?;
            open::assemble(
                entry_path,
                Compression::None,
                Container::Zip,
                file_size,
                Some(entry.name.clone()),
                images,
            )
        } else {
            let key = cache::Key::new(&target.file, Some(&entry.name), &meta);
            open::cached_stream(entry_path, cache_dir, key, || {
                let mut zip = open_zip(&target.file)?;
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
            })?
        };
        reports.push(report);
    }
    if reports.len() == 1 {
        let mut only = reports.remove(0);
        only.path = path.to_string_lossy().into_owned();
        return Ok(only);
    }
    Ok(merge(path, file_size, reports))
}

/// One report for a zip holding several image tarballs.
fn merge(path: &Path, file_size: u64, entries: Vec<ArchiveReport>) -> ArchiveReport {
    let first = &entries[0];
    ArchiveReport {
        path: path.to_string_lossy().into_owned(),
        format: first.format,
        compression: first.compression,
        container: Container::Zip,
        file_size,
        entry: None,
        images: entries.iter().flat_map(|e| e.images.clone()).collect(),
        layer_count: entries.iter().map(|e| e.layer_count).sum(),
        layers_size: entries.iter().map(|e| e.layers_size).sum(),
        missing_manifests: entries.iter().map(|e| e.missing_manifests).sum(),
        entries,
    }
}
