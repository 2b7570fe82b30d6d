//! Rewrite any image archive as a docker-archive tar stream that every Docker Engine loads:
//! `manifest.json` present, outer compression removed, zstd layers decompressed, and layers the
//! daemon already holds left out (the daemon skips a layer whose chain ID it has without opening
//! its file, so `manifest.json` may still name it).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use super::index::{Blobs, normalise};
use super::layout_dir::LayoutDir;
use super::open::{self, Target};
use super::tar_source::{Counting, SeekableTar, Window};
use super::verify::Verifying;
use super::{ArchiveError, ArchiveReport, Compression, Container, Problem, WriteSummary, zipped};

/// What a conversion will send: the blobs (by path in the archive) and the manifest to write.
pub struct Plan {
    pub report: ArchiveReport,
    /// Blob path -> size in the archive, for every config and every layer not skipped.
    needed: BTreeMap<String, u64>,
    /// Config blobs: sent, but not counted in progress (their size is not in the report).
    configs: HashSet<String>,
    /// Layer blobs that must be decompressed on the way (zstd, which old engines cannot read).
    zstd_layers: HashSet<String>,
    manifest: Vec<u8>,
    summary: WriteSummary,
    /// For a zip: its image entries, listed once.
    zip_entries: Vec<zipped::ZipImageEntry>,
    /// Blob path -> the digest its bytes must have (configs: the image ID; layers: the blob
    /// digest), checked as the blob is copied.
    digests: HashMap<String, String>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestOut<'a> {
    config: &'a str,
    repo_tags: Vec<&'a str>,
    layers: Vec<&'a str>,
}

/// `docker load` accepts only `name:tag` references; an OCI `ref.name` of just `latest`, or a
/// digest reference, would make the whole load fail, so such names are left out.
pub fn is_loadable_tag(tag: &str) -> bool {
    let last = tag.rsplit('/').next().unwrap_or(tag);
    let Some((repo_tail, version)) = last.split_once(':') else {
        return false;
    };
    let repo = &tag[..tag.len() - last.len() + repo_tail.len()];
    !repo_tail.is_empty()
        && !version.is_empty()
        && !tag.contains('@')
        && !tag.contains(char::is_whitespace)
        && repo
            .rsplit('/')
            .next()
            .is_some_and(|n| !n.chars().any(|c| c.is_ascii_uppercase()))
}

impl Plan {
    pub fn new(path: &Path, skip: &HashSet<String>) -> Result<Plan, ArchiveError> {
        Plan::from_report(super::inspect(path)?, skip)
    }

    /// A plan for an archive already listed: no second listing of the file.
    pub fn from_report(
        report: ArchiveReport,
        skip: &HashSet<String>,
    ) -> Result<Plan, ArchiveError> {
        let path = PathBuf::from(&report.path);
        let path = path.as_path();
        let mut needed = BTreeMap::new();
        let mut zstd_layers = HashSet::new();
        let mut summary = WriteSummary::default();
        let mut skipped_paths = HashSet::new();
        let mut entries = Vec::new();
        let mut configs = HashSet::new();
        let mut digests = HashMap::new();
        for image in &report.images {
            needed.insert(image.config_path.clone(), 0);
            configs.insert(image.config_path.clone());
            digests.insert(image.config_path.clone(), image.id.clone());
            for layer in &image.layers {
                if let Some(digest) = &layer.digest {
                    digests.insert(layer.path.clone(), digest.clone());
                }
                if skip.contains(&layer.diff_id) {
                    if skipped_paths.insert(layer.path.clone()) {
                        summary.skipped_layers += 1;
                        summary.skipped_bytes += layer.size;
                    }
                } else {
                    needed.insert(layer.path.clone(), layer.size);
                    if layer.compression == Compression::Zstd {
                        zstd_layers.insert(layer.path.clone());
                    }
                }
            }
            entries.push(ManifestOut {
                config: &image.config_path,
                repo_tags: image
                    .tags
                    .iter()
                    .map(String::as_str)
                    .filter(|t| is_loadable_tag(t))
                    .collect(),
                layers: image.layers.iter().map(|l| l.path.as_str()).collect(),
            });
        }
        let manifest =
            serde_json::to_vec(&entries).map_err(|e| Problem::Invalid(e.to_string()).at(path))?;
        drop(entries);
        // A blob both skipped (for one image) and needed (for another) is sent.
        summary.skipped_layers -= skipped_paths
            .iter()
            .filter(|p| needed.contains_key(*p))
            .count();
        let zip_entries = if report.container == Container::Zip {
            let target = Target::parse(Path::new(&report.path));
            // Only the entries the report read images from (not a tar of sources beside them).
            let used: HashSet<&str> = report
                .entry
                .iter()
                .chain(report.entries.iter().filter_map(|e| e.entry.as_ref()))
                .map(String::as_str)
                .collect();
            zipped::image_entries(&target.file, target.entry.as_deref())
                .map_err(|p| p.at(path))?
                .0
                .into_iter()
                .filter(|e| used.is_empty() || used.contains(e.name.as_str()))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Plan {
            report,
            needed,
            configs,
            zip_entries,
            zstd_layers,
            manifest,
            summary,
            digests,
        })
    }

    /// `body` checked against the digest `name` must have, if known, as it is read.
    fn verified<'a, R: Read + 'a>(&self, name: &str, body: R, len: u64) -> Box<dyn Read + 'a> {
        match self.digests.get(name) {
            Some(expected) => Box::new(Verifying::new(body, name, expected, Some(len))),
            None => Box::new(body),
        }
    }

    /// Source bytes the conversion reads: the unit of its progress. Seekable sources count
    /// the blobs they copy; a compressed tar counts its file bytes; a zip holding a compressed
    /// (or deflated) tar counts the decompressed bytes of its entries.
    pub fn total_bytes(&self) -> u64 {
        match self.report.container {
            Container::Zip if !self.zip_all_stored() => {
                self.zip_entries.iter().map(|e| e.size).sum()
            }
            Container::Tar if self.report.compression != Compression::None => self.report.file_size,
            _ => self
                .needed
                .iter()
                .filter(|(n, _)| !self.configs.contains(*n))
                .map(|(_, s)| s)
                .sum(),
        }
    }

    fn zip_all_stored(&self) -> bool {
        self.zip_entries.iter().all(|e| e.stored_tar)
    }
}

struct CountingWriter<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

type Builder<'a> = tar::Builder<CountingWriter<&'a mut dyn Write>>;

fn append(
    builder: &mut Builder<'_>,
    name: &str,
    size: u64,
    body: impl Read,
) -> Result<(), Problem> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    builder.append_data(&mut header, name, body.take(size))?;
    Ok(())
}

/// Size of a zstd layer once decompressed: the tar header needs it before the body.
fn zstd_size(body: impl Read) -> Result<u64, Problem> {
    Ok(io::copy(
        &mut open::decoder(Compression::Zstd, body)?,
        &mut io::sink(),
    )?)
}

impl Plan {
    /// Write the docker-archive to `out`; `read` advances by source bytes consumed.
    pub fn write(
        &self,
        out: &mut dyn Write,
        read: &AtomicU64,
    ) -> Result<WriteSummary, ArchiveError> {
        let at = |p: Problem| p.at(&self.report.path);
        let mut builder = tar::Builder::new(CountingWriter {
            inner: out,
            written: 0,
        });
        let target = Target::parse(Path::new(&self.report.path));
        // Every blob path written so far: a zip may hold several tars sharing blobs.
        let mut sent = HashSet::new();
        match self.report.container {
            Container::Directory => self
                .write_from_folder(&mut builder, &target.file, read)
                .map_err(at)?,
            Container::Tar if self.report.compression == Compression::None => {
                let file = File::open(&target.file).map_err(|e| at(e.into()))?;
                let len = file.metadata().map_err(|e| at(e.into()))?.len();
                let mut tar = SeekableTar::open(Box::new(BufReader::new(file)), len).map_err(at)?;
                self.write_from_seekable(&mut builder, &mut tar, read, &mut sent)
                    .map_err(at)?;
            }
            Container::Tar => {
                let file = File::open(&target.file).map_err(|e| at(e.into()))?;
                let reader = BufReader::with_capacity(
                    256 * 1024,
                    Counting {
                        inner: file,
                        count: read,
                    },
                );
                self.write_streamed(&mut builder, self.report.compression, reader, &mut sent)
                    .map_err(at)?;
            }
            Container::Zip => self
                .write_from_zip(&mut builder, &target, read, &mut sent)
                .map_err(at)?,
            Container::Daemon => {
                return Err(at(Problem::Invalid("a daemon image is not a file".into())));
            }
        }
        if self.report.container != Container::Directory
            && let Some(missing) = self.needed.keys().find(|n| !sent.contains(*n))
        {
            return Err(at(Problem::Missing {
                what: "blob",
                name: missing.clone(),
            }));
        }
        let manifest = self.manifest.as_slice();
        append(
            &mut builder,
            "manifest.json",
            manifest.len() as u64,
            manifest,
        )
        .map_err(at)?;
        builder.finish().map_err(|e| at(e.into()))?;
        let written = builder.get_ref().written;
        Ok(WriteSummary {
            written,
            ..self.summary.clone()
        })
    }

    /// The counter a blob's bytes go to: configs are sent but not counted (see `total_bytes`).
    fn counter<'a>(
        &self,
        name: &str,
        read: &'a AtomicU64,
        uncounted: &'a AtomicU64,
    ) -> &'a AtomicU64 {
        if self.configs.contains(name) {
            uncounted
        } else {
            read
        }
    }

    fn write_from_seekable(
        &self,
        builder: &mut Builder<'_>,
        tar: &mut SeekableTar,
        read: &AtomicU64,
        sent: &mut HashSet<String>,
    ) -> Result<(), Problem> {
        let uncounted = AtomicU64::new(0);
        for name in self.needed.keys() {
            // A zip may hold several tars: each sends the blobs it has.
            if sent.contains(name) || !Blobs::exists(tar, name) {
                continue;
            }
            sent.insert(name.clone());
            let count = self.counter(name, read, &uncounted);
            if self.zstd_layers.contains(name) {
                let (raw, len) = tar.open_entry(name)?;
                let size = zstd_size(self.verified(name, raw, len))?;
                let body = Counting {
                    inner: tar.open_entry(name)?.0,
                    count,
                };
                append(builder, name, size, open::decoder(Compression::Zstd, body)?)?;
            } else {
                let (body, size) = tar.open_entry(name)?;
                let body = self.verified(name, body, size);
                append(builder, name, size, Counting { inner: body, count })?;
            }
        }
        Ok(())
    }

    fn write_from_folder(
        &self,
        builder: &mut Builder<'_>,
        root: &Path,
        read: &AtomicU64,
    ) -> Result<(), Problem> {
        let dir = LayoutDir::open(root)?;
        let uncounted = AtomicU64::new(0);
        for name in self.needed.keys() {
            let file = dir.file_path(name)?;
            let count = self.counter(name, read, &uncounted);
            let open_file =
                || -> Result<BufReader<File>, Problem> { Ok(BufReader::new(File::open(&file)?)) };
            if self.zstd_layers.contains(name) {
                let len = std::fs::metadata(&file)?.len();
                let size = zstd_size(self.verified(name, open_file()?, len))?;
                let body = Counting {
                    inner: open_file()?,
                    count,
                };
                append(builder, name, size, open::decoder(Compression::Zstd, body)?)?;
            } else {
                let size = std::fs::metadata(&file)?.len();
                append(
                    builder,
                    name,
                    size,
                    Counting {
                        inner: self.verified(name, open_file()?, size),
                        count,
                    },
                )?;
            }
        }
        Ok(())
    }

    fn write_from_zip(
        &self,
        builder: &mut Builder<'_>,
        target: &Target,
        read: &AtomicU64,
        sent: &mut HashSet<String>,
    ) -> Result<(), Problem> {
        let seekable = self.zip_all_stored();
        for entry in &self.zip_entries {
            if seekable {
                let file = BufReader::new(File::open(&target.file)?);
                let window = Window::new(file, entry.data_start, entry.size);
                let mut tar = SeekableTar::open(Box::new(window), entry.size)?;
                self.write_from_seekable(builder, &mut tar, read, sent)?;
            } else {
                let mut zip = zipped::open_zip(&target.file)?;
                let reader = zip
                    .by_index(entry.index)
                    .map_err(|e| Problem::Zip(e.to_string()))?;
                let counted = Counting {
                    inner: reader,
                    count: read,
                };
                self.write_streamed(builder, entry.compression, counted, sent)?;
            }
        }
        Ok(())
    }

    /// One pass over a compressed tar: copy the needed entries as they pass by.
    fn write_streamed(
        &self,
        builder: &mut Builder<'_>,
        compression: Compression,
        reader: impl Read,
        sent: &mut HashSet<String>,
    ) -> Result<(), Problem> {
        let mut archive = tar::Archive::new(open::decoder(compression, reader)?);
        for entry in archive.entries()? {
            let entry = entry?;
            let Some(name) = normalise(&entry.path()?.to_string_lossy()) else {
                continue;
            };
            if !self.needed.contains_key(&name)
                || !entry.header().entry_type().is_file()
                || sent.contains(&name)
            {
                continue;
            }
            if self.zstd_layers.contains(&name) {
                return Err(Problem::Invalid(format!(
                    "layer {name} is zstd-compressed inside a compressed archive; decompress the archive first"
                )));
            }
            sent.insert(name.clone());
            let size = entry.size();
            let body = self.verified(&name, entry, size);
            append(builder, &name, size, body)?;
        }
        // Read to the end: the padding counts for progress, and a gzip or zstd trailer is checked.
        io::copy(&mut archive.into_inner(), &mut io::sink())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::is_loadable_tag;

    #[test]
    fn only_tagged_lowercase_references_are_loadable() {
        assert!(is_loadable_tag("app:1.0"));
        assert!(is_loadable_tag("docker.io/library/app:latest"));
        assert!(is_loadable_tag("localhost:5000/team/app:v2"));
        assert!(!is_loadable_tag("latest"));
        assert!(!is_loadable_tag("localhost:5000/app"));
        assert!(!is_loadable_tag("App:1"));
        assert!(!is_loadable_tag("app@sha256:abc"));
        assert!(!is_loadable_tag("app:"));
    }
}
