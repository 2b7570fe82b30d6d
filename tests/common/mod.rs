//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod archives;
pub mod contents;
pub mod docker;
pub mod engines;
pub mod fake_github;
pub mod fixtures;
pub mod fuzz;
pub mod hostile;
pub mod http;
pub mod images;
pub mod loaded;
pub mod pty;
pub mod sshd;
