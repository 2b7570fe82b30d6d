//! Runs the App's effects: background tasks whose results come back as messages, and jobs.

use std::sync::Arc;

use tokio::sync::mpsc::{Sender, UnboundedSender};

use super::app::{App, Effect, Level, Msg};
use super::backend::SharedBackend;
use super::remote::RemoteSource;
use super::scan::ScanCmd;
use crate::transfer::JobKind;

pub struct Worker {
    pub backend: SharedBackend,
    pub tx: UnboundedSender<Msg>,
    pub scan: Sender<ScanCmd>,
    pub remote: Arc<RemoteSource>,
}

impl Worker {
    pub fn run(&self, app: &mut App, effect: Effect) {
        let tx = self.tx.clone();
        let backend = self.backend.clone();
        match effect {
            Effect::RefreshDaemon => {
                tokio::spawn(async move {
                    let info = backend.connect().await;
                    let ok = info.is_ok();
                    let _ = tx.send(Msg::Daemon(info));
                    if !ok {
                        return;
                    }
                    let _ = tx.send(Msg::Images(backend.list_images().await));
                    let _ = tx.send(Msg::Holdings(backend.holdings().await));
                });
            }
            Effect::InspectImage(id) => {
                tokio::spawn(async move {
                    let result = backend.inspect_image(id.clone()).await.map(Box::new);
                    let _ = tx.send(Msg::ImageInfo { id, result });
                });
            }
            Effect::Rescan => {
                // A full queue means a refresh is already pending.
                let _ = self.scan.try_send(ScanCmd::Refresh);
            }
            Effect::Load { path, label } => {
                let id = app
                    .jobs
                    .spawn(JobKind::Load, label, move |ctx| backend.load(path, ctx));
                app.job_cursor = Some(id);
            }
            Effect::Save { image, dest } => {
                let label = format!("save {image} -> {}", super::format::tilde(&dest));
                let id = app.jobs.spawn(JobKind::Save, label, move |ctx| {
                    backend.save(image, dest, ctx)
                });
                app.job_cursor = Some(id);
            }
            Effect::RemoveImage(id) => {
                tokio::spawn(async move {
                    let result = backend
                        .remove_image(id.clone())
                        .await
                        .map(|()| format!("deleted image {}", crate::units::short_id(&id)))
                        .map_err(|e| format!("cannot delete image: {e}"));
                    let _ = tx.send(Msg::Done(result));
                });
            }
            Effect::RefreshRemote => {
                let remote = self.remote.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Msg::Remote(remote.list().await));
                });
            }
            Effect::Download(artifact) => {
                let Some(client) = self.remote.client() else {
                    app.notify(
                        Level::Error,
                        "the remote artifacts are not listed yet: press r",
                    );
                    return;
                };
                let dest = match crate::artifacts::default_destination() {
                    Ok(dest) => dest,
                    Err(e) => return app.notify(Level::Error, e.to_string()),
                };
                let id = crate::artifacts::start_download(&mut app.jobs, client, *artifact, dest);
                app.load_after.insert(id);
                app.job_cursor = Some(id);
            }
            Effect::LoadDownloaded(path) => {
                tokio::spawn(async move {
                    let shown = path.display().to_string();
                    let found = tokio::task::spawn_blocking(move || {
                        crate::artifacts::images_to_load(&path)
                    })
                    .await;
                    let msg = match found {
                        Ok(Ok((artifact, paths))) => Ok((artifact.name, paths)),
                        Ok(Err(e)) => Err(format!("cannot load {shown}: {e}")),
                        Err(e) => Err(format!("cannot load {shown}: {e}")),
                    };
                    let _ = tx.send(Msg::Loadable(msg));
                });
            }
            Effect::RemoveFile(path) => {
                let scan = self.scan.clone();
                tokio::spawn(async move {
                    let shown = path.display().to_string();
                    let result = tokio::task::spawn_blocking(move || {
                        if path.is_dir() {
                            std::fs::remove_dir_all(&path)
                        } else {
                            std::fs::remove_file(&path)
                        }
                    })
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.map_err(|e| e.to_string()));
                    let msg = match result {
                        Ok(()) => Ok(format!("deleted {shown}")),
                        Err(e) => Err(format!("cannot delete {shown}: {e}")),
                    };
                    let _ = tx.send(Msg::Done(msg));
                    let _ = scan.try_send(ScanCmd::Refresh);
                });
            }
        }
    }
}
