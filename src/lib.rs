//! haul: inspect and move Docker/OCI image tarballs.
//!
//! The library is organised by domain: [`archive`] reads image archives without Docker,
//! [`daemon`] talks to the Docker Engine, [`artifacts`] finds and fetches workflow artifacts,
//! [`transfer`] runs background jobs with progress, [`cli`] and [`tui`] are the two front ends.

pub mod archive;
pub mod artifacts;
pub mod calendar;
pub mod cli;
pub mod daemon;
pub mod digest;
pub mod du;
pub mod escape;
pub mod partial;
pub mod paths;
pub mod transfer;
pub mod tui;
pub mod units;
