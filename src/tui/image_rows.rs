//! Rows of the Images pane: one per tag (an image with three tags is three rows, an untagged
//! image one), or one per image (`T` toggles). Both are views of the daemon's image list.

use super::state::Filterable;
use crate::daemon::ImageRow;

#[derive(Debug, Clone, PartialEq)]
pub struct ImageEntry {
    pub image: ImageRow,
    /// The tag this row stands for (per tag), or the first tag (per image); `None`: untagged.
    pub tag: Option<String>,
    /// One row per image: this row stands for all the image's tags.
    pub per_image: bool,
}

impl ImageEntry {
    /// The rows for `images`, one per tag or one per image.
    pub fn rows(images: &[ImageRow], per_tag: bool) -> Vec<ImageEntry> {
        let mut out = Vec::with_capacity(images.len());
        for image in images {
            if per_tag && image.tags.len() > 1 {
                out.extend(image.tags.iter().map(|t| ImageEntry {
                    image: image.clone(),
                    tag: Some(t.clone()),
                    per_image: false,
                }));
            } else {
                out.push(ImageEntry {
                    image: image.clone(),
                    tag: image.tags.first().cloned(),
                    per_image: !per_tag,
                });
            }
        }
        out
    }

    /// The tag, or `<none>`.
    pub fn name(&self) -> &str {
        self.tag.as_deref().unwrap_or("<none>")
    }

    /// How the image is named for the daemon: the row's tag, else its ID.
    pub fn reference(&self) -> &str {
        self.tag.as_deref().unwrap_or(&self.image.id)
    }

    /// Tags of the image this row does not show.
    pub fn hidden_tags(&self) -> usize {
        if self.per_image {
            self.image.tags.len().saturating_sub(1)
        } else {
            0
        }
    }
}

impl Filterable for ImageEntry {
    fn key(&self) -> String {
        match (&self.tag, self.per_image) {
            (Some(tag), false) => format!("{}\n{tag}", self.image.id),
            _ => self.image.id.clone(),
        }
    }
    fn matches(&self, needle: &str) -> bool {
        let tags: &[String] = if self.per_image {
            &self.image.tags
        } else {
            self.tag.as_slice()
        };
        self.image.id.contains(needle) || tags.iter().any(|t| t.to_lowercase().contains(needle))
    }
    fn sort_name(&self) -> String {
        self.name().to_string()
    }
    fn sort_size(&self) -> u64 {
        self.image.size
    }
    fn sort_time(&self) -> i64 {
        self.image.created
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_tag_or_per_image() {
        let image = |id: &str, tags: &[&str]| ImageRow {
            id: id.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            created: 0,
            size: 1,
            layer_count: Some(1),
            dangling: tags.is_empty(),
            platforms: Vec::new(),
        };
        let images = vec![image("a", &["x:1", "x:2"]), image("b", &[])];
        let per_tag = ImageEntry::rows(&images, true);
        let names: Vec<&str> = per_tag.iter().map(|e| e.name()).collect();
        assert_eq!(names, ["x:1", "x:2", "<none>"]);
        assert_ne!(per_tag[0].key(), per_tag[1].key());
        assert_eq!(per_tag[2].reference(), "b");
        let per_image = ImageEntry::rows(&images, false);
        assert_eq!(per_image.len(), 2);
        assert_eq!(per_image[0].hidden_tags(), 1);
        assert!(
            per_image[0].matches("x:2"),
            "a row per image matches any tag"
        );
        assert!(!per_tag[0].matches("x:2"));
    }
}
