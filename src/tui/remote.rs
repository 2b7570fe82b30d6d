//! The remote half of the Artifacts pane: which repository (the config's `repo`, else the
//! `origin` remote of the current folder), the token (`GH_TOKEN`, `GITHUB_TOKEN`,
//! `gh auth token`), the API root (`GITHUB_API_URL`), and the listing. Everything here runs
//! on background tasks; failures come back as one line for the pane.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::artifact_rows::RemoteList;
use crate::artifacts::{ArtifactError, GitHub, ListFilter, Repo};

pub struct RemoteSource {
    /// `repo = "OWNER/NAME"` from the config.
    repo: Option<String>,
    /// Where to look for a git `origin` remote when the config names no repository.
    cwd: PathBuf,
    /// The client of the last successful listing, for downloads.
    client: Mutex<Option<Arc<GitHub>>>,
}

impl RemoteSource {
    pub fn new(repo: Option<String>, cwd: PathBuf) -> RemoteSource {
        RemoteSource {
            repo,
            cwd,
            client: Mutex::new(None),
        }
    }

    /// The client the last listing used (a remote row exists only after one).
    pub fn client(&self) -> Option<Arc<GitHub>> {
        self.client.lock().ok().and_then(|c| c.clone())
    }

    /// Resolve the repository and the token, then list the first page of the repository's
    /// artifacts (the newest 100; [`RemoteSource::page`] gives the next ones).
    pub async fn list(&self) -> Result<RemoteList, String> {
        let (repo, cwd) = (self.repo.clone(), self.cwd.clone());
        // `git config` and `gh auth token` are processes: keep them off the async threads.
        let client = tokio::task::spawn_blocking(move || {
            let repo = Repo::resolve(repo.as_deref(), &cwd)?;
            GitHub::from_env(repo)
        })
        .await
        .map_err(|e| format!("the artifact listing crashed: {e}"))?
        .map_err(explain)?;
        let client = Arc::new(client);
        if let Ok(mut slot) = self.client.lock() {
            *slot = Some(client.clone());
        }
        let page = client
            .list_page(&ListFilter::default(), None)
            .await
            .map_err(explain)?;
        Ok(RemoteList {
            repo: client.repo().to_string(),
            artifacts: page.artifacts,
            next: page.next,
            total: page.total,
        })
    }

    /// The page of the listing at `url` (a previous page's `next`).
    pub async fn page(&self, url: reqwest::Url) -> Result<RemoteList, String> {
        let client = self
            .client()
            .ok_or_else(|| "the remote artifacts are not listed yet: press r".to_string())?;
        let page = client
            .list_page(&ListFilter::default(), Some(url))
            .await
            .map_err(explain)?;
        Ok(RemoteList {
            repo: client.repo().to_string(),
            artifacts: page.artifacts,
            next: page.next,
            total: page.total,
        })
    }
}

/// The artifacts module's words, with the TUI's way of naming a repository.
pub fn explain(e: ArtifactError) -> String {
    match e {
        ArtifactError::NoRepo => "no repository: set repo = \"OWNER/NAME\" in the config, \
             or start haul in a git repository whose origin is on GitHub"
            .to_string(),
        ArtifactError::NoToken => {
            "no GitHub token: set GH_TOKEN or GITHUB_TOKEN, or run `gh auth login`".to_string()
        }
        other => other.to_string(),
    }
}
