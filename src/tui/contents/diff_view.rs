//! The comparison view's state (`m` on one image, `D` on another): both images read, then
//! their difference with the files listed, filtered by change, ordered and searched.

use super::tree::{Order, bit, next_filter};
use super::{Compared, Running, Target};
use crate::archive::contents::ChangeKind;
use crate::tui::state::Cursor;

#[derive(Debug, Clone, PartialEq)]
pub struct DiffView {
    /// The image marked with `m` (before).
    pub a: Target,
    /// The image `D` was pressed on (after).
    pub b: Target,
    pub stage: DiffStage,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DiffStage {
    /// Reading the images (one control each; the same ticket).
    Reading {
        a: Running,
        b: Running,
    },
    Failed(String),
    Ready(Box<DiffBrowser>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffPanel {
    List,
    Search,
    Help,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiffBrowser {
    pub compared: Compared,
    /// Indices in `compared.diff.files` shown, in order.
    pub rows: Vec<usize>,
    pub cursor: Cursor,
    pub filter: Option<ChangeKind>,
    pub order: Order,
    pub search: String,
    pub panel: DiffPanel,
}

impl DiffBrowser {
    pub fn new(compared: Compared) -> DiffBrowser {
        let mut b = DiffBrowser {
            compared,
            rows: Vec::new(),
            cursor: Cursor::default(),
            filter: None,
            order: Order::Name,
            search: String::new(),
            panel: DiffPanel::List,
        };
        b.refresh();
        b
    }

    pub fn refresh(&mut self) {
        let needle = self.search.to_lowercase();
        let files = &self.compared.diff.files;
        let mut rows: Vec<usize> = (0..files.len())
            .filter(|i| {
                let f = &files[*i];
                self.filter.is_none_or(|k| bit(k) == bit(f.change))
                    && (needle.is_empty() || f.path.to_lowercase().contains(&needle))
            })
            .collect();
        if self.order == Order::Size {
            let delta = |i: &usize| {
                let f = &files[*i];
                f.size_after
                    .unwrap_or(0)
                    .abs_diff(f.size_before.unwrap_or(0))
            };
            rows.sort_by(|a, b| delta(b).cmp(&delta(a)).then(a.cmp(b)));
        }
        self.rows = rows;
        self.cursor.to(self.cursor.selected, self.rows.len());
    }

    pub fn step(&mut self, delta: isize, height: usize) {
        self.cursor.step(delta, self.rows.len());
        self.cursor.follow(self.rows.len(), height);
    }

    pub fn cycle_filter(&mut self) {
        self.filter = next_filter(self.filter);
        self.cursor = Cursor::default();
        self.refresh();
    }

    pub fn cycle_order(&mut self) {
        self.order = self.order.next();
        self.refresh();
    }

    pub fn set_search(&mut self, text: String) {
        self.search = text;
        self.cursor = Cursor::default();
        self.refresh();
    }

    /// The selected file's path.
    pub fn selected_path(&self) -> Option<&str> {
        let i = *self.rows.get(self.cursor.selected)?;
        self.compared.diff.files.get(i).map(|f| f.path.as_str())
    }
}
