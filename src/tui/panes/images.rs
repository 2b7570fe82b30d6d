//! Rows of the Images pane: one per tag of the daemon's images (or one per image).
//! Narrow tables drop the ID first, then the creation time, then the layer count: the name
//! and the size always show.

use ratatui::layout::Constraint;
use ratatui::widgets::Cell;

use super::RowCtx;
use crate::tui::format;
use crate::tui::image_rows::ImageEntry;
use crate::tui::widgets::table::{Column, TableRow};

const LAYERS_FROM: u16 = 34;
const DATE_FROM: u16 = 45;
const ID_FROM: u16 = 70;
const TIME_FROM: u16 = 76;

impl TableRow for ImageEntry {
    type Ctx<'a> = RowCtx<'a>;

    fn columns(width: u16) -> Vec<Column> {
        let mut cols = vec![Column::new("repository:tag", Constraint::Min(16))];
        if width >= ID_FROM {
            cols.push(Column::new("id", Constraint::Length(12)));
        }
        cols.push(Column::new("     size", Constraint::Length(9)));
        if width >= LAYERS_FROM {
            cols.push(Column::new("layers", Constraint::Length(6)));
        }
        if width >= TIME_FROM {
            cols.push(Column::new("created", Constraint::Length(16)));
        } else if width >= DATE_FROM {
            cols.push(Column::new("created", Constraint::Length(10)));
        }
        cols
    }

    fn cells(&self, ctx: &RowCtx<'_>, width: u16) -> Vec<Cell<'static>> {
        let theme = &ctx.app.config.theme;
        // What the other columns leave (and the selection mark): a long name ends with `…`
        // rather than being cut silently (`i` and the details show it whole).
        let columns = Self::columns(width);
        let fixed: usize = columns
            .iter()
            .skip(1)
            .map(|c| match c.width {
                Constraint::Length(n) => n as usize + 1,
                _ => 1,
            })
            .sum();
        let room = (width as usize).saturating_sub(fixed + 1).max(8);
        let name = match (&self.tag, self.hidden_tags()) {
            (None, _) => Cell::from("<none>").style(theme.dim()),
            (Some(tag), 0) => Cell::from(format::fit(tag, room)),
            (Some(tag), n) => {
                let more = format!(" (+{n})");
                let cut = format::fit(tag, room.saturating_sub(more.chars().count()).max(4));
                Cell::from(format!("{cut}{more}"))
            }
        };
        let image = &self.image;
        let mut cells = vec![name];
        if width >= ID_FROM {
            cells.push(Cell::from(crate::units::short_id(&image.id).to_string()));
        }
        cells.push(Cell::from(format!(
            "{:>9}",
            crate::units::bytes(image.size)
        )));
        if width >= LAYERS_FROM {
            cells.push(Cell::from(format!(
                "{:>6}",
                image.layer_count.map(|n| n.to_string()).unwrap_or_default()
            )));
        }
        let created = format::date(image.created);
        if width >= TIME_FROM {
            cells.push(Cell::from(created));
        } else if width >= DATE_FROM {
            cells.push(Cell::from(
                created.get(..10).unwrap_or(&created).to_string(),
            ));
        }
        cells
    }
}
