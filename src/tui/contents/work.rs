//! The background side: analyses, previews and comparisons run on blocking threads (the
//! contents engine is synchronous) and come back as messages; an extraction is a job with
//! progress that `c` cancels. A daemon image is read from a new export stream each time.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::{Compared, ContentsEffect, ContentsMsg, Failure, Side, Target};
use crate::archive::blob_walk::Walk;
use crate::archive::contents::{
    self, Analysis, ContentsError, Control, ExtractRequest, Options, Peek,
};
use crate::transfer::{JobFailure, JobKind, JobOutcome, Phase};
use crate::tui::app::{App, Msg};
use crate::tui::backend::SharedBackend;
use crate::tui::worker::Worker;

/// Bytes of a file a preview reads.
pub const PREVIEW_BYTES: usize = 64 * 1024;

pub fn run(worker: &Worker, app: &mut App, effect: ContentsEffect) {
    let tx = worker.tx.clone();
    let backend = worker.backend.clone();
    let cache = app.contents.cache_dir.clone();
    match effect {
        ContentsEffect::Analyse { target, run } => {
            tokio::spawn(async move {
                let result = analyse(&backend, &target, cache, run.control).await;
                let _ = tx.send(Msg::Contents(ContentsMsg::Analysed {
                    ticket: run.ticket,
                    target,
                    result: result.map(Arc::new),
                }));
            });
        }
        ContentsEffect::Preview {
            target,
            analysis,
            path,
            layer,
            run,
        } => {
            tokio::spawn(async move {
                let result = preview(&backend, &target, analysis, path, layer, run.control).await;
                let _ = tx.send(Msg::Contents(ContentsMsg::Previewed {
                    ticket: run.ticket,
                    result,
                }));
            });
        }
        ContentsEffect::Extract {
            target,
            analysis,
            path,
            layer,
            out_dir,
        } => {
            let label = format!(
                "extract {path} of {} -> {}",
                target.name(),
                crate::tui::format::tilde(&out_dir)
            );
            let req = ExtractRequest {
                paths: vec![path],
                layer,
                out_dir,
            };
            let id = app
                .jobs
                .spawn(JobKind::Extract, label, move |ctx| async move {
                    let control = Arc::new(Control::default());
                    ctx.phase(Phase::Transferring);
                    let source = open(&backend, &target).await.map_err(failure)?;
                    let inner = control.clone();
                    let mut job = tokio::task::spawn_blocking(move || {
                        let walk = source.walk()?;
                        contents::extract_path(walk, &analysis, &req, &inner).map(|s| (s, req))
                    });
                    let mut tick = tokio::time::interval(Duration::from_millis(100));
                    let done = loop {
                        tokio::select! {
                            done = &mut job => break done,
                            _ = ctx.cancel.cancelled() => control.cancel(),
                            _ = tick.tick() => {
                                let (read, total) = control.progress();
                                ctx.progress.set_total(total.max(read));
                                ctx.progress.set_done(read);
                            }
                        }
                    };
                    let (summary, req) = done
                        .map_err(|e| JobFailure::Failed(format!("the extraction stopped: {e}")))?
                        .map_err(|e| failure(e.into()))?;
                    let (read, total) = control.progress();
                    ctx.progress.set_total(total.max(read));
                    ctx.progress.set_done(total.max(read));
                    Ok(extracted(&summary, &req))
                });
            app.job_cursor = Some(id);
        }
        ContentsEffect::Diff { ticket, a, b } => {
            tokio::spawn(async move {
                let targets = (a.0.clone(), b.0.clone());
                let result = compare(&backend, cache, a, b).await;
                let _ = tx.send(Msg::Contents(ContentsMsg::Compared {
                    ticket,
                    targets,
                    result,
                }));
            });
        }
    }
}

fn failure(f: Failure) -> JobFailure {
    match f {
        Failure::Cancelled => JobFailure::Cancelled,
        Failure::Failed(reason) => JobFailure::Failed(reason),
    }
}

/// The job's outcome line: what was written, and what was not.
fn extracted(s: &contents::ExtractSummary, req: &ExtractRequest) -> JobOutcome {
    let mut parts = vec![crate::units::count(s.files, "file")];
    if s.dirs > 0 {
        parts.push(crate::units::count(s.dirs, "folder"));
    }
    if s.links > 0 {
        parts.push(crate::units::count(s.links, "link"));
    }
    let mut summary = format!(
        "extracted {} ({}) to {}",
        parts.join(", "),
        crate::units::bytes(s.bytes),
        crate::tui::format::tilde(&req.out_dir)
    );
    if let Some(first) = s.refused.first() {
        summary.push_str(&format!(
            "; {} refused, first {}",
            s.refused.len(),
            crate::escape::text(first)
        ));
    }
    JobOutcome {
        summary,
        images: Vec::new(),
        files: vec![req.out_dir.clone()],
    }
}

fn options(target: &Target, cache_dir: Option<PathBuf>, control: Arc<Control>) -> Options {
    Options {
        cache_dir,
        image: match target {
            Target::File { image, .. } => Some(image.clone()),
            Target::Daemon { .. } => None,
        },
        control,
    }
}

/// Run synchronous contents work on a blocking thread.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ContentsError> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Failure::Failed(format!("the analysis stopped: {e}")))?
        .map_err(Failure::from)
}

/// The analysis of `target`: the engine's cache, else every layer read once.
pub async fn analyse(
    backend: &SharedBackend,
    target: &Target,
    cache_dir: Option<PathBuf>,
    control: Arc<Control>,
) -> Result<Analysis, Failure> {
    let opts = options(target, cache_dir, control);
    match target {
        Target::File { path, .. } => {
            let path = path.clone();
            blocking(move || contents::analyse_path(&path, &opts)).await
        }
        Target::Daemon { id, .. } => backend
            .analyse(id.clone(), opts)
            .await
            .map_err(Failure::from),
    }
}

/// Where a target's layer blobs are read from again.
enum Source {
    Path(PathBuf),
    Stream(String, Box<dyn Read + Send>),
}

impl Source {
    /// Open it (file sources cost a listing: call on a blocking thread).
    fn walk(self) -> Result<Walk, ContentsError> {
        match self {
            Source::Path(path) => Ok(Walk::open(&path)?),
            Source::Stream(origin, reader) => Ok(Walk::reader(&origin, reader)),
        }
    }
}

async fn open(backend: &SharedBackend, target: &Target) -> Result<Source, Failure> {
    match target {
        Target::File { path, .. } => Ok(Source::Path(path.clone())),
        Target::Daemon { id, name } => {
            let reader = backend
                .export(id.clone())
                .await
                .map_err(|e| Failure::Failed(format!("cannot read {name}: {e}")))?;
            Ok(Source::Stream(format!("docker://{name}"), reader))
        }
    }
}

async fn preview(
    backend: &SharedBackend,
    target: &Target,
    analysis: Arc<Analysis>,
    path: String,
    layer: Option<usize>,
    control: Arc<Control>,
) -> Result<Peek, Failure> {
    let source = open(backend, target).await?;
    blocking(move || {
        let walk = source.walk()?;
        contents::peek(walk, &analysis, &path, layer, PREVIEW_BYTES, &control)
    })
    .await
}

async fn side(
    backend: &SharedBackend,
    cache_dir: Option<PathBuf>,
    (target, side, run): (Target, Side, super::Running),
) -> Result<Arc<Analysis>, Failure> {
    match side {
        Side::Known(analysis) => Ok(analysis),
        Side::Read(_) => analyse(backend, &target, cache_dir, run.control)
            .await
            .map(Arc::new),
    }
}

async fn compare(
    backend: &SharedBackend,
    cache_dir: Option<PathBuf>,
    a: (Target, Side, super::Running),
    b: (Target, Side, super::Running),
) -> Result<Compared, Failure> {
    let a = side(backend, cache_dir.clone(), a).await?;
    let b = side(backend, cache_dir, b).await?;
    let (x, y) = (a.clone(), b.clone());
    let diff = tokio::task::spawn_blocking(move || contents::diff(&x, &y))
        .await
        .map_err(|e| Failure::Failed(format!("the comparison stopped: {e}")))?;
    Ok(Compared {
        a,
        b,
        diff: Arc::new(diff),
    })
}
