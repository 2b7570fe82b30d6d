//! Stack layer scans in order, as the engines do: `.wh.NAME` removes NAME and everything below
//! it from the layers beneath; `DIR/.wh..wh..opq` hides everything below DIR from the layers
//! beneath while the same layer's entries stay; a non-folder replacing a folder hides what was
//! below it. Yields each layer's changes, the final filesystem and the waste.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::scan::split_parent;
use super::{
    Analysis, Change, ChangeKind, FileKind, LayerContents, LayerScan, Node, TreeEntry, Waste,
    WastedPath,
};
use crate::archive::ImageInfo;

/// Where the visible version of a path lives.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// `scans[layer].nodes[index]`.
    Scan { layer: usize, index: usize },
    /// A folder no layer wrote but a path below it needs, made by `layer`.
    Implicit { layer: usize, index: usize },
}

struct Stacker<'a> {
    scans: &'a [LayerScan],
    tree: BTreeMap<String, Slot>,
    implicit: Vec<Node>,
}

impl Stacker<'_> {
    fn node(&self, slot: Slot) -> &Node {
        match slot {
            Slot::Scan { layer, index } => &self.scans[layer].nodes[index],
            Slot::Implicit { index, .. } => &self.implicit[index],
        }
    }

    /// Remove `path` (when `with_self`) and everything below it, except the paths `keep`;
    /// every removed path is a change.
    fn remove_below(
        &mut self,
        path: &str,
        with_self: bool,
        keep: &HashSet<&str>,
        changes: &mut Vec<Change>,
    ) {
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        let mut doomed: Vec<String> = self
            .tree
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .filter(|k| !keep.contains(k.as_str()))
            .collect();
        if with_self && !path.is_empty() && !keep.contains(path) && self.tree.contains_key(path) {
            doomed.push(path.to_string());
        }
        for key in doomed {
            if let Some(slot) = self.tree.remove(&key) {
                changes.push(Change {
                    change: ChangeKind::Removed,
                    node: self.node(slot).clone(),
                    size_before: None,
                });
            }
        }
    }

    /// Make sure every folder above `path` exists (a layer that names `a/b/c` without `a/b`).
    fn parents(&mut self, path: &str, layer: usize) {
        let mut missing = Vec::new();
        let mut current = split_parent(path).0;
        while !current.is_empty() && !self.tree.contains_key(current) {
            missing.push(current.to_string());
            current = split_parent(current).0;
        }
        for dir in missing {
            self.implicit.push(Node {
                path: dir.clone(),
                kind: FileKind::Dir,
                size: 0,
                mode: 0o755,
                uid: 0,
                gid: 0,
                link: None,
                hash: 0,
            });
            let index = self.implicit.len() - 1;
            self.tree.insert(dir, Slot::Implicit { layer, index });
        }
    }

    fn apply(&mut self, layer: usize) -> Vec<Change> {
        let scan = &self.scans[layer];
        let written: HashSet<&str> = scan.nodes.iter().map(|n| n.path.as_str()).collect();
        let mut changes = Vec::new();
        for node in &scan.nodes {
            match self.tree.get(&node.path).map(|s| self.node(*s)) {
                None => changes.push(Change {
                    change: ChangeKind::Added,
                    node: node.clone(),
                    size_before: None,
                }),
                Some(prior) if node.differs_from(prior) => changes.push(Change {
                    change: ChangeKind::Modified,
                    node: node.clone(),
                    size_before: Some(prior.size),
                }),
                Some(_) => {}
            }
        }
        for path in &scan.whiteouts {
            self.remove_below(path, true, &written, &mut changes);
        }
        for dir in &scan.opaque {
            self.remove_below(dir, false, &written, &mut changes);
        }
        for node in scan.nodes.iter().filter(|n| n.kind != FileKind::Dir) {
            let was_dir = self
                .tree
                .get(&node.path)
                .is_some_and(|s| self.node(*s).kind == FileKind::Dir);
            if was_dir {
                self.remove_below(&node.path, false, &written, &mut changes);
            }
        }
        for (index, node) in scan.nodes.iter().enumerate() {
            self.parents(&node.path, layer);
            self.tree
                .insert(node.path.clone(), Slot::Scan { layer, index });
        }
        changes.sort_by(|a, b| a.node.path.cmp(&b.node.path));
        changes
    }
}

/// Stack the scans of an image's layers (in stack order) into its analysis.
pub fn stack(image: ImageInfo, scans: &[LayerScan]) -> Analysis {
    let mut stacker = Stacker {
        scans,
        tree: BTreeMap::new(),
        implicit: Vec::new(),
    };
    let mut layers: Vec<LayerContents> = Vec::with_capacity(scans.len());
    for (layer, scan) in scans.iter().enumerate() {
        let changes = stacker.apply(layer);
        let info = image.layers.get(layer);
        layers.push(LayerContents {
            diff_id: info.map(|l| l.diff_id.clone()).unwrap_or_default(),
            created_by: info.and_then(|l| l.created_by.clone()),
            changes,
            entries: scan.nodes.len(),
            file_bytes: scan.nodes.iter().map(Node::stored_bytes).sum(),
            wasted_bytes: 0,
        });
    }
    let waste = waste(&stacker, &mut layers);
    let tree = stacker
        .tree
        .values()
        .map(|slot| {
            let layer = match *slot {
                Slot::Scan { layer, .. } | Slot::Implicit { layer, .. } => layer,
            };
            TreeEntry {
                node: stacker.node(*slot).clone(),
                layer,
            }
        })
        .collect();
    let refused = scans.iter().flat_map(|s| s.refused.clone()).collect();
    Analysis {
        image,
        layers,
        tree,
        waste,
        refused,
    }
}

/// Every file version that is not the visible one of its path is waste. A version a visible
/// hardlink points at stays visible through the link.
fn waste(stacker: &Stacker<'_>, layers: &mut [LayerContents]) -> Waste {
    let scans = stacker.scans;
    let mut visible: HashSet<(usize, usize)> = HashSet::new();
    let mut by_path: Vec<Option<HashMap<&str, usize>>> = vec![None; scans.len()];
    for slot in stacker.tree.values() {
        let Slot::Scan { layer, index } = *slot else {
            continue;
        };
        visible.insert((layer, index));
        let node = &scans[layer].nodes[index];
        if node.kind != FileKind::Hardlink {
            continue;
        }
        let map = by_path[layer].get_or_insert_with(|| {
            let nodes = scans[layer].nodes.iter().enumerate();
            nodes.map(|(i, n)| (n.path.as_str(), i)).collect()
        });
        let target = node.link.as_deref().and_then(super::scan::member_path);
        if let Some(i) = target.and_then(|t| map.get(t.as_str()).copied()) {
            visible.insert((layer, i));
        }
    }
    let mut total = 0u64;
    let mut wasted_paths: HashMap<&str, WastedPath> = HashMap::new();
    for (layer, scan) in scans.iter().enumerate() {
        for (index, node) in scan.nodes.iter().enumerate() {
            let bytes = node.stored_bytes();
            total += bytes;
            if bytes == 0 || visible.contains(&(layer, index)) {
                continue;
            }
            layers[layer].wasted_bytes += bytes;
            let entry = wasted_paths
                .entry(node.path.as_str())
                .or_insert_with(|| WastedPath {
                    path: node.path.clone(),
                    wasted_bytes: 0,
                    layers: Vec::new(),
                });
            entry.wasted_bytes += bytes;
            entry.layers.push(layer);
        }
    }
    let mut paths: Vec<WastedPath> = wasted_paths.into_values().collect();
    paths.sort_by(|a, b| {
        b.wasted_bytes
            .cmp(&a.wasted_bytes)
            .then_with(|| a.path.cmp(&b.path))
    });
    let wasted: u64 = paths.iter().map(|p| p.wasted_bytes).sum();
    Waste {
        total_bytes: total,
        visible_bytes: total - wasted,
        wasted_bytes: wasted,
        efficiency: if total == 0 {
            1.0
        } else {
            (total - wasted) as f64 / total as f64
        },
        paths,
    }
}
