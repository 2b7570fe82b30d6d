//! Rows of the Artifacts pane: local artifacts (files and folders on disk) and remote ones
//! (listed by the GitHub Actions API) in one list, local first.

use crate::artifacts::RemoteArtifact;

use super::app::App;
use super::state::{FileEntry, Filterable, LoadState};

/// One row of the Artifacts pane.
#[derive(Debug, Clone, PartialEq)]
pub enum ArtifactRow {
    Local(FileEntry),
    Remote(Box<RemoteArtifact>),
}

impl ArtifactRow {
    pub fn local(&self) -> Option<&FileEntry> {
        match self {
            ArtifactRow::Local(entry) => Some(entry),
            ArtifactRow::Remote(_) => None,
        }
    }
    pub fn remote(&self) -> Option<&RemoteArtifact> {
        match self {
            ArtifactRow::Local(_) => None,
            ArtifactRow::Remote(artifact) => Some(artifact),
        }
    }
}

impl Filterable for ArtifactRow {
    fn key(&self) -> String {
        match self {
            ArtifactRow::Local(entry) => entry.key(),
            ArtifactRow::Remote(a) => format!("remote:{}", a.id),
        }
    }
    fn matches(&self, needle: &str) -> bool {
        match self {
            ArtifactRow::Local(entry) => entry.matches(needle),
            ArtifactRow::Remote(a) => {
                a.name.to_lowercase().contains(needle)
                    || a.id.to_string().contains(needle)
                    || a.branch()
                        .is_some_and(|b| b.to_lowercase().contains(needle))
            }
        }
    }
    fn sort_name(&self) -> String {
        match self {
            ArtifactRow::Local(entry) => entry.sort_name(),
            ArtifactRow::Remote(a) => a.name.clone(),
        }
    }
    fn sort_size(&self) -> u64 {
        match self {
            ArtifactRow::Local(entry) => entry.sort_size(),
            ArtifactRow::Remote(a) => a.size_in_bytes,
        }
    }
    fn sort_time(&self) -> i64 {
        match self {
            ArtifactRow::Local(entry) => entry.sort_time(),
            ArtifactRow::Remote(a) => a
                .created_at
                .as_deref()
                .and_then(super::format::rfc3339_secs)
                .unwrap_or(0),
        }
    }
}

/// The remote listing: which repository, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteList {
    /// `OWNER/NAME`.
    pub repo: String,
    pub artifacts: Vec<RemoteArtifact>,
    /// The next page, fetched when the pane needs it.
    pub next: Option<reqwest::Url>,
    /// Artifacts in the whole listing, as the API counts them.
    pub total: Option<u64>,
}

impl App {
    /// Replace the local rows, keeping the remote ones.
    pub(super) fn set_local_artifacts(&mut self, local: Vec<FileEntry>) {
        let remote = self
            .artifacts
            .rows
            .iter()
            .filter(|r| r.remote().is_some())
            .cloned();
        let rows: Vec<ArtifactRow> = local
            .into_iter()
            .map(ArtifactRow::Local)
            .chain(remote)
            .collect();
        self.artifacts.set_rows(rows);
    }

    /// The remote listing arrived (or failed): replace the remote rows, keeping the local ones.
    pub(super) fn set_remote(&mut self, result: Result<RemoteList, String>) {
        self.remote_fetching = None;
        let (state, remote) = match result {
            Ok(list) => {
                self.remote_next = list.next;
                self.remote_total = list.total;
                (LoadState::Ready(list.repo), list.artifacts)
            }
            Err(reason) => {
                self.remote_next = None;
                (LoadState::Failed(reason), Vec::new())
            }
        };
        self.remote = state;
        let status = self.artifacts.status.clone();
        let rows: Vec<ArtifactRow> = self
            .artifacts
            .rows
            .iter()
            .filter(|r| r.local().is_some())
            .cloned()
            .chain(remote.into_iter().map(|a| ArtifactRow::Remote(Box::new(a))))
            .collect();
        self.artifacts.set_rows(rows);
        if status != LoadState::Ready(()) {
            // The scan has not answered (or failed): keep saying so.
            self.artifacts.status = status;
        }
        self.follow_cursor();
    }

    /// `l` on a remote artifact: download it, then load the images inside (two jobs).
    pub(super) fn download(
        &mut self,
        artifact: crate::artifacts::RemoteArtifact,
    ) -> Vec<super::app::Effect> {
        if artifact.expired {
            let when = artifact
                .expires_at
                .as_deref()
                .map(|t| format!(" on {}", short_time(Some(t))))
                .unwrap_or_default();
            self.notify(
                super::app::Level::Error,
                format!(
                    "artifact {} expired{when}: GitHub deleted its files; re-run the workflow to make it again",
                    artifact.name
                ),
            );
            return Vec::new();
        }
        self.notify(
            super::app::Level::Info,
            format!("downloading {}, then loading its images", artifact.name),
        );
        vec![super::app::Effect::Download(Box::new(artifact))]
    }

    pub fn selected_remote(&self) -> Option<&RemoteArtifact> {
        if self.pane != super::app::PaneId::Artifacts {
            return None;
        }
        self.artifacts.selected().and_then(ArtifactRow::remote)
    }

    /// One line about the remote listing for the bottom of the Artifacts pane.
    pub fn remote_line(&self) -> (String, bool) {
        match &self.remote {
            LoadState::Loading => ("remote: listing GitHub artifacts…".to_string(), false),
            LoadState::Ready(repo) => {
                let n = self
                    .artifacts
                    .rows
                    .iter()
                    .filter(|r| r.remote().is_some())
                    .count();
                let text = match (self.remote_next.is_some(), self.remote_total) {
                    (true, Some(total)) => format!(
                        "remote: {n} of {} of {repo}, more as you scroll",
                        crate::units::count(total as usize, "artifact")
                    ),
                    (true, None) => format!(
                        "remote: {} of {repo}, more as you scroll",
                        crate::units::count(n, "artifact")
                    ),
                    (false, _) => {
                        format!("remote: {} of {repo}", crate::units::count(n, "artifact"))
                    }
                };
                (text, false)
            }
            LoadState::Failed(reason) => (format!("remote: {reason}"), true),
        }
    }
}

/// `2024-03-01T10:20:30Z` -> `2024-03-01 10:20`, or the text as given.
pub fn short_time(text: Option<&str>) -> String {
    match text {
        Some(t) => super::format::rfc3339_short(t),
        None => "?".to_string(),
    }
}

/// "expires 2024-04-01" or "expired".
pub fn expiry(artifact: &RemoteArtifact) -> String {
    if artifact.expired {
        return "expired".to_string();
    }
    match artifact.expires_at.as_deref() {
        Some(t) => format!("expires {}", t.get(..10).unwrap_or(t)),
        None => String::new(),
    }
}
