//! `config.toml`: scan folders, export folder, keymap overrides, theme.
//! A bad file is an error naming the line; haul does not start half-configured.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::contents::keys::{ViewAction, ViewKeys};
use super::keymap::{Action, Key, KeyMap};
use super::theme::{Theme, ThemeConfig};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: line {line}, column {column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    scan_folders: Vec<String>,
    scan_defaults: Option<bool>,
    scan_depth: Option<usize>,
    export_folder: Option<String>,
    repo: Option<Spanned<String>>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    /// Keys of the files and comparison views.
    #[serde(default)]
    files_keys: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    theme: ThemeConfig,
}

/// A `[keys]`-style table: action name -> one key or a list of keys, checked with `lookup`.
fn key_table<A>(
    table: &BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    section: &str,
    lookup: impl Fn(&str) -> Option<A>,
    invalid: &impl Fn(Option<std::ops::Range<usize>>, String) -> ConfigError,
) -> Result<Vec<(A, Vec<Key>)>, ConfigError> {
    let mut overrides = Vec::new();
    for (name, list) in table {
        let action = lookup(name.get_ref()).ok_or_else(|| {
            invalid(
                Some(name.span()),
                format!("unknown action `{}`", name.get_ref()),
            )
        })?;
        let bad = |message: String| invalid(Some(list.span()), message);
        let specs: Vec<&toml::Value> = match list.get_ref() {
            toml::Value::Array(many) => many.iter().collect(),
            one => vec![one],
        };
        let mut keys = Vec::new();
        for spec in specs {
            let text = spec.as_str().ok_or_else(|| {
                bad(format!(
                    "{section}.{}: expected a key like \"l\" or a list of keys",
                    name.get_ref()
                ))
            })?;
            keys.push(Key::parse(text).map_err(bad)?);
        }
        overrides.push((action, keys));
    }
    Ok(overrides)
}

/// The resolved configuration the TUI runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folders scanned for tarballs and artifacts, in order, without duplicates.
    pub scan_folders: Vec<PathBuf>,
    pub scan_depth: usize,
    pub export_folder: PathBuf,
    /// The GitHub repository (`OWNER/NAME`) whose artifacts the Artifacts pane lists;
    /// `None`: the `origin` remote of the current folder.
    pub repo: Option<String>,
    pub keymap: KeyMap,
    /// Keys of the files and comparison views (looked up before `keymap` there).
    pub files_keys: ViewKeys,
    pub theme: Theme,
    /// The file it came from, if there was one.
    pub source: Option<PathBuf>,
}

impl Config {
    /// Defaults only: current folder, download folder, haul's data folder.
    pub fn defaults(cwd: &Path, no_color: bool) -> Config {
        Config {
            scan_folders: dedup(default_folders(cwd)),
            scan_depth: 3,
            export_folder: default_export(cwd),
            repo: None,
            keymap: KeyMap::default(),
            files_keys: ViewKeys::default(),
            theme: Theme::new(&ThemeConfig::default(), no_color),
            source: None,
        }
    }

    /// Read `config.toml` from haul's config folder, or defaults when it does not exist.
    pub fn load(cwd: &Path, no_color: bool) -> Result<Config, ConfigError> {
        match crate::paths::config_dir().map(|d| d.join("config.toml")) {
            Some(path) if path.exists() => Config::from_file(&path, cwd, no_color),
            _ => Ok(Config::defaults(cwd, no_color)),
        }
    }

    pub fn from_file(path: &Path, cwd: &Path, no_color: bool) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path, cwd, no_color)
    }

    pub fn parse(
        text: &str,
        path: &Path,
        cwd: &Path,
        no_color: bool,
    ) -> Result<Config, ConfigError> {
        let invalid = |span: Option<std::ops::Range<usize>>, message: String| {
            let (line, column) = line_col(text, span.map_or(0, |s| s.start));
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| invalid(e.span(), e.message().to_string()))?;

        let overrides = key_table(&raw.keys, "keys", Action::from_name, &invalid)?;
        let view_overrides = key_table(
            &raw.files_keys,
            "files_keys",
            ViewAction::from_name,
            &invalid,
        )?;
        let theme = Theme::try_new(&raw.theme, no_color).map_err(|e| invalid(None, e))?;
        let repo = match &raw.repo {
            Some(spec) => Some(
                crate::artifacts::Repo::parse(spec.get_ref())
                    .map_err(|e| invalid(Some(spec.span()), e.to_string()))?
                    .to_string(),
            ),
            None => None,
        };

        let mut folders = Vec::new();
        if raw.scan_defaults.unwrap_or(true) {
            folders.extend(default_folders(cwd));
        }
        folders.extend(raw.scan_folders.iter().map(|f| expand(f, cwd)));
        Ok(Config {
            scan_folders: dedup(folders),
            scan_depth: raw.scan_depth.unwrap_or(3).clamp(0, 16),
            export_folder: raw
                .export_folder
                .as_deref()
                .map_or_else(|| default_export(cwd), |f| expand(f, cwd)),
            repo,
            keymap: KeyMap::with_overrides(&overrides),
            files_keys: ViewKeys::with_overrides(&view_overrides),
            theme,
            source: Some(path.to_path_buf()),
        })
    }
}

fn default_folders(cwd: &Path) -> Vec<PathBuf> {
    let mut out = vec![cwd.to_path_buf()];
    out.extend(crate::paths::download_dir());
    out.extend(crate::paths::data_dir());
    out
}

fn default_export(cwd: &Path) -> PathBuf {
    crate::paths::data_dir()
        .map(|d| d.join("exports"))
        .unwrap_or_else(|| cwd.to_path_buf())
}

fn dedup(folders: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for f in folders {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// `~/x` -> home/x; relative paths are relative to the current folder.
pub(crate) fn expand(text: &str, cwd: &Path) -> PathBuf {
    let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
    let path = match (text.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if text == "~" => directories::BaseDirs::new()
            .map_or_else(|| PathBuf::from(text), |b| b.home_dir().to_path_buf()),
        _ => PathBuf::from(text),
    };
    let path = if path.is_absolute() {
        path
    } else {
        cwd.join(path)
    };
    // `.` components go away (`/work/.` -> `/work`).
    path.components().collect()
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(
            text,
            Path::new("/cfg/config.toml"),
            Path::new("/work"),
            false,
        )
    }

    #[test]
    fn reads_folders_keys_and_theme() {
        let cfg = parse(
            "scan_defaults = false\nscan_folders = [\"ci\", \"/abs\"]\nexport_folder = \"/out\"\n\
             [keys]\nload = \"L\"\nquit = [\"q\", \"ctrl-q\"]\n[theme]\naccent = \"magenta\"\n",
        )
        .expect("config");
        assert_eq!(
            cfg.scan_folders,
            vec![PathBuf::from("/work/ci"), PathBuf::from("/abs")]
        );
        assert_eq!(cfg.export_folder, PathBuf::from("/out"));
        assert_eq!(expand(".", Path::new("/work")), PathBuf::from("/work"));
        assert_eq!(
            expand("./a/./b", Path::new("/work")),
            PathBuf::from("/work/a/b")
        );
        let big_l = KeyEvent::new(KeyCode::Char('L'), KeyModifiers::SHIFT);
        assert_eq!(cfg.keymap.action(&big_l), Some(Action::Load));
    }

    #[test]
    fn the_example_config_is_valid() {
        let text = include_str!("../../assets/config.example.toml");
        let cfg = parse(text).expect("assets/config.example.toml parses");
        assert_eq!(cfg.scan_depth, 3);
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("scan_depth = 2\nscan_foldrs = []\n").expect_err("unknown field");
        let text = err.to_string();
        assert!(text.contains("line 2"), "{text}");
        assert!(text.contains("scan_foldrs"), "{text}");

        let err = parse("[keys]\n\nlaod = \"x\"\n").expect_err("unknown action");
        assert!(
            err.to_string()
                .contains("line 3, column 1: unknown action `laod`"),
            "{err}"
        );

        let err = parse("[keys]\nload = [\"ctrl-\", \"hyper-q\"]\n").expect_err("bad key");
        assert!(err.to_string().contains("line 2"), "{err}");

        let err = parse("scan_depth = 1\nrepo = \"just-a-name\"\n").expect_err("bad repo");
        assert!(err.to_string().contains("line 2"), "{err}");
        assert_eq!(
            parse("repo = \"octo/app\"\n")
                .expect("repo")
                .repo
                .as_deref(),
            Some("octo/app")
        );

        let err = parse("[theme]\naccent = \"mauve-ish\"\n").expect_err("bad colour");
        assert!(err.to_string().contains("mauve-ish"), "{err}");
    }
}
