//! Remote artifacts a page at a time (100 artifacts each): the first page at start and on `r`;
//! the next one when the Artifacts pane's cursor comes within two screens of the last row
//! listed, and every page while a filter or an order is set there (they need every row).

use reqwest::Url;

use super::app::{App, Effect, Level, PaneId};
use super::artifact_rows::{ArtifactRow, RemoteList};

impl App {
    /// The next remote page, when the Artifacts pane needs it and none is on its way.
    pub(super) fn remote_wanted(&mut self) -> Vec<Effect> {
        let Some(next) = self.remote_next.clone() else {
            return Vec::new();
        };
        if self.remote_fetching.is_some() || self.pane != PaneId::Artifacts {
            return Vec::new();
        }
        let pane = &self.artifacts;
        let near_end = pane.cursor.selected + 2 * self.page().max(1) >= pane.visible_len();
        let needs_all = !pane.filter.is_empty() || pane.sort.is_some();
        if !(near_end || needs_all) {
            return Vec::new();
        }
        self.remote_fetching = Some(next.clone());
        vec![Effect::MoreRemote(next)]
    }

    /// A further page arrived: its rows go after the others.
    pub(super) fn remote_page(
        &mut self,
        from: Url,
        result: Result<RemoteList, String>,
    ) -> Vec<Effect> {
        if self.remote_fetching.as_ref() != Some(&from) {
            // Asked before a refresh: the new listing replaces it.
            return Vec::new();
        }
        self.remote_fetching = None;
        match result {
            Ok(page) => {
                self.remote_next = page.next;
                let rows = page
                    .artifacts
                    .into_iter()
                    .map(|a| ArtifactRow::Remote(Box::new(a)));
                self.artifacts.edit_rows(|all| all.extend(rows));
                self.follow_cursor();
                self.remote_wanted()
            }
            Err(reason) => {
                self.remote_next = None;
                self.notify(
                    Level::Error,
                    format!("remote: cannot list more artifacts: {reason}"),
                );
                Vec::new()
            }
        }
    }
}
