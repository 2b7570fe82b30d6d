//! Rows of the Disk pane: what takes space, by kind.

use ratatui::layout::Constraint;
use ratatui::widgets::Cell;

use super::RowCtx;
use crate::du::{Category, Item};
use crate::tui::widgets::table::{Column, TableRow};

/// From this width the table has its own "changed" and "note" columns.
const WIDE: u16 = 100;

impl TableRow for Item {
    type Ctx<'a> = RowCtx<'a>;

    fn columns(width: u16) -> Vec<Column> {
        let mut cols = vec![
            Column::new("kind", Constraint::Length(8)),
            Column::new("     size", Constraint::Length(9)),
            Column::new("name", Constraint::Min(16)),
        ];
        if width >= WIDE {
            cols.push(Column::new("changed", Constraint::Length(10)));
            cols.push(Column::new("note", Constraint::Percentage(25)));
        }
        cols
    }

    fn cells(&self, ctx: &RowCtx<'_>, width: u16) -> Vec<Cell<'static>> {
        let theme = &ctx.app.config.theme;
        let kind_style = match self.category {
            Category::Dangling | Category::Unused => theme.warn(),
            Category::InUse => theme.ok(),
            _ => theme.dim(),
        };
        // What the other columns leave; paths keep their end (the file name), image names
        // their start.
        let others = if width >= WIDE {
            8 + 9 + 10 + width as usize / 4 + 5
        } else {
            8 + 9 + 3
        };
        let room = (width as usize).saturating_sub(others + 1).max(8);
        // Narrow: the note follows the name.
        let owned;
        let shown: &str = if width < WIDE && !self.note.is_empty() {
            owned = format!("{} · {}", self.name, self.note);
            &owned
        } else {
            &self.name
        };
        let name = match &self.path {
            Some(path) if self.category != Category::ImageFile => {
                crate::tui::format::fit_end(&crate::tui::format::tilde(path), room)
            }
            Some(_) => crate::tui::format::fit_end(shown, room),
            None => crate::tui::format::fit(shown, room),
        };
        let mut cells = vec![
            Cell::from(self.category.short()).style(kind_style),
            Cell::from(format!("{:>9}", crate::units::bytes(self.size))),
            Cell::from(name),
        ];
        if width >= WIDE {
            let date = crate::tui::format::date(self.time);
            cells.push(Cell::from(date.get(..10).unwrap_or(&date).to_string()));
            cells.push(Cell::from(self.note.clone()).style(theme.dim()));
        }
        cells
    }
}
