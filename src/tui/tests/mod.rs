//! TUI tests without a terminal: key -> action -> state, messages -> state, render snapshots.

mod fixtures;
mod keys;
mod messages;
mod remote;
mod render;
