//! Forms submitted as plain text, as browsers send them (create, limits).

use serde::{Deserialize, Serialize};

/// The create form as submitted (all text, as browsers send it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    /// A template id, or empty for a custom domain.
    pub template: String,
    /// "vm" or "container".
    pub kind: String,
    pub name: String,
    pub workspace: String,
    /// A host id, or "auto".
    pub host: String,
    /// With `auto`: "spread", "pack", or empty for the server's default.
    pub placement: String,
    pub vcpus: String,
    pub memory_mib: String,
    pub disk_gib: String,
    pub disk_format: String,
    pub pool: String,
    pub network: String,
    /// "none", "iso" or "kernel".
    pub boot: String,
    pub iso: String,
    pub kernel: String,
    pub initrd: String,
    pub cmdline: String,
    pub init: String,
    pub args: String,
    pub rootfs: String,
    pub cpu_shares: String,
    pub cpu_quota_us: String,
    pub cpu_period_us: String,
    pub memory_hard_limit_mib: String,
    pub blkio_weight: String,
    pub start: String,
    /// An affinity rule of the workspace the new domain joins (its id), or
    /// empty.
    pub affinity: String,
}

/// The sandbox limits as typed into the edit form (empty: no limit).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LimitsForm {
    pub cpu_shares: String,
    pub cpu_quota_us: String,
    pub cpu_period_us: String,
    pub memory_hard_limit_mib: String,
    pub blkio_weight: String,
}
