//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod archives;
pub mod docker;
pub mod images;
