//! Moving a domain to another host once the guard allowed it: the Move
//! panel's choices, the pre-checks (target allowed and with room, the
//! networks and pools the domain needs, storage both hosts share, CPU
//! comparison), and the job that runs the migration, following libvirt's
//! job statistics until it ends, is aborted, or fails.

mod check;
mod copy;

use std::time::Duration;

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
/// How often a running migration's statistics are read.
const POLL: Duration = Duration::from_millis(500);

/// The hosts `row` may move to: connected, running the same kind of
/// domains, allowed to its workspace, not its own host, not a test host.
async fn targets(
    state: &AppState,
    row: &DomainRow,
    in_flight: &crate::quota::InFlight,
) -> Result<Vec<crate::placement::Candidate>, AppError> {
    let allowed = match &row.workspace {
        Some(slug) => crate::service::workspaces::by_slug(state, slug)
            .await?
            .map(|ws| ws.hosts)
            .unwrap_or_default(),
        None => Vec::new(),
    };
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
    if test {
        return Some(Key::MoveTestHost);
    }
    (row.kind == DomainKind::Container).then_some(Key::MoveContainer)
}

/// The Move panel's choices for `row`.
pub async fn options(state: &AppState, row: &DomainRow) -> Result<MoveOptions, AppError> {
    let targets = targets(state, row, &Default::default()).await?;
    let blocked = blocked(state, row).or((targets.is_empty()).then_some(Key::MoveNoTarget));
    Ok(MoveOptions {
        live: row.state.is_active(),
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

/// Runs the migration, recording its progress every [`POLL`], aborting it
/// when the job is cancelled; then records its end and audits it.
async fn run(op: Op, mut job: JobHandle, row: DomainRow, mv: Move) -> Result<(), AppError> {
    let state = op.state.clone();
    let gateway = &state.gateway;
    let (source, uuid) = (row.host_id, row.uuid.as_str());
    let cancel = job.cancel_handle();
    let mut last = MigrationFigures::default();
    let copied = copy::offline(&state, &mut job, &mv).await;
    let copies_made = copied.is_ok() && !mv.offline_copies.is_empty();
    let mut migrate = std::pin::pin!(gateway.migrate(source, uuid, mv.spec.clone()));
    let mut ticker = tokio::time::interval(POLL);
    let mut aborting = false;
    let result = if let Err(err) = copied {
        Err(err)
    } else {
        loop {
            tokio::select! {
                done = &mut migrate => break done,
                _ = cancel.notified(), if !aborting => {
                    aborting = true;
                    if let Err(err) = gateway.abort_job(source, uuid).await {
                        tracing::warn!(job = job.id, ?err, "migration abort refused");
                    }
                }
                _ = ticker.tick(), if mv.spec.live => {
                    if let Ok(Some(f)) = gateway.job_progress(source, uuid).await {
                        let phase = match f.disk_total > 0 && f.disk_processed < f.disk_total {
                            true => "disks",
                            false => "memory",
                        };
                        job.progress(phase, f.percent(), &f).await;
                        last = f;
                    }
                }
            }
        }
    };
    if result.is_err() && copies_made {
        // The definition did not move: the disks copied for it go.
        copy::undo(&state, &mv.offline_copies).await;
    }
    if result.is_ok() {
        // The target's own record of a migration in has its downtime (an
        // offline move has none).
        let completed = match mv.spec.live {
            true => gateway.job_completed(mv.target, uuid).await,
            false => Ok(None),
        };
        if let Ok(Some(done)) = completed {
            last.downtime_ms = done.downtime_ms.or(last.downtime_ms);
            last.data_total = last.data_total.max(done.data_total);
        }
        // The job ends once the inventory shows the domain on the target as
        // it runs there (an incoming migration is listed paused first).
        gateway.refresh_domain(mv.target, uuid);
        let live = mv.spec.live;
        gateway
            .wait_until(Duration::from_secs(10), |inv| {
                inv.domain(mv.target, uuid)
                    .is_some_and(|d| !live || d.state == crate::model::domain::DomainState::Running)
            })
            .await;
        for (pool, name) in &mv.source_copies {
            if let Err(err) = gateway.delete_volume(source, pool, name).await {
                tracing::warn!(
                    job = job.id,
                    pool,
                    name,
                    ?err,
                    "source copy of a moved disk kept"
                );
            }
        }
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

/// Asks running job `job` to stop (libvirt aborts a migration; the domain
/// stays where it was).
pub fn cancel(state: &AppState, job: &JobView) -> Result<(), AppError> {
    let refuse = |key| Err(AppError::Conflict(FieldError::new("job", key)));
    if !job.state.is_open() {
        return refuse(Key::JobNotRunning);
    }
    if !job.kind.cancellable() {
        return refuse(Key::JobNotCancellable);
    }
    match state.jobs.cancel(job.id) {
        true => Ok(()),
        false => refuse(Key::JobNotRunning),
    }
}
