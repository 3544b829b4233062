//! Hosts as pages show them: plant tags, connection state, facts.

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

/// Whether a host takes new domains, or is being (or has been) emptied for
/// work on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Maintenance {
    #[default]
    Off,
    /// Its domains are being moved off; placement gives it none.
    Entering,
    /// Empty (or forced): placement gives it none.
    On,
}

impl Maintenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Maintenance::Off => "off",
            Maintenance::Entering => "entering",
            Maintenance::On => "on",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Maintenance::Off, Maintenance::Entering, Maintenance::On]
            .into_iter()
            .find(|m| m.as_str() == s)
    }

    pub fn label(self) -> crate::i18n::Key {
        match self {
            Maintenance::Off => crate::i18n::Key::MaintenanceOff,
            Maintenance::Entering => crate::i18n::Key::MaintenanceEntering,
            Maintenance::On => crate::i18n::Key::MaintenanceOn,
        }
    }
}

/// A domain a drain could not move off a host, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Blocker {
    pub domain_uuid: String,
    pub domain_name: String,
    pub reason: crate::i18n::Key,
    /// What the reason names (an affinity rule), if anything.
    pub detail: String,
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
    #[serde(default)]
    pub maintenance: Maintenance,
    /// What its drain could not move (administrators only).
    #[serde(default)]
    pub blockers: Vec<Blocker>,
    /// Unreachable past the failover grace period.
    #[serde(default)]
    pub lost: bool,
    /// Confirmed powered off (or fenced by its program).
    #[serde(default)]
    pub fenced: bool,
    /// Stale copies running on it after a failover (administrators only).
    #[serde(default)]
    pub conflicts: Vec<String>,
    /// Emptied by a plan: `off` (powered down by its program) or `manual`
    /// (to power off by hand); administrators only.
    #[serde(default)]
    pub power: Option<String>,
}
