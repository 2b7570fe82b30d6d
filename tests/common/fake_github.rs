//! A fake GitHub Actions API (paginated lists, artifact lookup, 302 to storage, 410, 401,
//! rate limits) and a separate fake storage server, both on 127.0.0.1.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};

use super::fixtures::{ZipStyle, digest, docker_archive, zip_bytes};
use super::http::{Reply, Request, Server};

pub const TOKEN: &str = "tok-123-secret";
pub const SIGNATURE: &str = "sig=storage-signature";
/// Artifacts per page (the client asks for 100; a small page size makes pagination happen).
const PAGE: usize = 2;

pub struct FakeGitHub {
    pub api: Server,
    pub storage: Server,
    /// The bytes each artifact ID serves.
    pub blobs: Arc<HashMap<u64, Vec<u8>>>,
}

pub struct Blob {
    pub id: u64,
    pub name: &'static str,
    pub bytes: Vec<u8>,
    pub digest: Option<String>,
    pub expired: bool,
    pub run: u64,
    pub branch: &'static str,
    pub created: &'static str,
}

/// The standard set: two `image` zips (newest on main), an expired one, one with a wrong
/// digest, a raw tar, one whose storage download stalls half way and one cut half way.
pub fn standard_blobs() -> Vec<Blob> {
    let image = docker_archive();
    let zip = zip_bytes(&[("image.tar", &image)], ZipStyle::DeflateStreamed);
    let older = zip_bytes(&[("image.tar", &image)], ZipStyle::Stored);
    let blob = |id, name, bytes: Vec<u8>, run, branch, created| Blob {
        id,
        name,
        digest: Some(digest(&bytes)),
        bytes,
        expired: false,
        run,
        branch,
        created,
    };
    vec![
        blob(1, "image", zip.clone(), 100, "main", "2024-01-03T00:00:00Z"),
        blob(2, "image", older, 90, "feature", "2024-01-01T00:00:00Z"),
        Blob {
            expired: true,
            ..blob(3, "old", zip.clone(), 80, "main", "2023-01-01T00:00:00Z")
        },
        Blob {
            digest: Some(format!("sha256:{}", "0".repeat(64))),
            ..blob(
                4,
                "bad-digest",
                zip.clone(),
                100,
                "main",
                "2024-01-03T00:00:00Z",
            )
        },
        blob(5, "img.tar", image, 100, "main", "2024-01-03T00:00:00Z"),
        Blob {
            bytes: vec![7u8; 1 << 20],
            ..blob(6, "slow", Vec::new(), 100, "main", "2024-01-03T00:00:00Z")
        },
        blob(7, "cut", zip, 70, "main", "2022-01-01T00:00:00Z"),
    ]
}

fn artifact_json(b: &Blob) -> Value {
    json!({
        "id": b.id, "node_id": "x", "name": b.name, "size_in_bytes": b.bytes.len(),
        "url": "u", "archive_download_url": "d", "expired": b.expired,
        "created_at": b.created, "updated_at": b.created, "expires_at": "2099-01-01T00:00:00Z",
        "digest": b.digest,
        "workflow_run": {"id": b.run, "repository_id": 1, "head_repository_id": 1,
                         "head_branch": b.branch, "head_sha": "0123456789abcdef"}
    })
}

impl FakeGitHub {
    pub fn start() -> FakeGitHub {
        FakeGitHub::with(standard_blobs())
    }

    pub fn with(list: Vec<Blob>) -> FakeGitHub {
        let blobs: Arc<HashMap<u64, Vec<u8>>> =
            Arc::new(list.iter().map(|b| (b.id, b.bytes.clone())).collect());
        let served = blobs.clone();
        let storage = Server::start(move |req| storage_reply(req, &served));
        let storage_base = storage.base.clone();
        let own_base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
        let base_for_handler = own_base.clone();
        let api = Server::start(move |req| {
            let base = base_for_handler.get().cloned().unwrap_or_default();
            api_reply(req, &list, &base, &storage_base)
        });
        let _ = own_base.set(api.base.clone());
        FakeGitHub {
            api,
            storage,
            blobs,
        }
    }
}

fn storage_reply(req: &Request, blobs: &HashMap<u64, Vec<u8>>) -> Reply {
    if !req.target.ends_with(SIGNATURE) {
        return Reply::status(403);
    }
    let id: Option<u64> = req
        .path()
        .strip_prefix("/blob/")
        .and_then(|id| id.parse().ok());
    match id.and_then(|id| blobs.get(&id).map(|b| (id, b))) {
        // Artifact 6 sends its first 64 KiB, then stalls.
        Some((6, bytes)) => Reply::status(200)
            .body(bytes[..65536].to_vec())
            .stall(bytes.len() as u64),
        // Artifact 7 loses its connection half way.
        Some((7, bytes)) => Reply::status(200)
            .body(bytes[..bytes.len() / 2].to_vec())
            .cut(bytes.len() as u64),
        Some((_, bytes)) => Reply::status(200)
            .header("content-type", "application/zip")
            .body(bytes.clone()),
        None => Reply::status(404),
    }
}

fn api_reply(req: &Request, list: &[Blob], base: &str, storage: &str) -> Reply {
    let path = req.path().to_string();
    let Some(rest) = path.strip_prefix("/repos/") else {
        return Reply::json(404, json!({"message": "Not Found"}));
    };
    let (repo, tail) = match rest.splitn(3, '/').collect::<Vec<_>>()[..] {
        [owner, name, tail] => (format!("{owner}/{name}"), tail.to_string()),
        _ => return Reply::json(404, json!({"message": "Not Found"})),
    };
    if req.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
        return Reply::json(401, json!({"message": "Bad credentials"}));
    }
    match repo.as_str() {
        "o/limited" => {
            let reset = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() + 125)
                .unwrap_or(0);
            return Reply::json(403, json!({"message": "API rate limit exceeded for user"}))
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", &reset.to_string());
        }
        "o/busy" => {
            return Reply::json(429, json!({"message": "Too many requests"}))
                .header("retry-after", "30");
        }
        "o/r" => {}
        _ => return Reply::json(404, json!({"message": "Not Found"})),
    }
    let parts: Vec<&str> = tail.split('/').collect();
    match parts[..] {
        ["actions", "artifacts"] => page(req, list.iter().collect(), base),
        ["actions", "runs", run, "artifacts"] => {
            let run: u64 = run.parse().unwrap_or(0);
            page(req, list.iter().filter(|b| b.run == run).collect(), base)
        }
        ["actions", "artifacts", id] => match find(list, id) {
            Some(b) => Reply::json(200, artifact_json(b)),
            None => Reply::json(404, json!({"message": "Not Found"})),
        },
        ["actions", "artifacts", id, "zip"] => match find(list, id) {
            Some(b) if b.expired => Reply::json(410, json!({"message": "Artifact has expired"})),
            Some(b) => Reply::status(302)
                .header("location", &format!("{storage}/blob/{}?{SIGNATURE}", b.id)),
            None => Reply::json(404, json!({"message": "Not Found"})),
        },
        _ => Reply::json(404, json!({"message": "Not Found"})),
    }
}

fn find<'a>(list: &'a [Blob], id: &str) -> Option<&'a Blob> {
    let id: u64 = id.parse().ok()?;
    list.iter().find(|b| b.id == id)
}

/// One page of `PAGE` artifacts with a `Link` header, filtered by `name`, newest first.
fn page(req: &Request, mut items: Vec<&Blob>, base: &str) -> Reply {
    if let Some(name) = req.query("name") {
        items.retain(|b| b.name == name);
    }
    items.sort_by(|a, b| b.created.cmp(a.created).then(b.id.cmp(&a.id)));
    let number: usize = req.query("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let pages = items.len().div_ceil(PAGE).max(1);
    let chunk: Vec<Value> = items
        .iter()
        .skip((number - 1) * PAGE)
        .take(PAGE)
        .map(|b| artifact_json(b))
        .collect();
    let mut reply = Reply::json(200, json!({"total_count": items.len(), "artifacts": chunk}));
    let link_to = |n: usize| {
        let mut query: Vec<String> = req
            .target
            .split_once('?')
            .map(|(_, q)| {
                q.split('&')
                    .filter(|p| !p.starts_with("page="))
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        query.push(format!("page={n}"));
        format!("<{base}{}?{}>", req.path(), query.join("&"))
    };
    let mut links = Vec::new();
    if number < pages {
        links.push(format!("{}; rel=\"next\"", link_to(number + 1)));
        links.push(format!("{}; rel=\"last\"", link_to(pages)));
    }
    if number > 1 {
        links.push(format!("{}; rel=\"prev\"", link_to(number - 1)));
    }
    if !links.is_empty() {
        reply = reply.header("link", &links.join(", "));
    }
    reply
}
