//! Reading GitHub API answers: error statuses to one-line errors, rate limits, `Link` paging.

use std::time::Duration;

use reqwest::header::{self, HeaderMap};
use reqwest::{Response, StatusCode, Url};

use super::error::ArtifactError;

/// The `rel="next"` URL of a `Link` header. It must stay on the API's origin: the token is
/// sent with every page.
pub(crate) fn next_link(headers: &HeaderMap, api: &Url) -> Result<Option<Url>, ArtifactError> {
    let Some(link) = headers.get(header::LINK).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    for part in link.split(',') {
        let mut pieces = part.split(';');
        let target = pieces.next().unwrap_or("").trim();
        let is_next = pieces.any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        if !is_next {
            continue;
        }
        let target = target.trim_start_matches('<').trim_end_matches('>');
        let url = Url::parse(target)
            .map_err(|e| ArtifactError::BadResponse(format!("bad Link header: {e}")))?;
        if url.origin() != api.origin() {
            return Err(ArtifactError::BadResponse(format!(
                "pagination link leaves the API host ({})",
                url.host_str().unwrap_or("?")
            )));
        }
        return Ok(Some(url));
    }
    Ok(None)
}

/// Turn an error status into the matching one-line error.
pub(crate) async fn check(response: Response, what: &str) -> Result<Response, ArtifactError> {
    let status = response.status();
    if status.is_success() || status.is_redirection() {
        return Ok(response);
    }
    let headers = response.headers().clone();
    let message = api_message(response).await;
    let what = what.to_string();
    if let Some(retry_in) = rate_limit(status, &headers, &message) {
        return Err(ArtifactError::RateLimited { retry_in });
    }
    Err(match status {
        StatusCode::UNAUTHORIZED => ArtifactError::Unauthorized { message },
        StatusCode::FORBIDDEN => ArtifactError::Forbidden { what, message },
        StatusCode::NOT_FOUND => ArtifactError::NotFound { what },
        StatusCode::GONE => ArtifactError::Expired { what },
        _ => ArtifactError::Api {
            status: status.as_u16(),
            what,
            message,
        },
    })
}

/// `Some(wait)` when the answer is a rate limit: 429, or 403 with `x-ratelimit-remaining: 0`,
/// a `retry-after`, or a rate-limit message. The wait comes from `retry-after` or `x-ratelimit-reset`.
fn rate_limit(status: StatusCode, headers: &HeaderMap, message: &str) -> Option<Option<Duration>> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let retry_after = get("retry-after").and_then(|v| v.parse::<u64>().ok());
    let exhausted = get("x-ratelimit-remaining") == Some("0");
    let limited = status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::FORBIDDEN
            && (exhausted
                || retry_after.is_some()
                || message.to_ascii_lowercase().contains("rate limit")));
    if !limited {
        return None;
    }
    if let Some(secs) = retry_after {
        return Some(Some(Duration::from_secs(secs)));
    }
    let reset = get("x-ratelimit-reset").and_then(|v| v.parse::<u64>().ok());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Some(reset.map(|at| Duration::from_secs(at.saturating_sub(now))))
}

/// The `message` of a GitHub error body, on one line; the status text when there is none.
async fn api_message(response: Response) -> String {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_string());
    let one_line: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn api() -> Url {
        Url::parse("https://api.github.com").expect("url")
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).expect("value"));
        }
        map
    }

    #[test]
    fn follows_only_next_links_on_the_api_origin() {
        let link = r#"<https://api.github.com/repos/o/r/actions/artifacts?page=2>; rel="next", <https://api.github.com/repos/o/r/actions/artifacts?page=5>; rel="last""#;
        let next = next_link(&headers(&[("link", link)]), &api()).expect("ok");
        assert_eq!(
            next.map(|u| u.to_string()).as_deref(),
            Some("https://api.github.com/repos/o/r/actions/artifacts?page=2")
        );
        let last_only = r#"<https://api.github.com/x?page=1>; rel="prev""#;
        assert_eq!(
            next_link(&headers(&[("link", last_only)]), &api()).expect("ok"),
            None
        );
        let elsewhere = r#"<https://evil.example/steal>; rel="next""#;
        assert!(next_link(&headers(&[("link", elsewhere)]), &api()).is_err());
    }

    #[test]
    fn recognises_rate_limits() {
        let limited = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "0")]);
        assert_eq!(
            rate_limit(StatusCode::FORBIDDEN, &limited, ""),
            Some(Some(Duration::ZERO))
        );
        let retry = headers(&[("retry-after", "30")]);
        assert_eq!(
            rate_limit(StatusCode::TOO_MANY_REQUESTS, &retry, ""),
            Some(Some(Duration::from_secs(30)))
        );
        assert_eq!(
            rate_limit(
                StatusCode::FORBIDDEN,
                &HeaderMap::new(),
                "Resource not accessible"
            ),
            None
        );
        assert_eq!(
            rate_limit(
                StatusCode::FORBIDDEN,
                &HeaderMap::new(),
                "You have exceeded a secondary rate limit"
            ),
            Some(None)
        );
    }
}
