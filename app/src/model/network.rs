//! Virtual networks and their DHCP leases.

use serde::{Deserialize, Serialize};

/// A virtual network on a host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkView {
    pub host_id: i64,
    pub host_name: String,
    pub name: String,
    pub active: bool,
    pub autostart: bool,
    /// `nat`, `isolated`, `bridge` (or another libvirt forward mode).
    pub mode: String,
    pub bridge: String,
    /// `10.30.0.1/24`, empty when none.
    pub cidr: String,
    /// The DHCP range, empty when none.
    pub dhcp: String,
    pub vlan: Option<u16>,
}

/// One DHCP lease of a network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeaseView {
    pub mac: String,
    pub ip: String,
    pub hostname: String,
    /// When the lease ends (UTC, RFC 3339); empty when it never does.
    pub expires: String,
}
