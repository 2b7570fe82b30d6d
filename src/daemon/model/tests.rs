//! The model against a fake engine that counts its calls: an event for one image costs one
//! inspect, not one per image.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use bollard::models::{ImageInspect, ImageInspectRootFs};

use super::events::touch;
use super::*;
use crate::archive::{ImageInfo, LayerInfo};
use crate::daemon::DaemonError;
use crate::digest;

#[derive(Debug, Clone)]
struct FakeImage {
    id: String,
    tags: Vec<String>,
    layers: Vec<u8>,
    size: u64,
    created: i64,
}

#[derive(Default)]
struct Fake {
    images: Mutex<Vec<FakeImage>>,
    lists: AtomicUsize,
    filtered_lists: AtomicUsize,
    inspects: AtomicUsize,
}

fn diff(n: u8) -> String {
    digest::sha256_of(&[n])
}

fn id(n: u32) -> String {
    format!("sha256:{n:064x}")
}

impl Fake {
    /// `n` images, each with its own top layer on a shared base layer 0.
    fn with(n: u32) -> Fake {
        let fake = Fake::default();
        for i in 1..=n {
            fake.add(i, &[&format!("app-{i}:1")]);
        }
        fake
    }

    fn add(&self, n: u32, tags: &[&str]) {
        self.images.lock().unwrap().push(FakeImage {
            id: id(n),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            layers: vec![0, n as u8],
            size: 1000 + n as u64,
            created: 1_700_000_000 + n as i64,
        });
    }

    /// `docker tag`: the name moves to image `n`.
    fn tag(&self, n: u32, name: &str) {
        for image in self.images.lock().unwrap().iter_mut() {
            image.tags.retain(|t| t != name);
            if image.id == id(n) {
                image.tags.push(name.to_string());
            }
        }
    }

    fn remove(&self, n: u32) {
        self.images.lock().unwrap().retain(|i| i.id != id(n));
    }

    fn counts(&self) -> (usize, usize, usize) {
        (
            self.lists.swap(0, Ordering::SeqCst),
            self.filtered_lists.swap(0, Ordering::SeqCst),
            self.inspects.swap(0, Ordering::SeqCst),
        )
    }

    fn row(image: &FakeImage) -> ImageRow {
        ImageRow {
            id: image.id.clone(),
            tags: image.tags.clone(),
            created: image.created,
            size: image.size,
            layer_count: None,
            dangling: image.tags.is_empty(),
            platforms: Vec::new(),
        }
    }
}

impl ImageSource for Fake {
    async fn list(&self, reference: Option<&str>) -> Result<Vec<ImageRow>, DaemonError> {
        match reference {
            None => self.lists.fetch_add(1, Ordering::SeqCst),
            Some(_) => self.filtered_lists.fetch_add(1, Ordering::SeqCst),
        };
        let images = self.images.lock().unwrap();
        Ok(images
            .iter()
            .filter(|i| reference.is_none_or(|r| i.tags.iter().any(|t| t == r)))
            .map(Fake::row)
            .collect())
    }

    async fn inspect(&self, reference: &str) -> Result<Option<ImageInspect>, DaemonError> {
        self.inspects.fetch_add(1, Ordering::SeqCst);
        let images = self.images.lock().unwrap();
        let found = images.iter().find(|i| {
            i.id == reference || i.id.ends_with(reference) || i.tags.iter().any(|t| t == reference)
        });
        Ok(found.map(|i| ImageInspect {
            id: Some(i.id.clone()),
            repo_tags: Some(i.tags.clone()),
            // The inspect's size is not the listing's (as on the containerd store).
            size: Some(i.size as i64 / 2),
            created: Some("2023-11-14T22:13:20Z".into()),
            os: Some("linux".into()),
            architecture: Some("amd64".into()),
            root_fs: Some(ImageInspectRootFs {
                typ: "layers".into(),
                layers: Some(i.layers.iter().map(|n| diff(*n)).collect()),
            }),
            ..Default::default()
        }))
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

fn archive_image(layers: &[u8]) -> ImageInfo {
    ImageInfo {
        layers: layers
            .iter()
            .map(|n| LayerInfo {
                diff_id: diff(*n),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn event(fake: &Fake, model: &mut ImageModel, action: &str, id: &str, name: &str) -> Vec<String> {
    let mut touched = Touched::default();
    touched.add(touch(action, id, Some(name)));
    rt().block_on(refresh(fake, model, &touched)).unwrap()
}

#[test]
fn a_start_is_one_listing_and_one_inspect_per_image() {
    let fake = Fake::with(50);
    let model = rt().block_on(load(&fake, ImageIds::ConfigDigest)).unwrap();
    assert_eq!(fake.counts(), (1, 0, 50));
    assert!(model.is_complete());
    let rows = model.rows(false);
    assert_eq!(rows.len(), 50);
    let listed = fake.images.lock().unwrap().clone();
    for image in &listed {
        let row = model.row(&image.id).unwrap();
        assert_eq!(row.tags, image.tags);
        assert_eq!(row.size, image.size, "the listing's size, as docker images");
        assert_eq!(row.created, image.created);
        assert_eq!(row.layer_count, Some(2));
    }
    assert_eq!(rows[0].id, id(50), "newest first");
}

#[test]
fn a_tag_event_inspects_that_image_only_and_the_tag_leaves_its_former_image() {
    let fake = Fake::with(50);
    let mut model = rt().block_on(load(&fake, ImageIds::ConfigDigest)).unwrap();
    fake.counts();
    for n in 1..=20 {
        let name = format!("moved:{n}");
        fake.tag(n, &name);
        let changed = event(&fake, &mut model, "tag", &id(n), &name);
        assert_eq!(changed, [id(n)]);
    }
    assert_eq!(
        fake.counts(),
        (0, 0, 20),
        "20 events, 20 inspects, no listing"
    );
    // `app-3:1` moves from image 3 to image 7: the engine sends `tag` for image 7 only.
    fake.tag(7, "app-3:1");
    event(&fake, &mut model, "tag", &id(7), "app-3:1");
    assert_eq!(fake.counts(), (0, 0, 1));
    assert_eq!(model.row(&id(3)).unwrap().tags, ["moved:3"]);
    assert_eq!(
        model.row(&id(7)).unwrap().tags,
        ["app-7:1", "moved:7", "app-3:1"]
    );
    assert_eq!(
        model.row(&id(7)).unwrap().size,
        1007,
        "size kept from the listing"
    );
}

#[test]
fn a_new_image_is_inspected_and_listed_by_its_tag_and_its_layers_count() {
    let fake = Fake::with(10);
    let mut model = rt().block_on(load(&fake, ImageIds::ConfigDigest)).unwrap();
    fake.counts();
    let incoming = archive_image(&[0, 99]);
    assert_eq!(model.holdings().layers_present(&incoming), [true, false]);
    fake.images.lock().unwrap().push(FakeImage {
        id: id(99),
        tags: vec!["new:1".into()],
        layers: vec![0, 99],
        size: 5000,
        created: 1_800_000_000,
    });
    event(&fake, &mut model, "load", &id(99), &id(99));
    assert_eq!(
        fake.counts(),
        (0, 1, 1),
        "one inspect, one listing by its tag"
    );
    let row = model.row(&id(99)).unwrap();
    assert_eq!((row.size, row.created), (5000, 1_800_000_000));
    assert_eq!(model.holdings().layers_present(&incoming), [true, true]);
    assert_eq!(model.rows(false)[0].id, id(99));
}

#[test]
fn a_delete_removes_the_image_and_only_the_layers_no_other_image_holds() {
    let fake = Fake::with(10);
    let mut model = rt().block_on(load(&fake, ImageIds::ConfigDigest)).unwrap();
    fake.counts();
    fake.remove(4);
    event(&fake, &mut model, "untag", &id(4), &id(4));
    event(&fake, &mut model, "delete", &id(4), &id(4));
    assert_eq!(fake.counts(), (0, 0, 2));
    assert!(model.row(&id(4)).is_none());
    assert_eq!(model.len(), 9);
    assert_eq!(
        model.holdings().layers_present(&archive_image(&[0, 4])),
        [true, false],
        "the base layer is still held by the others"
    );
}

#[test]
fn podman_names_images_by_bare_hex_and_removes_names_one_by_one() {
    let fake = Fake::with(3);
    let mut model = rt().block_on(load(&fake, ImageIds::ConfigDigest)).unwrap();
    fake.tag(2, "extra:1");
    let bare = id(2).trim_start_matches("sha256:").to_string();
    event(&fake, &mut model, "tag", &bare, "extra:1");
    assert_eq!(model.row(&id(2)).unwrap().tags, ["app-2:1", "extra:1"]);
    // A name that names nothing any more: taken from its image without asking the engine.
    fake.images.lock().unwrap()[1]
        .tags
        .retain(|t| t != "extra:1");
    fake.counts();
    let changed = model.looked(Looked::Gone {
        reference: "extra:1".into(),
    });
    assert_eq!(changed, Some(id(2)));
    assert_eq!(model.row(&id(2)).unwrap().tags, ["app-2:1"]);
    // Podman's `delete` for one name while the image keeps another: the inspect decides.
    event(&fake, &mut model, "delete", &bare, "app-2:1");
    assert!(model.row(&id(2)).is_some());
}

#[test]
fn an_event_naming_no_image_lists_again_and_inspects_only_what_is_new() {
    let fake = Fake::with(30);
    let mut model = rt().block_on(load(&fake, ImageIds::ConfigDigest)).unwrap();
    fake.counts();
    fake.add(31, &["loaded:1"]);
    fake.remove(5);
    fake.tag(6, "renamed:1");
    let changed = event(
        &fake,
        &mut model,
        "loadfromarchive",
        "",
        "/var/tmp/api_load.tar1",
    );
    assert_eq!(changed, [id(31)]);
    assert_eq!(
        fake.counts(),
        (1, 0, 1),
        "one listing, one inspect (the new image)"
    );
    assert!(model.row(&id(5)).is_none());
    assert_eq!(model.row(&id(6)).unwrap().tags, ["app-6:1", "renamed:1"]);
    assert_eq!(model.row(&id(31)).unwrap().layer_count, Some(2));
    assert_eq!(model.len(), 30);
}

#[test]
fn listed_images_show_before_their_inspect_and_untagged_ones_only_with_all() {
    let fake = Fake::with(2);
    fake.add(3, &[]);
    let mut model = ImageModel::new(ImageIds::ConfigDigest);
    let rows = rt().block_on(fake.list(None)).unwrap();
    let new = model.listed(rows);
    assert_eq!(new, [id(1), id(2), id(3)]);
    assert!(!model.is_complete());
    assert_eq!(model.rows(false).len(), 2);
    assert_eq!(model.rows(true).len(), 3);
    assert_eq!(model.rows(true)[0].layer_count, None, "not inspected yet");
    assert!(model.holdings().is_empty());
}

#[test]
fn creation_times_parse_as_unix_seconds() {
    assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(
        unix_seconds("2023-11-14T22:13:20.123456789Z"),
        Some(1_700_000_000)
    );
    assert_eq!(
        unix_seconds("2023-11-15T00:13:20+02:00"),
        Some(1_700_000_000)
    );
    assert_eq!(unix_seconds("2000-02-29T00:00:00Z"), Some(951_782_400));
    assert_eq!(unix_seconds("yesterday"), None);
}
