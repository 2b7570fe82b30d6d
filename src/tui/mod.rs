//! The terminal UI: panes for daemon images, tarballs and artifacts, details, jobs.
//!
//! One [`App`] owns all state. Keys become [`Action`]s and state changes in plain functions
//! ([`input`]); background results come back as [`Msg`]s ([`update`]); anything that needs
//! the outside world is an [`Effect`] the [`worker`] runs. The [`event_loop`] draws only
//! when the App is dirty.

mod actions;
pub mod app;
pub mod artifact_rows;
pub mod artifact_source;
pub mod backend;
mod cleanup;
pub mod clipboard;
pub mod config;
pub mod contents;
pub mod daemon_events;
pub mod dialogs;
mod disk;
pub mod docker;
pub mod event_loop;
pub mod format;
pub mod image_model;
pub mod image_rows;
pub mod input;
pub mod key;
pub mod keymap;
pub mod layout;
pub mod list;
mod modal;
pub mod mouse;
pub mod panes;
pub mod remote;
pub mod remote_pages;
pub mod render;
pub mod scan;
mod selection;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod widgets;
pub mod worker;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

pub use app::{App, Effect, Msg};
pub use backend::{Backend, SharedBackend};
pub use config::{Config, ConfigError};
pub use keymap::Action;

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot find the current folder: {0}")]
    Cwd(std::io::Error),
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
    #[error("the TUI needs a terminal; for scripts use a subcommand (see `haul --help`)")]
    NotATerminal,
}

/// True when `NO_COLOR` is set to anything non-empty (<https://no-color.org>).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// The daemon backend the TUI uses: the Docker Engine at `host`, or where the docker CLI
/// would find it.
pub fn default_backend(host: Option<String>) -> SharedBackend {
    Arc::new(docker::DockerBackend::new(host))
}

/// `haul` with no subcommand; `host` is `--host` (else `DOCKER_HOST`, the docker context...).
pub fn run(host: Option<String>) -> ExitCode {
    match run_with(default_backend(host)) {
        Ok(None) => ExitCode::SUCCESS,
        // Stopped by a signal: the terminal is restored, the exit status says which (143...).
        Ok(Some(signal)) => ExitCode::from((128 + signal) as u8),
        Err(e) => {
            eprintln!("error: {}", e.to_string().replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

/// Load the config (refusing to start on a bad one), then run until quit. Returns the signal
/// that ended the session, if one did.
pub fn run_with(backend: SharedBackend) -> Result<Option<i32>, TuiError> {
    let cwd = std::env::current_dir().map_err(TuiError::Cwd)?;
    let config = Config::load(&cwd, no_color())?;
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(TuiError::NotATerminal);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(session(config, backend, cwd));
    // Inspections and jobs still running are abandoned, not awaited.
    runtime.shutdown_timeout(std::time::Duration::from_millis(300));
    result
}

async fn session(
    config: Config,
    backend: SharedBackend,
    cwd: PathBuf,
) -> Result<Option<i32>, TuiError> {
    let (msg_tx, job_tx, channels) = event_loop::channels();
    let (scan_tx, scan_rx) = tokio::sync::mpsc::channel(1);
    let scanner = scan::Scanner::new(config.scan_folders.clone(), config.scan_depth, cwd.clone())
        .with_artifact_roots(artifact_source::roots());
    tokio::spawn(scan::run(scanner, scan_rx, msg_tx.clone()));
    tokio::spawn(daemon_events::watch(backend.clone(), msg_tx.clone()));
    let remote = Arc::new(remote::RemoteSource::new(config.repo.clone(), cwd));
    let worker = worker::Worker {
        backend,
        tx: msg_tx,
        scan: scan_tx,
        remote,
    };
    let mut app = App::new(config, job_tx);
    let (mut terminal, guard) = terminal::enter()?;
    let result = event_loop::run(&mut terminal, &mut app, &worker, channels).await;
    drop(guard);
    result?;
    Ok(app.stopped_by)
}
