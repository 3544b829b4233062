//! What the consolidation and cost-model pages show and send.

use serde::{Deserialize, Serialize};

/// The plan's settings, from the page's query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanQuery {
    /// `live`, or an imported trace data set (`trace:NAME`).
    pub dataset: String,
    /// `p50`, `p90`, `p95`, `p99` or `max`.
    pub percentile: String,
    /// CPU filled to at most this share of each host, %.
    pub headroom_pct: u32,
    /// How much history sizes a VM, days.
    pub window_days: u32,
    /// What-if: hosts taken away (failure or retirement); their VMs must
    /// go elsewhere.
    #[serde(default)]
    pub remove: Vec<i64>,
    /// The hosts planned (a cluster, a line); empty: every connected host.
    /// The domains on the others are left out.
    #[serde(default)]
    pub hosts: Vec<i64>,
}

impl Default for PlanQuery {
    fn default() -> Self {
        PlanQuery {
            dataset: "live".into(),
            percentile: "p95".into(),
            headroom_pct: 80,
            window_days: 14,
            remove: Vec::new(),
            hosts: Vec::new(),
        }
    }
}

/// One migration of the plan, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedMove {
    /// The domain's name, or `None` when the viewer may not see it.
    pub domain: Option<String>,
    pub uuid: Option<String>,
    pub from: String,
    pub to: String,
    pub cpu_mhz: f64,
    pub memory_mib: u64,
    /// A container moves offline (stopped, moved, started again).
    pub offline: bool,
}

/// A host before and after the plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedHost {
    pub id: i64,
    pub name: String,
    /// CPU demand as % of the host's CPU, memory as % of its memory.
    pub cpu_before: f64,
    pub cpu_after: f64,
    pub mem_before: f64,
    pub mem_after: f64,
    pub vms_before: usize,
    pub vms_after: usize,
    /// Whether it can take VMs (not in maintenance).
    pub receives: bool,
}

/// Yearly energy and cost of a set of hosts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Yearly {
    pub kwh: f64,
    pub energy_cost: f64,
    pub server_cost: f64,
}

impl Yearly {
    pub fn total(&self) -> f64 {
        self.energy_cost + self.server_cost
    }
}

/// The consolidation page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    pub query: Option<PlanQuery>,
    /// Data sets the demand may come from.
    pub datasets: Vec<String>,
    /// The hosts planned: (id, name).
    pub hosts: Vec<(i64, String)>,
    /// Every connected host, which the plan may be limited to: (id, name).
    #[serde(default)]
    pub scope: Vec<(i64, String)>,
    /// VMs planned, and of them those sized at their allocation (too
    /// little history).
    pub vms: usize,
    pub flagged: usize,
    /// `None`: the fleet does not fit its hosts at this headroom.
    pub plan: Option<PlanSummary>,
    pub currency: String,
    /// What the plan was made from (the fleet's placements and the
    /// moves): applying it is refused when the fleet changed since.
    pub token: String,
    /// Why this plan cannot be applied (`None`: an administrator may).
    pub apply_blocked: Option<crate::i18n::Key>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub hosts_before: usize,
    pub hosts_after: usize,
    pub lower_bound: Option<usize>,
    pub moves: Vec<PlannedMove>,
    pub hosts: Vec<PlannedHost>,
    pub before: Yearly,
    pub after: Yearly,
    /// Kept hosts that the history says would have run past the headroom.
    #[serde(default)]
    pub peaks: Vec<PeakHours>,
}

/// A kept host's hours past the headroom with the plan's VMs on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeakHours {
    pub host: String,
    /// Hours past the headroom, and of them past the host's capacity.
    pub hours: usize,
    pub over_capacity: usize,
    /// The worst hour (its start, Unix s) and its CPU, % of the host.
    pub worst_t: i64,
    pub worst_pct: f64,
}

/// A host's power in the cost model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostPower {
    pub host_id: i64,
    pub name: String,
    pub idle_w: f64,
    pub peak_w: f64,
}

/// The cost model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostModel {
    pub pue: f64,
    pub currency: String,
    /// Per kWh.
    pub tariff: f64,
    /// What a server costs a year besides its power.
    pub server_yearly: f64,
    pub hosts: Vec<HostPower>,
}

/// The cost-model form as typed: plant figures, then each host's idle and
/// peak watts by host id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostForm {
    pub pue: String,
    pub currency: String,
    pub tariff: String,
    pub server_yearly: String,
    #[serde(default)]
    pub host: Vec<String>,
    #[serde(default)]
    pub idle_w: Vec<String>,
    #[serde(default)]
    pub peak_w: Vec<String>,
}

/// A workspace's use of the plant over the report's window, and its
/// share of the energy and cost.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShowbackRow {
    /// The workspace's slug (`None`: domains of no workspace).
    pub workspace: Option<String>,
    pub domains: usize,
    /// Allocated and used vCPU-hours, allocated GiB-hours.
    pub vcpu_hours: f64,
    pub used_vcpu_hours: f64,
    pub gib_hours: f64,
    /// Its share of the fleet's energy (by used vCPU-hours), kWh, and
    /// its cost: that energy priced, plus the servers' cost shared by
    /// allocated vCPU-hours.
    pub kwh: f64,
    pub cost: f64,
}

/// The savings report: the current plan's evidence and each workspace's
/// showback, with the assumptions they rest on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavingsReport {
    /// The plan at its defaults (the data set most domains have history in).
    pub plan: PlanView,
    pub pue: f64,
    pub tariff: f64,
    pub server_yearly: f64,
    /// Showback over the last `window_days` of the plan's data set.
    pub window_days: u32,
    pub showback: Vec<ShowbackRow>,
    /// The fleet's energy and cost over the window (all workspaces).
    pub window_kwh: f64,
    pub window_cost: f64,
    /// When it was made (Unix s).
    pub generated_at: i64,
}
