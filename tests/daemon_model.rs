//! The model of the engine's images follows its events on every engine: each event costs one
//! inspect of the image it names, a burst one inspect per image, never a listing.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bollard::models::ImageInspect;
use common::docker::unique_name;
use common::engines::each_engine;
use futures_util::{Stream, StreamExt};
use haul::daemon::model::events::image_events;
use haul::daemon::model::{ImageSource, Listed, Touch, Touched, load, refresh};
use haul::daemon::{Daemon, DaemonError};

/// The engine, counting the calls the model makes.
struct Counting<'a> {
    daemon: &'a Daemon,
    lists: AtomicUsize,
    listed: AtomicUsize,
    inspects: AtomicUsize,
}

impl Counting<'_> {
    /// (listings, images they returned, inspects) since the last call.
    fn take(&self) -> (usize, usize, usize) {
        (
            self.lists.swap(0, Ordering::SeqCst),
            self.listed.swap(0, Ordering::SeqCst),
            self.inspects.swap(0, Ordering::SeqCst),
        )
    }
}

impl ImageSource for Counting<'_> {
    async fn list(&self, reference: Option<&str>) -> Result<Vec<Listed>, DaemonError> {
        let rows = self.daemon.list(reference).await?;
        self.lists.fetch_add(1, Ordering::SeqCst);
        self.listed.fetch_add(rows.len(), Ordering::SeqCst);
        Ok(rows)
    }

    async fn inspect(&self, reference: &str) -> Result<Option<ImageInspect>, DaemonError> {
        self.inspects.fetch_add(1, Ordering::SeqCst);
        self.daemon.inspect(reference).await
    }
}

fn now() -> String {
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    format!("{}.{:09}", t.as_secs(), t.subsec_nanos())
}

/// The next `n` events naming image `id` (other tests' events on the shared engine are skipped).
async fn next_touches(
    events: &mut (impl Stream<Item = Result<Touch, DaemonError>> + Unpin),
    id: &str,
    n: usize,
) -> Vec<Touch> {
    let mut out = Vec::new();
    while out.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(30), events.next())
            .await
            .unwrap_or_else(|_| panic!("only {} of {n} events for {id} in 30 s", out.len()));
        let touch = next.expect("event stream open").expect("event");
        if matches!(&touch, Touch::Image { reference, .. } if reference == id) {
            out.push(touch);
        }
    }
    out
}

#[test]
fn the_model_inspects_one_image_per_event_never_every_image() {
    each_engine(
        "the_model_inspects_one_image_per_event_never_every_image",
        |engine| {
            let mut images = engine.images();
            let base = engine.small_base("model", &mut images);
            let id = engine.image_id(&base);
            let rt = tokio::runtime::Runtime::new().unwrap();
            let daemon = engine.connect(&rt);
            let source = Counting {
                daemon: &daemon,
                lists: AtomicUsize::new(0),
                listed: AtomicUsize::new(0),
                inspects: AtomicUsize::new(0),
            };
            let since = now();
            let mut model = rt.block_on(load(&source, daemon.engine().ids)).unwrap();
            let (lists, listed, inspects) = source.take();
            assert_eq!(lists, 1, "one listing at start");
            assert_eq!(inspects, listed, "one inspect per listed image");
            assert!(model.is_complete());
            assert!(model.row(&id).is_some(), "the test's image is in the model");

            let names: Vec<String> = (0..20)
                .map(|i| unique_name("model", &format!("t{i}")))
                .collect();
            for name in &names {
                images.track(name);
                engine.run(&["tag", &base, name]);
            }
            let mut events = Box::pin(image_events(&daemon, since));
            for touch in rt.block_on(next_touches(&mut events, &id, 20)) {
                let mut one = Touched::default();
                one.add(touch);
                let changed = rt.block_on(refresh(&source, &mut model, &one)).unwrap();
                assert_eq!(changed, std::slice::from_ref(&id));
            }
            assert_eq!(
                source.take(),
                (0, 0, 20),
                "20 tag events: 20 inspects of that image, no listing"
            );
            let mut tags = model.row(&id).unwrap().tags;
            tags.sort();
            assert_eq!(tags, engine.tags(&base));

            // A burst: ten untags, one inspect.
            for name in &names[..10] {
                engine.run(&["rmi", name]);
            }
            let mut burst = Touched::default();
            for touch in rt.block_on(next_touches(&mut events, &id, 10)) {
                burst.add(touch);
            }
            rt.block_on(refresh(&source, &mut model, &burst)).unwrap();
            assert_eq!(
                source.take(),
                (0, 0, 1),
                "a burst about one image: one inspect"
            );
            let mut tags = model.row(&id).unwrap().tags;
            tags.sort();
            assert_eq!(tags, engine.tags(&base));
            assert_eq!(tags.len(), 11);

            // Removing every name removes the image, and the model follows.
            for name in names[10..].iter().chain([&base]) {
                engine.run(&["rmi", name]);
            }
            let mut seen = 0;
            while model.row(&id).is_some() {
                assert!(
                    seen < 40,
                    "the image stays in the model after {seen} events"
                );
                let touch = rt.block_on(next_touches(&mut events, &id, 1));
                let mut one = Touched::default();
                one.add(touch.into_iter().next().unwrap());
                rt.block_on(refresh(&source, &mut model, &one)).unwrap();
                seen += 1;
            }
            let (lists, _, inspects) = source.take();
            assert_eq!((lists, inspects), (0, seen));
            assert!(!engine.exists(&id));
        },
    );
}
