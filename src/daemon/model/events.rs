//! Which image an event names. What the engines send (checked on Docker 20.10, 26.1 classic
//! and containerd stores, Podman 4.3.1):
//!
//! | | Docker classic | Docker containerd store | Podman |
//! |---|---|---|---|
//! | `Actor.ID` | the image ID, every action | the image ID | the ID as bare hex; empty for `loadfromarchive` |
//! | tag moved from A to B | `tag` on B only | `tag` on B only | `tag` on B only |
//! | `untag` | per removed name, `name` = the ID | `name` = the tag | `name` = the tag |
//! | `delete` | the image is gone | the image is gone | one per removed name: the image may remain |
//! | a load | `load` with the ID | `load` with the ID | `loadfromarchive`, naming only the file |
//! | unchanged | `save`, `push` | same | `save`, `push`, `mount`, `unmount`, `cleanup` |
//!
//! So: a moved tag is taken from its former image by the model itself; an event is always
//! followed by an inspect (the truth), never trusted for what it says happened; an event that
//! names no image means one listing.

use std::collections::BTreeMap;

use bollard::models::EventMessage;
use bollard::query_parameters::EventsOptions;
use futures_util::{Stream, StreamExt};

use crate::daemon::{Daemon, DaemonError};

/// What an image event means for the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touch {
    /// Nothing the model shows changed.
    Nothing,
    /// This image (an ID or a name) changed: inspect it. `new`: it may be an image not seen
    /// before (a load, pull, import, build, commit).
    Image { reference: String, new: bool },
    /// The event names no image (Podman's load from an archive, a prune): list again.
    Unknown,
}

/// `sha256:` + a bare 64-hex ID (Podman's events); anything else as it is.
pub fn image_id(reference: &str) -> String {
    if reference.len() == 64 && reference.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("sha256:{reference}")
    } else {
        reference.to_string()
    }
}

/// What an event with this action, `Actor.ID` and `name` attribute means.
pub fn touch(action: &str, id: &str, name: Option<&str>) -> Touch {
    match action {
        "save" | "push" | "mount" | "unmount" | "cleanup" | "exists" | "export" => {
            return Touch::Nothing;
        }
        "prune" => return Touch::Unknown,
        _ => {}
    }
    let new = matches!(
        action,
        "load" | "pull" | "import" | "build" | "commit" | "create" | "loadfromarchive"
    );
    let named = name.filter(|n| !n.is_empty() && !n.starts_with('/'));
    match (id.trim(), named) {
        ("", None) => Touch::Unknown,
        ("", Some(name)) => Touch::Image {
            reference: image_id(name),
            new,
        },
        (id, _) => Touch::Image {
            reference: image_id(id),
            new,
        },
    }
}

/// The Touch of an event from the engine.
pub fn touch_of(event: &EventMessage) -> Touch {
    let actor = event.actor.as_ref();
    let id = actor.and_then(|a| a.id.as_deref()).unwrap_or("");
    let name = actor
        .and_then(|a| a.attributes.as_ref())
        .and_then(|a| a.get("name"))
        .map(String::as_str);
    touch(event.action.as_deref().unwrap_or(""), id, name)
}

/// What a burst of events touched: each image once, and whether to list again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// Reference -> may be new.
    pub images: BTreeMap<String, bool>,
    pub relist: bool,
}

impl Touched {
    pub fn add(&mut self, touch: Touch) {
        match touch {
            Touch::Nothing => {}
            Touch::Image { reference, new } => *self.images.entry(reference).or_default() |= new,
            Touch::Unknown => self.relist = true,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.images.is_empty() && !self.relist
    }
}

/// The engine's image events from `since` (Unix seconds, fractional) on, as [`Touch`]es.
pub fn image_events(
    daemon: &Daemon,
    since: String,
) -> impl Stream<Item = Result<Touch, DaemonError>> + Send + 'static {
    let options = EventsOptions {
        since: Some(since),
        until: None,
        filters: Some(
            [("type".to_string(), vec!["image".to_string()])]
                .into_iter()
                .collect(),
        ),
    };
    let daemon = daemon.clone();
    daemon
        .meta()
        .events(Some(options))
        .map(move |event| match event {
            Ok(event) => Ok(touch_of(&event)),
            Err(e) => Err(daemon.error("events", e)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "9b7f150d764d2e0c6279541860f9e74a9fdbc49feeaf9dfe1b60c59c179e86e5";

    #[test]
    fn events_name_their_image_or_ask_for_a_listing() {
        let id = format!("sha256:{HEX}");
        assert_eq!(
            touch("tag", &id, Some("app:1")),
            Touch::Image {
                reference: id.clone(),
                new: false
            }
        );
        assert_eq!(
            touch("untag", HEX, Some("docker.io/app:1")),
            Touch::Image {
                reference: id.clone(),
                new: false
            },
            "Podman's bare hex IDs become image IDs"
        );
        assert_eq!(
            touch("pull", "busybox:latest", None),
            Touch::Image {
                reference: "busybox:latest".into(),
                new: true
            }
        );
        assert_eq!(
            touch("build", "", Some(HEX)),
            Touch::Image {
                reference: id.clone(),
                new: true
            }
        );
        assert_eq!(
            touch(
                "loadfromarchive",
                "",
                Some("/var/tmp/api_load.tar1553642399")
            ),
            Touch::Unknown,
            "a file name is not an image"
        );
        assert_eq!(touch("prune", "", None), Touch::Unknown);
        assert_eq!(touch("save", &id, None), Touch::Nothing);
    }

    #[test]
    fn a_burst_names_each_image_once() {
        let mut touched = Touched::default();
        assert!(touched.is_empty());
        touched.add(touch("tag", "sha256:a", None));
        touched.add(touch("load", "sha256:a", None));
        touched.add(touch("untag", "sha256:a", None));
        touched.add(touch("save", "sha256:b", None));
        assert_eq!(touched.images.len(), 1);
        assert_eq!(touched.images.get("sha256:a"), Some(&true));
        assert!(!touched.relist);
        touched.add(Touch::Unknown);
        assert!(touched.relist);
    }
}
