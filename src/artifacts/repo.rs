//! Which repository: `--repo OWNER/NAME`, else the `origin` remote of the git repository here.

use std::fmt;
use std::path::Path;
use std::process::Command;

use super::error::ArtifactError;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Repo {
    pub owner: String,
    pub name: String,
}

impl fmt::Display for Repo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

impl Repo {
    /// Parse `OWNER/NAME`.
    pub fn parse(spec: &str) -> Result<Repo, ArtifactError> {
        let bad = || ArtifactError::BadRepo(spec.to_string());
        let (owner, name) = spec.trim().split_once('/').ok_or_else(bad)?;
        let name = name.strip_suffix(".git").unwrap_or(name);
        if !valid_part(owner) || !valid_part(name) {
            return Err(bad());
        }
        Ok(Repo {
            owner: owner.to_string(),
            name: name.to_string(),
        })
    }

    /// The repository a remote URL points at: `https://host/OWNER/NAME(.git)`,
    /// `git@host:OWNER/NAME(.git)`, `ssh://git@host(:port)/OWNER/NAME(.git)`, `git://...`.
    pub fn from_remote_url(url: &str) -> Option<Repo> {
        let url = url.trim().trim_end_matches('/');
        let path = if let Some((_, rest)) = url.split_once("://") {
            // scheme://[user@]host[:port]/path
            rest.split_once('/')?.1
        } else {
            // scp-like: [user@]host:path
            let (host, path) = url.split_once(':')?;
            if host.contains('/') {
                return None;
            }
            path
        };
        // GitHub Enterprise paths may carry a prefix; the repository is the last two parts.
        let mut parts = path.trim_matches('/').rsplit('/');
        let name = parts.next()?;
        let owner = parts.next()?;
        Repo::parse(&format!("{owner}/{name}")).ok()
    }

    /// `--repo` when given, else the `origin` remote of the git repository containing `dir`.
    pub fn resolve(flag: Option<&str>, dir: &Path) -> Result<Repo, ArtifactError> {
        if let Some(spec) = flag {
            return Repo::parse(spec);
        }
        let output = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["config", "--get", "remote.origin.url"])
            .output()
            .map_err(|_| ArtifactError::NoRepo)?;
        if !output.status.success() {
            return Err(ArtifactError::NoRepo);
        }
        let url = String::from_utf8_lossy(&output.stdout);
        Repo::from_remote_url(&url).ok_or(ArtifactError::NoRepo)
    }
}

/// GitHub owner and repository names: letters, digits, `-`, `_`, `.`; not `.` or `..`.
fn valid_part(part: &str) -> bool {
    !part.is_empty()
        && part != "."
        && part != ".."
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(owner: &str, name: &str) -> Option<Repo> {
        Some(Repo {
            owner: owner.into(),
            name: name.into(),
        })
    }

    #[test]
    fn parses_owner_slash_name() {
        assert_eq!(Repo::parse("octo/app").ok(), repo("octo", "app"));
        assert_eq!(Repo::parse("octo/app.git").ok(), repo("octo", "app"));
        for bad in [
            "octo",
            "octo/",
            "/app",
            "a/b/c",
            "octo/../x",
            "o o/app",
            "../..",
        ] {
            assert!(Repo::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parses_https_and_ssh_remotes() {
        for url in [
            "https://github.com/octo/app.git",
            "https://github.com/octo/app",
            "https://user@github.com/octo/app.git/",
            "git@github.com:octo/app.git",
            "github.com:octo/app",
            "ssh://git@github.com/octo/app.git",
            "ssh://git@ghe.example.com:2222/octo/app.git",
            "git://github.com/octo/app.git",
            "https://ghe.example.com/prefix/octo/app.git\n",
        ] {
            assert_eq!(Repo::from_remote_url(url), repo("octo", "app"), "{url}");
        }
        assert_eq!(Repo::from_remote_url("/local/path/only"), None);
        assert_eq!(Repo::from_remote_url("https://github.com/octo"), None);
    }

    #[test]
    fn resolve_prefers_the_flag_and_fails_clearly_outside_a_repository() {
        let empty = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            Repo::resolve(Some("a/b"), empty.path()).ok(),
            repo("a", "b")
        );
        let err = Repo::resolve(None, empty.path()).expect_err("no git repository");
        assert!(err.to_string().contains("--repo"), "{err}");
    }
}
