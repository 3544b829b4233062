//! Moving a domain to another host once the guard allowed it: the Move
//! panel's choices, the pre-checks (target allowed and with room, the
//! networks and pools the domain needs, storage both hosts share, CPU
//! comparison), and the job that runs the migration, following libvirt's
//! job statistics until it ends, is aborted, or fails.

mod check;
mod container;
mod copy;
mod transfer;

pub use check::{check, places, Move, Planned};

use crate::error::{AppError, FieldError};
use crate::guard::Op;
use crate::i18n::Key;
use crate::jobs::JobHandle;
use crate::model::domain::{DomainKind, DomainRow};
use crate::model::job::{JobKind, JobState, JobView, MigrationFigures, MoveForm, MoveOptions};
use crate::state::AppState;
use crate::store::jobs::NewJob;

/// Largest bandwidth a move may name, MiB/s.
const MAX_BANDWIDTH_MIB: u64 = 100_000;
/// Longest pause a live migration may be allowed, ms.
const MAX_DOWNTIME_MS: u64 = 600_000;

/// The hosts `row` may move to: connected, running the same kind of
/// domains, allowed to its workspace, not its own host, not a test host.
async fn targets(
    state: &AppState,
    row: &DomainRow,
    in_flight: &crate::quota::InFlight,
) -> Result<Vec<crate::placement::Candidate>, AppError> {
    let allowed =
        crate::service::workspaces::allowed_hosts(state, row.workspace.as_deref()).await?;
    let container = row.kind == DomainKind::Container;
    let mut hosts = crate::fleet::service::candidates(state, &allowed, container, in_flight);
    let test_host = |id: i64| {
        state.gateway.read(|inv| {
            inv.hosts
                .get(&id)
                .is_none_or(|h| h.demo || h.uri.starts_with("test:"))
        })
    };
    hosts.retain(|c| c.host_id != row.host_id && !test_host(c.host_id));
    Ok(hosts)
}

/// Why `row` cannot move at all, if it cannot.
fn blocked(state: &AppState, row: &DomainRow) -> Option<Key> {
    let test = state.gateway.read(|inv| {
        inv.hosts
            .get(&row.host_id)
            .is_none_or(|h| h.demo || h.uri.starts_with("test:"))
    });
    test.then_some(Key::MoveTestHost)
}

/// The Move panel's choices for `row`.
pub async fn options(state: &AppState, row: &DomainRow) -> Result<MoveOptions, AppError> {
    let mut targets = targets(state, row, &Default::default()).await?;
    let mut blocked = blocked(state, row).or((targets.is_empty()).then_some(Key::MoveNoTarget));
    let container = row.kind == DomainKind::Container;
    if container && blocked.is_none() {
        targets = check::sharing_root(state, row, targets).await?;
        blocked = targets.is_empty().then_some(Key::MoveRootNotShared);
    }
    Ok(MoveOptions {
        live: row.state.is_active() && !container,
        container,
        blocked,
        targets: targets.into_iter().map(|c| (c.host_id, c.name)).collect(),
        bandwidth_mib: state.fleet.migration_bandwidth_mib,
        max_downtime_ms: state.fleet.migration_max_downtime_ms,
        ha: crate::service::failover::is_ha(state, &row.uuid).await?,
    })
}

/// Checks the move of `row` and starts it as a job; the job's id. The
/// operation's audit record closes when the job ends.
pub async fn start(op: Op, row: DomainRow, form: MoveForm) -> Result<i64, AppError> {
    let checked = check(&op.state, &row, &form, &Planned::default()).await;
    let mv = match checked {
        Ok(mv) => mv,
        Err(err) => {
            return op
                .finish(Err(err), before(&row), serde_json::Value::Null)
                .await
        }
    };
    launch(op, row, mv).await.map(|(id, _)| id)
}

fn before(row: &DomainRow) -> serde_json::Value {
    serde_json::json!({ "host": row.host_name, "state": row.state.as_str() })
}

/// A move under way: its job's id, and its end (the migration's result).
pub type Launched = (i64, tokio::task::JoinHandle<Result<(), AppError>>);

/// Starts the checked move `mv` of `row` as a job of its own task.
pub async fn launch(op: Op, row: DomainRow, mv: Move) -> Result<Launched, AppError> {
    let kind = match mv.spec.live {
        true => JobKind::MigrateLive,
        false => JobKind::MoveOffline,
    };
    let started_at = crate::jobs::now();
    let new = NewJob {
        kind,
        host_id: row.host_id,
        target_host_id: Some(mv.target),
        domain_uuid: &row.uuid,
        domain_name: &row.name,
        workspace: row.workspace.as_deref(),
        actor: &op.actor.username,
        mode: mv.mode,
        started_at: &started_at,
    };
    let job = match JobHandle::start(&op.state, new).await {
        Ok(job) => job,
        Err(err) => {
            return op
                .finish(Err(err), before(&row), serde_json::Value::Null)
                .await
        }
    };
    let id = job.id;
    let task = tokio::spawn(crate::gateway::late::scope(run(op, job, row, mv)));
    Ok((id, task))
}

/// Runs the move once its hosts have room for it (queued meanwhile),
/// then records its end, the new home of its volumes, and audits it.
async fn run(op: Op, mut job: JobHandle, row: DomainRow, mv: Move) -> Result<(), AppError> {
    let state = op.state.clone();
    let mut last = MigrationFigures::default();
    let result = match take_places(&state, &mut job, [row.host_id, mv.target]).await {
        None => Err(AppError::Host(Key::JobCancelled)),
        Some(_places) => match row.kind {
            DomainKind::Container => container::relocate(&state, &mut job, &row, &mv).await,
            DomainKind::Vm => transfer::run(&state, &mut job, &row, &mv, &mut last).await,
        },
    };
    if result.is_ok() {
        volumes_follow(&state, &row, &mv).await;
    }
    let (end, message) = match &result {
        Ok(()) => (JobState::Succeeded, None),
        Err(AppError::Host(Key::JobCancelled)) => (JobState::Cancelled, Some(Key::JobCancelled)),
        Err(AppError::Host(key)) => (JobState::Failed, Some(*key)),
        Err(err) => (JobState::Failed, Some(err.summary())),
    };
    let id = job.id;
    job.finish(end, message, Some(&last)).await;
    let after = serde_json::json!({
        "host": mv.target_name,
        "job": id,
        "live": mv.spec.live,
        "disks": mv.mode.as_str(),
        "bandwidth_mib": mv.spec.bandwidth_mib,
        "max_downtime_ms": mv.spec.max_downtime_ms,
        "downtime_ms": last.downtime_ms,
        "elapsed_ms": last.elapsed_ms,
    });
    op.finish(result, before(&row), after).await
}

/// A place for the move on both its hosts: at once, or queued until each
/// has one; `None` when the job is cancelled while it waits.
async fn take_places(
    state: &AppState,
    job: &mut JobHandle,
    hosts: [i64; 2],
) -> Option<crate::jobs::Places> {
    let (lanes, width) = (&state.jobs.lanes, state.fleet.migrations_per_host);
    if let Some(places) = lanes.try_enter(&hosts, width) {
        return Some(places);
    }
    job.queued(true).await;
    let cancel = job.cancel_handle();
    tokio::select! {
        places = lanes.enter(&hosts, width) => {
            job.queued(false).await;
            Some(places)
        }
        _ = cancel.notified() => None,
    }
}

/// The moved domain's volumes are its workspace's on the target now.
async fn volumes_follow(state: &AppState, row: &DomainRow, mv: &Move) {
    use crate::store::volumes::{moved, VolumeKey};
    for (from_pool, name, to_pool) in &mv.owned {
        let from = VolumeKey {
            host_id: row.host_id,
            pool: from_pool,
            name,
        };
        let to = VolumeKey {
            host_id: mv.target,
            pool: to_pool,
            name,
        };
        if let Err(err) = moved(&state.pool, from, to).await {
            tracing::error!(error = %err, name, "a moved volume's owner was not carried over");
        }
    }
}

/// Asks running job `job` to stop (libvirt aborts a migration; the domain
/// stays where it was).
pub fn cancel(state: &AppState, job: &JobView) -> Result<(), AppError> {
    let refuse = |key| Err(AppError::Conflict(FieldError::new("job", key)));
    if !job.state.is_open() {
        return refuse(Key::JobNotRunning);
    }
    // A queued move has not started: any may be cancelled.
    if !job.kind.cancellable() && job.state != JobState::Queued {
        return refuse(Key::JobNotCancellable);
    }
    match state.jobs.cancel(job.id) {
        true => Ok(()),
        false => refuse(Key::JobNotRunning),
    }
}

/// Pauses running plan job `job` between two moves, or lets it go on.
pub fn pause(state: &AppState, job: &JobView, paused: bool) -> Result<(), AppError> {
    let refuse = |key| Err(AppError::Conflict(FieldError::new("job", key)));
    if !job.state.is_open() {
        return refuse(Key::JobNotRunning);
    }
    if !job.kind.pausable() {
        return refuse(Key::JobNotPausable);
    }
    match state.jobs.pauses.set(job.id, paused) {
        true => Ok(()),
        false => refuse(Key::JobNotRunning),
    }
}
