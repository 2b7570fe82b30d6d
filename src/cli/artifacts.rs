//! `haul artifacts`: list workflow artifacts of a repository or a run, list artifacts on disk,
//! download one (with progress on stderr) and load the images inside.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::progress::drive;
use crate::artifacts::{
    self, ArtifactError, GitHub, ListFilter, LocalArtifact, RemoteArtifact, Repo,
};
use crate::daemon::Daemon;
use crate::transfer::{JobEvent, Jobs, LoadOptions, Phase, start_load};
use crate::units;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ArtifactsArgs {
    #[command(subcommand)]
    pub command: Option<ArtifactsCommand>,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Only artifacts with this exact name.
    #[arg(long)]
    pub name: Option<String>,
    /// A JSON array on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RemoteArgs {
    /// Repository OWNER/NAME (default: the `origin` remote of the git repository here).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// Only this workflow run's artifacts.
    #[arg(long, value_name = "ID")]
    pub run: Option<u64>,
    /// Only artifacts of runs on this branch.
    #[arg(long)]
    pub branch: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ArtifactsCommand {
    /// List artifacts on disk: zips, `gh run download` folders, raw image files.
    Local(LocalArgs),
    /// Download one artifact into haul's cache (or -o DIR) and show what it holds.
    Download(DownloadArgs),
}

#[derive(Debug, clap::Args)]
pub struct LocalArgs {
    /// Folders to scan or single artifact files (default: haul's download cache).
    pub paths: Vec<PathBuf>,
    /// A JSON array on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct DownloadArgs {
    /// Artifact ID, or name (then the newest artifact of that name that has not expired).
    #[arg(value_name = "ID|NAME")]
    pub artifact: String,
    #[command(flatten)]
    pub remote: RemoteArgs,
    /// Folder to download into (default: haul's cache, `<cache>/artifacts`).
    #[arg(short = 'o', long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Then load the images inside into the Docker daemon, straight from the zip (no extraction).
    #[arg(long)]
    pub load: bool,
    /// JSON lines on stdout: the downloaded artifact (and the images inside), then one load
    /// report per loaded image tarball with --load.
    #[arg(long)]
    pub json: bool,
}

/// Run `haul artifacts ...`; errors print as one `error:` line on stderr.
pub fn run(args: ArtifactsArgs, host: Option<String>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let result: Result<(), Option<anyhow::Error>> = runtime.block_on(async move {
        match args.command {
            Some(ArtifactsCommand::Local(local)) => match list_local(&local) {
                Ok(true) => Ok(()),
                // Each bad path already had its `error:` line.
                Ok(false) => return Err(None),
                Err(e) => Err(e.into()),
            },
            Some(ArtifactsCommand::Download(download)) => run_download(download, host).await,
            None => list_remote(&args.remote, args.name, args.json)
                .await
                .map_err(Into::into),
        }
        .map_err(Some)
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(None) => ExitCode::FAILURE,
        Err(Some(e)) => {
            let code = fail(&e.to_string());
            super::signals::received().map_or(code, super::signals::Stop::exit_code)
        }
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {}", message.replace('\n', " "));
    ExitCode::FAILURE
}

fn client(remote: &RemoteArgs) -> Result<GitHub, ArtifactError> {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let repo = Repo::resolve(remote.repo.as_deref(), &here)?;
    GitHub::from_env(repo)
}

fn filter(remote: &RemoteArgs, name: Option<String>) -> ListFilter {
    ListFilter {
        run: remote.run,
        name,
        branch: remote.branch.clone(),
    }
}

async fn list_remote(
    remote: &RemoteArgs,
    name: Option<String>,
    json: bool,
) -> Result<(), ArtifactError> {
    let gh = client(remote)?;
    let found = gh.list(&filter(remote, name)).await?;
    if json {
        print_json(&found);
    } else {
        print_remote_table(&found);
    }
    Ok(())
}

fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => say!("{text}\n"),
        Err(e) => eprintln!("error: cannot write JSON: {e}"),
    }
}

fn print_remote_table(found: &[RemoteArtifact]) {
    if found.is_empty() {
        eprintln!("no artifacts");
        return;
    }
    say!(
        "{:<12} {:<28} {:>10}  {:<16}  {:<16}  {:<12} {:<20} COMMIT\n",
        "ID",
        "NAME",
        "SIZE",
        "CREATED",
        "EXPIRES",
        "RUN",
        "BRANCH"
    );
    for a in found {
        let expires = if a.expired {
            "expired".to_string()
        } else {
            short_time(a.expires_at.as_deref())
        };
        say!(
            "{:<12} {:<28} {:>10}  {:<16}  {:<16}  {:<12} {:<20} {}\n",
            a.id,
            a.name,
            units::bytes(a.size_in_bytes),
            short_time(a.created_at.as_deref()),
            expires,
            a.run_id().map(|r| r.to_string()).unwrap_or_default(),
            a.branch().unwrap_or(""),
            a.head_sha().map(|s| &s[..s.len().min(7)]).unwrap_or(""),
        );
    }
}

/// `2024-01-02T03:04:05Z` -> `2024-01-02 03:04`.
fn short_time(t: Option<&str>) -> String {
    t.map(|t| t.replacen('T', " ", 1).chars().take(16).collect())
        .unwrap_or_default()
}

/// List local artifacts; false when a path named on the command line is not one (its
/// `error:` line is printed, the other paths are still listed).
fn list_local(args: &LocalArgs) -> Result<bool, ArtifactError> {
    let paths = if args.paths.is_empty() {
        artifacts::default_locations()
    } else {
        args.paths.clone()
    };
    let mut found = Vec::new();
    let mut all_good = true;
    for path in &paths {
        if path.is_dir() {
            found.extend(artifacts::scan(path)?);
        } else if let Some(artifact) = artifacts::scan_path(path)? {
            found.push(artifact);
        } else {
            all_good = false;
            fail(&format!(
                "{}: not an artifact (neither a zip nor an image tarball)",
                path.display()
            ));
        }
    }
    if args.json {
        print_json(&found);
    } else if found.is_empty() && all_good {
        eprintln!("no artifacts in {}", show_paths(&paths));
    } else {
        found.iter().for_each(print_local);
    }
    Ok(all_good)
}

fn show_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "haul's cache (nothing downloaded yet)".to_string();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_local(a: &LocalArtifact) {
    say!(
        "{:<6} {:<28} {:>10}  {}\n",
        a.kind.as_str(),
        a.name,
        units::bytes(a.size),
        a.path.display()
    );
    if let Some(error) = &a.error {
        say!("       error: {error}\n");
    }
    for image in &a.images {
        let what = match (&image.report, &image.error) {
            (_, Some(error)) => format!("error: {error}"),
            (Some(report), None) => {
                let tags = image.tags();
                let tags = if tags.is_empty() {
                    "<untagged>".to_string()
                } else {
                    tags.join(", ")
                };
                format!(
                    "{} ({}, {})",
                    tags,
                    report.format.as_str(),
                    units::count(report.images.len(), "image")
                )
            }
            (None, None) => String::new(),
        };
        say!(
            "       {:<30} {:>10}  {:<5} {}\n",
            image.entry,
            units::bytes(image.size),
            image.compression.as_str(),
            what
        );
    }
}

async fn run_download(args: DownloadArgs, host: Option<String>) -> anyhow::Result<()> {
    let gh = Arc::new(client(&args.remote)?);
    let artifact = gh.find(&args.artifact, &filter(&args.remote, None)).await?;
    let dest = match args.output {
        Some(dir) => dir,
        None => artifacts::default_destination()?,
    };
    let (tx, mut events) = unbounded_channel();
    let mut jobs = Jobs::new(tx);
    let id = artifacts::start_download(&mut jobs, gh, artifact, dest);
    let path = match drive(&mut jobs, &mut events, id, false).await {
        Phase::Done => {
            let outcome = jobs
                .snapshot(id)
                .and_then(|s| s.outcome)
                .unwrap_or_default();
            eprintln!("{}", outcome.summary);
            outcome
                .files
                .into_iter()
                .next()
                .ok_or_else(|| anyhow::anyhow!("the download wrote no file"))?
        }
        Phase::Cancelled => return Err(ArtifactError::Cancelled.into()),
        // The job's failure text is already a complete one-line message.
        Phase::Failed(reason) => return Err(anyhow::anyhow!(reason)),
        other => return Err(anyhow::anyhow!("download ended while {}", other.label())),
    };
    let scanned =
        tokio::task::spawn_blocking(move || artifacts::scan_path(&path).map(|a| (path, a)))
            .await
            .map_err(|e| anyhow::anyhow!("scan task: {e}"))?;
    let (path, local) = scanned?;
    if args.json {
        print_json_line(&local);
    } else {
        say!("{}\n", path.display());
        if let Some(local) = local.as_ref().filter(|_| std::io::stderr().is_terminal()) {
            print_local(local);
        }
    }
    if args.load {
        let local = local.ok_or_else(|| {
            anyhow::anyhow!(
                "{}: neither a zip nor an image tarball, nothing to load",
                path.display()
            )
        })?;
        load_images(&local, &mut jobs, &mut events, host, args.json).await?;
    }
    Ok(())
}

/// Load every image of a downloaded artifact straight from the zip entry (no extraction),
/// one load job each, with the same progress and Ctrl-C handling as `haul load`.
async fn load_images(
    local: &LocalArtifact,
    jobs: &mut Jobs,
    events: &mut UnboundedReceiver<JobEvent>,
    host: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let paths = local.loadable();
    if paths.is_empty() {
        let why: Vec<String> = local
            .images
            .iter()
            .filter_map(|i| i.error.as_ref().map(|e| format!("{}: {e}", i.entry)))
            .collect();
        anyhow::bail!(
            "artifact {} holds no image haul can load{}",
            local.name,
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join("; "))
            }
        );
    }
    let daemon = Daemon::connect_default(host).await?;
    for path in paths {
        let (id, mut report) =
            start_load(jobs, daemon.clone(), path.clone(), LoadOptions::default());
        match drive(jobs, events, id, false).await {
            Phase::Done => {
                let report = report
                    .try_recv()
                    .map_err(|_| anyhow::anyhow!("{}: the load gave no report", path.display()))?;
                // Worded as `haul load` words it.
                if super::common::print_loaded(&report, json).is_err() {
                    anyhow::bail!("{}: cannot print the load report", path.display());
                }
            }
            Phase::Cancelled => anyhow::bail!("{}: load cancelled; nothing loaded", path.display()),
            Phase::Failed(reason) => anyhow::bail!(reason),
            other => anyhow::bail!("load ended while {}", other.label()),
        }
    }
    Ok(())
}

fn print_json_line<T: serde::Serialize>(value: &T) {
    match serde_json::to_string(value) {
        Ok(text) => say!("{text}\n"),
        Err(e) => eprintln!("error: cannot write JSON: {e}"),
    }
}
