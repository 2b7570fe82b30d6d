//! An OCI image layout unpacked in a folder. Only `index.json`, `oci-layout` and
//! `blobs/<alg>/<hex>` are ever opened, and blob names are validated digests, so a hostile
//! index cannot make haul read outside the folder.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::index::{Blobs, Entry, EntryIndex, Kind, check_meta_size};
use super::{Compression, Problem};

pub struct LayoutDir {
    root: PathBuf,
    index: EntryIndex,
}

impl LayoutDir {
    pub fn is_layout(path: &Path) -> bool {
        path.join("oci-layout").is_file() || path.join("index.json").is_file()
    }

    /// Index the layout's metadata files and blobs (one `stat` each, no reads).
    pub fn open(root: &Path) -> Result<Self, Problem> {
        let mut index = EntryIndex::default();
        for name in ["index.json", "oci-layout", "manifest.json"] {
            add_file(&mut index, root, name)?;
        }
        let blobs = root.join("blobs");
        if blobs.is_dir() {
            for alg in std::fs::read_dir(&blobs)? {
                let alg = alg?;
                if !alg.file_type()?.is_dir() {
                    continue;
                }
                let alg_name = alg.file_name().to_string_lossy().into_owned();
                for blob in std::fs::read_dir(alg.path())? {
                    let blob = blob?;
                    let name = format!("blobs/{alg_name}/{}", blob.file_name().to_string_lossy());
                    if crate::digest::is_valid(&format!(
                        "{alg_name}:{}",
                        blob.file_name().to_string_lossy()
                    )) {
                        add_file(&mut index, root, &name)?;
                    }
                }
            }
        }
        Ok(LayoutDir {
            root: root.to_path_buf(),
            index,
        })
    }

    /// The file behind an indexed blob name; only names the index holds (validated) resolve.
    pub fn file_path(&self, name: &str) -> Result<PathBuf, Problem> {
        let entry = self.index.resolve(name)?;
        Ok(self.root.join(entry.name))
    }
}

fn add_file(index: &mut EntryIndex, root: &Path, name: &str) -> Result<(), Problem> {
    // symlink_metadata: a symlinked blob could point anywhere; only plain files count.
    match std::fs::symlink_metadata(root.join(name)) {
        Ok(meta) if meta.is_file() => index.insert(Entry {
            name: name.to_string(),
            kind: Kind::File,
            size: meta.len(),
            offset: None,
            head: Vec::new(),
            content: None,
            digest: None,
        }),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

impl Blobs for LayoutDir {
    fn index(&self) -> &EntryIndex {
        &self.index
    }

    fn read_meta(&mut self, name: &str) -> Result<Vec<u8>, Problem> {
        let size = self.size(name)?;
        check_meta_size(name, size)?;
        let mut buf = Vec::with_capacity(size as usize);
        File::open(self.file_path(name)?)?
            .take(size)
            .read_to_end(&mut buf)?;
        Ok(buf)
    }

    fn compression(&mut self, name: &str) -> Result<Compression, Problem> {
        let mut head = [0u8; 8];
        let mut file = File::open(self.file_path(name)?)?;
        let mut filled = 0;
        while filled < head.len() {
            match file.read(&mut head[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        Ok(Compression::sniff(&head[..filled]))
    }
}
