//! Jobs: long actions with a state, a phase and progress that every tab
//! allowed to see them follows live (the Jobs page, the tray in the top
//! bar, the domain and host pages).

use serde::{Deserialize, Serialize};

use crate::i18n::Key;

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    /// Cut off by a server stop; its real end is reconciled from libvirt.
    Interrupted,
}

impl JobState {
    pub const ALL: [JobState; 6] = [
        JobState::Queued,
        JobState::Running,
        JobState::Succeeded,
        JobState::Failed,
        JobState::Cancelled,
        JobState::Interrupted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
            JobState::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Still going (queued or running).
    pub fn is_open(self) -> bool {
        matches!(self, JobState::Queued | JobState::Running)
    }

    pub fn label(self) -> Key {
        match self {
            JobState::Queued => Key::JobStateQueued,
            JobState::Running => Key::JobStateRunning,
            JobState::Succeeded => Key::JobStateSucceeded,
            JobState::Failed => Key::JobStateFailed,
            JobState::Cancelled => Key::JobStateCancelled,
            JobState::Interrupted => Key::JobStateInterrupted,
        }
    }
}

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobKind {
    /// A running VM moved live to another host.
    MigrateLive,
    /// A shut-off domain's definition (and disks) moved to another host.
    MoveOffline,
    /// A host's domains moved off it (entering maintenance).
    Drain,
    /// The domains a drain moved, moved back (leaving maintenance).
    MoveBack,
    /// A lost host's highly available VMs restarted elsewhere.
    Failover,
    /// A domain made (and started).
    Create,
    /// A shut-off domain copied.
    Clone,
    /// A snapshot taken, reverted to or deleted.
    Snapshot,
    /// A domain deleted.
    Delete,
    /// A consolidation plan applied: its migrations one after another.
    Plan,
}

impl JobKind {
    pub const ALL: [JobKind; 10] = [
        JobKind::MigrateLive,
        JobKind::MoveOffline,
        JobKind::Drain,
        JobKind::MoveBack,
        JobKind::Failover,
        JobKind::Create,
        JobKind::Clone,
        JobKind::Snapshot,
        JobKind::Delete,
        JobKind::Plan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::MigrateLive => "migrate_live",
            JobKind::MoveOffline => "move_offline",
            JobKind::Drain => "drain",
            JobKind::MoveBack => "move_back",
            JobKind::Failover => "failover",
            JobKind::Create => "create",
            JobKind::Clone => "clone",
            JobKind::Snapshot => "snapshot",
            JobKind::Delete => "delete",
            JobKind::Plan => "plan",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> Key {
        match self {
            JobKind::MigrateLive => Key::JobKindMigrateLive,
            JobKind::MoveOffline => Key::JobKindMoveOffline,
            JobKind::Drain => Key::JobKindDrain,
            JobKind::MoveBack => Key::JobKindMoveBack,
            JobKind::Failover => Key::JobKindFailover,
            JobKind::Create => Key::JobKindCreate,
            JobKind::Clone => Key::JobKindClone,
            JobKind::Snapshot => Key::JobKindSnapshot,
            JobKind::Delete => Key::JobKindDelete,
            JobKind::Plan => Key::JobKindPlan,
        }
    }

    /// Whether libvirt can abort it while it runs.
    pub fn cancellable(self) -> bool {
        matches!(self, JobKind::MigrateLive | JobKind::Plan)
    }

    /// Whether it can be paused between its steps and resumed.
    pub fn pausable(self) -> bool {
        self == JobKind::Plan
    }

    /// A job about a host (its domains), not one domain.
    pub fn on_host(self) -> bool {
        matches!(
            self,
            JobKind::Drain | JobKind::MoveBack | JobKind::Failover | JobKind::Plan
        )
    }
}

/// How a move treats the domain's disks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiskMode {
    /// Every disk is on storage both hosts see: nothing is copied.
    Shared,
    /// Disks on storage only the source sees are copied to the target.
    Copy,
    /// The domain has no disks.
    None,
}

impl DiskMode {
    pub fn as_str(self) -> &'static str {
        match self {
            DiskMode::Shared => "shared",
            DiskMode::Copy => "copy",
            DiskMode::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [DiskMode::Shared, DiskMode::Copy, DiskMode::None]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    pub fn label(self) -> Key {
        match self {
            DiskMode::Shared => Key::MoveDisksShared,
            DiskMode::Copy => Key::MoveDisksCopy,
            DiskMode::None => Key::MoveDisksNone,
        }
    }
}

/// The figures a migration's progress comes from (libvirt's job
/// statistics); bytes unless named otherwise.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MigrationFigures {
    pub data_total: u64,
    pub data_processed: u64,
    pub data_remaining: u64,
    pub disk_total: u64,
    pub disk_processed: u64,
    /// Memory pages dirtied per second.
    pub dirty_rate: u64,
    /// Bytes per second of memory transferred.
    pub mem_bps: u64,
    /// Passes over memory so far.
    pub iteration: u64,
    pub elapsed_ms: u64,
    /// The pause at the end, once done.
    pub downtime_ms: Option<u64>,
}

impl MigrationFigures {
    /// Done share of the data, 0–100 (99 until libvirt says it ended).
    pub fn percent(&self) -> u8 {
        if self.data_total == 0 {
            return 0;
        }
        let done = self.data_total.saturating_sub(self.data_remaining);
        ((done.saturating_mul(100) / self.data_total).min(99)) as u8
    }
}

/// A job as pages show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub id: i64,
    pub kind: JobKind,
    pub host_id: i64,
    pub host_name: String,
    pub target_host_id: Option<i64>,
    pub target_host_name: String,
    pub domain_uuid: String,
    pub domain_name: String,
    pub workspace: Option<String>,
    pub actor: String,
    pub state: JobState,
    pub mode: DiskMode,
    pub phase: String,
    pub percent: u8,
    pub figures: MigrationFigures,
    /// Why it ended so (a failure's reason, an interruption's note).
    pub message: Option<Key>,
    /// Its end was found from libvirt after a server restart.
    pub reconciled: bool,
    pub started_at: String,
    pub ended_at: Option<String>,
}

/// The Jobs page's filters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobFilter {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub domain: String,
}

/// Where a domain can go, and how, for its page's Move panel.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MoveOptions {
    /// Live (a VM that runs) or offline (shut off, or a container).
    pub live: bool,
    /// A container: stopped, defined on the target, started again.
    #[serde(default)]
    pub container: bool,
    /// Why the domain cannot move at all (a container whose root is not on
    /// shared storage, a host that cannot migrate); `None` if it can.
    pub blocked: Option<Key>,
    /// Hosts it may go to: (id, name).
    pub targets: Vec<(i64, String)>,
    pub bandwidth_mib: u64,
    pub max_downtime_ms: u64,
    /// Marked highly available.
    #[serde(default)]
    pub ha: bool,
}

/// A move as the form sends it (every field as typed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MoveForm {
    /// A host id, or "auto".
    pub target: String,
    #[serde(default)]
    pub bandwidth_mib: String,
    #[serde(default)]
    pub max_downtime_ms: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_counts_what_is_done_and_stays_below_100_until_the_end() {
        let mut f = MigrationFigures {
            data_total: 200,
            data_remaining: 150,
            ..Default::default()
        };
        assert_eq!(f.percent(), 25);
        f.data_remaining = 0;
        assert_eq!(f.percent(), 99);
        assert_eq!(MigrationFigures::default().percent(), 0);
    }

    #[test]
    fn names_read_back() {
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        for k in JobKind::ALL {
            assert_eq!(JobKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(DiskMode::parse("copy"), Some(DiskMode::Copy));
    }
}
