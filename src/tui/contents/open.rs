//! Normal-mode keys of this feature: `f` opens the selected image's files, `m` marks an image,
//! `D` compares another with it. Each finds its image in whichever pane has focus.

use std::path::PathBuf;
use std::sync::Arc;

use super::diff_view::{DiffStage, DiffView};
use super::view::{FilesView, Stage};
use super::{ContentsEffect, Running, Side, Target};
use crate::archive::{ArchiveReport, ImageInfo};
use crate::du::Category;
use crate::tui::app::{App, Effect, Focus, Level, Mode, PaneId};
use crate::tui::keymap::Action;
use crate::tui::state::{FileEntry, LoadState};

/// What the contents engine opens for `image` of a listed file: the zip entry holding it, the
/// image file of a folder artifact, else the file itself.
fn source_path(entry: &FileEntry, report: &ArchiveReport, image: &ImageInfo) -> PathBuf {
    let holder = report
        .entries
        .iter()
        .find(|e| e.images.iter().any(|i| i.id == image.id));
    match holder {
        Some(e) => PathBuf::from(&e.path),
        None if entry.file.path.is_dir() && !report.path.is_empty() => PathBuf::from(&report.path),
        None => entry.file.path.clone(),
    }
}

impl App {
    /// The image the selection stands for, or why there is none.
    pub fn selected_target(&self) -> Result<Target, String> {
        match self.pane {
            PaneId::Images => {
                let entry = self.selected_entry().ok_or("no image selected")?;
                let id = entry.image.id.clone();
                let name = entry
                    .tag
                    .clone()
                    .unwrap_or_else(|| crate::units::short_id(&id).to_string());
                Ok(Target::Daemon { id, name })
            }
            PaneId::Tarballs | PaneId::Artifacts => {
                let Some(entry) = self.selected_file() else {
                    return Err(match self.selected_remote() {
                        Some(_) => "a remote artifact: download it first (l)".into(),
                        None => "no file selected".into(),
                    });
                };
                let report = match &entry.report {
                    LoadState::Ready(report) => report,
                    LoadState::Loading => {
                        return Err(format!("{} is still being inspected", entry.file.display));
                    }
                    LoadState::Failed(reason) => {
                        return Err(format!("cannot read {}: {reason}", entry.file.display));
                    }
                };
                let index = self.detail_image.min(report.images.len().saturating_sub(1));
                let image = report
                    .images
                    .get(index)
                    .ok_or_else(|| format!("{} holds no image", entry.file.display))?;
                let name = match image.tags.first() {
                    Some(tag) => tag.clone(),
                    None => format!(
                        "{} ({})",
                        entry.file.display,
                        crate::units::short_id(&image.id)
                    ),
                };
                Ok(Target::File {
                    path: source_path(entry, report, image),
                    image: image.id.clone(),
                    name,
                })
            }
            PaneId::Disk => {
                let item = self.disk.selected().ok_or("nothing selected")?;
                match (&item.id, item.category) {
                    (Some(id), Category::Dangling | Category::Unused | Category::InUse) => {
                        Ok(Target::Daemon {
                            id: id.clone(),
                            name: item.name.clone(),
                        })
                    }
                    _ => Err("pick a daemon image here, or open image files from the \
                              Tarballs pane"
                        .into()),
                }
            }
        }
    }

    /// `f`: the files of the selected image; with a layer selected in the details, that
    /// layer's changes. Instant when the analysis is kept.
    pub(in crate::tui) fn open_files(&mut self) -> Vec<Effect> {
        let target = match self.selected_target() {
            Ok(t) => t,
            Err(why) => {
                self.notify(Level::Info, why);
                return Vec::new();
            }
        };
        // Older messages are about the panes.
        self.notice = None;
        let layers = self.detail_len();
        let layer = (self.focus == Focus::Details && layers > 0)
            .then(|| self.detail_scroll.min(layers - 1));
        if let Some(analysis) = self.contents.kept(&target) {
            self.mode = Mode::Files(Box::new(FilesView::ready(target, layer, analysis)));
            return Vec::new();
        }
        let run = self.contents.start();
        self.mode = Mode::Files(Box::new(FilesView {
            target: target.clone(),
            layer,
            stage: Stage::Reading(run.clone()),
        }));
        vec![Effect::from(ContentsEffect::Analyse { target, run })]
    }

    /// `m`: remember the selected image for `D`.
    pub(in crate::tui) fn mark_compare(&mut self) {
        match self.selected_target() {
            Ok(target) => {
                let text = format!(
                    "{} marked: {} on another image compares them",
                    target.name(),
                    self.config.keymap.hint(Action::Diff)
                );
                self.contents.compare = Some(target);
                self.notify(Level::Info, text);
            }
            Err(why) => self.notify(Level::Info, why),
        }
    }

    /// `D`: the difference between the marked image and the selected one.
    pub(in crate::tui) fn open_diff(&mut self) -> Vec<Effect> {
        let Some(a) = self.contents.compare.clone() else {
            let text = format!(
                "mark an image with {} first, then {} on another",
                self.config.keymap.hint(Action::CompareMark),
                self.config.keymap.hint(Action::Diff)
            );
            self.notify(Level::Info, text);
            return Vec::new();
        };
        let b = match self.selected_target() {
            Ok(b) if b == a => {
                self.notify(Level::Info, "this is the marked image: select another");
                return Vec::new();
            }
            Ok(b) => b,
            Err(why) => {
                self.notify(Level::Info, why);
                return Vec::new();
            }
        };
        self.notice = None;
        let run_a = self.contents.start();
        let run_b = Running {
            ticket: run_a.ticket,
            control: Arc::default(),
        };
        let mut side = |t: &Target| match self.contents.kept(t) {
            Some(known) => Side::Known(known),
            None => Side::Read(t.clone()),
        };
        let (side_a, side_b) = (side(&a), side(&b));
        let effect = ContentsEffect::Diff {
            ticket: run_a.ticket,
            a: (a.clone(), side_a, run_a.clone()),
            b: (b.clone(), side_b, run_b.clone()),
        };
        self.mode = Mode::Diff(Box::new(DiffView {
            a,
            b,
            stage: DiffStage::Reading { a: run_a, b: run_b },
        }));
        vec![Effect::from(effect)]
    }
}
