//! Rows of the Tarballs and Artifacts panes: image files found in the scan folders.

use ratatui::layout::Constraint;
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

use super::RowCtx;
use crate::tui::state::{FileEntry, LoadState};
use crate::tui::widgets::table::{Column, TableRow};

impl TableRow for FileEntry {
    type Ctx<'a> = RowCtx<'a>;

    fn columns(width: u16) -> Vec<Column> {
        let mut cols = vec![
            Column::new(" ", Constraint::Length(1)),
            Column::new("file", Constraint::Percentage(40)),
            Column::new("size", Constraint::Length(9)),
            Column::new("images", Constraint::Min(12)),
        ];
        if width >= 90 {
            cols.push(Column::new("format", Constraint::Length(20)));
        }
        cols
    }

    fn cells(&self, ctx: &RowCtx<'_>, width: u16) -> Vec<Cell<'static>> {
        let app = ctx.app;
        let theme = &app.config.theme;
        let (mark, images, fmt) = match &self.report {
            LoadState::Loading => (
                Span::raw(" "),
                Line::styled("inspecting…", theme.dim()),
                String::new(),
            ),
            LoadState::Failed(reason) => (
                Span::styled("!", theme.error()),
                Line::styled(reason.clone(), theme.error()),
                String::new(),
            ),
            LoadState::Ready(report) => {
                let mark = if app.report_loaded(report) {
                    Span::styled("●", theme.ok())
                } else {
                    Span::raw(" ")
                };
                let names: Vec<String> = report
                    .images
                    .iter()
                    .map(|i| {
                        i.tags
                            .first()
                            .cloned()
                            .unwrap_or_else(|| crate::units::short_id(&i.id).to_string())
                    })
                    .collect();
                let fmt = match report.compression {
                    crate::archive::Compression::None => report.format.as_str().to_string(),
                    c => format!("{}+{}", report.format.as_str(), c.as_str()),
                };
                (mark, Line::from(names.join(", ")), fmt)
            }
        };
        // A link is shown as `ls -F` does: `name@` (its target is in the details).
        let shown = match &self.file.link {
            Some(_) => format!("{}@", self.file.display),
            None => self.file.display.clone(),
        };
        let mut cells = vec![
            Cell::from(mark),
            // The file column gets 40% of the table (less the selection mark).
            Cell::from(crate::tui::format::fit_end(
                &shown,
                (width.saturating_sub(1) as usize * 40 / 100)
                    .saturating_sub(1)
                    .max(8),
            )),
            Cell::from(format!("{:>9}", crate::units::bytes(self.file.stamp.size))),
            Cell::from(images),
        ];
        if width >= 90 {
            cells.push(Cell::from(fmt));
        }
        cells
    }
}
