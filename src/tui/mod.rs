//! The terminal UI: panes for daemon images, tarballs and artifacts, details, jobs.
