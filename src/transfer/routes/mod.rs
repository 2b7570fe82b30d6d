//! The bodies a load can send. Each route only makes a request body (and the blocking thread
//! writing it); sending, judging the answer and undoing are the load's (`super::load`).
//! Routes depend on the leaves (types, body, upload) and never on each other.

pub mod decompressed;
pub mod docker_archive;
pub mod oci_layout;
