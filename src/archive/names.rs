//! The one entry-name policy, for every name haul reads from inside a file.
//!
//! - Container entries (tar members of an image archive, zip entries, OCI blob names) are
//!   normalised (`./a//b` -> `a/b`) and refused when absolute (`/x`, `\x`, `C:x`), with a `..`
//!   component, a backslash (a Windows separator in disguise) or a NUL.
//! - Layer members (files inside an image layer) use the same normaliser, but a backslash is an
//!   ordinary character there (Linux file names may hold one); `..` and absolute names are still
//!   never followed out.

/// Why a name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    Absolute,
    DriveLetter,
    ParentDir,
    Backslash,
    Nul,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Empty => "empty name",
            Refusal::Absolute => "absolute path",
            Refusal::DriveLetter => "drive letter",
            Refusal::ParentDir => "`..` component",
            Refusal::Backslash => "backslash",
            Refusal::Nul => "NUL byte",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn drive_letter(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic()
}

/// Split on `/`, dropping empty and `.` components; `..` refuses.
fn components(name: &str) -> Result<Vec<&str>, Refusal> {
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(Refusal::ParentDir),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err(Refusal::Empty);
    }
    Ok(parts)
}

/// A container entry's name, normalised, or why it is refused.
pub fn container_entry(name: &str) -> Result<String, Refusal> {
    if name.contains('\0') {
        return Err(Refusal::Nul);
    }
    if name.starts_with('/') {
        return Err(Refusal::Absolute);
    }
    if drive_letter(name) {
        return Err(Refusal::DriveLetter);
    }
    if name.contains('\\') {
        return Err(Refusal::Backslash);
    }
    components(name).map(|p| p.join("/"))
}

/// True when a container entry name is acceptable (see [`container_entry`]).
pub fn is_safe_entry(name: &str) -> bool {
    container_entry(name).is_ok()
}

/// A file's path inside an image layer, normalised (a leading `/` is dropped, as layers are
/// rooted at the image's `/`): `None` when it would climb out (`..`) or is empty. A backslash
/// is an ordinary character here.
pub fn layer_member(name: &str) -> Option<String> {
    if name.contains('\0') {
        return None;
    }
    components(name.trim_start_matches('/'))
        .ok()
        .map(|p| p.join("/"))
}

/// The refusal text shown for an entry, escaped, one line.
pub fn refusal_text(name: &str, why: Refusal) -> String {
    format!(
        "refused: entry name {} escapes the folder ({why})",
        crate::escape::quoted(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_names_are_normalised_or_refused() {
        assert_eq!(container_entry("./a//b/./c").as_deref(), Ok("a/b/c"));
        assert_eq!(container_entry("dir/").as_deref(), Ok("dir"));
        for (bad, why) in [
            ("../x.tar", Refusal::ParentDir),
            ("a/../../x.tar", Refusal::ParentDir),
            ("a/../b", Refusal::ParentDir),
            ("/tmp/evil.tar", Refusal::Absolute),
            ("\\windows\\x", Refusal::Backslash),
            ("..\\x.tar", Refusal::Backslash),
            ("a\\b", Refusal::Backslash),
            ("C:/x.tar", Refusal::DriveLetter),
            ("c:x", Refusal::DriveLetter),
            ("", Refusal::Empty),
            ("./", Refusal::Empty),
            ("a\0b", Refusal::Nul),
        ] {
            assert_eq!(container_entry(bad), Err(why), "{bad:?}");
            assert!(!is_safe_entry(bad));
        }
        for good in [
            "image.tar",
            "dir/image.tar",
            "a..b/c.tar",
            "..hidden",
            "ab:c",
        ] {
            assert!(is_safe_entry(good), "{good:?} should be allowed");
        }
    }

    #[test]
    fn layer_members_keep_backslashes_but_never_climb() {
        assert_eq!(layer_member("./etc/passwd").as_deref(), Some("etc/passwd"));
        assert_eq!(layer_member("/abs/x").as_deref(), Some("abs/x"));
        assert_eq!(layer_member("a\\b").as_deref(), Some("a\\b"));
        assert_eq!(layer_member("../etc"), None);
        assert_eq!(layer_member("a/../../b"), None);
        assert_eq!(layer_member("./"), None);
    }

    #[test]
    fn refusals_are_one_escaped_line() {
        let text = refusal_text("/tmp/\nerror: forged\x1b[31m", Refusal::Absolute);
        assert!(!text.contains('\n') && !text.contains('\x1b'), "{text}");
        assert!(text.contains("absolute path"), "{text}");
    }
}
