//! The dashboard's figures.

use serde::{Deserialize, Serialize};

use super::host::HostState;

/// One host's bar on the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostLoad {
    pub id: i64,
    pub name: String,
    pub state: HostState,
    pub vcpus_allocated: u32,
    pub cpus: u32,
    pub memory_allocated_kib: u64,
    pub memory_kib: u64,
}

/// The dashboard's figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DashboardData {
    pub hosts_up: u32,
    pub hosts_down: u32,
    pub domains_running: u32,
    pub domains_stopped: u32,
    pub domains_other: u32,
    pub loads: Vec<HostLoad>,
}
