//! Rows of the Images pane: the daemon's images.

use ratatui::layout::Constraint;
use ratatui::widgets::Cell;

use super::RowCtx;
use crate::daemon::ImageRow;
use crate::tui::format;
use crate::tui::widgets::table::{Column, TableRow};

impl TableRow for ImageRow {
    type Ctx<'a> = RowCtx<'a>;

    fn columns(width: u16) -> Vec<Column> {
        let mut cols = vec![
            Column::new("repository:tag", Constraint::Min(20)),
            Column::new("id", Constraint::Length(12)),
            Column::new("size", Constraint::Length(9)),
        ];
        if width >= 70 {
            cols.push(Column::new("layers", Constraint::Length(6)));
            cols.push(Column::new("created", Constraint::Length(16)));
        }
        cols
    }

    fn cells(&self, ctx: &RowCtx<'_>, width: u16) -> Vec<Cell<'static>> {
        let theme = &ctx.app.config.theme;
        let name = match self.tags.as_slice() {
            [] => Cell::from("<none>").style(theme.dim()),
            [one] => Cell::from(one.clone()),
            [first, rest @ ..] => Cell::from(format!("{first} (+{})", rest.len())),
        };
        let mut cells = vec![
            name,
            Cell::from(crate::units::short_id(&self.id).to_string()),
            Cell::from(format!("{:>9}", crate::units::bytes(self.size))),
        ];
        if width >= 70 {
            cells.push(Cell::from(format!(
                "{:>6}",
                self.layer_count.map(|n| n.to_string()).unwrap_or_default()
            )));
            cells.push(Cell::from(format::date(self.created)));
        }
        cells
    }
}
