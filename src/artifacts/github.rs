//! The GitHub Actions artifacts REST API: list (paginated by the `Link` header), look up,
//! and open a download. Works against GitHub Enterprise Server through `GITHUB_API_URL`.

use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Client, Response, Url, redirect};
use serde::Deserialize;

use super::error::ArtifactError;
use super::model::RemoteArtifact;
use super::repo::Repo;
use super::response::{check, next_link};
use super::token::Token;

pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// Pages followed at most (100 artifacts each), against a server that links in circles.
const MAX_PAGES: usize = 1000;

/// Which artifacts to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    /// Only this workflow run's artifacts.
    pub run: Option<u64>,
    /// Exact artifact name (sent to the API).
    pub name: Option<String>,
    /// Only artifacts of runs on this branch (filtered here: the API has no such parameter).
    pub branch: Option<String>,
}

/// A client for one repository. The token goes only to the API host; downloads from the
/// storage host the API redirects to use a second client that never sends it.
pub struct GitHub {
    api: Url,
    repo: Repo,
    token: Token,
    api_http: Client,
    storage_http: Client,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("api", &self.api.as_str())
            .field("repo", &self.repo)
            .field("token", &self.token)
            .finish()
    }
}

#[derive(Deserialize)]
struct ArtifactPage {
    artifacts: Vec<RemoteArtifact>,
    #[serde(default)]
    total_count: Option<u64>,
}

/// One page of a listing (the TUI fetches them as the list is scrolled).
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage {
    pub artifacts: Vec<RemoteArtifact>,
    /// The next page, when there is one.
    pub next: Option<Url>,
    /// Artifacts in the whole listing, as the API counts them (before a branch filter).
    pub total: Option<u64>,
}

impl GitHub {
    /// A client for `repo` at the API root `api_url` (e.g. `https://ghe.example.com/api/v3`).
    pub fn new(api_url: &str, repo: Repo, token: Token) -> Result<GitHub, ArtifactError> {
        let bad = |reason: &str| ArtifactError::BadApiUrl {
            url: api_url.to_string(),
            reason: reason.to_string(),
        };
        let api =
            Url::parse(api_url.trim().trim_end_matches('/')).map_err(|e| bad(&e.to_string()))?;
        if !matches!(api.scheme(), "http" | "https") || api.host_str().is_none() {
            return Err(bad("expected an http(s) URL"));
        }
        let user_agent = concat!("haul/", env!("CARGO_PKG_VERSION"));
        let mut api_headers = HeaderMap::new();
        api_headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        api_headers.insert(
            "X-GitHub-Api-Version",
            HeaderValue::from_static("2022-11-28"),
        );
        let api_http = Client::builder()
            .user_agent(user_agent)
            .default_headers(api_headers)
            .redirect(redirect::Policy::none())
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(ArtifactError::network)?;
        let storage_http = Client::builder()
            .user_agent(user_agent)
            .connect_timeout(Duration::from_secs(30))
            .read_timeout(Duration::from_secs(120))
            .build()
            .map_err(ArtifactError::network)?;
        Ok(GitHub {
            api,
            repo,
            token,
            api_http,
            storage_http,
        })
    }

    /// A client for `repo` at `GITHUB_API_URL` (default `https://api.github.com`), with the
    /// token from `GH_TOKEN`, `GITHUB_TOKEN` or `gh auth token`.
    pub fn from_env(repo: Repo) -> Result<GitHub, ArtifactError> {
        let api_url = std::env::var("GITHUB_API_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_API_URL.to_string());
        let host = Url::parse(&api_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string));
        let (token, _) = Token::resolve(host.as_deref())?;
        GitHub::new(&api_url, repo, token)
    }

    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    pub fn api_url(&self) -> &str {
        self.api.as_str()
    }

    fn endpoint(&self, tail: &str) -> Result<Url, ArtifactError> {
        let url = format!(
            "{}/repos/{}/{}/{tail}",
            self.api.as_str().trim_end_matches('/'),
            self.repo.owner,
            self.repo.name
        );
        Url::parse(&url).map_err(|e| ArtifactError::BadResponse(e.to_string()))
    }

    fn authorization(&self) -> HeaderValue {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.token.secret()))
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer invalid-token-characters"));
        value.set_sensitive(true);
        value
    }

    async fn api_get(&self, url: Url, what: &str) -> Result<Response, ArtifactError> {
        let response = self
            .api_http
            .get(url)
            .header(header::AUTHORIZATION, self.authorization())
            .send()
            .await
            .map_err(ArtifactError::network)?;
        check(response, what).await
    }

    /// Every artifact matching `filter`, newest first, following `Link: rel="next"`.
    pub async fn list(&self, filter: &ListFilter) -> Result<Vec<RemoteArtifact>, ArtifactError> {
        let mut artifacts = Vec::new();
        let mut from = None;
        let mut pages = 0;
        loop {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(ArtifactError::BadResponse(format!(
                    "more than {MAX_PAGES} pages of artifacts"
                )));
            }
            let page = self.list_page(filter, from).await?;
            artifacts.extend(page.artifacts);
            match page.next {
                Some(next) => from = Some(next),
                None => return Ok(artifacts),
            }
        }
    }

    /// One page of `filter`'s listing: the first (`from` = `None`), or the one a previous
    /// page's `next` names.
    pub async fn list_page(
        &self,
        filter: &ListFilter,
        from: Option<Url>,
    ) -> Result<ListPage, ArtifactError> {
        let (tail, what) = match filter.run {
            Some(run) => (
                format!("actions/runs/{run}/artifacts"),
                format!("run {run} of {}", self.repo),
            ),
            None => (
                "actions/artifacts".to_string(),
                format!("artifacts of {}", self.repo),
            ),
        };
        let url = match from {
            // A next link stays on the API's origin (checked when it was read).
            Some(url) => url,
            None => {
                let mut url = self.endpoint(&tail)?;
                url.query_pairs_mut().append_pair("per_page", "100");
                if let Some(name) = &filter.name {
                    url.query_pairs_mut().append_pair("name", name);
                }
                url
            }
        };
        let response = self.api_get(url, &what).await?;
        let next = next_link(response.headers(), &self.api)?;
        let page: ArtifactPage = response.json().await.map_err(|e| {
            ArtifactError::BadResponse(format!("artifact list: {}", e.without_url()))
        })?;
        let mut artifacts = page.artifacts;
        if let Some(branch) = &filter.branch {
            artifacts.retain(|a| a.branch() == Some(branch.as_str()));
        }
        Ok(ListPage {
            artifacts,
            next,
            total: page.total_count,
        })
    }

    /// One artifact by ID.
    pub async fn artifact(&self, id: u64) -> Result<RemoteArtifact, ArtifactError> {
        let url = self.endpoint(&format!("actions/artifacts/{id}"))?;
        let what = format!("artifact {id} of {}", self.repo);
        self.api_get(url, &what)
            .await?
            .json()
            .await
            .map_err(|e| ArtifactError::BadResponse(format!("artifact {id}: {}", e.without_url())))
    }

    /// An artifact by ID (all digits) or by name; by name, the newest one that has not
    /// expired (or the newest, so that the download says it expired).
    pub async fn find(
        &self,
        id_or_name: &str,
        filter: &ListFilter,
    ) -> Result<RemoteArtifact, ArtifactError> {
        if !id_or_name.is_empty() && id_or_name.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(id) = id_or_name.parse() {
                return self.artifact(id).await;
            }
        }
        let filter = ListFilter {
            name: Some(id_or_name.to_string()),
            ..filter.clone()
        };
        let mut found = self.list(&filter).await?;
        found.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        let pick = found.iter().position(|a| !a.expired).unwrap_or(0);
        if found.is_empty() {
            let scope = match filter.run {
                Some(run) => format!("run {run} of {}", self.repo),
                None => self.repo.to_string(),
            };
            return Err(ArtifactError::NoSuchArtifact {
                name: id_or_name.to_string(),
                scope,
            });
        }
        Ok(found.swap_remove(pick))
    }

    /// Ask the API where the artifact's bytes are (a 302 to a short-lived storage URL) and
    /// open that URL without the token. Call it right before reading the body.
    pub(crate) async fn open_download(
        &self,
        artifact: &RemoteArtifact,
    ) -> Result<Response, ArtifactError> {
        let url = self.endpoint(&format!("actions/artifacts/{}/zip", artifact.id))?;
        let response = self.api_get(url, &artifact.describe()).await?;
        if response.status().is_success() {
            // The API served the bytes itself: same host, nothing leaves it.
            return Ok(response);
        }
        if !response.status().is_redirection() {
            return Err(ArtifactError::BadResponse(format!(
                "download of {} answered {}",
                artifact.describe(),
                response.status()
            )));
        }
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| response.url().join(v).ok())
            .ok_or_else(|| ArtifactError::BadResponse("redirect without a Location".into()))?;
        let storage = self
            .storage_http
            .get(location)
            .send()
            .await
            .map_err(ArtifactError::network)?;
        if !storage.status().is_success() {
            return Err(ArtifactError::Storage {
                status: storage.status().as_u16(),
            });
        }
        Ok(storage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token_and_bad_api_urls_are_refused() {
        let repo = Repo::parse("o/r").expect("repo");
        let gh = GitHub::new(
            "https://ghe.example.com/api/v3/",
            repo.clone(),
            Token::new("s3cr3t"),
        )
        .expect("client");
        assert!(!format!("{gh:?}").contains("s3cr3t"));
        assert_eq!(
            gh.endpoint("actions/artifacts").expect("url").as_str(),
            "https://ghe.example.com/api/v3/repos/o/r/actions/artifacts"
        );
        assert!(GitHub::new("ftp://x", repo.clone(), Token::new("t")).is_err());
        assert!(GitHub::new("not a url", repo, Token::new("t")).is_err());
    }
}
