//! Failover of highly available VMs. A VM marked highly available has its
//! definition kept here (refreshed while its host answers) and autostart
//! off. When its host has been unreachable for the grace period it is
//! *lost*; once it is *fenced* — an administrator confirms it is powered
//! off, or the fencing program configured for it reports success — each of
//! its HA VMs is defined and started on another host (placement, affinity)
//! as one failover job. Never two copies: nothing restarts before fencing,
//! and when the lost host comes back its stale copy is undefined if it is
//! off (its storage is kept) or shown as a conflict if it runs.

mod watch;

pub use watch::spawn_watcher;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::audit::{AuditEntry, Outcome, Target};
use crate::error::{AppError, FieldError};
use crate::i18n::Key;
use crate::jobs::JobHandle;
use crate::model::domain::DomainRow;
use crate::model::job::{DiskMode, JobKind, JobState, MigrationFigures};
use crate::state::AppState;
use crate::store::failover::HaDomain;
use crate::store::jobs::NewJob;

/// A host that stopped answering.
#[derive(Clone, Copy, Debug)]
struct Loss {
    since: Instant,
    fenced: bool,
    /// When the fencing program last ran.
    fence_tried: Option<Instant>,
    /// Pages were told it is lost.
    announced: bool,
}

/// Lost hosts, the grace period and the fencing programs (by host name).
#[derive(Clone)]
pub struct Failover {
    lost: Arc<Mutex<HashMap<i64, Loss>>>,
    pub grace: Duration,
    pub fence_programs: Arc<HashMap<String, Vec<String>>>,
    /// Programs that power a host down (an emptied one) and up, by name.
    pub power_off: Arc<HashMap<String, Vec<String>>>,
    pub power_on: Arc<HashMap<String, Vec<String>>>,
}

impl Default for Failover {
    fn default() -> Self {
        Failover::new(Duration::from_secs(60), HashMap::new())
    }
}

impl Failover {
    pub fn new(grace: Duration, fence_programs: HashMap<String, Vec<String>>) -> Self {
        Failover {
            lost: Arc::default(),
            grace,
            fence_programs: Arc::new(fence_programs),
            power_off: Arc::default(),
            power_on: Arc::default(),
        }
    }

    /// With the programs that power hosts down and up, by host name.
    pub fn with_power(
        mut self,
        off: HashMap<String, Vec<String>>,
        on: HashMap<String, Vec<String>>,
    ) -> Self {
        self.power_off = Arc::new(off);
        self.power_on = Arc::new(on);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Loss>> {
        self.lost.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// (lost: unreachable past the grace period, fenced).
    pub fn status(&self, host_id: i64) -> (bool, bool) {
        self.lock().get(&host_id).map_or((false, false), |l| {
            (l.since.elapsed() >= self.grace, l.fenced)
        })
    }
}

/// Whether `uuid` is marked highly available.
pub async fn is_ha(state: &AppState, uuid: &str) -> Result<bool, AppError> {
    let all = crate::store::failover::all(&state.pool).await?;
    Ok(all.iter().any(|d| d.uuid.eq_ignore_ascii_case(uuid)))
}

/// Marks `row` highly available (keeping its definition, autostart off) or
/// not.
pub async fn set_ha(state: &AppState, row: &DomainRow, on: bool) -> Result<(), AppError> {
    if !on {
        crate::store::failover::forget(&state.pool, &row.uuid).await?;
        return Ok(());
    }
    if row.kind == crate::model::domain::DomainKind::Container {
        return Err(AppError::field("ha", Key::HaContainer));
    }
    let xml = state.gateway.definition(row.host_id, &row.uuid).await?;
    state
        .gateway
        .power(row.host_id, &row.uuid, crate::gateway::Power::AutostartOff)
        .await?;
    let kept = HaDomain {
        uuid: row.uuid.clone(),
        host_id: row.host_id,
        name: row.name.clone(),
        workspace: row.workspace.clone(),
        xml,
    };
    crate::store::failover::keep(&state.pool, &kept, &crate::jobs::now()).await?;
    state.gateway.refresh_domain(row.host_id, &row.uuid);
    Ok(())
}

/// An administrator confirms that lost host `host_id` is powered off: its
/// HA VMs are restarted elsewhere (a job; its id).
pub async fn confirm_off(state: &AppState, actor: &str, host_id: i64) -> Result<i64, AppError> {
    let (lost, fenced) = state.failover.status(host_id);
    if !lost {
        return Err(AppError::Conflict(FieldError::new(
            "host",
            Key::HostNotLost,
        )));
    }
    if fenced {
        return Err(AppError::Conflict(FieldError::new(
            "host",
            Key::HostAlreadyFenced,
        )));
    }
    mark_fenced(state, host_id);
    fail_over(state, actor, host_id).await
}

fn mark_fenced(state: &AppState, host_id: i64) {
    if let Some(loss) = state.failover.lock().get_mut(&host_id) {
        loss.fenced = true;
    }
    // The hosts page shows it fenced.
    state
        .gateway
        .push_job(crate::live::Scope::Host { host_id }, None);
}

/// Restarts every HA VM kept for `host_id` on other hosts, as a job.
async fn fail_over(state: &AppState, actor: &str, host_id: i64) -> Result<i64, AppError> {
    let name = state
        .gateway
        .read(|inv| inv.hosts.get(&host_id).map(|h| h.name.clone()))
        .unwrap_or_default();
    let new = NewJob {
        kind: JobKind::Failover,
        host_id,
        target_host_id: None,
        domain_uuid: "",
        domain_name: &name,
        workspace: None,
        actor,
        mode: DiskMode::Shared,
        started_at: &crate::jobs::now(),
    };
    let job = JobHandle::start(state, new).await?;
    let id = job.id;
    let (state, actor) = (state.clone(), actor.to_string());
    tokio::spawn(async move { restart_all(&state, &actor, host_id, job).await });
    Ok(id)
}

async fn restart_all(state: &AppState, actor: &str, host_id: i64, mut job: JobHandle) {
    let kept: Vec<HaDomain> = crate::store::failover::all(&state.pool)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.host_id == host_id)
        .collect();
    let rules = crate::store::affinity::all(&state.pool)
        .await
        .unwrap_or_default();
    let mut planned: crate::quota::InFlight = HashMap::new();
    let mut at = crate::service::mobility::places(state, &Default::default());
    let mut failed = 0;
    for (n, d) in kept.iter().enumerate() {
        let result = restart_one(state, d, &rules, &mut planned, &mut at).await;
        let (outcome, message, target) = match &result {
            Ok(to) => (Outcome::Ok, String::new(), Some(*to)),
            Err(err) => {
                failed += 1;
                (Outcome::Failed, err.first_key().en().to_string(), None)
            }
        };
        let entry = AuditEntry::new(actor, "failover", "domain.failover")
            .workspace(d.workspace.clone().unwrap_or_default())
            .target(Target::new("domain", &d.uuid, &d.name))
            .change(
                serde_json::json!({ "host": host_id }),
                serde_json::json!({ "host": target, "job": job.id }),
            )
            .outcome(outcome, message);
        if let Err(err) = state.audit.append(entry).await {
            tracing::error!(error = %err, "audit record could not be written");
        }
        let percent = ((n + 1) * 100 / kept.len().max(1)).min(99) as u8;
        job.progress("restarting", percent, &MigrationFigures::default())
            .await;
    }
    let (end, message) = match failed {
        0 => (JobState::Succeeded, None),
        _ => (JobState::Failed, Some(Key::FailoverIncomplete)),
    };
    job.finish(end, message, None).await;
}

/// Defines and starts `d` on the best other host; that host.
async fn restart_one(
    state: &AppState,
    d: &HaDomain,
    rules: &[crate::affinity::Rule],
    planned: &mut crate::quota::InFlight,
    at: &mut HashMap<String, i64>,
) -> Result<i64, AppError> {
    let config =
        crate::domxml::parse_domain(&d.xml).map_err(|_| AppError::Host(Key::HostErrConfig))?;
    let allowed = crate::service::workspaces::allowed_hosts(state, d.workspace.as_deref()).await?;
    let uuid = d.uuid.to_ascii_lowercase();
    let hosts: Vec<_> = crate::fleet::service::candidates(state, &allowed, false, planned)
        .into_iter()
        .filter(|c| c.host_id != d.host_id)
        .collect();
    let hosts = crate::affinity::hosts_for(rules, &uuid, hosts, |c| c.host_id, at)
        .map_err(|rule| AppError::field_about("target", Key::MoveAffinity, &rule))?;
    let memory_mib = config.memory_kib / 1024;
    let choice = crate::placement::choose(
        &hosts,
        config.vcpus,
        memory_mib,
        state.fleet.overcommit,
        crate::placement::Policy::Spread,
    )
    .ok_or(AppError::field("target", Key::ErrNoHostRoom))?;
    let row = state
        .gateway
        .define_on(choice.host_id, d.xml.clone(), true)
        .await?;
    state.gateway.publish_domain(row);
    let entry = planned.entry(choice.host_id).or_default();
    entry.0 += i64::from(config.vcpus);
    entry.1 += memory_mib as i64;
    at.insert(uuid.clone(), choice.host_id);
    crate::store::failover::moved(&state.pool, &uuid, choice.host_id).await?;
    crate::store::failover::stale(&state.pool, &uuid, d.host_id, &d.name, &crate::jobs::now())
        .await?;
    Ok(choice.host_id)
}
