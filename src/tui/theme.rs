//! Colours and styles. `NO_COLOR` (or `color = false`) keeps only bold, dim and reverse.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeConfig {
    pub color: Option<bool>,
    pub accent: Option<String>,
    pub selected: Option<String>,
    pub ok: Option<String>,
    pub warn: Option<String>,
    pub error: Option<String>,
    pub bar: Option<String>,
}

/// The resolved styles every render function uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub color: bool,
    pub accent: Color,
    pub selected: Color,
    pub ok: Color,
    pub warn: Color,
    pub error: Color,
    pub bar: Color,
}

impl Theme {
    /// The configured theme; unparsable colours fall back to defaults.
    pub fn new(cfg: &ThemeConfig, no_color: bool) -> Theme {
        Theme::try_new(cfg, no_color).unwrap_or_else(|_| {
            Theme::try_new(&ThemeConfig::default(), no_color).unwrap_or(Theme::plain())
        })
    }

    pub fn try_new(cfg: &ThemeConfig, no_color: bool) -> Result<Theme, String> {
        let pick = |value: &Option<String>, default: Color| -> Result<Color, String> {
            match value {
                None => Ok(default),
                Some(text) => Color::from_str(text).map_err(|_| {
                    format!("theme: `{text}` is not a colour (a name like `cyan`, or `#rrggbb`)")
                }),
            }
        };
        Ok(Theme {
            color: !no_color && cfg.color.unwrap_or(true),
            accent: pick(&cfg.accent, Color::Cyan)?,
            selected: pick(&cfg.selected, Color::DarkGray)?,
            ok: pick(&cfg.ok, Color::Green)?,
            warn: pick(&cfg.warn, Color::Yellow)?,
            error: pick(&cfg.error, Color::Red)?,
            bar: pick(&cfg.bar, Color::Blue)?,
        })
    }

    /// No colours at all.
    pub fn plain() -> Theme {
        Theme {
            color: false,
            accent: Color::Reset,
            selected: Color::Reset,
            ok: Color::Reset,
            warn: Color::Reset,
            error: Color::Reset,
            bar: Color::Reset,
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn accent(&self) -> Style {
        self.fg(self.accent).add_modifier(Modifier::BOLD)
    }
    pub fn ok(&self) -> Style {
        self.fg(self.ok)
    }
    pub fn warn(&self) -> Style {
        self.fg(self.warn)
    }
    pub fn error(&self) -> Style {
        self.fg(self.error).add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }
    pub fn bar(&self) -> Style {
        self.fg(self.bar)
    }
    /// The selected row: a background colour, or reverse video without colours.
    pub fn selected(&self, focused: bool) -> Style {
        match (self.color, focused) {
            (true, true) => Style::new().bg(self.selected).add_modifier(Modifier::BOLD),
            (true, false) => Style::new().bg(self.selected),
            (false, true) => Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            (false, false) => Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }
    /// Border of a block: accent when focused.
    pub fn border(&self, focused: bool) -> Style {
        if focused { self.accent() } else { self.dim() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_keeps_only_modifiers() {
        let cfg = ThemeConfig {
            accent: Some("#ff00ff".into()),
            ..Default::default()
        };
        let colored = Theme::new(&cfg, false);
        assert_eq!(colored.accent().fg, Some(Color::Rgb(255, 0, 255)));
        let plain = Theme::new(&cfg, true);
        assert_eq!(plain.accent().fg, None);
        assert_eq!(plain.error().fg, None);
        assert!(
            plain
                .selected(true)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert!(
            Theme::try_new(
                &ThemeConfig {
                    ok: Some("mauve-ish".into()),
                    ..Default::default()
                },
                false
            )
            .is_err()
        );
    }
}
