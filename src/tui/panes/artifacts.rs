//! Rows of the Artifacts pane: local ones look like tarball rows, remote ones carry a `☁`
//! mark, their size, run, branch, creation time and expiry.

use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

use super::RowCtx;
use crate::tui::artifact_rows::{ArtifactRow, expiry, short_time};
use crate::tui::state::FileEntry;
use crate::tui::widgets::table::{Column, TableRow};

impl TableRow for ArtifactRow {
    type Ctx<'a> = RowCtx<'a>;

    fn columns(width: u16) -> Vec<Column> {
        FileEntry::columns(width)
    }

    fn cells(&self, ctx: &RowCtx<'_>, width: u16) -> Vec<Cell<'static>> {
        let a = match self {
            ArtifactRow::Local(entry) => return entry.cells(ctx, width),
            ArtifactRow::Remote(a) => a,
        };
        let theme = &ctx.app.config.theme;
        // Branch and creation day here; run, commit and times in the details.
        let mut about = Vec::new();
        if let Some(branch) = a.branch() {
            about.push(branch.to_string());
        }
        let created = short_time(a.created_at.as_deref());
        about.push(created.get(..10).unwrap_or(&created).to_string());
        let until = expiry(a);
        let until_style = if a.expired {
            theme.error()
        } else {
            theme.dim()
        };
        let mut info = vec![Span::raw(about.join(" · "))];
        if width < 90 && !until.is_empty() {
            info.push(Span::styled(format!(" · {until}"), until_style));
        }
        let mut cells = vec![
            Cell::from(Span::styled("☁", theme.accent())),
            Cell::from(crate::tui::format::fit_end(
                &a.name,
                (width.saturating_sub(1) as usize * 40 / 100)
                    .saturating_sub(1)
                    .max(8),
            )),
            Cell::from(format!("{:>9}", crate::units::bytes(a.size_in_bytes))),
            Cell::from(Line::from(info)),
        ];
        if width >= 90 {
            cells.push(Cell::from(Span::styled(until, until_style)));
        }
        cells
    }
}
