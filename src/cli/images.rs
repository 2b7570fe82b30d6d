//! `haul images [--json] [--all] [--layers]`: the daemon's images, from one listing call (like
//! `docker images`); `--layers` adds the layer counts, at one inspect per image, as does the
//! PLATFORM column on the containerd store.

use std::process::ExitCode;

use super::common::{fail, run};
use crate::archive::ArchiveReport;
use crate::daemon::{Connection, Daemon, ImageRow, inspect_report, list_images};
use crate::units;

#[derive(Debug, clap::Args)]
pub struct ImagesArgs {
    /// One JSON array of images on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also show dangling and intermediate images.
    #[arg(long, short = 'a')]
    pub all: bool,
    /// Count each image's layers (one inspect per image): a LAYERS column, `layer_count` in JSON.
    #[arg(long)]
    pub layers: bool,
}

pub fn main(args: ImagesArgs, host: Option<String>) -> ExitCode {
    run(async move {
        // Listing needs no description of the engine: two calls, as `docker images` makes. On
        // Docker 25+ one `/info` more tells whether the store is the containerd one, whose
        // listing lacks the platforms (then one inspect per image gives them).
        let connection = match Connection::open_default(host).await {
            Ok(c) => c,
            Err(e) => return fail(e),
        };
        let listed = if connection.store_unknown() {
            match connection.describe().await {
                Ok(daemon) => list_images(&daemon, args.all, args.layers).await,
                Err(e) => Err(e),
            }
        } else {
            list_images(&connection, args.all, args.layers).await
        };
        let rows = match listed {
            Ok(rows) => rows,
            Err(e) => return fail(e),
        };
        if args.json {
            match serde_json::to_string_pretty(&rows) {
                Ok(text) => say!("{text}\n"),
                Err(e) => return fail(e),
            }
        } else {
            say!("{}", table(&rows, now_secs()));
        }
        ExitCode::SUCCESS
    })
}

/// For `haul inspect docker://NAME`: the daemon image as an [`ArchiveReport`], from synchronous
/// code (starts its own runtime). The error is one line naming what failed.
pub fn daemon_inspect(name: &str, host: Option<String>) -> Result<ArchiveReport, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    rt.block_on(async {
        let daemon = Daemon::connect_default(host)
            .await
            .map_err(|e| e.to_string())?;
        inspect_report(&daemon, name)
            .await
            .map_err(|e| format!("docker://{name}: {e}"))
    })
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// "3 days ago" style age.
pub fn age(created: i64, now: i64) -> String {
    let secs = (now - created).max(0);
    let (n, unit) = match secs {
        s if s < 60 => return "just now".into(),
        s if s < 3600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s if s < 86_400 * 30 => (s / 86_400, "day"),
        s if s < 86_400 * 365 => (s / (86_400 * 30), "month"),
        s => (s / (86_400 * 365), "year"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// The text table: one line per tag (dangling images as `<none>`); a LAYERS column when the
/// rows have layer counts, a PLATFORM column when they have platforms (a multi-platform store).
pub fn table(rows: &[ImageRow], now: i64) -> String {
    let layers = rows.iter().any(|r| r.layer_count.is_some());
    let platforms = rows.iter().any(|r| !r.platforms.is_empty());
    let mut lines = vec![[
        "TAG".to_string(),
        "ID".to_string(),
        "CREATED".to_string(),
        "SIZE".to_string(),
        "LAYERS".to_string(),
        "PLATFORM".to_string(),
    ]];
    for row in rows {
        let names: Vec<String> = if row.tags.is_empty() {
            vec!["<none>".into()]
        } else {
            row.tags.clone()
        };
        for name in names {
            lines.push([
                name,
                units::short_id(&row.id).to_string(),
                age(row.created, now),
                units::bytes(row.size),
                row.layer_count.map(|n| n.to_string()).unwrap_or_default(),
                row.platforms.join(","),
            ]);
        }
    }
    let shown: Vec<usize> = (0..6)
        .filter(|c| (*c != 4 || layers) && (*c != 5 || platforms))
        .collect();
    let widths: Vec<usize> = (0..6)
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in lines {
        let cells: Vec<String> = shown
            .iter()
            .map(|c| {
                let (cell, w) = (&line[*c], widths[*c]);
                format!("{cell:w$}")
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_each_tag_and_dangling_images() {
        let rows = vec![
            ImageRow {
                id: "sha256:0123456789abcdef".into(),
                tags: vec!["app:1".into(), "app:latest".into()],
                created: 1000,
                size: 1_500_000,
                layer_count: Some(3),
                dangling: false,
                platforms: Vec::new(),
            },
            ImageRow {
                id: "sha256:fedcba9876543210".into(),
                tags: vec![],
                created: 1000 - 7200,
                size: 10,
                layer_count: Some(1),
                dangling: true,
                platforms: Vec::new(),
            },
        ];
        let text = table(&rows, 1030);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[1].starts_with("app:1 ") && lines[1].contains("0123456789ab"));
        assert!(lines[1].contains("just now") && lines[1].contains("1.50 MB"));
        assert!(lines[3].starts_with("<none>") && lines[3].contains("2 hours ago"));
        assert!(lines[0].ends_with("LAYERS") && lines[1].ends_with('3'));
        let counted = rows.clone();
        let plain: Vec<ImageRow> = counted
            .into_iter()
            .map(|r| ImageRow {
                layer_count: None,
                ..r
            })
            .collect();
        let text = table(&plain, 1030);
        assert!(
            text.lines().next().is_some_and(|l| l.ends_with("SIZE")),
            "no LAYERS column without counts: {text}"
        );
        let mut multi = rows.clone();
        multi[0].platforms = vec!["linux/amd64".into(), "linux/arm64/v8".into()];
        let text = table(&multi, 1030);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].ends_with("PLATFORM"), "{text}");
        assert!(lines[1].ends_with("linux/amd64,linux/arm64/v8"), "{text}");
    }
}
