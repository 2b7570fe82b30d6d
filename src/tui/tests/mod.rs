//! TUI tests without a terminal: key -> action -> state, messages -> state, render snapshots.

mod actions;
mod engines;
mod files_diff_keys;
mod files_fixtures;
mod files_keys;
mod files_render;
mod files_work;
mod fixtures;
mod keys;
mod messages;
mod pages;
mod remote;
mod render;
mod views;
