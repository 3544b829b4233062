//! Domains: run state, kind, the inventory row, the parsed configuration
//! and the detail page, snapshots, sandbox limits.

use serde::{Deserialize, Serialize};

use super::host::PlantTags;

/// Run state of a domain, from libvirt's `virDomainState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DomainState {
    Running,
    Blocked,
    Paused,
    ShuttingDown,
    Shutoff,
    Crashed,
    Suspended,
    Unknown,
}

impl DomainState {
    pub const ALL: [DomainState; 8] = [
        DomainState::Running,
        DomainState::Blocked,
        DomainState::Paused,
        DomainState::ShuttingDown,
        DomainState::Shutoff,
        DomainState::Crashed,
        DomainState::Suspended,
        DomainState::Unknown,
    ];

    /// Maps libvirt's numeric state (`VIR_DOMAIN_*`).
    pub fn from_libvirt(code: u32) -> Self {
        match code {
            1 => DomainState::Running,
            2 => DomainState::Blocked,
            3 => DomainState::Paused,
            4 => DomainState::ShuttingDown,
            5 => DomainState::Shutoff,
            6 => DomainState::Crashed,
            7 => DomainState::Suspended,
            _ => DomainState::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DomainState::Running => "running",
            DomainState::Blocked => "blocked",
            DomainState::Paused => "paused",
            DomainState::ShuttingDown => "shutting-down",
            DomainState::Shutoff => "shutoff",
            DomainState::Crashed => "crashed",
            DomainState::Suspended => "suspended",
            DomainState::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the domain holds host resources (CPU time, memory).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            DomainState::Running
                | DomainState::Blocked
                | DomainState::Paused
                | DomainState::ShuttingDown
        )
    }
}

/// Whether a domain is a full VM or an OS container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DomainKind {
    Vm,
    Container,
}

impl DomainKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DomainKind::Vm => "vm",
            DomainKind::Container => "container",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "vm" => Some(DomainKind::Vm),
            "container" => Some(DomainKind::Container),
            _ => None,
        }
    }
}

/// One domain in the inventory list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainRow {
    pub uuid: String,
    pub name: String,
    pub kind: DomainKind,
    pub state: DomainState,
    pub vcpus: u32,
    pub memory_kib: u64,
    /// Capacity of its disks (not CD-ROMs), as the host reports it.
    pub disk_bytes: u64,
    pub host_id: i64,
    pub host_name: String,
    pub workspace: Option<String>,
    pub tags: PlantTags,
}

/// A disk as the detail page shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DiskInfo {
    pub device: String,
    pub source: String,
    pub target: String,
    pub bus: String,
    pub format: String,
    /// Capacity in bytes, when the host could tell.
    pub capacity: Option<u64>,
}

/// A network interface as the detail page shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NicInfo {
    pub kind: String,
    pub mac: String,
    pub source: String,
    pub model: String,
    pub vlan: Option<u32>,
    /// `address/prefix` from the network's DHCP leases, while running.
    #[serde(default)]
    pub addresses: Vec<String>,
}

/// A graphics device (VNC, SPICE).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphicsInfo {
    pub kind: String,
    pub port: Option<i32>,
    pub listen: String,
}

/// What a domain's XML says, as far as the dashboard cares.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DomainConfig {
    pub name: String,
    pub uuid: String,
    pub hypervisor: String,
    pub os_type: String,
    pub arch: String,
    pub vcpus: u32,
    pub memory_kib: u64,
    pub description: String,
    pub init: Option<String>,
    /// Kind declared in our metadata, for hosts whose driver cannot express
    /// a container (the demo's test driver).
    pub declared_kind: Option<DomainKind>,
    pub workspace: Option<String>,
    pub tags: PlantTags,
    pub disks: Vec<DiskInfo>,
    pub nics: Vec<NicInfo>,
    pub graphics: Vec<GraphicsInfo>,
    /// Sandbox limits from `<cputune>`, `<memtune>` and `<blkiotune>`.
    pub limits: Limits,
}

impl DomainConfig {
    pub fn kind(&self) -> DomainKind {
        if let Some(kind) = self.declared_kind {
            kind
        } else if self.os_type == "exe" || self.hypervisor == "lxc" {
            DomainKind::Container
        } else {
            DomainKind::Vm
        }
    }
}

/// Everything the domain detail page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainDetail {
    pub row: DomainRow,
    pub config: DomainConfig,
    pub autostart: bool,
    pub persistent: bool,
    pub cpu_time_ns: u64,
    pub xml: String,
}

/// Sandbox limits, applied through libvirt's tunables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Relative CPU weight (`<cputune><shares>`).
    pub cpu_shares: Option<u64>,
    /// CPU bandwidth: quota µs per period µs (`<cputune><quota>/<period>`).
    pub cpu_quota_us: Option<i64>,
    pub cpu_period_us: Option<u64>,
    /// Memory hard limit in MiB (`<memtune><hard_limit>`).
    pub memory_hard_limit_mib: Option<u64>,
    /// Block I/O weight 100–1000 (`<blkiotune><weight>`).
    pub blkio_weight: Option<u32>,
}

/// A domain snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotView {
    pub name: String,
    pub description: String,
    /// The domain's state when taken (running, shutoff, …).
    pub state: String,
    /// Unix seconds.
    pub created: i64,
    pub current: bool,
}

/// What a create produced, and why that host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub host_id: i64,
    pub uuid: String,
    pub name: String,
    /// Why that host; none for a clone, which stays on its source's host.
    pub placement: Option<crate::placement::Reason>,
}
