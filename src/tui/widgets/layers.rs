//! The layer table, the same for a daemon image, a tarball and an artifact.

use ratatui::layout::Constraint;
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

use super::table::{Column, TableRow};
use crate::archive::{ImageInfo, LayerInfo};
use crate::tui::theme::Theme;

/// One layer with what it needs to be drawn.
pub struct LayerRow<'i> {
    pub index: usize,
    pub layer: &'i LayerInfo,
    pub chain_id: String,
}

pub struct LayerCtx<'a> {
    pub theme: &'a Theme,
    /// The biggest layer of the image: the bar is its share of the image, scaled to the biggest.
    pub total: u64,
    /// What the daemon holds, when known (then present layers get a mark).
    pub present: Option<&'a crate::daemon::Holdings>,
}

pub fn rows(image: &ImageInfo) -> Vec<LayerRow<'_>> {
    let chains = crate::digest::chain_ids(&image.diff_ids());
    image
        .layers
        .iter()
        .zip(chains)
        .enumerate()
        .map(|(index, (layer, chain_id))| LayerRow {
            index,
            layer,
            chain_id,
        })
        .collect()
}

const BAR_WIDTH: usize = 12;

/// A bar of `share` (0..=1) in eighths of a cell.
pub fn bar(share: f64, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (share.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        out.push(PARTS[eighths % 8]);
    }
    out
}

impl TableRow for LayerRow<'_> {
    type Ctx<'a> = LayerCtx<'a>;

    fn columns(width: u16) -> Vec<Column> {
        let mut cols = vec![
            Column::new("#", Constraint::Length(3)),
            Column::new("size", Constraint::Length(9)),
        ];
        if width >= 60 {
            cols.push(Column::new("comp", Constraint::Length(5)));
        }
        cols.push(Column::new(
            "share",
            Constraint::Length(BAR_WIDTH as u16 + 5),
        ));
        cols.push(Column::new("created by", Constraint::Min(10)));
        cols
    }

    fn cells(&self, ctx: &LayerCtx<'_>, width: u16) -> Vec<Cell<'static>> {
        let theme = ctx.theme;
        let here = ctx.present.map(|p| p.has_chain(&self.chain_id));
        let mark = match here {
            Some(true) => Span::styled("✓", theme.ok()),
            Some(false) => Span::styled("+", theme.warn()),
            None => Span::raw(" "),
        };
        let share = if ctx.total == 0 {
            0.0
        } else {
            self.layer.size as f64 / ctx.total as f64
        };
        let mut cells = vec![
            Cell::from(Line::from(vec![
                Span::raw(format!("{:>2}", self.index + 1)),
                mark,
            ])),
            Cell::from(format!("{:>9}", crate::units::bytes(self.layer.size))),
        ];
        if width >= 60 {
            cells.push(Cell::from(self.layer.compression.as_str()));
        }
        cells.push(Cell::from(Line::from(vec![
            Span::raw(format!("{:>3.0}% ", share * 100.0)),
            Span::styled(bar(share, BAR_WIDTH), theme.bar()),
        ])));
        let created_by = self
            .layer
            .created_by
            .as_deref()
            .unwrap_or("")
            .trim_start_matches("/bin/sh -c ")
            .trim_start_matches("#(nop) ")
            .trim()
            .to_string();
        cells.push(Cell::from(created_by));
        cells
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_use_eighths() {
        assert_eq!(bar(0.0, 4), "");
        assert_eq!(bar(1.0, 2), "██");
        assert_eq!(bar(0.5, 1), "▌");
    }
}
