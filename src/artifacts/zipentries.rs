//! The image tarballs inside an artifact zip, found by sniffing each entry's first bytes.
//! The zip is read from its central directory (upload-artifact v4 writes data descriptors,
//! so only a complete zip can be read) and entries are streamed, never extracted.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::model::ArtifactImage;
use super::sniff::{Sniffed, sniff};
use crate::archive::Compression;

/// True when `name` stays inside the folder it would be extracted to: relative, no `..`
/// component, no drive letter, no NUL. Stricter than the zip crate's `enclosed_name`,
/// which accepts `a/../b`.
pub fn safe_entry_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let drive_letter = bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic();
    let absolute = name.starts_with(['/', '\\']) || drive_letter;
    !name.is_empty()
        && !name.contains('\0')
        && !absolute
        && name.split(['/', '\\']).all(|part| part != "..")
}

/// The refusal shown for an entry whose name would escape the artifact folder.
pub fn unsafe_name_error(name: &str) -> String {
    format!("refused: zip entry name {name:?} escapes the artifact folder (absolute or `..`)")
}

/// List the image entries of the zip at `path`. `shown` prefixes entry names in the result
/// (for a zip inside a folder artifact). Errors that stop the whole zip come back as `Err`.
pub fn zip_images(path: &Path, shown: &str) -> Result<Vec<ArtifactImage>, String> {
    let file = File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| format!("not a complete zip (a download still running or cut short?): {e}"))?;
    let mut images = Vec::new();
    for index in 0..archive.len() {
        let name = match archive.name_for_index(index) {
            Some(Ok(name)) => name.into_owned(),
            _ => format!("#{index}"),
        };
        let image = |size, compression, error| ArtifactImage {
            entry: format!("{shown}{name}"),
            path: format!("{}!{name}", path.display()),
            size,
            compression,
            report: None,
            error,
        };
        if !safe_entry_name(&name) {
            images.push(image(0, Compression::None, Some(unsafe_name_error(&name))));
            continue;
        }
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(e) => {
                images.push(image(0, Compression::None, Some(format!("zip entry: {e}"))));
                continue;
            }
        };
        if !entry.is_file() {
            continue;
        }
        let size = entry.size();
        match sniff(&mut entry) {
            Ok(Sniffed::ImageTar(compression)) => images.push(image(size, compression, None)),
            Ok(_) => {}
            Err(e) => images.push(image(
                size,
                Compression::None,
                Some(format!("cannot read entry: {e}")),
            )),
        }
    }
    Ok(images)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_that_escape_are_unsafe() {
        for bad in [
            "../x.tar",
            "a/../../x.tar",
            "a/../b",
            "/etc/passwd",
            "\\windows\\x",
            "C:/x.tar",
            "..\\x.tar",
            "",
            "a\0b",
        ] {
            assert!(!safe_entry_name(bad), "{bad:?} should be refused");
        }
        for good in ["image.tar", "dir/image.tar", "a..b/c.tar", "..hidden"] {
            assert!(safe_entry_name(good), "{good:?} should be allowed");
        }
    }
}
