//! Runs the App's effects: background tasks whose results come back as messages, and jobs.

use std::sync::Arc;

use tokio::sync::mpsc::{Sender, UnboundedSender};

use super::app::{App, Effect, Level, Msg};
use super::backend::SharedBackend;
use super::remote::RemoteSource;
use super::scan::ScanCmd;
use crate::transfer::JobKind;

/// Images inspected per message while the model fills.
const LOOK_SLICE: usize = 200;

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
                    let result = backend.list_images().await;
                    let _ = tx.send(Msg::Listed {
                        fresh: true,
                        result,
                    });
                });
            }
            Effect::FollowImages(touched) => {
                tokio::spawn(async move {
                    if touched.relist {
                        let result = backend.list_images().await;
                        let _ = tx.send(Msg::Listed {
                            fresh: false,
                            result,
                        });
                    }
                    // In slices, so a start with thousands of images fills in as it goes.
                    let images: Vec<(String, bool)> = touched.images.into_iter().collect();
                    for slice in images.chunks(LOOK_SLICE) {
                        let slice = slice.iter().cloned().collect();
                        let failed = {
                            let result = backend.look_images(slice).await;
                            let failed = result.is_err();
                            let _ = tx.send(Msg::Looked(result));
                            failed
                        };
                        if failed {
                            return;
                        }
                    }
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
            Effect::Load { path, label, tag } => {
                let id = app.jobs.spawn(JobKind::Load, label, move |ctx| {
                    backend.load(path, tag, ctx)
                });
                app.job_cursor = Some(id);
            }
            Effect::Save(req) => {
                let label = format!(
                    "save {} -> {}",
                    req.images.join(" "),
                    super::format::tilde(&req.dest)
                );
                let id = app
                    .jobs
                    .spawn(JobKind::Save, label, move |ctx| backend.save(req, ctx));
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
            Effect::Untag(names) => {
                tokio::spawn(async move {
                    let mut done = Vec::new();
                    for name in names {
                        if let Err(e) = backend.untag(name.clone()).await {
                            let _ = tx.send(Msg::Done(Err(format!("cannot untag {name}: {e}"))));
                            // What was removed before still changed the daemon.
                            let relist = crate::daemon::model::Touched {
                                relist: true,
                                ..Default::default()
                            };
                            let _ = tx.send(Msg::ImagesTouched(relist));
                            return;
                        }
                        done.push(name);
                    }
                    let _ = tx.send(Msg::Done(Ok(format!("untagged {}", done.join(", ")))));
                });
            }
            Effect::TagImage { id, name } => {
                tokio::spawn(async move {
                    let result = backend
                        .tag_image(id.clone(), name.clone())
                        .await
                        .map(|()| format!("tagged {} as {name}", crate::units::short_id(&id)))
                        .map_err(|e| format!("cannot tag {name}: {e}"));
                    let _ = tx.send(Msg::Done(result));
                });
            }
            Effect::Copy(text) => {
                if let Err(e) = super::clipboard::copy(&text) {
                    app.notify(Level::Error, format!("cannot copy: {e}"));
                }
            }
            Effect::DiskUse => {
                tokio::spawn(async move {
                    let daemon = backend.disk_use().await;
                    let cache = tokio::task::spawn_blocking(crate::du::cache_items)
                        .await
                        .unwrap_or_default();
                    let _ = tx.send(Msg::DiskUse { daemon, cache });
                });
            }
            Effect::Clean(items) => {
                let scan = self.scan.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Msg::Done(super::cleanup::clean(backend, items).await));
                    let _ = scan.try_send(ScanCmd::Refresh);
                });
            }
            Effect::RefreshRemote => {
                let remote = self.remote.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Msg::Remote(remote.list().await));
                });
            }
            Effect::MoreRemote(url) => {
                let remote = self.remote.clone();
                tokio::spawn(async move {
                    let result = remote.page(url.clone()).await;
                    let _ = tx.send(Msg::RemotePage { from: url, result });
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
            Effect::Contents(effect) => super::contents::work::run(self, app, *effect),
            Effect::RemoveFiles(paths) => {
                let scan = self.scan.clone();
                tokio::spawn(async move {
                    let result =
                        tokio::task::spawn_blocking(move || super::cleanup::remove_files(&paths))
                            .await
                            .unwrap_or_else(|e| Err(format!("cannot delete: {e}")));
                    let _ = tx.send(Msg::Done(result));
                    let _ = scan.try_send(ScanCmd::Refresh);
                });
            }
        }
    }
}
