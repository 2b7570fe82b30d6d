//! SOURCE arguments of the contents commands: anything `haul inspect` takes, or
//! `docker://IMAGE`; analysed on a blocking thread with a progress bar on stderr (when it is a
//! terminal); Ctrl-C (or SIGTERM, SIGHUP) cancels.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::archive::blob_walk::Walk;
use crate::archive::contents::{self, Analysis, ContentsError, Control, Options};
use crate::daemon::Daemon;
use crate::daemon::contents::{analyse_image, bridge};

/// Where an image comes from.
#[derive(Debug, Clone)]
pub enum Source {
    Path(PathBuf),
    Daemon(String),
}

impl Source {
    pub fn parse(text: &str) -> Source {
        match text.strip_prefix("docker://") {
            Some(name) => Source::Daemon(name.to_string()),
            None => Source::Path(PathBuf::from(text)),
        }
    }
}

/// One runtime and (once needed) one daemon connection for a command.
pub struct Session {
    rt: tokio::runtime::Runtime,
    host: Option<String>,
    daemon: Option<Daemon>,
    pub quiet: bool,
    pub no_cache: bool,
}

impl Session {
    pub fn new(host: Option<String>) -> Result<Session, String> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        Ok(Session {
            rt,
            host,
            daemon: None,
            quiet: false,
            no_cache: false,
        })
    }

    fn daemon(&mut self) -> Result<Daemon, String> {
        if let Some(d) = &self.daemon {
            return Ok(d.clone());
        }
        let host = self.host.clone();
        let daemon = self
            .rt
            .block_on(Daemon::connect_default(host))
            .map_err(|e| e.to_string())?;
        self.daemon = Some(daemon.clone());
        Ok(daemon)
    }

    fn options(&self, image: Option<&str>) -> Options {
        Options {
            cache_dir: if self.no_cache {
                None
            } else {
                crate::paths::cache_dir()
            },
            image: image.map(str::to_string),
            control: Arc::new(Control::default()),
        }
    }

    /// The contents of one image of `source`.
    pub fn analyse(&mut self, source: &Source, image: Option<&str>) -> Result<Analysis, String> {
        let opts = self.options(image);
        let control = Arc::clone(&opts.control);
        let result = match source {
            Source::Path(path) => {
                let path = path.clone();
                let job = self
                    .rt
                    .spawn_blocking(move || contents::analyse_path(&path, &opts));
                self.supervise(&control, "reading layers", async move {
                    job.await.unwrap_or_else(|e| Err(stopped(e)))
                })
            }
            Source::Daemon(name) => {
                let daemon = self.daemon()?;
                let name = name.clone();
                self.supervise(&control, "reading layers", async move {
                    analyse_image(&daemon, &name, opts).await
                })
            }
        };
        result.map_err(|e| e.to_string())
    }

    /// A walk over the layers of `source` again (a new export stream for a daemon image), run
    /// by `work` on a blocking thread.
    pub fn with_walk<T: Send + 'static>(
        &mut self,
        source: &Source,
        work: impl FnOnce(Walk, &Control) -> Result<T, ContentsError> + Send + 'static,
    ) -> Result<T, String> {
        let control = Arc::new(Control::default());
        let inner = Arc::clone(&control);
        let result = match source {
            Source::Path(path) => {
                let path = path.clone();
                let job = self.rt.spawn_blocking(move || {
                    let walk = Walk::open(&path)?;
                    work(walk, &inner)
                });
                self.supervise(&control, "extracting", async move {
                    job.await.unwrap_or_else(|e| Err(stopped(e)))
                })
            }
            Source::Daemon(name) => {
                let daemon = self.daemon()?;
                let origin = format!("docker://{name}");
                let _entered = self.rt.enter();
                let reader = bridge(daemon.transfer().export_image(name));
                let job = self
                    .rt
                    .spawn_blocking(move || work(Walk::reader(&origin, Box::new(reader)), &inner));
                self.supervise(&control, "extracting", async move {
                    job.await.unwrap_or_else(|e| Err(stopped(e)))
                })
            }
        };
        result.map_err(|e| e.to_string())
    }

    /// Drive `work` to its end: a progress bar from `control`, Ctrl-C cancels it.
    fn supervise<T>(
        &self,
        control: &Arc<Control>,
        label: &str,
        work: impl std::future::Future<Output = Result<T, ContentsError>>,
    ) -> Result<T, ContentsError> {
        let bar = (!self.quiet && std::io::stderr().is_terminal()).then(|| new_bar(label));
        self.rt.block_on(async {
            tokio::pin!(work);
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            let mut interrupted = false;
            // Ctrl-C, SIGTERM, SIGHUP: cancel; the exit code then names the signal.
            let mut stops = crate::cli::signals::Listener::new();
            loop {
                tokio::select! {
                    result = &mut work => {
                        if let Some(bar) = &bar {
                            bar.finish_and_clear();
                        }
                        return result;
                    }
                    _ = stops.recv(), if !interrupted => {
                        interrupted = true;
                        control.cancel();
                    }
                    _ = tick.tick(), if bar.is_some() => {
                        if let Some(bar) = &bar {
                            let (read, total) = control.progress();
                            bar.set_length(total.max(read));
                            bar.set_position(read);
                        }
                    }
                }
            }
        })
    }
}

fn stopped(e: tokio::task::JoinError) -> ContentsError {
    ContentsError::Image {
        origin: "haul".into(),
        message: format!("the analysis stopped: {e}"),
    }
}

fn new_bar(label: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
    let style = ProgressStyle::with_template(
        "{msg:16} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(label.to_string());
    bar
}
