//! The daemon's images by use: dangling, unused, in use by a container.

use std::collections::HashMap;

use bollard::query_parameters::ListContainersOptions;

use super::{Category, Item};
use crate::daemon::{Daemon, DaemonError, summaries, tags};

/// Containers (running or stopped) per image ID.
async fn containers_per_image(daemon: &Daemon) -> Result<HashMap<String, usize>, DaemonError> {
    let options = ListContainersOptions {
        all: true,
        ..Default::default()
    };
    let containers = daemon
        .meta()
        .list_containers(Some(options))
        .await
        .map_err(|e| daemon.error("list containers", e))?;
    let mut per_image = HashMap::new();
    for container in containers {
        if let Some(id) = container.image_id {
            *per_image.entry(id).or_insert(0) += 1;
        }
    }
    Ok(per_image)
}

/// Every top-level image of the daemon (intermediate build images are parts of others).
pub async fn daemon_items(daemon: &Daemon) -> Result<Vec<Item>, DaemonError> {
    let users = containers_per_image(daemon).await?;
    let mut items: Vec<Item> = summaries(daemon, false)
        .await?
        .into_iter()
        .map(|s| {
            let tags: Vec<String> = s
                .repo_tags
                .into_iter()
                .filter(|t| t != "<none>:<none>")
                .collect();
            let containers = users.get(&s.id).copied().unwrap_or(0);
            let category = match (containers, tags.is_empty()) {
                (0, true) => Category::Dangling,
                (0, false) => Category::Unused,
                _ => Category::InUse,
            };
            Item {
                category,
                name: if tags.is_empty() {
                    "<none>".to_string()
                } else {
                    tags.join(", ")
                },
                id: Some(s.id),
                path: None,
                size: s.size.max(0) as u64,
                time: s.created,
                note: if containers > 0 {
                    crate::units::count(containers, "container")
                } else {
                    String::new()
                },
            }
        })
        .collect();
    items.sort_by(|a, b| a.category.cmp(&b.category).then(b.size.cmp(&a.size)));
    Ok(items)
}

/// Remove the images among `items` (dangling and unused ones only), each with every tag.
/// Containers are listed again first: an image a container started using since is skipped.
/// Returns one result per image.
pub async fn remove_images(
    daemon: &Daemon,
    items: &[Item],
) -> Result<Vec<(Item, Result<(), String>)>, DaemonError> {
    let users = containers_per_image(daemon).await?;
    let mut results = Vec::new();
    for item in items.iter().filter(|i| i.cleanable()) {
        let Some(id) = &item.id else { continue };
        let result = if users.contains_key(id) {
            Err(format!(
                "{}: a container uses it now; kept",
                crate::units::short_id(id)
            ))
        } else {
            tags::remove_image(daemon, id)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        results.push((item.clone(), result));
    }
    Ok(results)
}
