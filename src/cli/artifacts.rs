//! `haul artifacts`: list workflow artifacts of a repository or a run, list artifacts on disk,
//! download one (with progress on stderr).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::mpsc::unbounded_channel;

use crate::artifacts::{
    self, ArtifactError, GitHub, ListFilter, LocalArtifact, RemoteArtifact, Repo,
};
use crate::transfer::{Jobs, Phase};
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
    /// Print the downloaded artifact (and the images inside) as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Run `haul artifacts ...`; errors print as one `error:` line on stderr.
pub fn run(args: ArtifactsArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let result: anyhow::Result<()> = runtime.block_on(async move {
        match args.command {
            Some(ArtifactsCommand::Local(local)) => list_local(&local).map_err(Into::into),
            Some(ArtifactsCommand::Download(download)) => run_download(download).await,
            None => list_remote(&args.remote, args.name, args.json)
                .await
                .map_err(Into::into),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
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
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("error: cannot write JSON: {e}"),
    }
}

fn print_remote_table(found: &[RemoteArtifact]) {
    if found.is_empty() {
        eprintln!("no artifacts");
        return;
    }
    println!(
        "{:<12} {:<28} {:>10}  {:<16}  {:<16}  {:<12} {:<20} COMMIT",
        "ID", "NAME", "SIZE", "CREATED", "EXPIRES", "RUN", "BRANCH"
    );
    for a in found {
        let expires = if a.expired {
            "expired".to_string()
        } else {
            short_time(a.expires_at.as_deref())
        };
        println!(
            "{:<12} {:<28} {:>10}  {:<16}  {:<16}  {:<12} {:<20} {}",
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

fn list_local(args: &LocalArgs) -> Result<(), ArtifactError> {
    let paths = if args.paths.is_empty() {
        artifacts::default_locations()
    } else {
        args.paths.clone()
    };
    let mut found = Vec::new();
    for path in &paths {
        if path.is_dir() {
            found.extend(artifacts::scan(path)?);
        } else if let Some(artifact) = artifacts::scan_path(path)? {
            found.push(artifact);
        } else {
            eprintln!(
                "{}: not an artifact (neither a zip nor an image tarball)",
                path.display()
            );
        }
    }
    if args.json {
        print_json(&found);
    } else if found.is_empty() {
        eprintln!("no artifacts in {}", show_paths(&paths));
    } else {
        found.iter().for_each(print_local);
    }
    Ok(())
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
    println!(
        "{:<6} {:<28} {:>10}  {}",
        a.kind.as_str(),
        a.name,
        units::bytes(a.size),
        a.path.display()
    );
    if let Some(error) = &a.error {
        println!("       error: {error}");
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
                    "{} ({}, {} image(s))",
                    tags,
                    report.format.as_str(),
                    report.images.len()
                )
            }
            (None, None) => String::new(),
        };
        println!(
            "       {:<30} {:>10}  {:<5} {}",
            image.entry,
            units::bytes(image.size),
            image.compression.as_str(),
            what
        );
    }
}

async fn run_download(args: DownloadArgs) -> anyhow::Result<()> {
    let gh = Arc::new(client(&args.remote)?);
    let artifact = gh.find(&args.artifact, &filter(&args.remote, None)).await?;
    let dest = match args.output {
        Some(dir) => dir,
        None => artifacts::default_destination()?,
    };
    let path = download_with_progress(gh, artifact, dest).await?;
    let shown = tokio::task::spawn_blocking(move || artifacts::scan_path(&path).map(|a| (path, a)))
        .await
        .map_err(|e| anyhow::anyhow!("scan task: {e}"))?;
    let (path, local) = shown?;
    if args.json {
        print_json(&local);
    } else {
        println!("{}", path.display());
        if let Some(local) = &local {
            if std::io::stderr().is_terminal() {
                print_local(local);
            }
        }
    }
    Ok(())
}

/// Run the download as a job (the same one the TUI starts), drawing its progress on stderr
/// when stderr is a terminal; Ctrl-C cancels it (the partial file is removed).
async fn download_with_progress(
    gh: Arc<GitHub>,
    artifact: RemoteArtifact,
    dest: PathBuf,
) -> anyhow::Result<PathBuf> {
    let (tx, mut rx) = unbounded_channel();
    let mut jobs = Jobs::new(tx);
    let name = artifact.name.clone();
    let id = artifacts::start_download(&mut jobs, gh, artifact, dest);
    let bar = progress_bar(&name);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    while jobs.any_running() {
        tokio::select! {
            event = rx.recv() => match event {
                Some(event) => { jobs.apply(event); }
                None => break,
            },
            _ = tick.tick() => {}
            _ = &mut ctrl_c => { jobs.cancel(id); }
        }
        if let (Some(bar), Some(snap)) = (&bar, jobs.snapshot(id)) {
            bar.set_length(snap.total);
            bar.set_position(snap.done);
        }
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let snap = jobs
        .snapshot(id)
        .ok_or_else(|| anyhow::anyhow!("download job vanished"))?;
    match snap.phase {
        Phase::Done => {
            let outcome = snap.outcome.unwrap_or_default();
            eprintln!("{}", outcome.summary);
            outcome
                .files
                .into_iter()
                .next()
                .ok_or_else(|| anyhow::anyhow!("download wrote no file"))
        }
        Phase::Cancelled => Err(ArtifactError::Cancelled.into()),
        // The job's failure text is already a complete one-line message.
        Phase::Failed(reason) => Err(anyhow::anyhow!(reason)),
        other => Err(anyhow::anyhow!("download ended in phase {}", other.label())),
    }
}

fn progress_bar(name: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template(
        "{msg} {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(name.to_string());
    Some(bar)
}
