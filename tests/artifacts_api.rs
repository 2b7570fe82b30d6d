//! The GitHub Actions API client and downloads against local fake API and storage servers.

mod common;

use std::time::Duration;

use common::fake_github::{FakeGitHub, SIGNATURE, TOKEN};
use haul::artifacts::{self, ArtifactKind, GitHub, ListFilter, Repo, Token};
use haul::transfer::{Jobs, Phase, Progress};
use tokio_util::sync::CancellationToken;

fn client(fake: &FakeGitHub, repo: &str, token: &str) -> GitHub {
    GitHub::new(
        &fake.api.base,
        Repo::parse(repo).expect("repo"),
        Token::new(token),
    )
    .expect("client")
}

fn ids(list: &[haul::artifacts::RemoteArtifact]) -> Vec<u64> {
    list.iter().map(|a| a.id).collect()
}

#[tokio::test]
async fn lists_follow_link_pagination_and_send_the_documented_headers() {
    let fake = FakeGitHub::start();
    let gh = client(&fake, "o/r", TOKEN);
    let all = gh.list(&ListFilter::default()).await.expect("list");
    assert_eq!(ids(&all), [6, 5, 4, 1, 2, 3, 7], "four pages, in API order");
    let requests = fake.api.requests();
    assert_eq!(requests.len(), 4, "one request per page");
    for req in &requests {
        assert_eq!(req.path(), "/repos/o/r/actions/artifacts");
        assert_eq!(req.query("per_page").as_deref(), Some("100"));
        assert_eq!(
            req.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(req.header("accept"), Some("application/vnd.github+json"));
        assert_eq!(req.header("x-github-api-version"), Some("2022-11-28"));
        assert!(
            req.header("user-agent")
                .is_some_and(|ua| ua.starts_with("haul/"))
        );
    }
    assert_eq!(requests[0].query("page"), None);
    assert_eq!(requests[3].query("page").as_deref(), Some("4"));
}

#[tokio::test]
async fn filters_by_name_branch_and_run() {
    let fake = FakeGitHub::start();
    let gh = client(&fake, "o/r", TOKEN);
    let named = ListFilter {
        name: Some("image".into()),
        ..Default::default()
    };
    assert_eq!(ids(&gh.list(&named).await.expect("by name")), [1, 2]);
    assert_eq!(
        fake.api.requests()[0].query("name").as_deref(),
        Some("image")
    );

    let on_feature = ListFilter {
        branch: Some("feature".into()),
        ..Default::default()
    };
    assert_eq!(ids(&gh.list(&on_feature).await.expect("by branch")), [2]);

    let run = ListFilter {
        run: Some(100),
        ..Default::default()
    };
    let in_run = gh.list(&run).await.expect("by run");
    assert_eq!(ids(&in_run), [6, 5, 4, 1]);
    let last = fake.api.requests().pop().expect("a request");
    assert_eq!(last.path(), "/repos/o/r/actions/runs/100/artifacts");
}

#[tokio::test]
async fn find_takes_ids_or_the_newest_unexpired_artifact_of_a_name() {
    let fake = FakeGitHub::start();
    let gh = client(&fake, "o/r", TOKEN);
    assert_eq!(
        gh.find("2", &ListFilter::default())
            .await
            .expect("by id")
            .id,
        2
    );
    assert_eq!(
        gh.find("image", &ListFilter::default())
            .await
            .expect("by name")
            .id,
        1
    );
    let err = gh
        .find("nope", &ListFilter::default())
        .await
        .expect_err("missing");
    assert_eq!(err.to_string(), "no artifact named \"nope\" in o/r");
}

#[tokio::test]
async fn download_follows_the_redirect_without_the_token_and_lands_in_the_folder() {
    let fake = FakeGitHub::start();
    let gh = client(&fake, "o/r", TOKEN);
    let dest = tempfile::tempdir().expect("tempdir");
    let artifact = gh.artifact(1).await.expect("artifact");
    let progress = Progress::default();
    let path = artifacts::download_artifact(
        &gh,
        &artifact,
        dest.path(),
        &progress,
        &CancellationToken::new(),
    )
    .await
    .expect("download");
    assert_eq!(path, dest.path().join("image.zip"));
    assert_eq!(std::fs::read(&path).expect("read"), fake.blobs[&1]);
    assert_eq!(
        (progress.done(), progress.total()),
        (fake.blobs[&1].len() as u64, fake.blobs[&1].len() as u64)
    );

    let api = fake.api.requests();
    let zip_call = api
        .iter()
        .find(|r| r.path().ends_with("/zip"))
        .expect("zip call");
    assert_eq!(
        zip_call.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let storage = fake.storage.requests();
    assert_eq!(storage.len(), 1);
    assert!(storage[0].target.ends_with(SIGNATURE));
    assert_eq!(
        storage[0].header("authorization"),
        None,
        "the token never reaches storage"
    );
    assert!(storage[0].headers.iter().all(|(_, v)| !v.contains(TOKEN)));

    // The download is now a local artifact, with its image entry.
    let local = artifacts::list(dest.path()).expect("scan");
    assert_eq!(local.len(), 1, "no temporary file left: {local:#?}");
    assert_eq!(
        (local[0].name.as_str(), local[0].kind),
        ("image", ArtifactKind::Zip)
    );
    assert_eq!(local[0].images[0].entry, "image.tar");
    assert_eq!(std::fs::read_dir(dest.path()).expect("dir").count(), 1);
}

#[tokio::test]
async fn a_raw_artifact_keeps_its_name_and_is_listed_as_raw() {
    let fake = FakeGitHub::start();
    let gh = client(&fake, "o/r", TOKEN);
    let dest = tempfile::tempdir().expect("tempdir");
    let artifact = gh.artifact(5).await.expect("artifact");
    let path = artifacts::download_artifact(
        &gh,
        &artifact,
        dest.path(),
        &Progress::default(),
        &CancellationToken::new(),
    )
    .await
    .expect("download");
    assert_eq!(path, dest.path().join("img.tar"));
    let local = artifacts::list(dest.path()).expect("scan");
    assert_eq!(local[0].kind, ArtifactKind::Raw);
}

#[tokio::test]
async fn a_digest_mismatch_is_refused_and_leaves_no_file() {
    let fake = FakeGitHub::start();
    let gh = client(&fake, "o/r", TOKEN);
    let dest = tempfile::tempdir().expect("tempdir");
    let artifact = gh.artifact(4).await.expect("artifact");
    let err = artifacts::download_artifact(
        &gh,
        &artifact,
        dest.path(),
        &Progress::default(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("mismatch");
    let text = err.to_string();
    assert!(
        text.starts_with("digest mismatch for artifact bad-digest"),
        "{text}"
    );
    assert!(!dest.path().join("bad-digest.zip").exists());
    assert_eq!(
        std::fs::read_dir(dest.path()).expect("dir").count(),
        0,
        "temporary file removed"
    );
}

#[tokio::test]
async fn a_connection_cut_half_way_leaves_no_file() {
    let fake = FakeGitHub::start();
    let gh = client(&fake, "o/r", TOKEN);
    let dest = tempfile::tempdir().expect("tempdir");
    let artifact = gh.artifact(7).await.expect("artifact");
    let err = artifacts::download_artifact(
        &gh,
        &artifact,
        dest.path(),
        &Progress::default(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("cut");
    assert!(
        err.to_string()
            .starts_with("download of artifact cut (id 7) broke off"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(dest.path()).expect("dir").count(), 0);
}

#[tokio::test]
async fn cancelling_mid_download_leaves_no_partial_file() {
    let fake = FakeGitHub::start();
    let gh = std::sync::Arc::new(client(&fake, "o/r", TOKEN));
    let dest = tempfile::tempdir().expect("tempdir");
    let artifact = gh.artifact(6).await.expect("artifact");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut jobs = Jobs::new(tx);
    let id = artifacts::start_download(&mut jobs, gh, artifact, dest.path().to_path_buf());
    let started = tokio::time::Instant::now();
    while jobs.snapshot(id).expect("job").done < 65536 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no bytes arrived"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(jobs.snapshot(id).expect("job").total, 1 << 20);
    let entries = std::fs::read_dir(dest.path()).expect("dir").count();
    assert_eq!(entries, 1, "a hidden temporary file while running");
    assert!(jobs.cancel(id));
    while jobs.any_running() {
        let event = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("job ends after cancel")
            .expect("event");
        jobs.apply(event);
    }
    assert_eq!(jobs.snapshot(id).expect("job").phase, Phase::Cancelled);
    assert_eq!(
        std::fs::read_dir(dest.path()).expect("dir").count(),
        0,
        "partial file removed"
    );
}

#[tokio::test]
async fn api_errors_give_clear_one_line_messages() {
    let fake = FakeGitHub::start();
    let dest = tempfile::tempdir().expect("tempdir");

    let gh = client(&fake, "o/r", TOKEN);
    let expired = gh.artifact(3).await.expect("artifact");
    // Even if the list said it had not expired, the 410 from the API is reported.
    let expired = haul::artifacts::RemoteArtifact {
        expired: false,
        ..expired
    };
    let err = artifacts::download_artifact(
        &gh,
        &expired,
        dest.path(),
        &Progress::default(),
        &CancellationToken::new(),
    )
    .await
    .expect_err("410");
    assert_eq!(
        err.to_string(),
        "artifact old (id 3) has expired (410 Gone): GitHub deleted its files; re-run the workflow to make it again"
    );

    let wrong = client(&fake, "o/r", "wrong-token");
    let err = wrong.list(&ListFilter::default()).await.expect_err("401");
    assert!(
        err.to_string()
            .starts_with("GitHub rejected the token (401 Bad credentials)"),
        "{err}"
    );
    assert!(!err.to_string().contains("wrong-token"));

    let err = client(&fake, "o/limited", TOKEN)
        .list(&ListFilter::default())
        .await
        .expect_err("403");
    let text = err.to_string();
    assert!(
        text.starts_with("GitHub API rate limit exceeded: try again in 2m0"),
        "{text}"
    );

    let err = client(&fake, "o/busy", TOKEN)
        .list(&ListFilter::default())
        .await
        .expect_err("429");
    assert_eq!(
        err.to_string(),
        "GitHub API rate limit exceeded: try again in 30s"
    );

    let err = client(&fake, "o/missing", TOKEN)
        .list(&ListFilter::default())
        .await
        .expect_err("404");
    assert!(
        err.to_string()
            .starts_with("artifacts of o/missing not found (404)"),
        "{err}"
    );

    assert!(!err.to_string().contains('\n'));
    assert!(
        fake.storage.requests().is_empty(),
        "no storage call for failed API calls"
    );
}

#[tokio::test]
async fn an_unreachable_api_names_the_host_and_the_cause() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let gh =
        GitHub::new(&base, Repo::parse("o/r").expect("repo"), Token::new(TOKEN)).expect("client");
    let err = gh.list(&ListFilter::default()).await.expect_err("refused");
    let text = err.to_string();
    assert!(text.starts_with("cannot reach 127.0.0.1: "), "{text}");
    assert!(!text.contains(TOKEN));
}
