//! The image config blob: platform, runtime config, rootfs diff IDs and history.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Healthcheck, HistoryEntry, ImageInfo, Problem};

#[derive(Debug, Deserialize, Default)]
struct RawConfig {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
    variant: Option<String>,
    created: Option<String>,
    #[serde(default)]
    config: Option<RuntimeConfig>,
    rootfs: Option<RootFs>,
    #[serde(default)]
    history: Vec<RawHistory>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct RuntimeConfig {
    entrypoint: Option<Vec<String>>,
    cmd: Option<Vec<String>>,
    env: Option<Vec<String>>,
    working_dir: Option<String>,
    user: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    volumes: Option<BTreeMap<String, serde_json::Value>>,
    healthcheck: Option<RawHealthcheck>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct RawHealthcheck {
    #[serde(default)]
    test: Vec<String>,
    interval: Option<i64>,
    timeout: Option<i64>,
    start_period: Option<i64>,
    retries: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct RootFs {
    #[serde(default)]
    diff_ids: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawHistory {
    created: Option<String>,
    created_by: Option<String>,
    comment: Option<String>,
    #[serde(default)]
    empty_layer: bool,
}

/// An image config, parsed: the image fields it determines, and its diff IDs in order.
pub struct ParsedConfig {
    pub image: ImageInfo,
    pub diff_ids: Vec<String>,
}

/// Parse a config blob. `name` is used in error messages.
pub fn parse(name: &str, bytes: &[u8]) -> Result<ParsedConfig, Problem> {
    let raw: RawConfig = serde_json::from_slice(bytes).map_err(|e| Problem::BadJson {
        name: name.to_string(),
        detail: e.to_string(),
    })?;
    let diff_ids = raw.rootfs.map(|r| r.diff_ids).unwrap_or_default();
    if let Some(bad) = diff_ids.iter().find(|d| !crate::digest::is_valid(d)) {
        return Err(Problem::Invalid(format!(
            "{name}: diff ID {bad:?} is not a digest"
        )));
    }
    let rc = raw.config.unwrap_or_default();
    // The n-th history entry that is not empty_layer made the n-th layer.
    let mut next_layer = 0;
    let history = raw
        .history
        .into_iter()
        .map(|h| {
            let layer = (!h.empty_layer && next_layer < diff_ids.len()).then(|| {
                next_layer += 1;
                next_layer - 1
            });
            HistoryEntry {
                created: h.created,
                created_by: h.created_by,
                comment: h.comment,
                empty_layer: h.empty_layer,
                layer,
            }
        })
        .collect();
    let image = ImageInfo {
        id: crate::digest::sha256_of(bytes),
        os: raw.os,
        architecture: raw.architecture,
        variant: raw.variant.filter(|v| !v.is_empty()),
        created: raw.created,
        entrypoint: rc.entrypoint,
        cmd: rc.cmd,
        env: rc.env.unwrap_or_default(),
        working_dir: rc.working_dir.filter(|w| !w.is_empty()),
        user: rc.user.filter(|u| !u.is_empty()),
        labels: rc.labels.unwrap_or_default(),
        exposed_ports: rc
            .exposed_ports
            .map(|p| p.into_keys().collect())
            .unwrap_or_default(),
        volumes: rc
            .volumes
            .map(|v| v.into_keys().collect())
            .unwrap_or_default(),
        healthcheck: rc.healthcheck.map(|h| Healthcheck {
            test: h.test,
            interval_ns: h.interval,
            timeout_ns: h.timeout,
            start_period_ns: h.start_period,
            retries: h.retries,
        }),
        history,
        ..ImageInfo::default()
    };
    Ok(ParsedConfig { image, diff_ids })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_history_to_layers_skipping_empty_entries() {
        let d1 = crate::digest::sha256_of(b"1");
        let d2 = crate::digest::sha256_of(b"2");
        let json = format!(
            r#"{{"architecture":"arm64","os":"linux","variant":"v8","config":{{"Cmd":["sh"],"Env":["A=1"],
            "ExposedPorts":{{"80/tcp":{{}}}},"Labels":{{"k":"v"}},
            "Volumes":{{"/data":{{}}}},"Healthcheck":{{"Test":["CMD-SHELL","true"],"Interval":30000000000,"Retries":3}}}},"rootfs":{{"type":"layers","diff_ids":["{d1}","{d2}"]}},
            "history":[{{"created_by":"ADD x"}},{{"created_by":"ENV A=1","empty_layer":true}},{{"created_by":"COPY y"}}]}}"#
        );
        let parsed = parse("config", json.as_bytes()).unwrap();
        assert_eq!(parsed.diff_ids, vec![d1, d2]);
        let img = parsed.image;
        assert_eq!(img.platform(), "linux/arm64/v8");
        assert_eq!(
            img.history.iter().map(|h| h.layer).collect::<Vec<_>>(),
            vec![Some(0), None, Some(1)]
        );
        assert_eq!(img.exposed_ports, vec!["80/tcp"]);
        assert_eq!(img.volumes, vec!["/data"]);
        let health = img.healthcheck.as_ref().expect("healthcheck");
        assert_eq!(health.describe(), "CMD-SHELL true (every 30s, 3 retries)");
        assert_eq!(img.id, crate::digest::sha256_of(json.as_bytes()));
    }

    #[test]
    fn rejects_bad_json_and_bad_digests() {
        assert!(matches!(
            parse("c.json", b"{nope"),
            Err(Problem::BadJson { .. })
        ));
        let bad = br#"{"rootfs":{"diff_ids":["sha256:../../x"]}}"#;
        assert!(matches!(parse("c.json", bad), Err(Problem::Invalid(_))));
    }
}
