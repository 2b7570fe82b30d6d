//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod archives;
pub mod images;
