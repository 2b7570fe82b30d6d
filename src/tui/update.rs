//! Background results -> state. Each message marks the App dirty only when it changed something.

use super::app::{App, Effect, Level, Msg};
use super::state::{FileEntry, FileKind, FoundFile, LoadState};
use crate::transfer::{JobEvent, Phase};

impl App {
    pub fn apply(&mut self, msg: Msg) -> Vec<Effect> {
        self.mark_dirty();
        match msg {
            Msg::Daemon(Ok(info)) => self.daemon = LoadState::Ready(info),
            Msg::Daemon(Err(reason)) => {
                self.images.fail(reason.clone());
                self.present = LoadState::Failed(reason.clone());
                self.daemon = LoadState::Failed(reason);
            }
            Msg::Images(Ok(rows)) => {
                self.images.set_rows(rows);
                self.follow_cursor();
                return self.inspect_selected();
            }
            Msg::Images(Err(reason)) => self.images.fail(reason),
            Msg::Present(result) => self.present = LoadState::from_result(result),
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
                return vec![Effect::RefreshDaemon];
            }
            Msg::Done(Err(text)) => self.notify(Level::Error, text),
        }
        Vec::new()
    }

    fn scanned(&mut self, files: Vec<FoundFile>) {
        for kind in [FileKind::Tarball, FileKind::Artifact] {
            let list = match kind {
                FileKind::Tarball => &mut self.tarballs,
                FileKind::Artifact => &mut self.artifacts,
            };
            let rows: Vec<FileEntry> = files
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| {
                    let known = list
                        .rows
                        .iter()
                        .find(|e| e.file.path == f.path && e.file.stamp == f.stamp);
                    FileEntry {
                        file: f.clone(),
                        report: known.map_or(LoadState::Loading, |e| e.report.clone()),
                    }
                })
                .collect();
            list.set_rows(rows);
        }
        self.follow_cursor();
    }

    fn inspected(
        &mut self,
        file: FoundFile,
        result: Result<Box<crate::archive::ArchiveReport>, String>,
    ) {
        let list = match file.kind {
            FileKind::Tarball => &mut self.tarballs,
            FileKind::Artifact => &mut self.artifacts,
        };
        if let Some(entry) = list
            .rows
            .iter_mut()
            .find(|e| e.file.path == file.path && e.file.stamp == file.stamp)
        {
            entry.report = LoadState::from_result(result);
            if !list.filter.is_empty() {
                list.refilter();
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
            Phase::Done => {
                let text = snap
                    .outcome
                    .as_ref()
                    .map(|o| o.summary.clone())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| format!("{}: done", snap.label));
                self.notify(Level::Info, text);
                vec![Effect::RefreshDaemon, Effect::Rescan]
            }
            Phase::Failed(reason) => {
                self.notify(Level::Error, format!("{} failed: {reason}", snap.label));
                Vec::new()
            }
            Phase::Cancelled => {
                self.notify(Level::Info, format!("{} cancelled", snap.label));
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}
