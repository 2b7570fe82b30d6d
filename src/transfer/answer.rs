//! The engine's answer to `POST /images/load`, line by line, on every engine:
//! - `Loaded image: NAME` (Docker), `Loaded image: A,B` (Podman: every name in one line, an
//!   untagged image as `sha256:...`), `Loaded image ID: sha256:...` (Docker, untagged);
//! - `Error unpacking image NAME: ...` (the containerd store: the image was imported but its
//!   layers could not be unpacked, while the call itself succeeds).

use super::types::LoadedImage;

/// What the answer's lines said.
#[derive(Debug, Default, PartialEq)]
pub struct Answer {
    pub loaded: Vec<LoadedImage>,
    /// `Error unpacking image ...` lines, as written.
    pub unpack_errors: Vec<String>,
}

impl Answer {
    /// Read one `stream` text of the answer (it may hold several lines).
    pub fn read(&mut self, text: &str) {
        for line in text.lines().map(str::trim) {
            if let Some(id) = line.strip_prefix("Loaded image ID: ") {
                self.loaded.push(LoadedImage {
                    name: None,
                    id: id.trim().to_string(),
                });
            } else if let Some(names) = line
                .strip_prefix("Loaded image: ")
                .or_else(|| line.strip_prefix("Loaded image(s): "))
            {
                // A reference never holds a comma: Podman lists every name in one line.
                for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    self.loaded.push(if is_bare_digest(name) {
                        LoadedImage {
                            name: None,
                            id: name.to_string(),
                        }
                    } else {
                        LoadedImage {
                            name: Some(name.to_string()),
                            id: String::new(),
                        }
                    });
                }
            } else if line.starts_with("Error unpacking image") {
                self.unpack_errors.push(line.to_string());
            }
        }
    }
}

/// `sha256:<hex>`, or the bare 64-hex ID Podman sometimes prints.
fn is_bare_digest(name: &str) -> bool {
    crate::digest::is_valid(name)
        || (name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> LoadedImage {
        LoadedImage {
            name: Some(name.into()),
            id: String::new(),
        }
    }

    #[test]
    fn docker_lines() {
        let mut a = Answer::default();
        a.read("Loaded image: app:1.0\n");
        a.read("Loaded image ID: sha256:abc\n");
        a.read("Loading layer  1.2MB/3MB\n");
        assert_eq!(
            a.loaded,
            vec![
                named("app:1.0"),
                LoadedImage {
                    name: None,
                    id: "sha256:abc".into()
                },
            ]
        );
        assert!(a.unpack_errors.is_empty());
    }

    #[test]
    fn podman_names_every_image_in_one_line() {
        let hex = "a".repeat(64);
        let mut a = Answer::default();
        a.read(&format!(
            "Loaded image: docker.io/library/a:1,localhost/b:2,sha256:{hex}"
        ));
        assert_eq!(
            a.loaded,
            vec![
                named("docker.io/library/a:1"),
                named("localhost/b:2"),
                LoadedImage {
                    name: None,
                    id: format!("sha256:{hex}")
                }
            ]
        );
    }

    #[test]
    fn unpack_errors_are_kept_with_their_text() {
        let mut a = Answer::default();
        a.read("Loaded image: x:1\nError unpacking image x:1: failed to extract layer sha256:00: unexpected EOF\n");
        assert_eq!(a.loaded, vec![named("x:1")]);
        assert_eq!(
            a.unpack_errors,
            vec!["Error unpacking image x:1: failed to extract layer sha256:00: unexpected EOF"]
        );
    }
}
