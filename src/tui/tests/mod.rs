//! TUI tests: key -> action -> state, and render snapshots.
