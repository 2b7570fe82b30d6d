//! A model of the engine's images that follows what changed: one listing at start (and on
//! request, and after the event stream reconnects), then one inspect per image an event names.
//!
//! The model is [`Holdings`] (the one identity: IDs, tags, digests, chain IDs, layer counts)
//! plus what a listing says about each image and an inspect does not say the same way: its size
//! and creation time as `docker images` shows them. An image's content never changes under its
//! ID, so those are read once per ID; only its names move.
//!
//! The flow, the same in the TUI and in tests (see [`source`] for the calls):
//! - [`ImageModel::listed`] takes a listing: images gone are removed, known ones take the
//!   listing's tags, new ones are shown at once and returned, to be inspected;
//! - [`ImageModel::looked`] takes one inspect: the image is added or replaced in the holdings
//!   (its chain IDs counted once), a tag it now has is taken from any other image (a name
//!   belongs to one image), or, when it is gone, it is removed;
//! - [`events::touch`] says which image an event names, or that it names none (then: list).

pub mod events;
pub mod source;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use bollard::models::ImageInspect;

use super::engine::ImageIds;
use super::holdings::{Held, Holdings};
use super::images::clean_tags;
use super::{ImageRow, sort_rows};

pub use events::{Touch, Touched};
pub use source::{ImageSource, load, look, refresh};

/// What inspecting one reference found.
#[derive(Debug, Clone)]
pub enum Looked {
    Found {
        inspect: Box<ImageInspect>,
        /// The image's row in a listing by one of its tags, for a new image: the size and time
        /// `docker images` shows (on the containerd store the inspect's size differs).
        listed: Option<ImageRow>,
    },
    /// No image by that ID or name any more.
    Gone { reference: String },
}

/// One image as a listing shows it, with the image it was built on (Docker's legacy builder
/// keeps each step as an untagged parent image; empty elsewhere).
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub row: ImageRow,
    pub parent: String,
}

/// Size and creation time of an image as a listing gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Facts {
    size: u64,
    created: i64,
}

/// The engine's images, kept current one image at a time.
#[derive(Debug, Clone)]
pub struct ImageModel {
    holdings: Holdings,
    facts: HashMap<String, Facts>,
    /// Listed, not inspected yet: shown without a layer count, not in the holdings.
    pending: HashMap<String, ImageRow>,
    /// Image -> the image it was built on, and how many images each parent has.
    parent_of: HashMap<String, String>,
    children: HashMap<String, usize>,
    /// Tag -> the image that has it, inspected or pending: a name belongs to one image.
    owners: HashMap<String, String>,
}

impl ImageModel {
    /// Nothing known yet, on an engine whose image IDs are `ids`.
    pub fn new(ids: ImageIds) -> ImageModel {
        ImageModel {
            holdings: Holdings::new(ids),
            facts: HashMap::new(),
            pending: HashMap::new(),
            parent_of: HashMap::new(),
            children: HashMap::new(),
            owners: HashMap::new(),
        }
    }

    /// What the engine holds (complete once [`ImageModel::is_complete`]).
    pub fn holdings(&self) -> &Holdings {
        &self.holdings
    }

    /// True when every listed image has been inspected.
    pub fn is_complete(&self) -> bool {
        self.pending.is_empty()
    }

    /// Images known, inspected or not.
    pub fn len(&self) -> usize {
        self.holdings.len() + self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Take a listing of every image (dangling and intermediate too). Returns the IDs that
    /// need an inspect: the ones not seen before.
    pub fn listed(&mut self, listing: Vec<Listed>) -> Vec<String> {
        self.parent_of.clear();
        self.children.clear();
        let mut listed: HashMap<String, ImageRow> = HashMap::with_capacity(listing.len());
        for Listed { row, parent } in listing {
            if !parent.is_empty() {
                *self.children.entry(parent.clone()).or_default() += 1;
                self.parent_of.insert(row.id.clone(), parent);
            }
            listed.insert(row.id.clone(), row);
        }
        let gone: Vec<String> = self
            .holdings
            .images()
            .map(|h| h.id.clone())
            .filter(|id| !listed.contains_key(id))
            .collect();
        for id in gone {
            self.holdings.remove(&id);
            self.facts.remove(&id);
        }
        self.pending.retain(|id, _| listed.contains_key(id));
        let mut new = Vec::new();
        for (id, row) in listed {
            match self.holdings.get(&id) {
                Some(held) if held.tags != row.tags => {
                    let held = Held {
                        tags: row.tags.clone(),
                        ..held.clone()
                    };
                    self.holdings.insert(held);
                }
                Some(_) => {}
                None => {
                    // Already waiting for its inspect: not asked twice.
                    if self.pending.insert(id.clone(), row).is_none() {
                        new.push(id);
                    }
                }
            }
        }
        self.owners.clear();
        let tagged = self.holdings.images().map(|h| (&h.id, &h.tags));
        for (id, tags) in tagged.chain(self.pending.values().map(|r| (&r.id, &r.tags))) {
            for tag in tags {
                self.owners.insert(tag.clone(), id.clone());
            }
        }
        new.sort();
        new
    }

    /// Take what one inspect found. Returns the IDs of the images that changed: this one, and
    /// any a tag moved away from.
    pub fn looked(&mut self, looked: Looked) -> Vec<String> {
        match looked {
            Looked::Found { inspect, listed } => self.found(&inspect, listed),
            Looked::Gone { reference } => self.gone(&reference),
        }
    }

    fn found(&mut self, inspect: &ImageInspect, listed: Option<ImageRow>) -> Vec<String> {
        let mut held = Held::from_inspect(inspect);
        held.tags = clean_tags(std::mem::take(&mut held.tags));
        let id = held.id.clone();
        let pending = self.pending.remove(&id);
        let old = match (self.holdings.get(&id), &pending) {
            (Some(known), _) => known.tags.clone(),
            (None, Some(row)) => row.tags.clone(),
            (None, None) => Vec::new(),
        };
        if held.tags.is_empty()
            && let Some(row) = &pending
        {
            // The containerd store can list tags its inspect by ID does not show.
            held.tags = row.tags.clone();
        }
        let from_listing = pending.or(listed.filter(|r| r.id == id));
        let facts = match (self.facts.get(&id), from_listing) {
            (Some(known), _) => *known,
            (None, Some(row)) => Facts {
                size: row.size,
                created: row.created,
            },
            (None, None) => Facts {
                size: inspect.size.unwrap_or(0).max(0) as u64,
                created: inspect
                    .created
                    .as_deref()
                    .and_then(unix_seconds)
                    .unwrap_or(0),
            },
        };
        let mut changed = Vec::new();
        for tag in &held.tags {
            if let Some(owner) = self.owners.get(tag).filter(|o| **o != id).cloned() {
                self.drop_tag(&owner, tag);
                changed.push(owner);
            }
        }
        self.unindex(&id, &old);
        for tag in &held.tags {
            self.owners.insert(tag.clone(), id.clone());
        }
        self.facts.insert(id.clone(), facts);
        self.holdings.insert(held);
        changed.push(id);
        changed
    }

    /// Forget that `id` has these tags.
    fn unindex(&mut self, id: &str, tags: &[String]) {
        for tag in tags {
            if self.owners.get(tag).is_some_and(|o| o == id) {
                self.owners.remove(tag);
            }
        }
    }

    /// Take `tag` from the image `owner`.
    fn drop_tag(&mut self, owner: &str, tag: &str) {
        self.unindex(owner, &[tag.to_string()]);
        if let Some(held) = self.holdings.get(owner) {
            let mut held = held.clone();
            held.tags.retain(|t| t != tag);
            self.holdings.insert(held);
        } else if let Some(row) = self.pending.get_mut(owner) {
            row.tags.retain(|t| t != tag);
            row.dangling = row.tags.is_empty();
        }
    }

    fn gone(&mut self, reference: &str) -> Vec<String> {
        let id = events::image_id(reference);
        let tags = match (self.holdings.remove(&id), self.pending.remove(&id)) {
            (Some(held), _) => Some(held.tags),
            (None, Some(row)) => Some(row.tags),
            (None, None) => None,
        };
        if let Some(tags) = tags {
            self.unindex(&id, &tags);
            self.facts.remove(&id);
            if let Some(parent) = self.parent_of.remove(&id)
                && let Some(n) = self.children.get_mut(&parent)
            {
                *n -= 1;
                if *n == 0 {
                    self.children.remove(&parent);
                }
            }
            return vec![id];
        }
        // A name: it no longer names anything (the image it named may remain, untagged).
        match self.owners.get(reference).cloned() {
            Some(owner) => {
                self.drop_tag(&owner, reference);
                vec![owner]
            }
            None => Vec::new(),
        }
    }

    /// One image's row (its layer count from the holdings once inspected).
    pub fn row(&self, id: &str) -> Option<ImageRow> {
        if let Some(held) = self.holdings.get(id) {
            let facts = self.facts.get(id).copied().unwrap_or(Facts {
                size: 0,
                created: 0,
            });
            return Some(ImageRow {
                id: held.id.clone(),
                tags: held.tags.clone(),
                created: facts.created,
                size: facts.size,
                layer_count: Some(held.diff_ids.len()),
                dangling: held.tags.is_empty(),
                platforms: Some(held.platform.clone())
                    .filter(|p| !p.is_empty() && p != "/")
                    .into_iter()
                    .collect(),
            });
        }
        self.pending.get(id).cloned()
    }

    /// True when another image is built on this one (an intermediate image of a build).
    pub fn is_parent(&self, id: &str) -> bool {
        self.children.contains_key(id)
    }

    /// The rows `docker images` shows: tagged images, and untagged ones no other image is
    /// built on; newest first.
    pub fn rows(&self) -> Vec<ImageRow> {
        self.rows_where(|r| !r.dangling || !self.is_parent(&r.id))
    }

    /// Every image's row, intermediate ones too; newest first.
    pub fn all_rows(&self) -> Vec<ImageRow> {
        self.rows_where(|_| true)
    }

    fn rows_where(&self, keep: impl Fn(&ImageRow) -> bool) -> Vec<ImageRow> {
        let mut rows: Vec<ImageRow> = self
            .holdings
            .images()
            .map(|h| h.id.as_str())
            .chain(self.pending.keys().map(String::as_str))
            .filter_map(|id| self.row(id))
            .filter(|r| keep(r))
            .collect();
        sort_rows(&mut rows);
        rows
    }
}

/// `2024-01-02T03:04:05.123456789Z` or `...+02:00` as Unix seconds.
pub fn unix_seconds(text: &str) -> Option<i64> {
    let text = text.trim();
    let num = |range: std::ops::Range<usize>| -> Option<i64> { text.get(range)?.parse().ok() };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let rest = text.get(19..)?;
    let zone = rest.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = match zone {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match zone.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hours: i64 = zone.get(1..3)?.parse().ok()?;
            let minutes: i64 = zone.get(4..6)?.parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let days = crate::calendar::days_from_civil(y, mo, d);
    Some(days * 86_400 + h * 3600 + mi * 60 + s - offset)
}
