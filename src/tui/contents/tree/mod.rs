//! The files of an analysed image as a tree of folders: the final filesystem, or the changes
//! of one layer with the folders above them. Built once per view (and layer); the rows shown
//! are computed from it with the folders open, the change filter, the order and the search.

use std::collections::HashMap;
use std::sync::Arc;

use crate::archive::contents::{Analysis, ChangeKind, FileKind, Node};

/// The change filter after `filter`: all, added, modified, removed, all again.
pub fn next_filter(filter: Option<ChangeKind>) -> Option<ChangeKind> {
    match filter {
        None => Some(ChangeKind::Added),
        Some(ChangeKind::Added) => Some(ChangeKind::Modified),
        Some(ChangeKind::Modified) => Some(ChangeKind::Removed),
        Some(ChangeKind::Removed) => None,
    }
}

/// The order of a folder's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    Name,
    /// Biggest first (a folder: the bytes below it).
    Size,
}

impl Order {
    pub fn next(self) -> Order {
        match self {
            Order::Name => Order::Size,
            Order::Size => Order::Name,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Order::Name => "name",
            Order::Size => "size",
        }
    }
}

pub fn bit(kind: ChangeKind) -> u8 {
    match kind {
        ChangeKind::Added => 1,
        ChangeKind::Modified => 2,
        ChangeKind::Removed => 4,
    }
}

/// One path of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeNode {
    /// Without a leading `/`.
    pub path: String,
    name_at: usize,
    pub parent: u32,
    pub children: Vec<u32>,
    /// 0 for the entries at the root.
    pub depth: u16,
    /// Its entry: an index in `analysis.tree` (final) or in the layer's changes; `None` for a
    /// folder only implied by the paths below it.
    pub entry: Option<u32>,
    /// Added, modified or removed by the layer (final tree: by the layer that last wrote it).
    pub change: Option<ChangeKind>,
    /// Bytes of the files at or below it (removed ones not counted).
    pub size: u64,
    /// Change kinds at or below it ([`bit`]s).
    kinds: u8,
}

impl TreeNode {
    pub fn name(&self) -> &str {
        &self.path[self.name_at..]
    }
}

/// Node 0 is the root, never shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    pub analysis: Arc<Analysis>,
    /// `None`: the final filesystem; else the layer (0-based) whose changes these are.
    pub layer: Option<usize>,
    pub nodes: Vec<TreeNode>,
}

/// `needle` in `/` + `path`, ASCII case ignored.
fn contains_ci(path: &str, needle: &[u8]) -> bool {
    let hay = path.as_bytes();
    let at_root =
        |rest: &[u8]| hay.len() >= rest.len() && hay[..rest.len()].eq_ignore_ascii_case(rest);
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
        || needle.strip_prefix(b"/").is_some_and(at_root)
}

impl Tree {
    pub fn build(analysis: Arc<Analysis>, layer: Option<usize>) -> Tree {
        let mut tree = Tree {
            analysis: analysis.clone(),
            layer,
            nodes: vec![TreeNode {
                path: String::new(),
                name_at: 0,
                parent: 0,
                children: Vec::new(),
                depth: 0,
                entry: None,
                change: None,
                size: 0,
                kinds: 0,
            }],
        };
        let mut index: HashMap<String, u32> = HashMap::new();
        let changes_of = |n: usize| analysis.layers.get(n).map_or(&[][..], |l| &l.changes[..]);
        let items: Vec<(&str, Option<ChangeKind>)> = match layer {
            None => analysis
                .tree
                .iter()
                .map(|e| {
                    let changes = changes_of(e.layer);
                    let found = changes.binary_search_by(|c| c.node.path.cmp(&e.node.path));
                    (e.node.path.as_str(), found.ok().map(|i| changes[i].change))
                })
                .collect(),
            Some(n) => changes_of(n)
                .iter()
                .map(|c| (c.node.path.as_str(), Some(c.change)))
                .collect(),
        };
        for (i, (path, change)) in items.into_iter().enumerate() {
            if path.is_empty() {
                continue;
            }
            let id = tree.ensure(path, &mut index);
            let node = &mut tree.nodes[id as usize];
            node.entry = Some(i as u32);
            node.change = change;
        }
        for id in (1..tree.nodes.len()).rev() {
            let (own, kinds) = {
                let node = &tree.nodes[id];
                let file = tree.node_entry(id as u32).map_or(0, Node::stored_bytes);
                let own = if node.change == Some(ChangeKind::Removed) {
                    0
                } else {
                    file
                };
                (own, node.change.map_or(0, bit))
            };
            let node = &mut tree.nodes[id];
            node.size += own;
            node.kinds |= kinds;
            let (size, kinds, parent) = (node.size, node.kinds, node.parent as usize);
            tree.nodes[parent].size += size;
            tree.nodes[parent].kinds |= kinds;
        }
        tree
    }

    /// The node for `path`, made (with the folders above it) when missing.
    fn ensure(&mut self, path: &str, index: &mut HashMap<String, u32>) -> u32 {
        if path.is_empty() {
            return 0;
        }
        if let Some(id) = index.get(path) {
            return *id;
        }
        let (parent_path, _) = path.rsplit_once('/').unwrap_or(("", path));
        let parent = self.ensure(parent_path, index);
        let depth = if parent == 0 {
            0
        } else {
            self.nodes[parent as usize].depth + 1
        };
        let id = self.nodes.len() as u32;
        let name_at = if parent_path.is_empty() {
            0
        } else {
            parent_path.len() + 1
        };
        self.nodes.push(TreeNode {
            path: path.to_string(),
            name_at,
            parent,
            children: Vec::new(),
            depth,
            entry: None,
            change: None,
            size: 0,
            kinds: 0,
        });
        self.nodes[parent as usize].children.push(id);
        index.insert(path.to_string(), id);
        id
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    pub fn node(&self, id: u32) -> &TreeNode {
        &self.nodes[id as usize]
    }

    /// What the image says about the path (`None`: a folder only implied).
    pub fn node_entry(&self, id: u32) -> Option<&Node> {
        let entry = self.nodes.get(id as usize)?.entry? as usize;
        match self.layer {
            None => self.analysis.tree.get(entry).map(|e| &e.node),
            Some(n) => self
                .analysis
                .layers
                .get(n)?
                .changes
                .get(entry)
                .map(|c| &c.node),
        }
    }

    /// The size before a modification (layer view).
    pub fn size_before(&self, id: u32) -> Option<u64> {
        let entry = self.nodes.get(id as usize)?.entry? as usize;
        let n = self.layer?;
        self.analysis.layers.get(n)?.changes.get(entry)?.size_before
    }

    /// The layer (0-based) holding the version shown.
    pub fn layer_of(&self, id: u32) -> Option<usize> {
        match self.layer {
            Some(n) => Some(n),
            None => {
                let entry = self.nodes.get(id as usize)?.entry? as usize;
                self.analysis.tree.get(entry).map(|e| e.layer)
            }
        }
    }

    pub fn is_dir(&self, id: u32) -> bool {
        let node = self.node(id);
        !node.children.is_empty() || self.node_entry(id).is_none_or(|n| n.kind == FileKind::Dir)
    }

    pub fn find(&self, path: &str) -> Option<u32> {
        let path = path.trim_start_matches('/');
        (1..self.nodes.len() as u32).find(|id| self.node(*id).path == path)
    }

    /// Counts of added, modified and removed entries.
    pub fn counts(&self) -> [usize; 3] {
        let mut counts = [0; 3];
        for node in &self.nodes {
            match node.change {
                Some(ChangeKind::Added) => counts[0] += 1,
                Some(ChangeKind::Modified) => counts[1] += 1,
                Some(ChangeKind::Removed) => counts[2] += 1,
                None => {}
            }
        }
        counts
    }

    /// The rows shown, in order: every node whose folders above are open, that has a change of
    /// the kind `filter` asks for at or below it, and whose path (or a path below) contains
    /// `search` (case-insensitive for ASCII). A folder with a match below it opens by itself.
    pub fn rows(
        &self,
        open: &[bool],
        filter: Option<ChangeKind>,
        order: Order,
        search: &str,
    ) -> Vec<u32> {
        let needle = search.as_bytes();
        let searching = !needle.is_empty();
        let mut hit = vec![false; self.nodes.len()];
        let mut below = vec![false; self.nodes.len()];
        if searching {
            for (id, node) in self.nodes.iter().enumerate().skip(1) {
                hit[id] = contains_ci(&node.path, needle);
            }
            for id in (1..self.nodes.len()).rev() {
                let parent = self.nodes[id].parent as usize;
                below[parent] |= hit[id] || below[id];
            }
        }
        let mut out = Vec::new();
        let mut stack: Vec<u32> = self.sorted_children(0, order);
        stack.reverse();
        while let Some(id) = stack.pop() {
            let node = &self.nodes[id as usize];
            if filter.is_some_and(|k| node.kinds & bit(k) == 0) {
                continue;
            }
            let i = id as usize;
            if searching && !hit[i] && !below[i] {
                continue;
            }
            out.push(id);
            let opened = open.get(i).copied().unwrap_or(false) || (below[i] && !hit[i]);
            if opened && !node.children.is_empty() {
                let mut kids = self.sorted_children(id, order);
                kids.reverse();
                stack.extend(kids);
            }
        }
        out
    }

    fn sorted_children(&self, id: u32, order: Order) -> Vec<u32> {
        let mut kids = self.nodes[id as usize].children.clone();
        let name = |k: &u32| self.nodes[*k as usize].name();
        match order {
            Order::Name => kids.sort_by(|a, b| name(a).cmp(name(b))),
            Order::Size => kids.sort_by(|a, b| {
                let size = |k: &u32| self.nodes[*k as usize].size;
                size(b).cmp(&size(a)).then_with(|| name(a).cmp(name(b)))
            }),
        }
        kids
    }

    /// Folders above `id`, nearest first.
    pub fn ancestors(&self, id: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut current = self.node(id).parent;
        while current != 0 {
            out.push(current);
            current = self.node(current).parent;
        }
        out
    }
}

#[cfg(test)]
mod tests;
