//! Scan and stack with hand-computed answers: overwrites, chmod copy-ups, whiteouts, an opaque
//! folder, hardlinks and symlinks.

use super::*;

pub enum E<'a> {
    Dir(&'a str),
    File(&'a str, usize, u32),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
    /// A whiteout marker file (`.wh.` name written as it is).
    Marker(&'a str),
}

pub fn layer(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(1_700_000_000);
        match e {
            E::Dir(p) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                b.append_data(&mut h, p, &[][..]).unwrap();
            }
            E::File(p, n, mode) => {
                h.set_mode(*mode);
                h.set_size(*n as u64);
                b.append_data(&mut h, p, vec![b'x'; *n].as_slice()).unwrap();
            }
            E::Marker(p) => {
                h.set_mode(0o644);
                h.set_size(0);
                b.append_data(&mut h, p, &[][..]).unwrap();
            }
            E::Symlink(p, t) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_size(0);
                b.append_link(&mut h, p, t).unwrap();
            }
            E::Hardlink(p, t) => {
                h.set_entry_type(tar::EntryType::Link);
                h.set_mode(0o644);
                h.set_size(0);
                b.append_link(&mut h, p, t).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

fn analyse(layers: &[Vec<u8>]) -> Analysis {
    let scans: Vec<LayerScan> = layers
        .iter()
        .map(|l| scan_layer(l.as_slice()).unwrap())
        .collect();
    let image = crate::archive::ImageInfo {
        layers: (0..layers.len())
            .map(|i| crate::archive::LayerInfo {
                diff_id: format!("sha256:{i}"),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    stack(image, &scans)
}

fn changes(a: &Analysis, layer: usize) -> Vec<(String, &'static str)> {
    a.layers[layer]
        .changes
        .iter()
        .map(|c| (c.node.path.clone(), c.change.as_str()))
        .collect()
}

fn owned(v: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    v.iter().map(|(p, c)| (p.to_string(), *c)).collect()
}

#[test]
fn whiteouts_opaque_folders_copy_ups_and_links_stack_like_the_engines() {
    use E::*;
    let l0 = layer(&[
        Dir("a/"),
        Dir("a/b/"),
        File("a/x", 100, 0o644),
        File("a/b/y", 50, 0o644),
        File("keep", 10, 0o644),
        Symlink("l", "keep"),
        Hardlink("h", "keep"),
    ]);
    let l1 = layer(&[
        Dir("a/"),
        File("a/x", 200, 0o644),
        File("keep", 10, 0o600),
        Marker(".wh.l"),
        Dir("a/b/"),
        Marker("a/b/.wh..wh..opq"),
        File("a/b/z", 30, 0o644),
    ]);
    let l2 = layer(&[Dir("a/"), Marker("a/.wh.b"), File("./n", 5, 0o755)]);
    let a = analyse(&[l0, l1, l2]);

    let tree: Vec<(&str, usize, u64)> = a
        .tree
        .iter()
        .map(|e| (e.node.path.as_str(), e.layer, e.node.size))
        .collect();
    assert_eq!(
        tree,
        vec![
            ("a", 2, 0), // every layer writes the folder again: the last one wins
            ("a/x", 1, 200),
            ("h", 0, 10),
            ("keep", 1, 10),
            ("n", 2, 5)
        ]
    );
    assert_eq!(a.find("/keep").unwrap().node.mode, 0o600);
    assert_eq!(a.find("h").unwrap().node.kind, FileKind::Hardlink);

    assert_eq!(
        changes(&a, 0),
        owned(&[
            ("a", "added"),
            ("a/b", "added"),
            ("a/b/y", "added"),
            ("a/x", "added"),
            ("h", "added"),
            ("keep", "added"),
            ("l", "added"),
        ])
    );
    assert_eq!(
        changes(&a, 1),
        owned(&[
            ("a/b/y", "removed"),
            ("a/b/z", "added"),
            ("a/x", "modified"),
            ("keep", "modified"),
            ("l", "removed"),
        ])
    );
    let x = &a.layers[1].changes[2];
    assert_eq!((x.size_before, x.node.size), (Some(100), 200));
    assert_eq!(
        changes(&a, 2),
        owned(&[("a/b", "removed"), ("a/b/z", "removed"), ("n", "added")])
    );

    // Waste: a/x 100 (overwritten), a/b/y 50 (hidden by the opaque folder), a/b/z 30 (deleted);
    // the first `keep` stays visible through the hardlink `h`.
    assert_eq!(a.waste.total_bytes, 160 + 240 + 5);
    assert_eq!(a.waste.wasted_bytes, 180);
    assert_eq!(a.waste.visible_bytes, 225);
    assert!((a.waste.efficiency - 225.0 / 405.0).abs() < 1e-9);
    let paths: Vec<(&str, u64, &[usize])> = a
        .waste
        .paths
        .iter()
        .map(|p| (p.path.as_str(), p.wasted_bytes, p.layers.as_slice()))
        .collect();
    assert_eq!(
        paths,
        vec![
            ("a/x", 100, &[0][..]),
            ("a/b/y", 50, &[0][..]),
            ("a/b/z", 30, &[1][..])
        ]
    );
    let per_layer: Vec<u64> = a.layers.iter().map(|l| l.wasted_bytes).collect();
    assert_eq!(per_layer, vec![150, 30, 0]);
}

#[test]
fn same_content_is_not_a_change_but_the_lower_copy_is_waste() {
    use E::*;
    let a = analyse(&[
        layer(&[File("f", 10, 0o644), Dir("d/")]),
        layer(&[File("f", 10, 0o644), Dir("d/")]),
    ]);
    assert!(a.layers[1].changes.is_empty());
    assert_eq!(a.waste.wasted_bytes, 10);
    assert_eq!(a.find("f").unwrap().layer, 1);
}

#[test]
fn a_file_replacing_a_folder_hides_what_was_below_and_parents_are_implied() {
    use E::*;
    let a = analyse(&[
        layer(&[Dir("d/"), File("d/inner", 7, 0o644)]),
        layer(&[File("d", 3, 0o644), File("deep/er/file", 1, 0o644)]),
    ]);
    let paths: Vec<&str> = a.tree.iter().map(|e| e.node.path.as_str()).collect();
    assert_eq!(paths, vec!["d", "deep", "deep/er", "deep/er/file"]);
    assert_eq!(a.find("d").unwrap().node.kind, FileKind::File);
    assert_eq!(
        changes(&a, 1),
        owned(&[
            ("d", "modified"),
            ("d/inner", "removed"),
            ("deep/er/file", "added"),
        ])
    );
    assert_eq!(a.waste.wasted_bytes, 7);
}

#[test]
fn names_that_climb_out_are_refused_and_never_applied() {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_old();
    let name = b"../evil";
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_size(1);
    h.set_mode(0o644);
    h.set_cksum();
    b.append(&h, &b"x"[..]).unwrap();
    let a = analyse(&[b.into_inner().unwrap()]);
    assert!(a.tree.is_empty());
    assert_eq!(a.refused, vec!["../evil".to_string()]);
}

#[test]
fn layers_are_split_into_balanced_groups_biggest_first() {
    use std::collections::HashMap;
    let sizes: HashMap<&str, u64> = [("a", 512), ("b", 410), ("c", 102), ("base", 1)]
        .into_iter()
        .collect();
    let groups = super::engine::balanced_groups(sizes.clone(), 2);
    let weight = |g: &std::collections::HashSet<String>| -> u64 {
        g.iter().map(|p| sizes[p.as_str()]).sum()
    };
    assert_eq!(groups.len(), 2);
    assert_eq!(weight(&groups[0]), 513, "{groups:?}");
    assert_eq!(weight(&groups[1]), 512, "{groups:?}");
    // Never more groups than blobs, never an empty one.
    let one: HashMap<&str, u64> = [("only", 5)].into_iter().collect();
    assert_eq!(super::engine::balanced_groups(one, 4).len(), 1);
    assert!(super::engine::balanced_groups(HashMap::new(), 4).is_empty());
}
