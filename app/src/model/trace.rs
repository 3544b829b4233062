//! An imported utilization trace data set as the history page lists it.

use serde::{Deserialize, Serialize};

/// One imported data set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceView {
    pub name: String,
    /// The VMs (entities) it holds.
    pub vms: i64,
    /// Samples imported.
    pub samples: i64,
    /// First and last sample (`YYYY-MM-DD HH:MM UTC`); empty when none.
    pub from: String,
    pub to: String,
}
