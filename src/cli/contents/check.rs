//! `haul check SOURCE [rules]`: a CI gate on size and waste. Exit 0 when every rule passes,
//! 1 when one fails, 2 when the source (or the rules file) cannot be read. Reads dive's
//! `.dive-ci` rules; with `GITHUB_STEP_SUMMARY` set, appends a Markdown report there.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{SourceArgs, analyse, fail, image_label, parse_size};
use crate::archive::contents::Analysis;
use crate::units;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Fail when more bytes than this are wasted (20MB, 1GiB, 500000).
    #[arg(long, value_name = "SIZE")]
    pub max_wasted: Option<String>,
    /// Fail when efficiency (visible bytes / all bytes) is below this (0 to 1).
    #[arg(long, value_name = "F")]
    pub min_efficiency: Option<f64>,
    /// Fail when the image's file bytes over all layers exceed this.
    #[arg(long, value_name = "SIZE")]
    pub max_size: Option<String>,
    /// Fail when the image has more layers than this.
    #[arg(long, value_name = "N")]
    pub max_layers: Option<usize>,
    /// dive's CI rules file (`rules: lowestEfficiency, highestWastedBytes,
    /// highestUserWastedPercent`); default: `.dive-ci` in the current folder, if any.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

/// One rule's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub rule: String,
    pub limit: String,
    pub value: String,
    pub passed: bool,
}

/// A rule as configured: its name and limit.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    MaxWasted(u64),
    MinEfficiency(f64),
    MaxSize(u64),
    MaxLayers(usize),
    /// dive's `highestUserWastedPercent`: wasted bytes over the bytes of every layer but the first.
    MaxUserWasted(f64),
}

pub fn run(args: &CheckArgs, host: Option<String>) -> ExitCode {
    let rules = match rules(args) {
        Ok(r) => r,
        Err(e) => return fail(e, 2),
    };
    let analysis = match analyse(host, &args.source, 2) {
        Ok(a) => a.analysis,
        Err(code) => return code,
    };
    let verdicts: Vec<Verdict> = rules.iter().map(|r| evaluate(r, &analysis)).collect();
    let failed = verdicts.iter().filter(|v| !v.passed).count();
    say!(
        "haul check {}: {}\n",
        args.source.source,
        image_label(&analysis.image)
    );
    for v in &verdicts {
        let word = if v.passed { "PASS" } else { "FAIL" };
        say!("  {word}  {} {}: {}\n", v.rule, v.limit, v.value);
    }
    say!(
        "Result: {} ({} of {} rules failed)\n",
        if failed == 0 { "PASS" } else { "FAIL" },
        failed,
        verdicts.len()
    );
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let text = markdown(&args.source.source, &analysis, &verdicts);
        if let Err(e) = append(Path::new(&path), &text) {
            eprintln!("warning: cannot append to GITHUB_STEP_SUMMARY: {e}");
        }
    }
    ExitCode::from(u8::from(failed > 0))
}

fn rules(args: &CheckArgs) -> Result<Vec<Rule>, String> {
    let mut rules = Vec::new();
    if let Some(s) = &args.max_wasted {
        rules.push(Rule::MaxWasted(parse_size(s)?));
    }
    if let Some(f) = args.min_efficiency {
        rules.push(Rule::MinEfficiency(f));
    }
    if let Some(s) = &args.max_size {
        rules.push(Rule::MaxSize(parse_size(s)?));
    }
    if let Some(n) = args.max_layers {
        rules.push(Rule::MaxLayers(n));
    }
    let file = match &args.rules {
        Some(path) => Some(path.clone()),
        None => Some(PathBuf::from(".dive-ci")).filter(|p| p.is_file()),
    };
    if let Some(file) = file {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
        let from_file = dive_rules(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        rules.extend(from_file);
    }
    if rules.is_empty() {
        // dive's defaults.
        rules = vec![Rule::MinEfficiency(0.9), Rule::MaxUserWasted(0.1)];
    }
    Ok(rules)
}

/// The rules of a `.dive-ci` file (the small YAML subset dive documents: keys under `rules:`,
/// a value of `disabled` turns a rule off).
pub fn dive_rules(text: &str) -> Result<Vec<Rule>, String> {
    let mut rules = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim_end();
        if line.trim().is_empty() || line.trim() == "rules:" {
            continue;
        }
        let Some((key, value)) = line.trim().split_once(':') else {
            return Err(format!("line {}: expected `key: value`", n + 1));
        };
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        if value.eq_ignore_ascii_case("disabled") || value.is_empty() {
            continue;
        }
        let number = || {
            value
                .parse::<f64>()
                .map_err(|_| format!("line {}: {key}: {value:?} is not a number", n + 1))
        };
        rules.push(match key.trim() {
            "lowestEfficiency" => Rule::MinEfficiency(number()?),
            "highestWastedBytes" => {
                Rule::MaxWasted(parse_size(value).map_err(|e| format!("line {}: {e}", n + 1))?)
            }
            "highestUserWastedPercent" => Rule::MaxUserWasted(number()?),
            other => return Err(format!("line {}: unknown rule {other:?}", n + 1)),
        });
    }
    Ok(rules)
}

pub fn evaluate(rule: &Rule, a: &Analysis) -> Verdict {
    let w = &a.waste;
    let (rule, limit, value, passed) = match *rule {
        Rule::MaxWasted(max) => (
            "max-wasted",
            units::bytes(max),
            format!("{} wasted", units::bytes(w.wasted_bytes)),
            w.wasted_bytes <= max,
        ),
        Rule::MinEfficiency(min) => (
            "min-efficiency",
            format!("{min}"),
            format!("efficiency {:.4}", w.efficiency),
            w.efficiency >= min,
        ),
        Rule::MaxSize(max) => (
            "max-size",
            units::bytes(max),
            format!("{} of files", units::bytes(w.total_bytes)),
            w.total_bytes <= max,
        ),
        Rule::MaxLayers(max) => (
            "max-layers",
            max.to_string(),
            format!("{} layers", a.layers.len()),
            a.layers.len() <= max,
        ),
        Rule::MaxUserWasted(max) => {
            let base = a.layers.first().map_or(0, |l| l.file_bytes);
            let user = w.total_bytes.saturating_sub(base);
            let share = if user == 0 {
                0.0
            } else {
                w.wasted_bytes as f64 / user as f64
            };
            (
                "max-user-wasted",
                format!("{max}"),
                format!("{share:.4} of the bytes above the base layer"),
                share <= max,
            )
        }
    };
    Verdict {
        rule: rule.into(),
        limit,
        value,
        passed,
    }
}

/// The step summary: verdicts, sizes, the biggest layers and the most wasted paths.
pub fn markdown(source: &str, a: &Analysis, verdicts: &[Verdict]) -> String {
    let passed = verdicts.iter().all(|v| v.passed);
    let w = &a.waste;
    let mut md = format!(
        "## haul check: `{}` {}\n\n`{source}`: {} layers, {} of files, {} visible, {} wasted (efficiency {:.1}%)\n\n",
        image_label(&a.image),
        if passed { "passed" } else { "FAILED" },
        a.layers.len(),
        units::bytes(w.total_bytes),
        units::bytes(w.visible_bytes),
        units::bytes(w.wasted_bytes),
        w.efficiency * 100.0
    );
    md.push_str("| rule | limit | value | result |\n|---|---|---|---|\n");
    for v in verdicts {
        let result = if v.passed { "pass" } else { "**FAIL**" };
        md.push_str(&format!(
            "| {} | {} | {} | {result} |\n",
            v.rule, v.limit, v.value
        ));
    }
    let mut layers: Vec<(usize, &crate::archive::contents::LayerContents)> =
        a.layers.iter().enumerate().collect();
    layers.sort_by_key(|l| std::cmp::Reverse(l.1.file_bytes));
    md.push_str(
        "\n### Biggest layers\n\n| layer | files | wasted | created by |\n|---|---|---|---|\n",
    );
    for (i, l) in layers.iter().take(5) {
        let by: String = l
            .created_by
            .as_deref()
            .unwrap_or("")
            .replace(['\n', '|'], " ");
        let by: String = by.chars().take(80).collect();
        md.push_str(&format!(
            "| {} | {} | {} | `{by}` |\n",
            i + 1,
            units::bytes(l.file_bytes),
            units::bytes(l.wasted_bytes)
        ));
    }
    if !w.paths.is_empty() {
        md.push_str("\n### Most wasted paths\n\n| wasted | layers | path |\n|---|---|---|\n");
        for p in w.paths.iter().take(10) {
            let layers: Vec<String> = p.layers.iter().map(|l| (l + 1).to_string()).collect();
            md.push_str(&format!(
                "| {} | {} | `/{}` |\n",
                units::bytes(p.wasted_bytes),
                layers.join(", "),
                p.path.replace('|', "\\|")
            ));
        }
    }
    md.push('\n');
    md
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dive_ci_rules() {
        let text = "rules:\n  # the image must be lean\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: disabled\n";
        assert_eq!(
            dive_rules(text).unwrap(),
            vec![Rule::MinEfficiency(0.95), Rule::MaxWasted(20_000_000)]
        );
        assert!(dive_rules("rules:\n  fastest: yes\n").is_err());
        assert!(dive_rules("rules:\n  lowestEfficiency: high\n").is_err());
    }
}
