//! The one escaping function for text that came from outside (paths, entry names, tags, daemon
//! messages) on its way to a terminal or an error line: control characters (newline, ESC, DEL,
//! C1 controls) become visible escapes, so a hostile name can neither forge an `error:` line nor
//! send escape codes to the terminal. Everything else, non-ASCII letters included, is kept.

use std::borrow::Cow;
use std::path::Path;

fn needs_escape(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// `text` with control characters escaped (`\n`, `\t`, `\r`, `\e`, `\u{7f}`...).
pub fn text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x1b' => out.push_str("\\e"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A path for display: lossy UTF-8, control characters escaped.
pub fn path(path: &Path) -> String {
    text(&path.to_string_lossy()).into_owned()
}

/// A name in double quotes, escaped (quotes and backslashes too), for error messages.
pub fn quoted(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push_str(&text(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out.push('"');
    out
}

/// A `Display` wrapper: `format!("{}", escape::Shown(&path))`.
pub struct Shown<'a>(pub &'a Path);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&path(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(text("plain/é.tar"), "plain/é.tar");
        assert_eq!(
            text("a\nerror: forged\x1b[31m\t\x7f\u{9b}"),
            "a\\nerror: forged\\e[31m\\t\\u{7f}\\u{9b}"
        );
        assert_eq!(quoted("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(
            Shown(Path::new("/tmp/x\ny")).to_string(),
            "/tmp/x\\ny".to_string()
        );
    }
}
