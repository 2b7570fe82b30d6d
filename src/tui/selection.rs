//! What is selected and what the daemon has: the queries input, update and render share.

use super::app::{App, PaneId};
use super::image_rows::ImageEntry;
use super::state::{Cursor, FileEntry};
use crate::archive::{ArchiveReport, ImageInfo};
use crate::daemon::ImageRow;
use crate::transfer::JobId;

impl App {
    /// The cursor of a pane's list.
    pub fn cursor(&self, pane: PaneId) -> Cursor {
        match pane {
            PaneId::Images => self.images.cursor,
            PaneId::Tarballs => self.tarballs.cursor,
            PaneId::Artifacts => self.artifacts.cursor,
            PaneId::Disk => self.disk.cursor,
        }
    }

    pub fn cursor_mut(&mut self, pane: PaneId) -> &mut Cursor {
        match pane {
            PaneId::Images => &mut self.images.cursor,
            PaneId::Tarballs => &mut self.tarballs.cursor,
            PaneId::Artifacts => &mut self.artifacts.cursor,
            PaneId::Disk => &mut self.disk.cursor,
        }
    }

    pub fn set_filter(&mut self, pane: PaneId, text: String) {
        match pane {
            PaneId::Images => self.images.set_filter(text),
            PaneId::Tarballs => self.tarballs.set_filter(text),
            PaneId::Artifacts => self.artifacts.set_filter(text),
            PaneId::Disk => self.disk.set_filter(text),
        }
    }

    /// Number of visible rows of the current pane.
    pub fn current_len(&self) -> usize {
        match self.pane {
            PaneId::Images => self.images.visible_len(),
            PaneId::Tarballs => self.tarballs.visible_len(),
            PaneId::Artifacts => self.artifacts.visible_len(),
            PaneId::Disk => self.disk.visible_len(),
        }
    }

    pub fn current_filter(&self) -> &str {
        match self.pane {
            PaneId::Images => &self.images.filter,
            PaneId::Tarballs => &self.tarballs.filter,
            PaneId::Artifacts => &self.artifacts.filter,
            PaneId::Disk => &self.disk.filter,
        }
    }

    /// The current pane's order and how many rows are marked (for the list's title).
    pub fn current_sort_and_marks(&self) -> (Option<crate::tui::state::SortBy>, usize) {
        match self.pane {
            PaneId::Images => (self.images.sort, self.images.marked_rows().len()),
            PaneId::Tarballs => (self.tarballs.sort, self.tarballs.marked_rows().len()),
            PaneId::Artifacts => (self.artifacts.sort, self.artifacts.marked_rows().len()),
            PaneId::Disk => (self.disk.sort, self.disk.marked_rows().len()),
        }
    }

    /// The selected row of the Images pane (one tag of an image, or the image).
    pub fn selected_entry(&self) -> Option<&ImageEntry> {
        (self.pane == PaneId::Images)
            .then(|| self.images.selected())
            .flatten()
    }

    pub fn selected_image(&self) -> Option<&ImageRow> {
        self.selected_entry().map(|e| &e.image)
    }

    pub fn selected_file(&self) -> Option<&FileEntry> {
        match self.pane {
            PaneId::Images | PaneId::Disk => None,
            PaneId::Tarballs => self.tarballs.selected(),
            PaneId::Artifacts => self.artifacts.selected().and_then(|r| r.local()),
        }
    }

    /// Marked files of the current file pane, else the selected one.
    pub fn target_files(&self) -> Vec<&FileEntry> {
        match self.pane {
            PaneId::Tarballs => self.tarballs.targets(),
            PaneId::Artifacts => self
                .artifacts
                .targets()
                .into_iter()
                .filter_map(|r| r.local())
                .collect(),
            PaneId::Images | PaneId::Disk => Vec::new(),
        }
    }

    /// True when the daemon already has this archive image (see `daemon::holdings`).
    pub fn in_daemon(&self, image: &ImageInfo) -> bool {
        self.holdings().is_some_and(|h| h.has_image(image))
    }

    /// True when every image of a report is already in the daemon.
    pub fn report_loaded(&self, report: &ArchiveReport) -> bool {
        !report.images.is_empty() && report.images.iter().all(|i| self.in_daemon(i))
    }

    /// Layers of `image` the daemon has: (present count, bytes still to send).
    pub fn layers_present(&self, image: &ImageInfo) -> Option<(usize, u64)> {
        let holdings = self.holdings()?;
        let mut have = 0;
        let mut send = 0;
        for (layer, present) in image.layers.iter().zip(holdings.layers_present(image)) {
            if present {
                have += 1;
            } else {
                send += layer.size;
            }
        }
        Some((have, send))
    }

    /// The image whose details are shown: the selected daemon image (once inspected), or the
    /// image of the selected file that `[`/`]` chose.
    pub fn detail_info(&self) -> Option<&ImageInfo> {
        match self.pane {
            PaneId::Images => self
                .selected_image()
                .and_then(|r| self.image_info.get(&r.id))
                .and_then(|s| s.ready())
                .map(|b| b.as_ref()),
            _ => self
                .selected_file()
                .and_then(|f| f.report.ready())
                .and_then(|r| r.images.get(self.detail_image)),
        }
    }

    /// Layers in the detail area of the selected item (what j/k scroll there).
    pub fn detail_len(&self) -> usize {
        self.detail_info().map_or(0, |i| i.layers.len())
    }

    /// The jobs cursor, falling back to the newest job.
    pub fn selected_job(&self) -> Option<JobId> {
        let snaps = self.jobs.snapshots();
        self.job_cursor
            .filter(|id| snaps.iter().any(|s| s.id == *id))
            .or_else(|| snaps.last().map(|s| s.id))
    }
}
