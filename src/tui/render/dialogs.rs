//! The dialogs: save (path and compression), a name prompt, confirmations, the copy menu.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::overlay::{boxed, centered};
use crate::transfer::SaveCompression;
use crate::tui::app::App;
use crate::tui::dialogs::{Confirm, CopyChoice, Prompt, PromptKind, SaveDialog};
use crate::units::{bytes, count, short_id};

/// A box as wide as the screen allows (up to 90) and as tall as its wrapped lines.
fn fit_box(frame: &mut Frame<'_>, app: &App, area: Rect, title: &str, lines: Vec<Line<'static>>) {
    let width = area.width.saturating_sub(4).min(90);
    let wrapped = super::wrap::wrap(&lines, width.saturating_sub(2) as usize);
    let height = wrapped.len() as u16 + 2;
    boxed(frame, app, centered(area, width, height), title, wrapped);
}

/// Lines that fit the box: the list is cut with a count of what is left out.
fn listed(items: Vec<String>, room: usize) -> Vec<Line<'static>> {
    let total = items.len();
    let mut lines: Vec<Line<'static>> = items
        .into_iter()
        .take(if total > room {
            room.saturating_sub(1)
        } else {
            room
        })
        .map(|t| Line::raw(format!("  {}", crate::escape::text(&t))))
        .collect();
    if total > lines.len() {
        lines.push(Line::raw(format!("  … and {} more", total - lines.len())));
    }
    lines
}

pub fn save(frame: &mut Frame<'_>, app: &App, dialog: &SaveDialog, area: Rect) {
    let theme = &app.config.theme;
    let what = match dialog.images.as_slice() {
        [one] => one.clone(),
        many => format!("{} into one tarball", count(many.len(), "image")),
    };
    let compression = dialog.compression();
    let why = if dialog.explicit.is_some() {
        "chosen"
    } else if compression == SaveCompression::None {
        "plain: .tar.gz or .tar.zst compress"
    } else {
        "from the name"
    };
    let lines = vec![
        Line::raw(format!("Save {what} to:")),
        Line::from(vec![
            Span::styled(dialog.input.clone(), theme.accent()),
            Span::raw("▏"),
        ]),
        Line::from(vec![
            Span::raw("compression: "),
            Span::styled(compression.as_str(), theme.accent()),
            Span::styled(format!(" ({why})"), theme.dim()),
        ]),
        Line::styled(
            "enter save · tab compression · esc cancel · ctrl-u clear",
            theme.dim(),
        ),
    ];
    fit_box(frame, app, area, "Save image", lines);
}

pub fn prompt(frame: &mut Frame<'_>, app: &App, prompt: &Prompt, area: Rect) {
    let theme = &app.config.theme;
    let (title, question, hint) = match &prompt.kind {
        PromptKind::Tag { shown, .. } => (
            "Tag image",
            format!("New name for {shown} (repo:tag):"),
            "an existing name moves to this image",
        ),
        PromptKind::LoadAs { shown, .. } => (
            "Load as",
            format!("Load {shown} as (repo:tag):"),
            "the archive's own tags stay as they were",
        ),
    };
    let lines = vec![
        Line::raw(question),
        Line::from(vec![
            Span::styled(prompt.input.clone(), theme.accent()),
            Span::raw("▏"),
        ]),
        Line::styled(format!("enter ok · esc cancel · {hint}"), theme.dim()),
    ];
    fit_box(frame, app, area, title, lines);
}

pub fn confirm(frame: &mut Frame<'_>, app: &App, confirm: &Confirm, area: Rect) {
    let theme = &app.config.theme;
    let room = area.height.saturating_sub(8).max(1) as usize;
    let yes = "y / enter: yes · any other key: no";
    let (title, mut lines, keys): (&str, Vec<Line<'static>>, String) = match confirm {
        Confirm::DeleteImage { id, tag, tags } if tags.len() > 1 => {
            let this = tag.clone().unwrap_or_else(|| tags[0].clone());
            let mut lines = vec![Line::raw(format!(
                "Image {} has {}:",
                short_id(id),
                count(tags.len(), "tag")
            ))];
            lines.extend(listed(tags.clone(), room));
            (
                "Delete",
                lines,
                format!("u: untag {this} only · a: delete the image with every tag · esc: keep"),
            )
        }
        Confirm::DeleteImage { id, tags, .. } => {
            let name = tags
                .first()
                .cloned()
                .unwrap_or_else(|| short_id(id).to_string());
            (
                "Delete",
                vec![Line::raw(format!("Delete image {name} from the daemon?"))],
                yes.to_string(),
            )
        }
        Confirm::DeleteImages(images) => {
            let mut lines = vec![Line::raw(format!(
                "Delete {}, each with every tag?",
                count(images.len(), "image")
            ))];
            lines.extend(listed(
                images
                    .iter()
                    .map(|(id, name)| format!("{}  {name}", short_id(id)))
                    .collect(),
                room,
            ));
            ("Delete", lines, yes.to_string())
        }
        Confirm::Untag(names) => {
            let mut lines = vec![Line::raw(format!("Remove {}?", count(names.len(), "tag")))];
            lines.extend(listed(
                names
                    .iter()
                    .map(|u| {
                        if u.last {
                            format!("{} (its image's last tag: the image goes too)", u.name)
                        } else {
                            u.name.clone()
                        }
                    })
                    .collect(),
                room,
            ));
            ("Untag", lines, yes.to_string())
        }
        Confirm::DeleteFiles(files) => {
            let total: u64 = files.iter().map(|(_, size)| size).sum();
            let mut lines = vec![Line::raw(match files.as_slice() {
                [(path, size)] => format!("Delete the file {} ({})?", path.display(), bytes(*size)),
                _ => format!("Delete {} ({})?", count(files.len(), "file"), bytes(total)),
            })];
            if files.len() > 1 {
                lines.extend(listed(
                    files
                        .iter()
                        .map(|(p, s)| format!("{:>10}  {}", bytes(*s), p.display()))
                        .collect(),
                    room,
                ));
            }
            ("Delete", lines, yes.to_string())
        }
        Confirm::Save { problem, .. } => {
            ("Save", vec![Line::raw(problem.clone())], yes.to_string())
        }
        Confirm::Clean(items) => {
            let total: u64 = items.iter().map(|i| i.size).sum();
            let mut lines = vec![Line::raw(format!(
                "Remove {} ({})?",
                count(items.len(), "item"),
                bytes(total)
            ))];
            lines.extend(listed(
                items
                    .iter()
                    .map(|i| {
                        format!(
                            "{:<8} {:>10}  {}",
                            i.category.short(),
                            bytes(i.size),
                            i.name
                        )
                    })
                    .collect(),
                room,
            ));
            ("Clean up", lines, yes.to_string())
        }
    };
    lines.push(Line::styled(keys, theme.warn()));
    fit_box(frame, app, area, title, lines);
}

pub fn copy(frame: &mut Frame<'_>, app: &App, choices: &[CopyChoice], area: Rect) {
    let theme = &app.config.theme;
    let mut lines: Vec<Line<'static>> = choices
        .iter()
        .map(|c| {
            // One label span: a long value wraps under itself.
            Line::from(vec![
                Span::styled(format!("{}  {:<7} ", c.key, c.what), theme.accent()),
                Span::styled(crate::escape::text(&c.text).into_owned(), theme.dim()),
            ])
        })
        .collect();
    lines.push(Line::styled(
        "the key copies it (OSC 52: over ssh and in tmux too) · esc: nothing",
        theme.dim(),
    ));
    fit_box(frame, app, area, "Copy", lines);
}
