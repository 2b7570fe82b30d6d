//! The tree of an analysed image: folders, sizes, changes, filter and search.

use super::*;
use crate::archive::contents::{fixture::layer, scan_layer, stack};

/// Layer 1: etc/motd, etc/os, usr/bin/tool, tmp/big; layer 2: modifies etc/motd, removes
/// tmp/big, adds usr/bin/new.
pub fn analysis() -> Arc<Analysis> {
    let layers = [
        layer(&[
            ("etc/", b""),
            ("etc/motd", b"old"),
            ("etc/os", b"linux"),
            ("usr/bin/tool", b"0123456789"),
            ("tmp/big", &[7u8; 100]),
        ]),
        layer(&[
            ("etc/", b""),
            ("etc/motd", b"hello!"),
            ("tmp/.wh.big", b""),
            ("usr/bin/new", b"12"),
        ]),
    ];
    let scans: Vec<_> = layers.iter().map(|l| scan_layer(&l[..]).unwrap()).collect();
    let image = crate::archive::ImageInfo {
        layers: vec![Default::default(), Default::default()],
        ..Default::default()
    };
    Arc::new(stack(image, &scans))
}

fn paths(tree: &Tree, rows: &[u32]) -> Vec<String> {
    rows.iter().map(|r| tree.node(*r).path.clone()).collect()
}

#[test]
fn the_final_tree_with_folders_sizes_and_the_change_that_wrote_each_path() {
    let tree = Tree::build(analysis(), None);
    let all = vec![true; tree.len()];
    let rows = tree.rows(&all, None, Order::Name, "");
    assert_eq!(
        paths(&tree, &rows),
        [
            "etc",
            "etc/motd",
            "etc/os",
            "tmp",
            "usr",
            "usr/bin",
            "usr/bin/new",
            "usr/bin/tool"
        ]
    );
    let motd = tree.find("/etc/motd").unwrap();
    assert_eq!(tree.node(motd).change, Some(ChangeKind::Modified));
    assert_eq!(tree.layer_of(motd), Some(1));
    assert_eq!(tree.node(tree.find("usr").unwrap()).size, 12);
    assert!(tree.is_dir(tree.find("tmp").unwrap()));
    assert_eq!(tree.node(tree.find("etc").unwrap()).size, 11);
    let closed = vec![false; tree.len()];
    assert_eq!(
        paths(&tree, &tree.rows(&closed, None, Order::Size, "")),
        ["usr", "etc", "tmp"]
    );
}

#[test]
fn a_layer_filter_and_search() {
    let tree = Tree::build(analysis(), Some(1));
    let all = vec![true; tree.len()];
    assert_eq!(
        paths(&tree, &tree.rows(&all, None, Order::Name, "")),
        [
            "etc",
            "etc/motd",
            "tmp",
            "tmp/big",
            "usr",
            "usr/bin",
            "usr/bin/new"
        ]
    );
    assert_eq!(tree.counts(), [1, 1, 1]);
    let big = tree.find("tmp/big").unwrap();
    assert_eq!(tree.node(big).size, 0, "removed bytes are not counted");
    assert_eq!(tree.node_entry(big).map(|n| n.size), Some(100));
    let motd = tree.find("etc/motd").unwrap();
    assert_eq!(tree.size_before(motd), Some(3));
    assert_eq!(
        paths(
            &tree,
            &tree.rows(&all, Some(ChangeKind::Removed), Order::Name, "")
        ),
        ["tmp", "tmp/big"]
    );
    let closed = vec![false; tree.len()];
    assert_eq!(
        paths(&tree, &tree.rows(&closed, None, Order::Name, "NEW")),
        ["usr", "usr/bin", "usr/bin/new"],
        "folders with a match below open by themselves"
    );
    assert_eq!(
        paths(&tree, &tree.rows(&closed, None, Order::Name, "usr/bin")),
        ["usr", "usr/bin"],
        "a matching folder stays as it was"
    );
    assert_eq!(tree.ancestors(tree.find("usr/bin/new").unwrap()).len(), 2);
    assert_eq!(
        paths(&tree, &tree.rows(&closed, None, Order::Name, "/etc")),
        ["etc"],
        "a leading / matches at the root"
    );
}
