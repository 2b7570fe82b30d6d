//! Wrapping styled lines to a width, so long values (a `RUN` line, an error, a path) are shown
//! whole instead of cut. Breaks at a space where it can; continuation lines hang under the
//! value: after a leading label span (one ending in a space, followed by more), else at the
//! line's own indent.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Wrap every line to `width` columns (characters).
pub fn wrap(lines: &[Line<'_>], width: usize) -> Vec<Line<'static>> {
    let width = width.max(8);
    let mut out = Vec::new();
    for line in lines {
        wrap_line(line, width, &mut out);
    }
    out
}

fn wrap_line(line: &Line<'_>, width: usize, out: &mut Vec<Line<'static>>) {
    let chars: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|s| {
            let style = line.style.patch(s.style);
            s.content.chars().map(move |c| (c, style))
        })
        .collect();
    if chars.len() <= width {
        out.push(to_line(&chars));
        return;
    }
    let label = match line.spans.as_slice() {
        [first, _, ..] if first.content.ends_with(' ') => first.content.chars().count(),
        _ => 0,
    };
    let leading = chars.iter().take_while(|(c, _)| *c == ' ').count();
    let indent = label.max(leading).min(width / 2);
    let mut start = 0;
    let mut first = true;
    while start < chars.len() {
        let room = if first { width } else { width - indent };
        let end = (start + room).min(chars.len());
        let cut = if end == chars.len() {
            end
        } else {
            // The last space in the piece, unless it would leave it nearly empty.
            // (Never inside the label or the indent of the first piece.)
            let floor = if first { indent } else { 0 };
            match chars[start..end].iter().rposition(|(c, _)| *c == ' ') {
                Some(space) if space > room / 3 && space > floor => start + space + 1,
                _ => end,
            }
        };
        let mut piece: Vec<(char, Style)> = Vec::new();
        if !first {
            piece.extend(std::iter::repeat_n((' ', Style::default()), indent));
        }
        piece.extend_from_slice(&chars[start..cut]);
        while piece.len() > indent && piece.last().is_some_and(|(c, _)| *c == ' ') {
            piece.pop();
        }
        out.push(to_line(&piece));
        start = cut;
        first = false;
    }
}

/// Characters back into spans, one per run of the same style.
fn to_line(chars: &[(char, Style)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut current: Option<Style> = None;
    for (c, style) in chars {
        if current.is_some_and(|s| s != *style) {
            spans.push(Span::styled(
                std::mem::take(&mut text),
                current.unwrap_or_default(),
            ));
        }
        current = Some(*style);
        text.push(*c);
    }
    if let Some(style) = current {
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wraps_at_spaces_keeping_the_indent() {
        let line = Line::from("  cmd  apt-get update && apt-get install -y curl");
        let wrapped = wrap(&[line], 20);
        assert_eq!(
            texts(&wrapped),
            ["  cmd  apt-get", "  update && apt-get", "  install -y curl"]
        );
        let long = Line::from("x".repeat(25));
        assert_eq!(texts(&wrap(&[long], 10)).len(), 3);
        let short = Line::from(vec![
            Span::raw("a "),
            Span::styled("b", Style::new().bold()),
        ]);
        assert_eq!(wrap(&[short], 10)[0].spans.len(), 2, "styles kept");
        let field = Line::from(vec![Span::raw("  ID  "), Span::raw("sha256:0123456789")]);
        assert_eq!(
            texts(&wrap(&[field], 12)),
            ["  ID  sha256", "      :01234", "      56789"],
            "a value hangs under itself"
        );
    }
}
