//! Reusable widgets: the data table and the layer table.

pub mod layers;
pub mod table;
