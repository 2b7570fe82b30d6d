//! Copy to the clipboard with OSC 52: the terminal (not this machine) puts the text on its
//! clipboard, so it works over ssh. Inside tmux the sequence is passed through to the outer
//! terminal (tmux needs `set -g allow-passthrough on`, or `set-clipboard on` for its own
//! buffer, which also forwards it).

use std::io::Write;

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(BASE64[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The escape sequence that puts `text` on the clipboard; wrapped for tmux when `tmux`.
pub fn osc52(text: &str, tmux: bool) -> String {
    let osc = format!("\x1b]52;c;{}\x07", base64(text.as_bytes()));
    if tmux {
        // DCS passthrough: every ESC inside is doubled.
        format!("\x1bPtmux;{}\x1b\\", osc.replace('\x1b', "\x1b\x1b"))
    } else {
        osc
    }
}

/// Send `text` to the terminal's clipboard.
pub fn copy(text: &str) -> std::io::Result<()> {
    let tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
    let mut out = std::io::stdout();
    out.write_all(osc52(text, tmux).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_osc52_plain_and_for_tmux() {
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b"sha256:00"), "c2hhMjU2OjAw");
        assert_eq!(osc52("abc", false), "\x1b]52;c;YWJj\x07");
        assert_eq!(osc52("abc", true), "\x1bPtmux;\x1b\x1b]52;c;YWJj\x07\x1b\\");
    }
}
