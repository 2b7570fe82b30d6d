//! Fixed data for TUI tests: no clock, no machine paths.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::archive::{
    ArchiveReport, Compression, Container, Format, HistoryEntry, ImageInfo, LayerInfo,
};
use crate::daemon::{EngineKind, Held, Holdings, ImageIds, ImageRow};
use crate::transfer::{JobEvent, JobKind, JobOutcome, JobSnapshot, Phase};
use crate::tui::app::{App, Msg};
use crate::tui::backend::DaemonInfo;
use crate::tui::config::Config;
use crate::tui::state::{FileKind, FoundFile, Stamp};

pub fn config() -> Config {
    Config::parse(
        "scan_defaults = false\nscan_folders = [\"/data/images\", \"/ci/artifacts\"]\n\
         export_folder = \"/exports\"\n",
        Path::new("/cfg/config.toml"),
        Path::new("/data/images"),
        true,
    )
    .expect("test config")
}

pub fn app() -> (App, UnboundedReceiver<JobEvent>) {
    let (tx, rx) = unbounded_channel();
    let mut app = App::new(config(), tx);
    app.on_resize(100, 30);
    (app, rx)
}

pub fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

pub fn code(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn digest(n: u8) -> String {
    format!("sha256:{}", format!("{n:02x}").repeat(32))
}

pub fn rows() -> Vec<ImageRow> {
    let row = |n: u8, tags: &[&str], size: u64| ImageRow {
        id: digest(n),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        created: 1_700_000_000 + n as i64 * 86_400,
        size,
        layer_count: Some(3),
        dangling: tags.is_empty(),
        platforms: Vec::new(),
    };
    vec![
        row(1, &["app:1.0", "app:latest"], 182_400_000),
        row(2, &["postgres:16"], 431_000_000),
        row(3, &[], 5_600_000),
        row(4, &["redis:7"], 117_000_000),
    ]
}

pub fn info(n: u8, tags: &[&str]) -> ImageInfo {
    let layer = |i: u8, size: u64, comp: Compression, by: &str| LayerInfo {
        diff_id: digest(100 + i),
        digest: Some(digest(150 + i)),
        size,
        compression: comp,
        created_by: Some(by.to_string()),
        path: String::new(),
    };
    let layers = vec![
        layer(
            1,
            80_000_000,
            Compression::Gzip,
            "/bin/sh -c #(nop) ADD file:abc in / ",
        ),
        layer(
            2,
            60_000_000,
            Compression::Gzip,
            "RUN apt-get install -y curl",
        ),
        layer(
            3,
            2_400_000,
            Compression::None,
            "COPY app /usr/local/bin/app",
        ),
    ];
    ImageInfo {
        id: digest(n),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        os: "linux".into(),
        architecture: "amd64".into(),
        variant: None,
        created: Some("2024-03-01T10:20:30.123Z".into()),
        entrypoint: Some(vec!["/usr/local/bin/app".into()]),
        cmd: Some(vec!["serve".into()]),
        env: vec!["PATH=/usr/bin".into()],
        working_dir: Some("/srv".into()),
        user: Some("app".into()),
        labels: BTreeMap::new(),
        exposed_ports: vec!["8080/tcp".into()],
        size: layers.iter().map(|l| l.size).sum(),
        layers,
        history: vec![HistoryEntry::default()],
        manifest_digest: None,
        target_digest: None,
        unqualified_name: false,
        config_path: String::new(),
        ..ImageInfo::default()
    }
}

pub fn found(display: &str, kind: FileKind, size: u64) -> FoundFile {
    FoundFile {
        path: PathBuf::from("/data/images").join(display),
        display: display.to_string(),
        kind,
        stamp: Stamp { size, mtime_ns: 1 },
        link: None,
    }
}

pub fn report(file: &FoundFile, image: ImageInfo) -> ArchiveReport {
    ArchiveReport {
        path: file.path.display().to_string(),
        format: Format::DockerArchive,
        compression: Compression::Gzip,
        container: if file.kind == FileKind::Artifact {
            Container::Zip
        } else {
            Container::Tar
        },
        file_size: file.stamp.size,
        entry: None,
        layer_count: image.layers.len(),
        layers_size: image.size,
        images: vec![image],
        missing_manifests: 0,
        entries: Vec::new(),
        skipped: Vec::new(),
    }
}

/// The daemon (Docker 20.10, classic store) connected, with [`rows`] and the first layer of
/// image 9 present.
pub fn connect(app: &mut App) {
    app.apply(Msg::Daemon(Ok(DaemonInfo {
        endpoint: "unix:///var/run/docker.sock".into(),
        kind: EngineKind::DockerClassic,
        version: "20.10.24".into(),
        api_version: "1.41".into(),
    })));
    app.apply(Msg::Images(Ok(rows())));
    let mut holdings = Holdings::new(ImageIds::ConfigDigest);
    for row in rows() {
        holdings.insert(Held {
            id: row.id,
            tags: row.tags,
            ..Default::default()
        });
    }
    holdings.insert(Held {
        id: digest(200),
        diff_ids: vec![info(9, &[]).diff_ids()[0].clone()],
        ..Default::default()
    });
    app.apply(Msg::Holdings(Ok(holdings)));
}

/// Tarballs: one already loaded (image 1), one sharing a layer (image 9), one broken, one pending.
pub fn files(app: &mut App) -> Vec<FoundFile> {
    let files = vec![
        found("app-1.0.tar.gz", FileKind::Tarball, 140_000_000),
        found("ci/web-9.tar", FileKind::Tarball, 142_400_000),
        found("notes.tar", FileKind::Tarball, 10_240),
        found("new/pending.tar.zst", FileKind::Tarball, 99_000_000),
        found("run-42/image.zip", FileKind::Artifact, 120_000_000),
    ];
    app.apply(Msg::Scanned(Ok(files.clone())));
    let mut inspected = |f: &FoundFile, result| {
        app.apply(Msg::Inspected {
            file: f.clone(),
            result,
        })
    };
    inspected(
        &files[0],
        Ok(Box::new(report(&files[0], info(1, &["app:1.0"])))),
    );
    inspected(
        &files[1],
        Ok(Box::new(report(&files[1], info(9, &["web:9"])))),
    );
    inspected(
        &files[2],
        Err("not an image archive: no manifest.json or index.json".into()),
    );
    inspected(
        &files[4],
        Ok(Box::new(report(&files[4], info(7, &["ci/build:42"])))),
    );
    files
}

fn phase_flows(phase: &Phase) -> bool {
    *phase == Phase::Transferring
}

pub fn job(id: u64, label: &str, phase: Phase, done: u64, total: u64) -> JobSnapshot {
    let running = !phase.is_finished();
    JobSnapshot {
        id,
        kind: JobKind::Load,
        label: label.into(),
        outcome: (phase == Phase::Done).then(|| JobOutcome {
            summary: "loaded web:9".into(),
            ..Default::default()
        }),
        done,
        total,
        rate: if phase_flows(&phase) {
            52_000_000.0
        } else {
            0.0
        },
        eta: phase_flows(&phase).then(|| Duration::from_secs(17)),
        elapsed: Duration::from_secs(if running { 12 } else { 3 }),
        message: None,
        phase,
    }
}

/// Remote artifacts as the API lists them: one live, one expired.
pub fn remote_artifacts() -> Vec<crate::artifacts::RemoteArtifact> {
    use crate::artifacts::{RemoteArtifact, WorkflowRun};
    let artifact = |id: u64, name: &str, expired: bool| RemoteArtifact {
        id,
        name: name.to_string(),
        size_in_bytes: 88_000_000,
        expired,
        created_at: Some("2024-03-01T10:20:30Z".into()),
        expires_at: Some("2024-05-30T10:20:30Z".into()),
        digest: Some(digest(200 + id as u8)),
        workflow_run: Some(WorkflowRun {
            id: Some(7_000 + id),
            head_branch: Some("main".into()),
            head_sha: Some("0123456789abcdef0123".into()),
        }),
    };
    vec![
        artifact(11, "web-image", false),
        artifact(12, "old-image", true),
    ]
}

/// The remote listing of octo/app arrived.
pub fn remote(app: &mut App) {
    app.apply(Msg::Remote(Ok(crate::tui::artifact_rows::RemoteList {
        repo: "octo/app".into(),
        artifacts: remote_artifacts(),
    })));
}

/// Image 1 as the daemon knows it, with everything the full details view shows: a whole
/// history (steps without a layer, a long RUN line), env, labels, volumes, a healthcheck.
pub fn rich_info() -> ImageInfo {
    use crate::archive::Healthcheck;
    let mut image = info(1, &["app:1.0", "app:latest"]);
    let step = |by: &str, layer: Option<usize>| HistoryEntry {
        created: Some("2024-03-01T10:20:30Z".into()),
        created_by: Some(by.to_string()),
        comment: None,
        empty_layer: layer.is_none(),
        layer,
    };
    image.history = vec![
        step("/bin/sh -c #(nop) ADD file:abc in / ", Some(0)),
        step("/bin/sh -c #(nop)  ENV LANG=C.UTF-8", None),
        step(
            "RUN apt-get update && apt-get install -y --no-install-recommends curl \
             ca-certificates tzdata && rm -rf /var/lib/apt/lists/* # a long line that wraps",
            Some(1),
        ),
        step("COPY app /usr/local/bin/app", Some(2)),
        step("/bin/sh -c #(nop)  CMD [\"serve\"]", None),
    ];
    image.env = vec![
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
        "LANG=C.UTF-8".into(),
    ];
    image.labels = BTreeMap::from([
        (
            "org.opencontainers.image.source".into(),
            "https://github.com/octo/app".into(),
        ),
        ("maintainer".into(), "octo".into()),
    ]);
    image.volumes = vec!["/data".into()];
    image.healthcheck = Some(Healthcheck {
        test: vec![
            "CMD-SHELL".into(),
            "curl -f http://localhost:8080/ || exit 1".into(),
        ],
        interval_ns: Some(30_000_000_000),
        timeout_ns: Some(5_000_000_000),
        start_period_ns: None,
        retries: Some(3),
    });
    image.repo_digests = vec![format!("octo/app@{}", digest(201))];
    image
}

/// Disk use as the daemon and haul's cache report it.
pub fn disk_items() -> (Vec<crate::du::Item>, Vec<crate::du::Item>) {
    use crate::du::{Category, Item};
    let image = |n: u8, category, name: &str, size, note: &str| Item {
        category,
        name: name.into(),
        id: Some(digest(n)),
        path: None,
        size,
        time: 1_700_000_000,
        note: note.into(),
    };
    let daemon = vec![
        image(3, Category::Dangling, "<none>", 5_600_000, ""),
        image(4, Category::Unused, "redis:7", 117_000_000, ""),
        image(
            2,
            Category::InUse,
            "postgres:16",
            431_000_000,
            "1 container",
        ),
    ];
    let cache = vec![Item {
        category: Category::InspectCache,
        name: "/cache/inspect".into(),
        id: None,
        path: Some(PathBuf::from("/cache/inspect")),
        size: 48_000,
        time: 1_700_000_000,
        note: "12 reports".into(),
    }];
    (daemon, cache)
}
