//! Rows of the Disk pane: what takes space, by kind.

use ratatui::layout::Constraint;
use ratatui::widgets::Cell;

use super::RowCtx;
use crate::du::{Category, Item};
use crate::tui::widgets::table::{Column, TableRow};

impl TableRow for Item {
    type Ctx<'a> = RowCtx<'a>;

    fn columns(width: u16) -> Vec<Column> {
        let mut cols = vec![
            Column::new("kind", Constraint::Length(8)),
            Column::new("     size", Constraint::Length(9)),
            Column::new("name", Constraint::Min(16)),
        ];
        if width >= 70 {
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
        let name = match &self.path {
            Some(path) if self.category != Category::ImageFile => crate::tui::format::tilde(path),
            _ => self.name.clone(),
        };
        let mut cells = vec![
            Cell::from(self.category.short()).style(kind_style),
            Cell::from(format!("{:>9}", crate::units::bytes(self.size))),
            Cell::from(crate::tui::format::fit_end(
                &name,
                width.saturating_sub(30) as usize,
            )),
        ];
        if width >= 70 {
            let date = crate::tui::format::date(self.time);
            cells.push(Cell::from(date.get(..10).unwrap_or(&date).to_string()));
            cells.push(Cell::from(self.note.clone()).style(theme.dim()));
        }
        cells
    }
}
