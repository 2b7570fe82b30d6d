//! The archive engine: reads every image tarball format without Docker and without extracting.
//!
//! Read-only and synchronous. An uncompressed tar is listed with header seeks (layer bytes are
//! never read); a compressed one needs one streaming pass, whose result is cached.

pub mod blob_walk;
mod cache;
mod config;
pub mod contents;
mod error;
mod export;
mod formats;
mod index;
mod layout_dir;
mod model;
pub mod names;
mod oci_export;
mod open;
pub mod probe;
mod read_ahead;
mod single_pass;
mod tar_out;
mod tar_source;
pub mod verify;
mod zipped;

pub use error::{ArchiveError, Problem};
pub use export::{Plan as ConversionPlan, is_loadable_tag};
pub use model::*;
pub use oci_export::{OciHow, OciPlan, OciWritten, generated_possible, native_possible};
pub use open::{Target, decoder};
pub use probe::{Probed, Sniffed, is_tar_header, probe, probe_path, sniff};
pub use single_pass::{StreamedSource, daemon_accepts_decompressed};

use std::path::Path;

/// Inspect one path: a tar (plain or compressed), a zip holding image tarballs (or one entry of
/// it, `file.zip!entry.tar`), or an OCI layout folder. Compressed results are cached in haul's
/// cache folder.
pub fn inspect(path: &Path) -> Result<ArchiveReport, ArchiveError> {
    open::inspect(path, crate::paths::cache_dir().as_deref())
}

/// [`inspect`] with an explicit cache folder (`None`: no cache).
pub fn inspect_with_cache(
    path: &Path,
    cache_dir: Option<&Path>,
) -> Result<ArchiveReport, ArchiveError> {
    open::inspect(path, cache_dir)
}
/// Decompress a streamed source (a compressed tar, or a zip's deflated image entry) once:
/// pass every decompressed tar byte to `out`, advance `read` towards [`StreamedSource::total`],
/// and return the report [`inspect`] would give, now stored in `cache_dir`. A path that is
/// listed without decompressing (see [`StreamedSource::open`]) is an error here.
pub fn send_decompressed_and_inspect(
    path: &Path,
    out: &mut dyn std::io::Write,
    read: &std::sync::atomic::AtomicU64,
    cache_dir: Option<&Path>,
) -> Result<ArchiveReport, ArchiveError> {
    match StreamedSource::open(path)? {
        Some(source) => source.send_and_inspect(out, read, cache_dir),
        None => Err(Problem::Invalid(
            "not a compressed tarball or a deflated zip entry: nothing to decompress".into(),
        )
        .at(path)),
    }
}

/// What [`write_docker_archive`] wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteSummary {
    /// Layer blobs left out because the daemon already has them.
    pub skipped_layers: usize,
    pub skipped_bytes: u64,
    /// Tar bytes written to `out`.
    pub written: u64,
}

/// Source bytes a load of `path` reads when the layers in `skip` (diff IDs) are left out:
/// the total for load progress, matching what [`write_docker_archive`] counts in `read`.
pub fn load_total(
    path: &Path,
    skip: &std::collections::HashSet<String>,
) -> Result<u64, ArchiveError> {
    Ok(export::Plan::new(path, skip)?.total_bytes())
}

/// Size of the file (or folder contents) behind `path`: the total when its bytes are sent as they are.
pub fn source_len(path: &Path) -> Result<u64, ArchiveError> {
    let target = Target::parse(path);
    std::fs::metadata(&target.file)
        .map(|m| m.len())
        .map_err(|e| Problem::Io(e).at(path))
}

/// True when the file's own bytes are a tarball any Docker Engine loads as it is
/// (a plain or gzip docker-archive with `manifest.json`): then it can be sent unchanged.
pub fn daemon_accepts_as_is(report: &ArchiveReport) -> bool {
    report.container == Container::Tar
        && matches!(report.compression, Compression::None | Compression::Gzip)
        && matches!(
            report.format,
            Format::DockerArchive | Format::DockerOciArchive
        )
        && report
            .images
            .iter()
            .flat_map(|i| &i.layers)
            .all(|l| l.compression != Compression::Zstd)
}

/// Write the images of `path` as a docker-archive tar that Docker Engine 20.10 accepts
/// (`manifest.json` present, outer compression removed, zstd layers decompressed), leaving out
/// the layer blobs whose diff ID is in `skip`. `read` is advanced by the source bytes consumed
/// (see [`load_total`]). Runs synchronously: call it from a blocking thread.
pub fn write_docker_archive(
    path: &Path,
    skip: &std::collections::HashSet<String>,
    out: &mut dyn std::io::Write,
    read: &std::sync::atomic::AtomicU64,
) -> Result<WriteSummary, ArchiveError> {
    export::Plan::new(path, skip)?.write(out, read)
}
