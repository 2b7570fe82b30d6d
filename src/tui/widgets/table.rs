//! The one table widget every list uses: rows describe themselves through [`TableRow`];
//! the widget draws the block, the header, the selection and the loading/empty/failed message.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap,
};

use crate::tui::state::{Cursor, LoadState};
use crate::tui::theme::Theme;

pub struct Column {
    pub title: &'static str,
    pub width: Constraint,
}

impl Column {
    pub const fn new(title: &'static str, width: Constraint) -> Column {
        Column { title, width }
    }
}

/// A row of some table. `Ctx` is whatever the row needs to describe itself (theme, daemon state).
pub trait TableRow {
    type Ctx<'a>;
    /// Columns for a table `width` cells wide (narrow tables drop columns).
    fn columns(width: u16) -> Vec<Column>;
    /// One cell per column of `columns(width)`.
    fn cells(&self, ctx: &Self::Ctx<'_>, width: u16) -> Vec<Cell<'static>>;
}

/// How a table is framed.
pub struct Framing<'t> {
    pub title: Line<'t>,
    /// Right-aligned in the top border: a filter, a count, a loading marker.
    pub badge: Option<Line<'t>>,
    pub focused: bool,
    pub borders: Borders,
    pub status: &'t LoadState<()>,
    /// Shown when there are no rows and the status is ready.
    pub empty_text: &'t str,
    /// A line in the bottom border, shown with or without rows (e.g. why a source is missing).
    pub footer: Option<Line<'t>>,
    /// Some rows are marked: a first column shows which.
    pub marks: bool,
}

/// Draw `rows` (already filtered; each with whether it is marked) with the cursor, or the
/// message that stands in for them.
pub fn draw<'r, R: TableRow + 'r>(
    frame: &mut Frame<'_>,
    area: Rect,
    framing: Framing<'_>,
    rows: impl Iterator<Item = (&'r R, bool)>,
    ctx: &R::Ctx<'_>,
    cursor: Cursor,
    theme: &Theme,
) {
    let status = framing.status;
    let empty_text = framing.empty_text;
    let mut block = Block::default()
        .borders(framing.borders)
        .border_style(theme.border(framing.focused))
        .title(framing.title);
    if let Some(badge) = framing.badge {
        block = block.title(badge.alignment(Alignment::Right));
    }
    if let Some(footer) = framing.footer {
        block = block.title_bottom(footer);
    }
    let inner = block.inner(area);
    let marks = framing.marks;
    let width = if marks {
        inner.width.saturating_sub(2)
    } else {
        inner.width
    };
    // Only the rows on screen are described (the header takes one line).
    let height = inner.height.saturating_sub(1).max(1) as usize;
    let body: Vec<Row<'static>> = rows
        .skip(cursor.offset)
        .take(height)
        .map(|(r, marked)| {
            let mut cells = r.cells(ctx, width);
            if marks {
                let mark = if marked {
                    Cell::from(Span::styled("*", theme.accent()))
                } else {
                    Cell::from(" ")
                };
                cells.insert(0, mark);
            }
            Row::new(cells)
        })
        .collect();

    let body_len = body.len();
    if body.is_empty() {
        let message = match status {
            LoadState::Loading => Line::styled("loading…", theme.dim()),
            LoadState::Failed(reason) => Line::styled(reason.clone(), theme.error()),
            LoadState::Ready(()) => Line::styled(empty_text.to_string(), theme.dim()),
        };
        frame.render_widget(
            Paragraph::new(message)
                .wrap(Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    }

    let mut columns = R::columns(width);
    if marks {
        columns.insert(0, Column::new(" ", Constraint::Length(1)));
    }
    let header = Row::new(
        columns
            .iter()
            .map(|c| Cell::from(Span::styled(c.title, theme.dim()))),
    );
    let widths: Vec<Constraint> = columns.iter().map(|c| c.width).collect();
    let selected = cursor
        .selected
        .checked_sub(cursor.offset)
        .filter(|s| *s < body_len);
    let table = Table::new(body, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected(framing.focused))
        .highlight_symbol(if framing.focused { "▶" } else { "›" })
        .highlight_spacing(HighlightSpacing::Always)
        .block(block);
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
}
