//! Storage pools and volumes.

use serde::{Deserialize, Serialize};

/// A storage pool on a host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PoolView {
    pub host_id: i64,
    pub host_name: String,
    pub name: String,
    pub active: bool,
    /// libvirt's pool type (`dir`, `logical`, …).
    pub kind: String,
    /// Bytes.
    pub capacity: u64,
    pub allocation: u64,
    pub available: u64,
    pub autostart: bool,
    pub path: String,
}

/// A volume in a pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VolumeView {
    pub name: String,
    pub format: String,
    /// Bytes.
    pub capacity: u64,
    pub allocation: u64,
    pub path: String,
    /// Names of the domains whose configuration uses this volume (for a
    /// member, only its own workspaces' domains).
    pub used_by: Vec<String>,
    /// How many more domains, of workspaces the reader is not in, use it.
    #[serde(default)]
    pub used_elsewhere: u32,
    /// The workspace (slug) the volume belongs to; `None`: the plant's.
    #[serde(default)]
    pub owner: Option<String>,
    /// The domains that use it as a disk (or root) of their own, not as a
    /// shared CD-ROM: what its owner is derived from. Server side only.
    #[serde(skip)]
    pub disk_of: Vec<String>,
}

/// An ISO volume a create may boot from: `pool/volume`, and the hosts that
/// have it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BootMedium {
    pub pool: String,
    pub volume: String,
    pub hosts: Vec<String>,
}

impl BootMedium {
    /// The create form's value for it.
    pub fn value(&self) -> String {
        format!("{}/{}", self.pool, self.volume)
    }
}
