//! Matching `docker history` entries to layers.
//!
//! The history endpoint does not say which entries made a layer (`empty_layer` is not exposed);
//! it gives each entry the size of its layer, 0 for entries without one. Entries with a size
//! are layers; a zero-size entry is a layer only when the counts say so and its command is not
//! a metadata-only instruction.

use bollard::models::ImageHistoryResponseItem;

use crate::archive::HistoryEntry;

/// Instructions that never make a layer.
const METADATA_ONLY: [&str; 14] = [
    "ENV",
    "CMD",
    "LABEL",
    "EXPOSE",
    "ENTRYPOINT",
    "WORKDIR",
    "USER",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
    "VOLUME",
    "MAINTAINER",
];

fn is_metadata_only(created_by: &str) -> bool {
    let text = created_by
        .trim()
        .strip_prefix("/bin/sh -c #(nop)")
        .map(str::trim)
        .unwrap_or(created_by.trim());
    if created_by.contains("#(nop)") && !text.starts_with("ADD") && !text.starts_with("COPY") {
        return true;
    }
    let word = text.split_whitespace().next().unwrap_or("");
    METADATA_ONLY.contains(&word)
}

/// History oldest first, with each entry that made a layer pointing at its index in a stack of
/// `layer_count` layers. Returns the entries and, per layer, its size and `created_by`.
pub fn match_layers(
    items: &[ImageHistoryResponseItem],
    layer_count: usize,
) -> (Vec<HistoryEntry>, Vec<(u64, Option<String>)>) {
    let oldest_first: Vec<&ImageHistoryResponseItem> = items.iter().rev().collect();
    let mut is_layer: Vec<bool> = oldest_first.iter().map(|h| h.size > 0).collect();
    let mut count = is_layer.iter().filter(|l| **l).count();
    // Zero-size layers (e.g. a COPY of an empty folder): promote candidates oldest first.
    for (i, item) in oldest_first.iter().enumerate() {
        if count >= layer_count {
            break;
        }
        if !is_layer[i] && !is_metadata_only(&item.created_by) {
            is_layer[i] = true;
            count += 1;
        }
    }
    let consistent = count == layer_count;
    let mut entries = Vec::with_capacity(oldest_first.len());
    let mut layers = Vec::with_capacity(layer_count);
    for (item, layer) in oldest_first.iter().zip(is_layer) {
        let index = (consistent && layer).then_some(layers.len());
        if index.is_some() {
            layers.push((
                item.size.max(0) as u64,
                Some(item.created_by.clone()).filter(|s| !s.is_empty()),
            ));
        }
        entries.push(HistoryEntry {
            created: chrono_free_rfc3339(item.created),
            created_by: Some(item.created_by.clone()).filter(|s| !s.is_empty()),
            comment: Some(item.comment.clone()).filter(|s| !s.is_empty()),
            empty_layer: !layer,
            layer: index,
        });
    }
    if !consistent {
        layers = vec![(0, None); layer_count];
    }
    (entries, layers)
}

/// Unix seconds -> `YYYY-MM-DDTHH:MM:SSZ` (UTC), without a date crate.
pub fn chrono_free_rfc3339(secs: i64) -> Option<String> {
    if secs <= 0 {
        return None;
    }
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = crate::calendar::civil_from_days(days);
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(created_by: &str, size: i64) -> ImageHistoryResponseItem {
        ImageHistoryResponseItem {
            created_by: created_by.into(),
            size,
            created: 1_700_000_000,
            ..Default::default()
        }
    }

    #[test]
    fn layers_are_sized_entries_and_zero_size_copies() {
        // Newest first, as the daemon sends them.
        let items = vec![
            item("CMD [\"/app\"]", 0),
            item("COPY empty/ /e # buildkit", 0),
            item("COPY app /app # buildkit", 100),
            item("/bin/sh -c #(nop)  ENV A=1", 0),
            item("", 500),
        ];
        let (entries, layers) = match_layers(&items, 3);
        assert_eq!(layers.len(), 3);
        assert_eq!(layers[0].0, 500);
        assert_eq!(layers[1].0, 100);
        assert_eq!(layers[2], (0, Some("COPY empty/ /e # buildkit".into())));
        assert!(entries[1].empty_layer);
        assert_eq!(entries[4].layer, None);
        assert_eq!(entries[3].layer, Some(2));
    }

    #[test]
    fn inconsistent_counts_leave_layers_unattributed() {
        let (_, layers) = match_layers(&[item("x", 5)], 2);
        assert_eq!(layers, vec![(0, None), (0, None)]);
    }

    #[test]
    fn formats_unix_time() {
        assert_eq!(chrono_free_rfc3339(0), None);
        assert_eq!(
            chrono_free_rfc3339(1_700_000_000).unwrap(),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(
            chrono_free_rfc3339(951_782_400).unwrap(),
            "2000-02-29T00:00:00Z"
        );
    }
}
