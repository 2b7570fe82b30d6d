//! `haul diff A B [--json]`: two images from any sources compared.

use std::io::Write;
use std::process::ExitCode;

use super::{fail, image_label, source::Session, source::Source};
use crate::archive::contents::{ChangeKind, ImageDiff, diff};
use crate::units;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The image before: any SOURCE `haul files` takes.
    pub a: String,
    /// The image after.
    pub b: String,
    /// Which image of A (and of B, unless --image-b) when a source holds several.
    #[arg(long, value_name = "REF")]
    pub image: Option<String>,
    /// Which image of B when it holds several.
    #[arg(long, value_name = "REF")]
    pub image_b: Option<String>,
    /// One JSON object: layers, files, config.
    #[arg(long)]
    pub json: bool,
    /// Read the layers again instead of using the cached analyses.
    #[arg(long)]
    pub no_cache: bool,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: &DiffArgs, host: Option<String>) -> ExitCode {
    let mut session = match Session::new(host) {
        Ok(s) => s,
        Err(e) => return fail(e, 1),
    };
    session.quiet = args.quiet;
    session.no_cache = args.no_cache;
    let image_b = args.image_b.as_deref().or(args.image.as_deref());
    let a = session.analyse(&Source::parse(&args.a), args.image.as_deref());
    let b = a
        .as_ref()
        .ok()
        .map(|_| session.analyse(&Source::parse(&args.b), image_b));
    let (a, b) = match (a, b) {
        (Ok(a), Some(Ok(b))) => (a, b),
        (Err(e), _) | (_, Some(Err(e))) => return fail(e, 1),
        _ => return fail("nothing to compare", 1),
    };
    let result = diff(&a, &b);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = if args.json {
        serde_json::to_writer(&mut out, &result)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out))
    } else {
        let labels = (image_label(&a.image), image_label(&b.image));
        write_human(&mut out, &result, &labels)
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn write_human(
    out: &mut impl Write,
    d: &ImageDiff,
    (a, b): &(String, String),
) -> std::io::Result<()> {
    let l = &d.layers;
    writeln!(out, "A: {a}\nB: {b}")?;
    writeln!(
        out,
        "\nLayers: {} shared ({} at the base), {} only in A, {} only in B",
        l.shared.len(),
        l.common_base,
        l.only_a.len(),
        l.only_b.len()
    )?;
    let count = |k: ChangeKind| d.files.iter().filter(|f| f.change == k).count();
    writeln!(
        out,
        "\nFiles: {} added, {} removed, {} modified",
        count(ChangeKind::Added),
        count(ChangeKind::Removed),
        count(ChangeKind::Modified)
    )?;
    let size = |s: Option<u64>| s.map(units::bytes).unwrap_or_else(|| "-".into());
    for f in &d.files {
        match f.change {
            ChangeKind::Added => writeln!(out, "  + {}  ({})", f.path, size(f.size_after))?,
            ChangeKind::Removed => writeln!(out, "  - {}  ({})", f.path, size(f.size_before))?,
            ChangeKind::Modified => writeln!(
                out,
                "  ~ {}  {} -> {}",
                f.path,
                size(f.size_before),
                size(f.size_after)
            )?,
        }
    }
    if d.config.is_empty() {
        writeln!(out, "\nConfig: the same")?;
    } else {
        writeln!(out, "\nConfig:")?;
        for c in &d.config {
            writeln!(out, "  {}: {} -> {}", c.field, c.before, c.after)?;
        }
    }
    Ok(())
}
