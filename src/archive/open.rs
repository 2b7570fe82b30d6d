//! From a path to an archive's images: recognise the container and compression by content,
//! pick the cheapest way to list it, and assemble the report.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::formats::{self, Images};
use super::index::Blobs;
use super::layout_dir::LayoutDir;
pub use super::probe::is_tar_header;
use super::probe::{SNIFF_LEN, Sniffed, sniff};
use super::tar_source::{SeekableTar, StreamedTar, Window};
use super::{ArchiveError, ArchiveReport, Compression, Container, Problem, cache};

/// A path as the user wrote it, split into the file and (for `file.zip!entry`) the zip entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub file: PathBuf,
    pub entry: Option<String>,
}

impl Target {
    /// `a.zip!dir/img.tar` names one entry of a zip, unless a file by the whole name exists.
    pub fn parse(path: &Path) -> Target {
        let text = path.to_string_lossy();
        if !path.exists()
            && let Some((file, entry)) = text.rsplit_once('!')
            && Path::new(file).is_file()
            && !entry.is_empty()
        {
            return Target {
                file: PathBuf::from(file),
                entry: Some(entry.to_string()),
            };
        }
        Target {
            file: path.to_path_buf(),
            entry: None,
        }
    }
}

/// Wrap a compressed stream in its decoder.
pub fn decoder<'a>(
    compression: Compression,
    reader: impl Read + 'a,
) -> Result<Box<dyn Read + 'a>, Problem> {
    Ok(match compression {
        Compression::None => Box::new(reader),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Zstd => {
            Box::new(
                zstd::stream::read::Decoder::new(reader).map_err(|e| Problem::Corrupt {
                    what: "zstd stream".into(),
                    detail: e.to_string(),
                })?,
            )
        }
        Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(reader)),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
    })
}

fn read_head(reader: &mut impl Read) -> Result<Vec<u8>, Problem> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    reader.take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Inspect one path. See [`super::inspect`].
pub fn inspect(path: &Path, cache_dir: Option<&Path>) -> Result<ArchiveReport, ArchiveError> {
    let target = Target::parse(path);
    let at = |p: Problem| p.at(path);
    let meta = std::fs::metadata(&target.file).map_err(|e| at(e.into()))?;
    if meta.is_dir() {
        if !LayoutDir::is_layout(&target.file) {
            return Err(at(Problem::NotAnArchive(
                "a folder without an OCI layout (no index.json)".into(),
            )));
        }
        let mut dir = LayoutDir::open(&target.file).map_err(at)?;
        let images = formats::read_images(&mut dir, true).map_err(at)?;
        return Ok(assemble(
            path,
            Compression::None,
            Container::Directory,
            0,
            None,
            images,
        ));
    }
    let len = meta.len();
    if len == 0 {
        return Err(at(Problem::Empty));
    }
    let mut file = File::open(&target.file).map_err(|e| at(e.into()))?;
    let head = read_head(&mut file).map_err(at)?;
    match (sniff(&head), &target.entry) {
        (Sniffed::Zip, _) => super::zipped::inspect_zip(path, &target, len, cache_dir),
        (_, Some(_)) => Err(at(Problem::NotAnArchive(
            "only a zip has entries (path!entry)".into(),
        ))),
        (Sniffed::Tar, None) => {
            let mut tar = SeekableTar::open(Box::new(file), len).map_err(at)?;
            let images = formats::read_images(&mut tar, false).map_err(at)?;
            Ok(assemble(
                path,
                Compression::None,
                Container::Tar,
                len,
                None,
                images,
            ))
        }
        (Sniffed::Compressed(c), None) => {
            let key = cache::Key::new(&target.file, None, &meta);
            cached_stream(path, cache_dir, key, || {
                let reader = BufReader::with_capacity(256 * 1024, File::open(&target.file)?);
                let images = streamed_images(c, reader)?;
                Ok(assemble(path, c, Container::Tar, len, None, images))
            })
        }
        (Sniffed::Unknown, None) if len < 512 && head.iter().all(|b| *b == 0) => {
            Err(at(Problem::NoImage))
        }
        (Sniffed::Unknown, None) => Err(at(Problem::NotAnArchive(
            "unrecognised content: not a tar, gzip, zstd, xz, bzip2 or zip file".into(),
        ))),
    }
}

/// List a compressed tar in one streaming pass: decompressed on a thread of its own (a core),
/// listed and its blobs hashed on this one.
pub fn streamed_images(
    compression: Compression,
    reader: impl Read + Send,
) -> Result<Images, Problem> {
    super::read_ahead::with(
        move || decoder(compression, reader),
        |decoded| {
            let mut tar = StreamedTar::read(checked_tar(compression, decoded)?)?;
            formats::read_images(&mut tar, false)
        },
    )
}

/// The decompressed bytes of a compressed tar, from its first byte, once its first block has
/// been checked to be a tar header.
pub fn tar_stream<'a>(
    compression: Compression,
    reader: impl Read + 'a,
) -> Result<impl Read + 'a, Problem> {
    checked_tar(compression, decoder(compression, reader)?)
}

/// The `decoded` bytes of a `compression` stream, once its first block has been checked to be a
/// tar header.
pub fn checked_tar<'a>(
    compression: Compression,
    mut decoded: impl Read + 'a,
) -> Result<impl Read + 'a, Problem> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut decoded)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(super::tar_source::corrupt_tar)?;
    if !is_tar_header(&head) {
        return Err(if head.iter().all(|b| *b == 0) && !head.is_empty() {
            Problem::NoImage
        } else {
            Problem::NotAnArchive(format!(
                "{}-compressed, but not a tar inside",
                compression.as_str()
            ))
        });
    }
    Ok(std::io::Cursor::new(head).chain(decoded))
}

/// List a seekable window of a file (a Stored zip entry) with header seeks.
pub fn windowed_images(file: &Path, start: u64, len: u64) -> Result<Images, Problem> {
    let window = Window::new(
        BufReader::with_capacity(64 * 1024, File::open(file)?),
        start,
        len,
    );
    let mut tar = SeekableTar::open(Box::new(window), len)?;
    formats::read_images(&mut tar as &mut dyn Blobs, false)
}

pub fn cached_stream(
    path: &Path,
    cache_dir: Option<&Path>,
    key: Option<cache::Key>,
    compute: impl FnOnce() -> Result<ArchiveReport, Problem>,
) -> Result<ArchiveReport, ArchiveError> {
    let store = cache_dir.zip(key);
    if let Some((dir, key)) = &store
        && let Some(mut report) = cache::load(dir, key)
    {
        report.path = path.to_string_lossy().into_owned();
        return Ok(report);
    }
    let report = compute().map_err(|p| p.at(path))?;
    if let Some((dir, key)) = &store {
        cache::store(dir, key, &report);
    }
    Ok(report)
}

pub fn assemble(
    path: &Path,
    compression: Compression,
    container: Container,
    file_size: u64,
    entry: Option<String>,
    found: Images,
) -> ArchiveReport {
    let (layer_count, layers_size) = super::probe::distinct_layers(&found.images);
    ArchiveReport {
        path: path.to_string_lossy().into_owned(),
        format: found.format,
        compression,
        container,
        file_size,
        entry,
        layer_count,
        layers_size,
        missing_manifests: found.missing_manifests,
        images: found.images,
        entries: Vec::new(),
        skipped: Vec::new(),
    }
}
