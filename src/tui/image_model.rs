//! The Images pane on the model of the daemon's images (`daemon::model`): one listing at start,
//! on `r` and after the event stream reconnects; then each event burst inspects only the images
//! it names, and only their rows change.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashSet};

use super::app::{App, Effect, Level, Msg};
use super::backend::Listing;
use super::image_rows::ImageEntry;
use super::state::LoadState;
use crate::daemon::model::{ImageModel, Looked, Touched};
use crate::daemon::{Holdings, ImageRow};

impl App {
    /// What the daemon holds, once every listed image is inspected.
    pub fn holdings(&self) -> Option<&Holdings> {
        (self.model_state.ready().is_some() && self.model.is_complete())
            .then(|| self.model.holdings())
    }

    /// The row of the daemon image `id`.
    pub fn image_row(&self, id: &str) -> Option<ImageRow> {
        self.model.row(id)
    }

    /// After haul itself changed the daemon (a load, a tag...): its events bring the change;
    /// without them (the stream is down), one listing does.
    pub(super) fn daemon_changed(&self) -> Vec<Effect> {
        match self.watch {
            LoadState::Ready(()) => Vec::new(),
            _ => vec![Effect::FollowImages(Touched {
                relist: true,
                ..Default::default()
            })],
        }
    }

    pub(super) fn apply_images(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Listed { fresh, result } => self.listed(fresh, result),
            Msg::Looked(Ok(looked)) => self.looked(looked),
            Msg::Looked(Err(reason)) => {
                self.notify(Level::Error, format!("cannot follow the daemon: {reason}"));
                Vec::new()
            }
            Msg::ImagesTouched(touched) => vec![Effect::FollowImages(touched)],
            _ => Vec::new(),
        }
    }

    fn listed(&mut self, fresh: bool, result: Result<Listing, String>) -> Vec<Effect> {
        let listing = match result {
            Ok(listing) => listing,
            Err(reason) => {
                self.images.fail(reason.clone());
                self.model_state = LoadState::Failed(reason);
                return Vec::new();
            }
        };
        if fresh || self.model.holdings().ids() != listing.ids {
            self.model = ImageModel::new(listing.ids);
            self.image_info.clear();
        }
        let new = self.model.listed(listing.rows);
        self.model_state = LoadState::Ready(());
        self.rebuild_image_rows();
        let mut effects = self.inspect_selected();
        if !new.is_empty() {
            // Listed: size and time are known; the inspect brings layers and chain IDs.
            let images: BTreeMap<String, bool> = new.into_iter().map(|id| (id, false)).collect();
            effects.push(Effect::FollowImages(Touched {
                images,
                relist: false,
            }));
        }
        effects
    }

    fn looked(&mut self, looked: Vec<Looked>) -> Vec<Effect> {
        let mut changed: Vec<String> = looked
            .into_iter()
            .flat_map(|l| self.model.looked(l))
            .collect();
        changed.sort();
        changed.dedup();
        for id in &changed {
            // Tags may have moved: the details are asked again when shown.
            self.image_info.remove(id);
        }
        self.update_image_rows(&changed);
        self.inspect_selected()
    }

    /// Every row again from the model (a listing, `T`).
    pub(super) fn rebuild_image_rows(&mut self) {
        let rows = self.model.rows();
        self.images.set_rows(ImageEntry::rows(&rows, self.per_tag));
        self.follow_cursor();
    }

    /// Replace the rows of the images `changed`, in place: the others stay as they are.
    fn update_image_rows(&mut self, changed: &[String]) {
        if changed.is_empty() {
            return;
        }
        if changed.len() > 16 {
            // Many at once (the start): one pass over the model is cheaper than many inserts.
            return self.rebuild_image_rows();
        }
        let gone: HashSet<&str> = changed.iter().map(String::as_str).collect();
        let shown = |r: &ImageRow| !r.dangling || !self.model.is_parent(&r.id);
        let fresh: Vec<ImageRow> = changed
            .iter()
            .filter_map(|id| self.model.row(id).filter(shown))
            .collect();
        let per_tag = self.per_tag;
        self.images.edit_rows(|rows| {
            rows.retain(|e| !gone.contains(e.image.id.as_str()));
            // The model's order: newest first, then by tags.
            fn order(r: &ImageRow) -> (Reverse<i64>, &[String]) {
                (Reverse(r.created), r.tags.as_slice())
            }
            for row in &fresh {
                let at = rows.partition_point(|e| order(&e.image) < order(row));
                let entries = ImageEntry::rows(std::slice::from_ref(row), per_tag);
                rows.splice(at..at, entries);
            }
        });
        self.follow_cursor();
    }
}
