//! Utilization history: the collector's rate arithmetic and rollups (pure),
//! trace import and chart rendering (server only), and
//! the chart ranges both builds share.

pub mod metric;
pub mod range;
pub mod rate;
pub mod rollup;
pub mod view;

#[cfg(feature = "ssr")]
pub mod chart;
#[cfg(feature = "ssr")]
pub mod collector;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod heat;
#[cfg(feature = "ssr")]
pub mod panel;
#[cfg(feature = "ssr")]
pub mod trace;

/// The data set of collected samples; imported traces use `trace:<name>`.
pub const LIVE: &str = "live";

/// How history is collected and kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub interval_secs: i64,
    pub retention: range::Retention,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            interval_secs: 10,
            retention: range::Retention::default(),
        }
    }
}

impl Settings {
    /// Longest gap between two readings still turned into a rate: a host
    /// back after a longer outage starts a new baseline.
    pub fn max_gap_ms(&self) -> i64 {
        (self.interval_secs * 3).max(60) * 1000
    }
}
