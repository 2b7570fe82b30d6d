//! Human formatting of sizes, rates and durations, shared by the CLI and the TUI.

use std::time::Duration;

pub fn bytes(n: u64) -> String {
    humansize::format_size(n, humansize::DECIMAL)
}

pub fn rate(bytes_per_sec: f64) -> String {
    if !bytes_per_sec.is_finite() || bytes_per_sec <= 0.0 {
        return "-".to_string();
    }
    format!("{}/s", bytes(bytes_per_sec as u64))
}

pub fn duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 3600 {
        format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60)
    } else if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

/// `1 layer`, `2 layers`: a count with its noun, singular or plural (regular English nouns).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

pub fn short_id(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..hex.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_sizes_and_ids() {
        assert_eq!(bytes(1_500_000), "1.50 MB");
        assert_eq!(rate(0.0), "-");
        assert_eq!(duration(Duration::from_secs(75)), "1m15s");
        assert_eq!(duration(Duration::from_secs(3700)), "1h01m");
        assert_eq!(short_id("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(short_id("abc"), "abc");
        assert_eq!(count(1, "layer"), "1 layer");
        assert_eq!(count(0, "image"), "0 images");
        assert_eq!(count(3, "layer"), "3 layers");
    }
}
