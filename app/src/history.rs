//! Utilization history: the collector's rate arithmetic and rollups (pure),
//! the SQLite store, trace import and chart rendering (server only), and
//! the chart ranges both builds share.

pub mod metric;
pub mod range;
pub mod rate;
pub mod rollup;

#[cfg(feature = "ssr")]
pub mod store;
