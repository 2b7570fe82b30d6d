//! A list pane: its rows, a filter, a sort order and marked rows, over indices into the rows
//! (filtering and sorting never copy or re-read a row).

use std::collections::HashSet;

use super::state::{Cursor, LoadState};

/// How a pane's rows are ordered (`o` cycles); `None` in a pane keeps the source's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Name,
    /// Biggest first.
    Size,
    /// Newest first.
    Age,
}

impl SortBy {
    /// The next order for `o`: name, size, age, name...
    pub fn next(current: Option<SortBy>) -> SortBy {
        match current {
            None | Some(SortBy::Age) => SortBy::Name,
            Some(SortBy::Name) => SortBy::Size,
            Some(SortBy::Size) => SortBy::Age,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortBy::Name => "name",
            SortBy::Size => "size",
            SortBy::Age => "age",
        }
    }
}

/// A row in one of the list panes.
pub trait Filterable {
    /// A stable identity, to keep the selection and the marks across refreshes.
    fn key(&self) -> String;
    /// True when the row matches a lower-case filter text.
    fn matches(&self, needle: &str) -> bool;
    /// What sorting by name compares.
    fn sort_name(&self) -> String;
    /// Bytes, for sorting by size.
    fn sort_size(&self) -> u64;
    /// Unix seconds (or any clock where newer is bigger), for sorting by age.
    fn sort_time(&self) -> i64;
}

/// A list pane: its load state, its rows, the filter, the order, the marks and the cursor
/// over the visible rows.
#[derive(Debug, Clone)]
pub struct ListPane<R> {
    pub status: LoadState<()>,
    pub rows: Vec<R>,
    pub filter: String,
    pub cursor: Cursor,
    pub sort: Option<SortBy>,
    /// Keys of the marked rows (`space`, `v`): what batch actions act on.
    pub marked: HashSet<String>,
    visible: Vec<usize>,
}

impl<R> Default for ListPane<R> {
    fn default() -> Self {
        ListPane {
            status: LoadState::Loading,
            rows: Vec::new(),
            filter: String::new(),
            cursor: Cursor::default(),
            sort: None,
            marked: HashSet::new(),
            visible: Vec::new(),
        }
    }
}

impl<R> ListPane<R> {
    /// Rows left after filtering.
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// Rows after filtering, in order.
    pub fn visible(&self) -> impl Iterator<Item = &R> {
        self.visible.iter().map(|&i| &self.rows[i])
    }

    pub fn selected(&self) -> Option<&R> {
        self.visible
            .get(self.cursor.selected)
            .map(|&i| &self.rows[i])
    }

    pub fn selected_mut(&mut self) -> Option<&mut R> {
        let i = *self.visible.get(self.cursor.selected)?;
        self.rows.get_mut(i)
    }
}

impl<R: Filterable> ListPane<R> {
    /// Replace the rows, keeping the selected row selected when it is still there, and the
    /// marks of rows still there.
    pub fn set_rows(&mut self, rows: Vec<R>) {
        self.edit_rows(|old| *old = rows);
    }

    /// Change the rows in place, keeping the selection and the marks as [`Self::set_rows`].
    pub fn edit_rows(&mut self, edit: impl FnOnce(&mut Vec<R>)) {
        let keep = self.selected().map(|r| r.key());
        edit(&mut self.rows);
        self.status = LoadState::Ready(());
        if !self.marked.is_empty() {
            let keys: HashSet<String> = self.rows.iter().map(|r| r.key()).collect();
            self.marked.retain(|k| keys.contains(k));
        }
        self.refilter();
        if let Some(key) = keep {
            self.select_key(&key);
        }
        let len = self.visible.len();
        self.cursor.to(self.cursor.selected, len);
    }

    /// Put the cursor on the row with this key, if it is visible. True when it is.
    pub fn select_key(&mut self, key: &str) -> bool {
        match self.visible.iter().position(|&i| self.rows[i].key() == key) {
            Some(pos) => {
                self.cursor.selected = pos;
                true
            }
            None => false,
        }
    }

    pub fn fail(&mut self, reason: String) {
        self.rows.clear();
        self.visible.clear();
        self.marked.clear();
        self.cursor = Cursor::default();
        self.status = LoadState::Failed(reason);
    }

    pub fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.refilter();
        self.cursor = Cursor::default();
    }

    /// Sort by `by`, keeping the selected row selected.
    pub fn set_sort(&mut self, by: SortBy) {
        let keep = self.selected().map(|r| r.key());
        self.sort = Some(by);
        self.refilter();
        if let Some(key) = keep {
            self.select_key(&key);
        }
    }

    pub fn refilter(&mut self) {
        let needle = self.filter.to_lowercase();
        let rows = &self.rows;
        self.visible = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| needle.is_empty() || r.matches(&needle))
            .map(|(i, _)| i)
            .collect();
        match self.sort {
            None => {}
            Some(SortBy::Name) => self
                .visible
                .sort_by_cached_key(|&i| rows[i].sort_name().to_lowercase()),
            Some(SortBy::Size) => self
                .visible
                .sort_by_key(|&i| std::cmp::Reverse(rows[i].sort_size())),
            Some(SortBy::Age) => self
                .visible
                .sort_by_key(|&i| std::cmp::Reverse(rows[i].sort_time())),
        }
    }

    /// Row `i` changed in a way the filter may see (its report arrived): show or hide it in
    /// place, without filtering every row. The selected row stays selected.
    pub fn row_changed(&mut self, i: usize) {
        if i >= self.rows.len() {
            return;
        }
        let needle = self.filter.to_lowercase();
        let shown = needle.is_empty() || self.rows[i].matches(&needle);
        let at = self.visible.iter().position(|&v| v == i);
        let keep = self.visible.get(self.cursor.selected).copied();
        match (shown, at) {
            (true, None) => {
                let pos = self.position_of(i);
                self.visible.insert(pos, i);
            }
            (false, Some(pos)) => {
                self.visible.remove(pos);
            }
            _ => return,
        }
        if let Some(pos) = keep.and_then(|k| self.visible.iter().position(|&v| v == k)) {
            self.cursor.selected = pos;
        }
        let len = self.visible.len();
        self.cursor.to(self.cursor.selected, len);
    }

    /// Where row `i` goes among the visible rows: the order [`Self::refilter`] makes (by the
    /// sort key, rows with equal keys in their own order).
    fn position_of(&self, i: usize) -> usize {
        use std::cmp::Reverse;
        let rows = &self.rows;
        match self.sort {
            None => self.visible.partition_point(|&v| v < i),
            Some(SortBy::Name) => {
                let key = (rows[i].sort_name().to_lowercase(), i);
                self.visible
                    .partition_point(|&v| (rows[v].sort_name().to_lowercase(), v) < key)
            }
            Some(SortBy::Size) => {
                let key = (Reverse(rows[i].sort_size()), i);
                self.visible
                    .partition_point(|&v| (Reverse(rows[v].sort_size()), v) < key)
            }
            Some(SortBy::Age) => {
                let key = (Reverse(rows[i].sort_time()), i);
                self.visible
                    .partition_point(|&v| (Reverse(rows[v].sort_time()), v) < key)
            }
        }
    }

    pub fn is_marked(&self, row: &R) -> bool {
        !self.marked.is_empty() && self.marked.contains(&row.key())
    }

    /// `space`: mark or unmark the selected row.
    pub fn toggle_mark(&mut self) {
        if let Some(key) = self.selected().map(|r| r.key())
            && !self.marked.remove(&key)
        {
            self.marked.insert(key);
        }
    }

    /// `v`: mark every visible row, or unmark them all when they all are marked.
    pub fn toggle_all(&mut self) {
        let keys: Vec<String> = self.visible().map(|r| r.key()).collect();
        if keys.iter().all(|k| self.marked.contains(k)) {
            for key in &keys {
                self.marked.remove(key);
            }
        } else {
            self.marked.extend(keys);
        }
    }

    /// The marked rows that are visible, in the order shown (batch actions act on what is seen).
    pub fn marked_rows(&self) -> Vec<&R> {
        if self.marked.is_empty() {
            return Vec::new();
        }
        self.visible().filter(|r| self.is_marked(r)).collect()
    }

    /// The marked rows, or else the selected one: what an action acts on.
    pub fn targets(&self) -> Vec<&R> {
        let marked = self.marked_rows();
        if marked.is_empty() {
            self.selected().into_iter().collect()
        } else {
            marked
        }
    }

    /// The visible rows and whether each is marked, for drawing.
    pub fn visible_marked(&self) -> impl Iterator<Item = (&R, bool)> {
        self.visible().map(|r| (r, self.is_marked(r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone)]
    struct Row(&'static str, u64, i64);

    impl Filterable for Row {
        fn key(&self) -> String {
            self.0.to_string()
        }
        fn matches(&self, needle: &str) -> bool {
            self.0.contains(needle)
        }
        fn sort_name(&self) -> String {
            self.0.to_string()
        }
        fn sort_size(&self) -> u64 {
            self.1
        }
        fn sort_time(&self) -> i64 {
            self.2
        }
    }

    fn names(list: &ListPane<Row>) -> Vec<&'static str> {
        list.visible().map(|r| r.0).collect()
    }

    #[test]
    fn sorts_filters_and_marks_over_indices() {
        let mut list = ListPane::default();
        list.set_rows(vec![Row("b", 1, 30), Row("a", 3, 10), Row("c", 2, 20)]);
        assert_eq!(names(&list), ["b", "a", "c"], "the source's order first");
        list.cursor.selected = 2;
        list.set_sort(SortBy::Name);
        assert_eq!(names(&list), ["a", "b", "c"]);
        assert_eq!(list.selected().map(|r| r.0), Some("c"), "selection kept");
        list.set_sort(SortBy::Size);
        assert_eq!(names(&list), ["a", "c", "b"]);
        list.set_sort(SortBy::Age);
        assert_eq!(names(&list), ["b", "c", "a"]);

        list.toggle_mark();
        assert_eq!(list.targets().len(), 1);
        list.toggle_all();
        assert_eq!(list.marked_rows().len(), 3);
        list.toggle_all();
        assert!(list.marked_rows().is_empty());
        list.toggle_mark();
        list.set_filter("b".into());
        assert!(
            list.marked_rows().is_empty(),
            "only visible rows are acted on"
        );
        assert_eq!(
            list.targets().iter().map(|r| r.0).collect::<Vec<_>>(),
            ["b"]
        );
        list.set_rows(vec![Row("b", 1, 30)]);
        assert!(list.marked.is_empty(), "marks of rows gone are dropped");
    }

    #[test]
    fn a_changed_row_is_shown_or_hidden_where_a_refilter_would_put_it() {
        let rows = || {
            vec![
                Row("xa", 5, 1),
                Row("b", 5, 2),
                Row("xc", 1, 3),
                Row("d", 9, 4),
                Row("xe", 5, 5),
            ]
        };
        for sort in [
            None,
            Some(SortBy::Name),
            Some(SortBy::Size),
            Some(SortBy::Age),
        ] {
            let mut list = ListPane::default();
            list.set_rows(rows());
            if let Some(by) = sort {
                list.set_sort(by);
            }
            list.set_filter("x".into());
            assert!(list.select_key("xe"));
            // Row "b" now matches, then "xc" no longer does: as if filtered again.
            list.rows[1].0 = "xb";
            list.row_changed(1);
            list.rows[2].0 = "c";
            list.row_changed(2);
            let incremental = names(&list);
            assert_eq!(list.selected().map(|r| r.0), Some("xe"), "{sort:?}");
            list.refilter();
            assert_eq!(incremental, names(&list), "{sort:?}");
        }
    }
}
