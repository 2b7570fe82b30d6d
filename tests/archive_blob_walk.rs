//! The blob walk: the same blobs, with the same bytes and sniffed compression, from every source
//! (plain tar, compressed tar, Stored and deflated zip entries, layout folder, a plain reader),
//! each in its cheapest order; a streamed walk returns the listing it made on the way.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use common::archives::*;
use haul::archive::blob_walk::{BlobBody, BlobMeta, BlobVisitor, Walk};
use haul::archive::{Compression, Problem};
use haul::digest::sha256_of;

/// Wants every blob whose head says it is a layer (a tar, or compressed); records its bytes.
#[derive(Default)]
struct Layers {
    seen: BTreeMap<String, (Compression, String)>,
    offered: Vec<String>,
    rewound: Vec<bool>,
}

impl BlobVisitor for Layers {
    fn wants(&mut self, blob: &BlobMeta) -> bool {
        self.offered.push(blob.path.clone());
        blob.compression != Compression::None || haul::archive::is_tar_header(&blob.head)
    }

    fn visit(&mut self, blob: &BlobMeta, body: &mut BlobBody<'_>) -> Result<(), Problem> {
        let mut first = [0u8; 100];
        body.read_exact(&mut first)?;
        let rewound = body.rewind()?;
        self.rewound.push(rewound);
        let mut bytes = Vec::new();
        if !rewound {
            bytes.extend_from_slice(&first);
        }
        body.read_to_end(&mut bytes)?;
        assert_eq!(bytes.len() as u64, blob.size, "{}", blob.path);
        self.seen
            .insert(blob.path.clone(), (blob.compression, sha256_of(&bytes)));
        Ok(())
    }
}

fn walk(path: &Path) -> (Layers, haul::archive::blob_walk::WalkEnd, u64, Option<u64>) {
    let walk = Walk::open(path).unwrap();
    let total = walk.stream_total();
    let mut layers = Layers::default();
    let read = AtomicU64::new(0);
    let end = walk.run(&mut layers, &read).unwrap();
    (layers, end, read.load(Ordering::Relaxed), total)
}

fn image() -> TestImage {
    let layers = vec![
        layer_tar(&[("a.txt", b"first layer" as &[u8])]),
        layer_tar(&[("b.txt", &noise(300_000, 7))]),
    ];
    TestImage::with_layers(&["walk:1"], layers, "amd64")
}

#[test]
fn every_source_gives_the_same_layer_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let img = image();
    let oci = oci_layout_files(std::slice::from_ref(&img), &OciOptions::default());
    let oci_tar = tar_of(&oci);
    let expected: BTreeMap<String, (Compression, String)> = oci
        .iter()
        .filter(|(p, d)| p.starts_with("blobs/") && d.starts_with(&[0x1f, 0x8b]))
        .map(|(p, d)| (p.clone(), (Compression::Gzip, sha256_of(d))))
        .collect();
    assert_eq!(expected.len(), 2);

    let plain = dir.path().join("oci.tar");
    std::fs::write(&plain, &oci_tar).unwrap();
    let gz = dir.path().join("oci.tar.gz");
    std::fs::write(&gz, gzip(&oci_tar)).unwrap();
    let zst = dir.path().join("oci.tar.zst");
    std::fs::write(&zst, zstd(&oci_tar)).unwrap();
    let stored = dir.path().join("stored.zip");
    std::fs::write(&stored, zip_of(&[("img.tar", &oci_tar)], false)).unwrap();
    let deflated = dir.path().join("deflated.zip");
    std::fs::write(&deflated, zip_of(&[("img.tar", &oci_tar)], true)).unwrap();
    let folder = dir.path().join("layout");
    write_layout_dir(&folder, &oci);

    for (path, streamed) in [
        (&plain, false),
        (&stored, false),
        (&folder, false),
        (&gz, true),
        (&zst, true),
        (&deflated, true),
    ] {
        let (layers, end, read, total) = walk(path);
        assert_eq!(layers.seen, expected, "{}", path.display());
        assert!(
            layers.rewound.iter().all(|r| *r != streamed),
            "{}",
            path.display()
        );
        assert_eq!(
            end.listings.len(),
            usize::from(streamed),
            "{}",
            path.display()
        );
        if streamed {
            assert_eq!(
                Some(read),
                total,
                "{}: progress reaches the total",
                path.display()
            );
            let listed = &end.listings[0];
            assert_eq!(listed.images.len(), 1);
            assert_eq!(listed.images[0].id, img.id());
            assert_eq!(listed.images[0].diff_ids(), img.diff_ids());
        }
        if path == &plain {
            // Offset order: the archive order; the metadata written last comes last.
            assert_eq!(
                layers.offered.last().map(String::as_str),
                Some("index.json")
            );
        }
    }

    // Any reader of a tar, here the compressed bytes: one pass, listing at the end.
    let walk = Walk::reader("stream", Box::new(std::io::Cursor::new(gzip(&oci_tar))));
    assert!(walk.is_streamed());
    let mut layers = Layers::default();
    let end = walk.run(&mut layers, &AtomicU64::new(0)).unwrap();
    assert_eq!(layers.seen, expected);
    assert_eq!(end.listings[0].images[0].id, img.id());
}

#[test]
fn a_symlinked_layer_is_offered_once_under_its_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let img = image();
    let archive = skopeo_docker_archive(&img);
    let plain = dir.path().join("skopeo.tar");
    std::fs::write(&plain, &archive).unwrap();
    let gz = dir.path().join("skopeo.tar.gz");
    std::fs::write(&gz, gzip(&archive)).unwrap();
    for path in [&plain, &gz] {
        let (layers, _, _, _) = walk(path);
        let names: Vec<&String> = layers.seen.keys().collect();
        assert_eq!(names.len(), 2, "{}", path.display());
        assert!(
            names
                .iter()
                .all(|n| n.ends_with(".tar") && !n.contains('/'))
        );
        assert!(layers.offered.iter().all(|n| !n.contains("legacy")));
    }
    let report = haul::archive::inspect_with_cache(&gz, None).unwrap();
    let (layers, end, _, _) = walk(&gz);
    assert_eq!(end.listings[0].images, report.images);
    for layer in &report.images[0].layers {
        assert!(layers.seen.contains_key(&layer.path));
    }
}

#[test]
fn a_zip_with_two_tarballs_offers_a_shared_blob_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = image();
    let mut b = TestImage::new("other:2", "b", 1);
    b.layers.insert(0, a.layers[0].clone());
    let b = TestImage::with_layers(&["other:2"], b.layers, "amd64");
    let ta = legacy_docker_archive(std::slice::from_ref(&a));
    let tb = legacy_docker_archive(std::slice::from_ref(&b));
    for deflate in [false, true] {
        let zip = dir.path().join(format!("two-{deflate}.zip"));
        std::fs::write(&zip, zip_of(&[("a.tar", &ta), ("b.tar", &tb)], deflate)).unwrap();
        let (layers, end, _, _) = walk(&zip);
        assert_eq!(
            layers.seen.len(),
            3,
            "three distinct layers, shared one once"
        );
        assert_eq!(end.listings.len(), if deflate { 2 } else { 0 });
    }
}
