//! `haul du [--list] [--json] [--clean WHAT,...] [--yes]`: what takes space around images, and
//! cleaning up what haul can name, after a confirmation.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use super::common::{fail, run};
use crate::daemon::Daemon;
use crate::du::{self, Category, Item};
use crate::units;

#[derive(Debug, clap::Args)]
pub struct DuArgs {
    /// Every item, not only the totals.
    #[arg(short, long)]
    pub list: bool,
    /// One JSON object on stdout: the items and why a part is missing.
    #[arg(long)]
    pub json: bool,
    /// Remove these, comma-separated: dangling, unused (images no container uses, with every
    /// tag), downloads (haul's downloaded artifacts), inspect-cache.
    #[arg(long, value_delimiter = ',', value_name = "WHAT")]
    pub clean: Vec<String>,
    /// Clean without asking (needed when stdin is not a terminal).
    #[arg(short, long)]
    pub yes: bool,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    items: &'a [Item],
    #[serde(skip_serializing_if = "Option::is_none")]
    daemon_error: Option<&'a str>,
}

pub fn main(args: DuArgs, host: Option<String>) -> ExitCode {
    let mut clean = Vec::new();
    for name in &args.clean {
        match Category::from_clean_name(name.trim()) {
            Some(c) => clean.push(c),
            None => {
                return fail(format!(
                    "--clean {name}: expected dangling, unused, downloads or inspect-cache"
                ));
            }
        }
    }
    run(async move {
        let daemon = Daemon::connect_default(host).await;
        let (mut items, daemon_error) = match &daemon {
            Ok(d) => match du::daemon_items(d).await {
                Ok(items) => (items, None),
                Err(e) => (Vec::new(), Some(e.to_string())),
            },
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        let files = tokio::task::spawn_blocking(|| {
            let mut files = scan_folder_items();
            files.extend(du::cache_items());
            files
        })
        .await
        .unwrap_or_default();
        items.extend(files);

        if args.json {
            let report = Report {
                items: &items,
                daemon_error: daemon_error.as_deref(),
            };
            match serde_json::to_string(&report) {
                Ok(line) => say!("{line}\n"),
                Err(e) => return fail(format!("cannot write JSON: {e}")),
            }
        } else {
            say!("{}", table(&items, args.list));
        }
        let mut code = ExitCode::SUCCESS;
        if let Some(e) = &daemon_error {
            code = fail(e);
        }
        if clean.is_empty() {
            return code;
        }
        let chosen: Vec<Item> = items
            .into_iter()
            .filter(|i| clean.contains(&i.category))
            .collect();
        if chosen.is_empty() {
            eprintln!("nothing to clean");
            return code;
        }
        match confirm(&chosen, args.yes) {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("nothing removed");
                return code;
            }
            Err(message) => return fail(message),
        }
        let (removed, freed, failed) = clean_items(daemon.ok().as_ref(), &chosen).await;
        eprintln!(
            "removed {}, {} freed",
            units::count(removed, "item"),
            units::bytes(freed)
        );
        if failed { ExitCode::FAILURE } else { code }
    })
}

/// Image files in the TUI's scan folders (its config), outside haul's download folder.
fn scan_folder_items() -> Vec<Item> {
    let Ok(cwd) = std::env::current_dir() else {
        return Vec::new();
    };
    let Ok(config) = crate::tui::Config::load(&cwd, true) else {
        return Vec::new();
    };
    let downloads = crate::artifacts::cache_folder();
    let mut scanner = crate::tui::scan::Scanner::new(config.scan_folders, config.scan_depth, cwd);
    scanner
        .scan()
        .into_iter()
        .filter(|f| !downloads.as_ref().is_some_and(|d| f.path.starts_with(d)))
        .map(|f| {
            let note = f
                .link
                .as_ref()
                .map(|t| format!("link to {}", t.display()))
                .unwrap_or_default();
            du::file_item(&f.path, &f.display, note)
        })
        .collect()
}

pub fn table(items: &[Item], list: bool) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<28} {:>6} {:>10}  {}\n",
        "WHAT", "COUNT", "SIZE", "CLEAN WITH"
    ));
    for (category, n, bytes) in du::totals(items) {
        let how = match category.clean_name() {
            Some(name) => format!("haul du --clean {name}"),
            None if category == Category::ImageFile => "delete by hand or in the TUI".to_string(),
            None => String::new(),
        };
        out.push_str(
            format!(
                "{:<28} {:>6} {:>10}  {how}",
                category.heading(),
                n,
                units::bytes(bytes)
            )
            .trim_end(),
        );
        out.push('\n');
        if list {
            for item in items.iter().filter(|i| i.category == category) {
                let id = item
                    .id
                    .as_deref()
                    .map(|id| format!("{}  ", units::short_id(id)))
                    .unwrap_or_default();
                let note = if item.note.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", item.note)
                };
                out.push_str(&format!(
                    "  {:>10}  {id}{}{note}\n",
                    units::bytes(item.size),
                    crate::escape::text(&item.name)
                ));
            }
        }
    }
    if items.iter().any(|i| i.id.is_some()) {
        out.push_str("(image sizes count layers shared with other images in each image)\n");
    }
    out
}

/// List what would go and ask; `--yes` answers for a script. Err when nobody can answer.
fn confirm(items: &[Item], yes: bool) -> Result<bool, String> {
    let total: u64 = items.iter().map(|i| i.size).sum();
    let mut err = std::io::stderr();
    let _ = writeln!(err, "to remove:");
    for item in items {
        let _ = writeln!(
            err,
            "  {:<8} {:>10}  {}",
            item.category.short(),
            units::bytes(item.size),
            crate::escape::text(&item.name)
        );
    }
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err("not removing anything without a confirmation: add --yes".to_string());
    }
    let _ = write!(
        err,
        "remove {} ({})? [y/N] ",
        units::count(items.len(), "item"),
        units::bytes(total)
    );
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// Remove the items; each failure is an `error:` line. (removed, bytes freed, any failed)
async fn clean_items(daemon: Option<&Daemon>, items: &[Item]) -> (usize, u64, bool) {
    let (images, files): (Vec<Item>, Vec<Item>) =
        items.iter().cloned().partition(|i| i.id.is_some());
    let mut results = Vec::new();
    if !images.is_empty() {
        match daemon {
            Some(d) => match du::remove_images(d, &images).await {
                Ok(r) => results.extend(r),
                Err(e) => {
                    fail(e);
                    return (0, 0, true);
                }
            },
            None => {
                fail("cannot remove images: no daemon");
                return (0, 0, true);
            }
        }
    }
    for item in files {
        let result = du::remove_file_item(&item);
        results.push((item, result));
    }
    let mut removed = 0;
    let mut freed = 0;
    let mut failed = false;
    for (item, result) in results {
        match result {
            Ok(()) => {
                removed += 1;
                freed += item.size;
            }
            Err(e) => {
                failed = true;
                fail(e);
            }
        }
    }
    (removed, freed, failed)
}
