//! Compare two analysed images: layers shared and not, files added, removed and modified in the
//! final filesystems, and the config differences that change how a container runs.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Analysis, ChangeKind, FileKind};
use crate::archive::ImageInfo;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerDiff {
    /// Diff IDs in both images (in A's order).
    pub shared: Vec<String>,
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
    /// Layers A and B have in common at the bottom of their stacks.
    pub common_base: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileDiff {
    /// With a leading `/`.
    pub path: String,
    pub change: ChangeKind,
    #[serde(rename = "type")]
    pub kind: FileKind,
    pub size_before: Option<u64>,
    pub size_after: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigChange {
    /// `env.NAME`, `labels.KEY`, `cmd`, `entrypoint`, `user`, `working_dir`, `exposed_ports`.
    pub field: String,
    pub before: Value,
    pub after: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageDiff {
    pub layers: LayerDiff,
    /// In path order.
    pub files: Vec<FileDiff>,
    pub config: Vec<ConfigChange>,
}

/// What changed from `a` to `b`.
pub fn diff(a: &Analysis, b: &Analysis) -> ImageDiff {
    ImageDiff {
        layers: layers(&a.image, &b.image),
        files: files(a, b),
        config: config(&a.image, &b.image),
    }
}

fn layers(a: &ImageInfo, b: &ImageInfo) -> LayerDiff {
    let (ids_a, ids_b) = (a.diff_ids(), b.diff_ids());
    let set_a: HashSet<&String> = ids_a.iter().collect();
    let set_b: HashSet<&String> = ids_b.iter().collect();
    LayerDiff {
        shared: ids_a
            .iter()
            .filter(|d| set_b.contains(d))
            .cloned()
            .collect(),
        only_a: ids_a
            .iter()
            .filter(|d| !set_b.contains(d))
            .cloned()
            .collect(),
        only_b: ids_b
            .iter()
            .filter(|d| !set_a.contains(d))
            .cloned()
            .collect(),
        common_base: ids_a.iter().zip(&ids_b).take_while(|(x, y)| x == y).count(),
    }
}

fn files(a: &Analysis, b: &Analysis) -> Vec<FileDiff> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    let (ta, tb) = (&a.tree, &b.tree);
    while i < ta.len() || j < tb.len() {
        let order = match (ta.get(i), tb.get(j)) {
            (Some(x), Some(y)) => x.node.path.cmp(&y.node.path),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                let n = &ta[i].node;
                out.push(file(
                    &n.path,
                    ChangeKind::Removed,
                    n.kind,
                    Some(n.size),
                    None,
                ));
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                let n = &tb[j].node;
                out.push(file(&n.path, ChangeKind::Added, n.kind, None, Some(n.size)));
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let (x, y) = (&ta[i].node, &tb[j].node);
                if y.differs_from(x) {
                    let kind = y.kind;
                    let change = ChangeKind::Modified;
                    out.push(file(&y.path, change, kind, Some(x.size), Some(y.size)));
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn file(
    path: &str,
    change: ChangeKind,
    kind: FileKind,
    before: Option<u64>,
    after: Option<u64>,
) -> FileDiff {
    FileDiff {
        path: format!("/{path}"),
        change,
        kind,
        size_before: before,
        size_after: after,
    }
}

fn env_map(env: &[String]) -> BTreeMap<&str, &str> {
    env.iter()
        .map(|e| e.split_once('=').unwrap_or((e.as_str(), "")))
        .collect()
}

fn keyed(
    out: &mut Vec<ConfigChange>,
    prefix: &str,
    a: &BTreeMap<&str, &str>,
    b: &BTreeMap<&str, &str>,
) {
    let keys: BTreeSet<&&str> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let (x, y) = (a.get(*key), b.get(*key));
        if x != y {
            out.push(ConfigChange {
                field: format!("{prefix}.{key}"),
                before: x.map_or(Value::Null, |v| json!(v)),
                after: y.map_or(Value::Null, |v| json!(v)),
            });
        }
    }
}

fn config(a: &ImageInfo, b: &ImageInfo) -> Vec<ConfigChange> {
    let mut out = Vec::new();
    let mut plain = |field: &str, x: Value, y: Value| {
        if x != y {
            out.push(ConfigChange {
                field: field.into(),
                before: x,
                after: y,
            });
        }
    };
    plain("entrypoint", json!(a.entrypoint), json!(b.entrypoint));
    plain("cmd", json!(a.cmd), json!(b.cmd));
    plain("user", json!(a.user), json!(b.user));
    plain("working_dir", json!(a.working_dir), json!(b.working_dir));
    plain(
        "exposed_ports",
        json!(a.exposed_ports),
        json!(b.exposed_ports),
    );
    keyed(&mut out, "env", &env_map(&a.env), &env_map(&b.env));
    let ra = a
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let rb = b
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    keyed(&mut out, "labels", &ra, &rb);
    out
}
