//! Data shared by the server and the browser: what pages show.

use serde::{Deserialize, Serialize};

/// Location tags of a host or domain in the plant hierarchy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlantTags {
    pub plant: String,
    pub area: String,
    pub line: String,
    pub cell: String,
}

impl PlantTags {
    /// The non-empty tags as `(key, value)` pairs, outermost first.
    pub fn pairs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("plant", self.plant.as_str()),
            ("area", self.area.as_str()),
            ("line", self.line.as_str()),
            ("cell", self.cell.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
    }

    /// Sets the tag named `key`; unknown keys are ignored.
    pub fn set(&mut self, key: &str, value: &str) {
        let slot = match key {
            "plant" => &mut self.plant,
            "area" => &mut self.area,
            "line" => &mut self.line,
            "cell" => &mut self.cell,
            _ => return,
        };
        *slot = value.to_string();
    }
}

/// Connection state of a registered host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HostState {
    Connecting,
    Connected,
    Unreachable,
}

impl HostState {
    pub fn as_str(self) -> &'static str {
        match self {
            HostState::Connecting => "connecting",
            HostState::Connected => "connected",
            HostState::Unreachable => "unreachable",
        }
    }
}

/// Facts a host reports about itself once connected.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeFacts {
    pub hostname: String,
    pub cpu_model: String,
    pub cpus: u32,
    pub mhz: u32,
    pub memory_kib: u64,
    /// Unknown when the driver does not report it.
    pub free_memory_kib: Option<u64>,
    /// Driver name and version, e.g. "QEMU 10.0.2".
    pub hypervisor: String,
    pub libvirt_version: String,
}

/// One registered host as the hosts page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostView {
    pub id: i64,
    pub name: String,
    pub uri: String,
    pub tags: PlantTags,
    pub demo: bool,
    pub state: HostState,
    pub last_error: Option<crate::i18n::Key>,
    pub facts: Option<NodeFacts>,
    pub domains_running: u32,
    pub domains_total: u32,
    pub vcpus_allocated: u32,
    pub memory_allocated_kib: u64,
}

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

/// Column the inventory is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SortKey {
    #[default]
    Name,
    Kind,
    State,
    Vcpus,
    Memory,
    Host,
}

impl SortKey {
    pub const ALL: [SortKey; 6] = [
        SortKey::Name,
        SortKey::Kind,
        SortKey::State,
        SortKey::Vcpus,
        SortKey::Memory,
        SortKey::Host,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Kind => "kind",
            SortKey::State => "state",
            SortKey::Vcpus => "vcpus",
            SortKey::Memory => "memory",
            SortKey::Host => "host",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What the inventory page asks for; every field comes from the URL query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryQuery {
    pub text: String,
    pub host: Option<i64>,
    pub state: Option<DomainState>,
    pub kind: Option<DomainKind>,
    /// Only this workspace's domains (the workspace switcher).
    pub workspace: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    /// Zero-based page number.
    pub page: usize,
    pub per_page: usize,
}

/// Page size when the query names none.
pub const DEFAULT_PER_PAGE: usize = 50;

/// One page of the filtered, sorted inventory.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryPage {
    pub rows: Vec<DomainRow>,
    /// Rows matching the filter, over all pages.
    pub matched: usize,
    /// Domains known in all.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    /// Hosts for the filter drop-down: (id, name).
    pub hosts: Vec<(i64, String)>,
}

impl InventoryPage {
    pub fn page_count(&self) -> usize {
        self.matched.div_ceil(self.per_page.max(1)).max(1)
    }
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

/// A workspace's limits; `None` means no limit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quotas {
    pub vcpus: Option<i64>,
    pub memory_mib: Option<i64>,
    pub disk_gib: Option<i64>,
    pub domains: Option<i64>,
}

/// What a workspace's domains use now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub vcpus: i64,
    pub memory_mib: i64,
    /// Disk capacity of the workspace's domains, whole GiB rounded up.
    pub disk_gib: i64,
    pub domains: i64,
}

/// A workspace member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: i64,
    pub username: String,
    pub role: crate::policy::Role,
}

/// A workspace as its pages show it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceView {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub quotas: Quotas,
    pub usage: Usage,
    pub members: Vec<MemberView>,
    pub hosts: Vec<i64>,
    pub networks: Vec<String>,
    pub pools: Vec<String>,
}

/// A user as the users page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: String,
}

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

/// A VM template as the create page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub vcpus: i64,
    pub memory_mib: i64,
    pub disk_gib: i64,
    pub network: String,
    pub boot: String,
}

/// A container root filesystem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RootFsView {
    pub id: i64,
    pub name: String,
    pub path: String,
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
