//! A saved tarball holds what it should: the containerd store's exporter leaves out content it
//! does not have, and writes a manifest without its config or layers (moby#49473). Checked on
//! the written file before it gets its final name: every image there has its config and every
//! layer, and every image asked for is there.

use std::path::Path;

use super::TransferError;
use crate::archive::{self, Problem};

/// Check the saved file at `temp` (final name `dest`) against `images`: (name asked, engine ID).
/// Blocking: lists the file (a seek listing when uncompressed).
pub fn check(temp: &Path, dest: &Path, images: &[(String, String)]) -> Result<(), TransferError> {
    let incomplete = |what: String| {
        TransferError::Other(format!(
            "{}: incomplete save: {what} (the engine left out content it does not have; \
             moby#49473)",
            crate::escape::path(dest)
        ))
    };
    let report = match archive::inspect_with_cache(temp, None) {
        Ok(report) => report,
        Err(e) => {
            return Err(match e.problem {
                Problem::Missing { what, name } => incomplete(format!("{what} {name} is missing")),
                problem => incomplete(problem.to_string()),
            });
        }
    };
    for (name, id) in images {
        let there = report.images.iter().any(|i| {
            i.id == *id
                || i.target_digest.as_deref() == Some(id.as_str())
                || i.manifest_digest.as_deref() == Some(id.as_str())
        });
        if !there {
            return Err(incomplete(format!(
                "image {} ({}) is not in it",
                crate::escape::quoted(name),
                crate::units::short_id(id)
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn a_manifest_without_its_layer_is_an_incomplete_save() {
        let layer = tar(&[("f", b"x")]);
        let diff = crate::digest::sha256_of(&layer);
        let config = format!(
            r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{diff}"]}}}}"#
        );
        let id = crate::digest::sha256_of(config.as_bytes());
        let manifest =
            r#"[{"Config":"c.json","RepoTags":["app:1"],"Layers":["l/layer.tar"]}]"#.to_string();
        let dir = tempfile::tempdir().unwrap();
        let whole = dir.path().join("whole.tar");
        let files: Vec<(&str, &[u8])> = vec![
            ("l/layer.tar", &layer),
            ("c.json", config.as_bytes()),
            ("manifest.json", manifest.as_bytes()),
        ];
        std::fs::write(&whole, tar(&files)).unwrap();
        let images = vec![("app:1".to_string(), id.clone())];
        check(&whole, Path::new("app.tar"), &images).unwrap();

        let partial = dir.path().join("partial.tar");
        std::fs::write(&partial, tar(&files[1..])).unwrap();
        let err = check(&partial, Path::new("app.tar"), &images).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("app.tar: incomplete save: layer"),
            "{text}"
        );
        assert!(text.contains("l/layer.tar"), "{text}");

        let other = vec![("app:2".to_string(), "sha256:other".to_string())];
        let err = check(&whole, Path::new("app.tar"), &other).unwrap_err();
        assert!(err.to_string().contains("is not in it"), "{err}");
    }
}
