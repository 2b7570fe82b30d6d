//! Naming daemon images: tag, untag, and remove an image with every tag. Never forced: an
//! image a container uses stays, with the daemon's reason.

use bollard::query_parameters::{RemoveImageOptions, TagImageOptions};

use super::{Daemon, DaemonError};

/// `registry:5000/app:1.0` -> (`registry:5000/app`, `1.0`); no tag means `latest`.
pub fn split_reference(name: &str) -> (&str, &str) {
    match name.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (name, "latest"),
    }
}

/// `app` -> `app:latest`; a name with a tag stays as it is.
pub fn with_tag(name: &str) -> String {
    let (repo, tag) = split_reference(name);
    format!("{repo}:{tag}")
}

/// Give `image` (an ID or a name) the name `name` (`repo[:tag]`).
pub async fn tag(daemon: &Daemon, image: &str, name: &str) -> Result<(), DaemonError> {
    let (repo, tag) = split_reference(name);
    daemon
        .meta()
        .tag_image(
            image,
            Some(TagImageOptions {
                repo: Some(repo.to_string()),
                tag: Some(tag.to_string()),
            }),
        )
        .await
        .map_err(|e| daemon.error(format!("tag {name}"), e))
}

/// Remove the name `name` (`repo:tag`). When it was the image's last name the daemon removes
/// the image too (unless a container uses it, then it refuses).
pub async fn untag(daemon: &Daemon, name: &str) -> Result<(), DaemonError> {
    let options = RemoveImageOptions {
        force: false,
        noprune: false,
        ..Default::default()
    };
    daemon
        .meta()
        .remove_image(name, Some(options), None)
        .await
        .map(|_| ())
        .map_err(|e| daemon.error(format!("untag {name}"), e))
}

/// Remove the image `id` with every tag it has (one untag per tag; the last one removes the
/// image), or by ID when it has none. Returns the names removed.
pub async fn remove_image(daemon: &Daemon, id: &str) -> Result<Vec<String>, DaemonError> {
    let inspect = daemon.inspect_raw(id).await?;
    let mut names: Vec<String> = inspect
        .repo_tags
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t != "<none>:<none>")
        .collect();
    if names.is_empty() {
        names.push(id.to_string());
    }
    for name in &names {
        daemon
            .meta()
            .remove_image(name, None::<RemoveImageOptions>, None)
            .await
            .map_err(|e| daemon.error(format!("remove {name}"), e))?;
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_after_the_last_slash() {
        assert_eq!(split_reference("app:1.0"), ("app", "1.0"));
        assert_eq!(split_reference("reg:5000/app"), ("reg:5000/app", "latest"));
        assert_eq!(with_tag("reg:5000/a/b"), "reg:5000/a/b:latest");
        assert_eq!(with_tag("a/b:x"), "a/b:x");
    }
}
