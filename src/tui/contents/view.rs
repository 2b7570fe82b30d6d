//! The files view's state: what is read, how far, and once read the tree with its open folders,
//! filter, order, search, selection and the panel beside it (waste, preview, extract, keys).

use std::sync::Arc;

use super::tree::{Order, Tree, next_filter};
use super::{Running, Target};
use crate::archive::contents::{Analysis, ChangeKind, Peek};
use crate::tui::state::Cursor;

/// Trees up to this many paths open every folder at first (a layer's few changes show at once).
const OPEN_ALL_UP_TO: usize = 2_000;

#[derive(Debug, Clone, PartialEq)]
pub struct FilesView {
    pub target: Target,
    /// `None`: the final filesystem; else the layer (0-based) whose changes are shown.
    pub layer: Option<usize>,
    pub stage: Stage,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// The layers are being read.
    Reading(Running),
    Failed(String),
    Ready(Box<Browser>),
}

/// What the area beside (or instead of) the tree shows, and what the keys do.
#[derive(Debug, Clone, PartialEq)]
pub enum Panel {
    Tree,
    /// Typing a search (kept in [`Browser::search`]).
    Search,
    /// The waste summary; the cursor is on its list of paths.
    Waste(Cursor),
    Preview(Preview),
    /// A destination folder to type for `e`.
    Extract {
        path: String,
        input: String,
    },
    /// The view's keys.
    Help,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub path: String,
    pub stage: PreviewStage,
    /// First line shown.
    pub scroll: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PreviewStage {
    Reading(Running),
    Ready(Peek),
    /// Nothing to read (a folder, a link, a removed file) or it failed: why.
    Note(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Browser {
    pub tree: Arc<Tree>,
    /// Per node: open (folders).
    pub open: Vec<bool>,
    /// Node IDs shown, in order.
    pub rows: Vec<u32>,
    pub cursor: Cursor,
    pub filter: Option<ChangeKind>,
    pub order: Order,
    pub search: String,
    pub panel: Panel,
}

impl FilesView {
    pub fn ready(target: Target, layer: Option<usize>, analysis: Arc<Analysis>) -> FilesView {
        let layer = layer.filter(|n| *n < analysis.layers.len());
        FilesView {
            target,
            layer,
            stage: Stage::Ready(Box::new(Browser::new(analysis, layer))),
        }
    }

    pub fn browser(&self) -> Option<&Browser> {
        match &self.stage {
            Stage::Ready(b) => Some(b),
            _ => None,
        }
    }

    pub fn browser_mut(&mut self) -> Option<&mut Browser> {
        match &mut self.stage {
            Stage::Ready(b) => Some(b),
            _ => None,
        }
    }

    /// Show another layer (or the final tree): a new tree with the same order and change
    /// filter, the search cleared, the panel closed.
    pub fn show_layer(&mut self, layer: Option<usize>) {
        if let Some(b) = self.browser() {
            let mut next = Browser::new(b.tree.analysis.clone(), layer);
            next.order = b.order;
            next.filter = b.filter;
            next.refresh();
            self.layer = layer;
            self.stage = Stage::Ready(Box::new(next));
        }
    }
}

impl Browser {
    pub fn new(analysis: Arc<Analysis>, layer: Option<usize>) -> Browser {
        let tree = Arc::new(Tree::build(analysis, layer));
        let open_all = layer.is_some() && tree.len() <= OPEN_ALL_UP_TO;
        let mut b = Browser {
            open: vec![open_all; tree.len()],
            tree,
            rows: Vec::new(),
            cursor: Cursor::default(),
            filter: None,
            order: Order::Name,
            search: String::new(),
            panel: Panel::Tree,
        };
        b.refresh();
        b
    }

    pub fn analysis(&self) -> &Analysis {
        &self.tree.analysis
    }

    /// Compute the rows again, keeping the selected node when it is still shown.
    pub fn refresh(&mut self) {
        let keep = self.selected();
        self.rows = self
            .tree
            .rows(&self.open, self.filter, self.order, &self.search);
        match keep.and_then(|id| self.rows.iter().position(|r| *r == id)) {
            Some(at) => self.cursor.selected = at,
            None => self.cursor.to(self.cursor.selected, self.rows.len()),
        }
    }

    pub fn selected(&self) -> Option<u32> {
        self.rows.get(self.cursor.selected).copied()
    }

    /// The selected path, with a leading `/`.
    pub fn selected_path(&self) -> Option<String> {
        self.selected()
            .map(|id| format!("/{}", self.tree.node(id).path))
    }

    pub fn step(&mut self, delta: isize, height: usize) {
        self.cursor.step(delta, self.rows.len());
        self.cursor.follow(self.rows.len(), height);
    }

    /// Open or close the selected folder; `None` toggles. True when it was a folder.
    pub fn set_open(&mut self, open: Option<bool>) -> bool {
        let Some(id) = self.selected() else {
            return false;
        };
        if !self.tree.is_dir(id) {
            return false;
        }
        let slot = &mut self.open[id as usize];
        *slot = open.unwrap_or(!*slot);
        self.refresh();
        true
    }

    /// `←` on an open folder closes it; elsewhere it goes to the folder above.
    pub fn collapse_or_up(&mut self) {
        let Some(id) = self.selected() else { return };
        if self.tree.is_dir(id) && self.open[id as usize] {
            self.set_open(Some(false));
            return;
        }
        let parent = self.tree.node(id).parent;
        if let Some(at) = self.rows.iter().position(|r| *r == parent) {
            self.cursor.selected = at;
        }
    }

    pub fn open_all(&mut self, open: bool) {
        self.open.iter_mut().for_each(|o| *o = open);
        self.refresh();
    }

    /// Next change kind to show: all, added, modified, removed.
    pub fn cycle_filter(&mut self) {
        self.filter = next_filter(self.filter);
        self.refresh();
    }

    pub fn cycle_order(&mut self) {
        self.order = self.order.next();
        self.refresh();
    }

    pub fn set_search(&mut self, text: String) {
        self.search = text;
        self.cursor = Cursor::default();
        self.refresh();
    }

    /// Show and select `path`: its folders opened, the filter and search cleared when they
    /// hide it. False when the tree does not have it.
    pub fn reveal(&mut self, path: &str) -> bool {
        let Some(id) = self.tree.find(path) else {
            return false;
        };
        for folder in self.tree.ancestors(id) {
            self.open[folder as usize] = true;
        }
        self.refresh();
        if !self.rows.contains(&id) {
            self.filter = None;
            self.search.clear();
            self.refresh();
        }
        match self.rows.iter().position(|r| *r == id) {
            Some(at) => {
                self.cursor.selected = at;
                true
            }
            None => false,
        }
    }
}
