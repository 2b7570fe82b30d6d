//! Small text helpers for the TUI (dates without a clock, shortening).

/// `YYYY-MM-DD HH:MM` (UTC) from Unix seconds; no clock is read, so snapshots stay stable.
pub fn date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = crate::calendar::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// The first 16 characters of an RFC 3339 time (`2024-01-02T03:04`), as a date and time.
pub fn rfc3339_short(text: &str) -> String {
    let short: String = text.chars().take(16).collect();
    short.replacen('T', " ", 1)
}

/// Unix seconds of an RFC 3339 UTC time (`2024-01-02T03:04:05Z`; fractions and offsets ignored).
pub fn rfc3339_secs(text: &str) -> Option<i64> {
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (
        num(11..13).unwrap_or(0),
        num(14..16).unwrap_or(0),
        num(17..19).unwrap_or(0),
    );
    let days = crate::calendar::days_from_civil(y, m, d);
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Cut `text` to `width` characters, ending with `…` when cut; control characters escaped.
pub fn fit(text: &str, width: usize) -> String {
    let text = crate::escape::text(text);
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Keep the end of `text` (a path's file name matters most), starting with `…` when cut;
/// control characters escaped.
pub fn fit_end(text: &str, width: usize) -> String {
    let text = crate::escape::text(text);
    let count = text.chars().count();
    if count <= width {
        return text.to_string();
    }
    let mut out = String::from("…");
    out.extend(text.chars().skip(count + 1 - width.max(1)));
    out
}

/// A path for display: the home folder as `~`.
pub fn tilde(path: &std::path::Path) -> String {
    if let Some(home) = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf())
        && let Ok(rest) = path.strip_prefix(&home)
    {
        return if rest.as_os_str().is_empty() {
            "~".to_string()
        } else {
            format!("~/{}", rest.display())
        };
    }
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates_and_cuts_text() {
        assert_eq!(date(0), "1970-01-01 00:00");
        assert_eq!(date(1_700_000_000), "2023-11-14 22:13");
        assert_eq!(
            rfc3339_short("2024-01-02T03:04:05.123Z"),
            "2024-01-02 03:04"
        );
        assert_eq!(rfc3339_secs("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(rfc3339_secs("1970-01-01"), Some(0));
        assert_eq!(rfc3339_secs("soon"), None);
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(fit_end("/long/path/file.tar", 9), "…file.tar");
        assert_eq!(fit_end("a.tar", 9), "a.tar");
    }
}
