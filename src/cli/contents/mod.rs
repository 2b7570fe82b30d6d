//! The contents commands: `haul files`, `haul waste`, `haul diff`, `haul extract`, `haul check`.

pub mod check;
pub mod diff;
pub mod extract;
pub mod files;
pub mod source;
pub mod waste;

use std::process::ExitCode;

pub use check::CheckArgs;
pub use diff::DiffArgs;
pub use extract::ExtractArgs;
pub use files::FilesArgs;
pub use waste::WasteArgs;

use crate::archive::ImageInfo;
use crate::archive::contents::{Analysis, FileKind};

/// A SOURCE and how to pick its image, shared by every contents command.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// An image tarball (plain or compressed), OCI archive or layout folder, artifact zip
    /// (`FILE.zip!ENTRY` for one entry), or `docker://IMAGE` for an image in the daemon.
    pub source: String,
    /// Which image when the source holds several: a tag, an ID or an ID prefix.
    #[arg(long, value_name = "REF")]
    pub image: Option<String>,
    /// Read the layers again instead of using the cached analysis.
    #[arg(long)]
    pub no_cache: bool,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// A contents command's source, opened and analysed.
struct Analysed {
    session: source::Session,
    source: source::Source,
    analysis: Analysis,
}

/// Analyse the image `args` names, or print the error and give the exit code (`fail_code` when
/// the source cannot be read).
fn analyse(host: Option<String>, args: &SourceArgs, fail_code: u8) -> Result<Analysed, ExitCode> {
    let mut session = source::Session::new(host).map_err(|e| fail(e, fail_code))?;
    session.quiet = args.quiet;
    session.no_cache = args.no_cache;
    let source = source::Source::parse(&args.source);
    let analysis = session
        .analyse(&source, args.image.as_deref())
        .map_err(|e| fail(e, fail_code))?;
    Ok(Analysed {
        session,
        source,
        analysis,
    })
}

/// `--layer N` (1 = the bottom layer) as an index into the image's layers, or the error printed.
fn layer_index(layer: Option<usize>, analysis: &Analysis) -> Result<Option<usize>, ExitCode> {
    let count = analysis.layers.len();
    match layer {
        None => Ok(None),
        Some(n) if n >= 1 && n <= count => Ok(Some(n - 1)),
        Some(n) => Err(fail(
            format!("no layer {n}: the image has {count} layers"),
            1,
        )),
    }
}

fn fail(message: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("error: {}", message.to_string().replace('\n', " "));
    ExitCode::from(code)
}

/// A tag, else the short ID.
pub fn image_label(image: &ImageInfo) -> String {
    match image.tags.first() {
        Some(tag) => tag.clone(),
        None => crate::units::short_id(&image.id).to_string(),
    }
}

/// `drwxr-xr-x` style.
pub fn mode_string(kind: FileKind, mode: u32) -> String {
    let mut s = String::with_capacity(10);
    s.push(match kind {
        FileKind::Dir => 'd',
        FileKind::Symlink => 'l',
        FileKind::Hardlink => 'h',
        FileKind::File => '-',
        FileKind::Other => '?',
    });
    let special = [(0o4000, 's', 'S'), (0o2000, 's', 'S'), (0o1000, 't', 'T')];
    for (i, (bit, set, unset)) in special.iter().enumerate() {
        let shift = 6 - 3 * i;
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(match (bits & 1 != 0, mode & bit != 0) {
            (true, true) => *set,
            (false, true) => *unset,
            (true, false) => 'x',
            (false, false) => '-',
        });
    }
    s
}

/// Parse a size: `1500`, `20MB`, `1.5 GiB`, `512k` (k/M/G/T are powers of 1000, Ki/Mi/Gi/Ti
/// of 1024, case-insensitive, a trailing `B` optional), like dive's `highestWastedBytes`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size (e.g. 20MB, 1.5GiB, 500000)"))?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let factor: f64 = match unit {
        "" => 1.0,
        "k" => 1e3,
        "m" => 1e6,
        "g" => 1e9,
        "t" => 1e12,
        "ki" => 1024.0,
        "mi" => 1024.0 * 1024.0,
        "gi" => 1024.0 * 1024.0 * 1024.0,
        "ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(format!(
                "{text:?}: unknown unit (use kB, MB, GB, KiB, MiB, GiB)"
            ));
        }
    };
    Ok((value * factor).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_modes() {
        assert_eq!(parse_size("1500").unwrap(), 1500);
        assert_eq!(parse_size("20MB").unwrap(), 20_000_000);
        assert_eq!(parse_size("1.5 GiB").unwrap(), 1_610_612_736);
        assert_eq!(parse_size("512k").unwrap(), 512_000);
        assert!(parse_size("ten").is_err());
        assert!(parse_size("3 parsecs").is_err());
        assert_eq!(mode_string(FileKind::Dir, 0o755), "drwxr-xr-x");
        assert_eq!(mode_string(FileKind::File, 0o4755), "-rwsr-xr-x");
        assert_eq!(mode_string(FileKind::File, 0o1644), "-rw-r--r-T");
        assert_eq!(mode_string(FileKind::Symlink, 0o777), "lrwxrwxrwx");
    }
}
