//! TUI tests without a terminal: key -> action -> state, messages -> state, render snapshots.

mod actions;
mod engines;
mod fixtures;
mod keys;
mod messages;
mod pages;
mod remote;
mod render;
mod views;
