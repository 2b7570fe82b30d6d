//! The Docker Engine: finding it, listing and inspecting images, which layers it already holds.

/// One row of `haul images`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImageRow {
    pub id: String,
    pub tags: Vec<String>,
    /// Unix seconds.
    pub created: i64,
    pub size: u64,
    pub layer_count: usize,
    pub dangling: bool,
}
