//! Background results -> state. Each message marks the App dirty only when it changed something.

use super::app::{App, Effect, Level, Msg, PaneId};
use super::artifact_rows::ArtifactRow;
use super::state::{FileEntry, FileKind, FoundFile, LoadState};
use crate::transfer::{JobEvent, Phase};

impl App {
    pub fn apply(&mut self, msg: Msg) -> Vec<Effect> {
        self.mark_dirty();
        match msg {
            Msg::Daemon(Ok(info)) => self.daemon = LoadState::Ready(info),
            Msg::Daemon(Err(reason)) => {
                self.images.fail(reason.clone());
                self.model_state = LoadState::Failed(reason.clone());
                self.daemon = LoadState::Failed(reason);
            }
            msg @ (Msg::Listed { .. } | Msg::Looked(_) | Msg::ImagesTouched(_)) => {
                return self.apply_images(msg);
            }
            Msg::ImageInfo { id, result } => {
                self.image_info.insert(id, LoadState::from_result(result));
            }
            Msg::Scanned(Ok(files)) => self.scanned(files),
            Msg::Scanned(Err(reason)) => {
                self.tarballs.fail(reason.clone());
                self.artifacts.fail(reason);
            }
            Msg::Inspected { file, result } => self.inspected(file, result),
            Msg::Job(event) => return self.job_event(event),
            Msg::Done(Ok(text)) => {
                self.notify(Level::Info, text);
                let effects = self.daemon_changed();
                return self.after_change(effects);
            }
            Msg::Done(Err(text)) => self.notify(Level::Error, text),
            Msg::Remote(result) => {
                self.set_remote(result);
                return self.remote_wanted();
            }
            Msg::RemotePage { from, result } => return self.remote_page(from, result),
            Msg::Loadable(Ok((label, paths))) => {
                return paths
                    .into_iter()
                    .map(|path| {
                        let name = path.file_name().map_or_else(
                            || path.display().to_string(),
                            |n| n.to_string_lossy().into_owned(),
                        );
                        let shown = name.rsplit('!').next().unwrap_or(&name).to_string();
                        Effect::Load {
                            path,
                            label: format!("load {label}: {shown}"),
                            tag: None,
                        }
                    })
                    .collect();
            }
            Msg::Loadable(Err(reason)) => self.notify(Level::Error, reason),
            Msg::Watch(state) => self.watch = LoadState::from_result(state),
            Msg::DiskUse { daemon, cache } => self.disk_use(daemon, cache),
            Msg::Contents(msg) => self.contents_msg(msg),
        }
        Vec::new()
    }

    /// After something changed the daemon or the disk: the Disk pane follows, once listed.
    fn after_change(&mut self, mut effects: Vec<Effect>) -> Vec<Effect> {
        if self.disk.status != LoadState::Loading || self.pane == PaneId::Disk {
            effects.push(Effect::DiskUse);
        }
        effects
    }

    fn scanned(&mut self, files: Vec<FoundFile>) {
        let entries = |kind: FileKind, known: Vec<&FileEntry>| -> Vec<FileEntry> {
            // By path and stamp: thousands of files stay linear.
            let known: std::collections::HashMap<_, &FileEntry> = known
                .into_iter()
                .map(|e| ((e.file.path.as_path(), e.file.stamp), e))
                .collect();
            files
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| {
                    let known = known.get(&(f.path.as_path(), f.stamp));
                    FileEntry {
                        file: f.clone(),
                        report: known.map_or(LoadState::Loading, |e| e.report.clone()),
                    }
                })
                .collect()
        };
        let tarballs = entries(FileKind::Tarball, self.tarballs.rows.iter().collect());
        let artifacts = entries(
            FileKind::Artifact,
            self.artifacts
                .rows
                .iter()
                .filter_map(|r| r.local())
                .collect(),
        );
        self.tarballs.set_rows(tarballs);
        self.set_local_artifacts(artifacts);
        self.follow_cursor();
    }

    fn inspected(
        &mut self,
        file: FoundFile,
        result: Result<Box<crate::archive::ArchiveReport>, String>,
    ) {
        // Stamps first, then the bytes of the paths (comparing `Path`s parses them).
        let same = |e: &FileEntry| {
            e.file.stamp == file.stamp && e.file.path.as_os_str() == file.path.as_os_str()
        };
        let report = LoadState::from_result(result);
        // The row is shown or hidden in place: with thousands of files inspected one by one,
        // a filter never goes over every row again.
        match file.kind {
            FileKind::Tarball => {
                if let Some(i) = self.tarballs.rows.iter().position(same) {
                    self.tarballs.rows[i].report = report;
                    self.tarballs.row_changed(i);
                }
            }
            FileKind::Artifact => {
                let found = self.artifacts.rows.iter().position(|r| match r {
                    ArtifactRow::Local(e) => same(e),
                    ArtifactRow::Remote(_) => false,
                });
                if let Some(i) = found {
                    if let ArtifactRow::Local(entry) = &mut self.artifacts.rows[i] {
                        entry.report = report;
                    }
                    self.artifacts.row_changed(i);
                }
            }
        }
    }

    fn job_event(&mut self, event: JobEvent) -> Vec<Effect> {
        let id = match &event {
            JobEvent::Phase { id, .. } | JobEvent::Finished { id, .. } => *id,
        };
        if !self.jobs.apply(event) {
            return Vec::new();
        }
        let Some(snap) = self.jobs.snapshot(id) else {
            return Vec::new();
        };
        match &snap.phase {
            // An extraction changes neither the daemon nor the scan folders.
            Phase::Done if snap.kind == crate::transfer::JobKind::Extract => {
                let summary = snap.outcome.as_ref().map(|o| o.summary.clone());
                self.notify(Level::Info, summary.unwrap_or_default());
                Vec::new()
            }
            Phase::Done if self.load_after.remove(&id) => {
                let file = snap.outcome.as_ref().and_then(|o| o.files.first().cloned());
                let summary = snap.outcome.as_ref().map(|o| o.summary.clone());
                self.notify(Level::Info, summary.unwrap_or_default());
                match file {
                    Some(path) => vec![Effect::Rescan, Effect::LoadDownloaded(path)],
                    None => vec![Effect::Rescan],
                }
            }
            Phase::Done => {
                let text = snap
                    .outcome
                    .as_ref()
                    .map(|o| o.summary.clone())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| format!("{}: done", snap.label));
                self.notify(Level::Info, text);
                let mut effects = self.daemon_changed();
                effects.push(Effect::Rescan);
                self.after_change(effects)
            }
            Phase::Failed(reason) => {
                self.load_after.remove(&id);
                self.notify(Level::Error, format!("{} failed: {reason}", snap.label));
                Vec::new()
            }
            Phase::Cancelled => {
                self.load_after.remove(&id);
                self.notify(Level::Info, format!("{} cancelled", snap.label));
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}
