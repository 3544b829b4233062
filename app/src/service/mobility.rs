//! Moving a domain to another host once the guard allowed it: the Move
//! panel's choices, the pre-checks (target allowed and with room, the
//! networks and pools the domain needs, storage both hosts share, CPU
//! comparison), and the job that runs the migration, following libvirt's
//! job statistics until it ends, is aborted, or fails.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::error::{AppError, FieldError};
use crate::gateway::{MigrateSpec, MoveFacts};
use crate::guard::Op;
use crate::i18n::Key;
use crate::jobs::JobHandle;
use crate::model::domain::{DomainKind, DomainRow};
use crate::model::job::{
    DiskMode, JobKind, JobState, JobView, MigrationFigures, MoveForm, MoveOptions,
};
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
) -> Result<Vec<crate::placement::Candidate>, AppError> {
    let allowed = match &row.workspace {
        Some(slug) => crate::service::workspaces::by_slug(state, slug)
            .await?
            .map(|ws| ws.hosts)
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let container = row.kind == DomainKind::Container;
    let mut hosts =
        crate::fleet::service::candidates(state, &allowed, container, &Default::default());
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
    let targets = targets(state, row).await?;
    let blocked = blocked(state, row).or((targets.is_empty()).then_some(Key::MoveNoTarget));
    Ok(MoveOptions {
        live: row.state.is_active(),
        blocked,
        targets: targets.into_iter().map(|c| (c.host_id, c.name)).collect(),
        bandwidth_mib: state.fleet.migration_bandwidth_mib,
        max_downtime_ms: state.fleet.migration_max_downtime_ms,
    })
}

/// A checked move, ready to run.
struct Move {
    target: i64,
    target_name: String,
    spec: MigrateSpec,
    mode: DiskMode,
    /// Volumes left on the source once their copies run on the target:
    /// (pool, volume name).
    source_copies: Vec<(String, String)>,
}

fn number(
    field: &str,
    typed: &str,
    default: u64,
    range: (u64, u64),
    rule: Key,
) -> Result<u64, AppError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(default);
    }
    typed
        .parse::<u64>()
        .ok()
        .filter(|v| (range.0..=range.1).contains(v))
        .ok_or_else(|| AppError::field(field, rule))
}

/// The pre-checks: everything is known good before anything moves.
async fn check(state: &AppState, row: &DomainRow, form: &MoveForm) -> Result<Move, AppError> {
    if let Some(why) = blocked(state, row) {
        return Err(AppError::field("target", why));
    }
    let bandwidth_mib = number(
        "bandwidth_mib",
        &form.bandwidth_mib,
        state.fleet.migration_bandwidth_mib,
        (0, MAX_BANDWIDTH_MIB),
        Key::ErrMoveBandwidth,
    )?;
    let max_downtime_ms = number(
        "max_downtime_ms",
        &form.max_downtime_ms,
        state.fleet.migration_max_downtime_ms,
        (1, MAX_DOWNTIME_MS),
        Key::ErrMoveDowntime,
    )?;
    let live = row.state.is_active();
    let hosts = targets(state, row).await?;
    let overcommit = state.fleet.overcommit;
    let memory_mib = row.memory_kib / 1024;
    let choice = match form.target.trim() {
        "auto" | "" => crate::placement::choose(
            &hosts,
            row.vcpus,
            memory_mib,
            overcommit,
            crate::placement::Policy::Spread,
        )
        .ok_or_else(|| AppError::field("target", Key::ErrNoHostRoom))?,
        typed => {
            let id = typed
                .parse::<i64>()
                .map_err(|_| AppError::field("target", Key::ErrHostNotAllowed))?;
            let one: Vec<_> = hosts.into_iter().filter(|c| c.host_id == id).collect();
            if one.is_empty() {
                return Err(AppError::field("target", Key::ErrHostNotAllowed));
            }
            // A shut-off domain takes no room until it starts.
            let (vcpus, mib) = if live {
                (row.vcpus, memory_mib)
            } else {
                (0, 0)
            };
            crate::placement::choose(
                &one,
                vcpus,
                mib,
                overcommit,
                crate::placement::Policy::Spread,
            )
            .ok_or_else(|| AppError::field("target", Key::ErrNoHostRoom))?
        }
    };
    let detail = state.gateway.domain_detail(row.host_id, &row.uuid).await?;
    let file_disks: Vec<_> = detail
        .config
        .disks
        .iter()
        .filter(|d| matches!(d.device.as_str(), "disk" | "cdrom") && d.source.starts_with('/'))
        .collect();
    let dir_of = |path: &str| {
        std::path::Path::new(path)
            .parent()
            .map(|p| p.to_string_lossy().trim_end_matches('/').to_string())
            .unwrap_or_default()
    };
    let dirs: BTreeSet<String> = file_disks.iter().map(|d| dir_of(&d.source)).collect();
    let networks: BTreeSet<String> = detail
        .config
        .nics
        .iter()
        .filter(|n| n.kind == "network")
        .map(|n| n.source.clone())
        .collect();
    let facts: MoveFacts = state
        .gateway
        .move_facts(row.host_id, &row.uuid, choice.host_id, dirs, networks)
        .await?;
    if !facts.missing_networks.is_empty() {
        return Err(AppError::field("target", Key::MoveNetworkMissing));
    }
    if facts.cpu_incompatible {
        return Err(AppError::field("target", Key::MoveCpuIncompatible));
    }
    if facts.dirs.iter().any(|d| d.target_pool.is_none()) {
        return Err(AppError::field("target", Key::MoveNoPool));
    }
    let shared = |path: &str| facts.dirs.iter().any(|d| d.dir == dir_of(path) && d.shared);
    if file_disks
        .iter()
        .any(|d| d.device == "cdrom" && !shared(&d.source))
    {
        return Err(AppError::field("target", Key::MoveMediaNotShared));
    }
    let copies: Vec<(String, String)> = file_disks
        .iter()
        .filter(|d| d.device == "disk" && !shared(&d.source))
        .filter_map(|d| {
            let dir = facts.dirs.iter().find(|f| f.dir == dir_of(&d.source))?;
            let name = std::path::Path::new(&d.source).file_name()?;
            Some((dir.source_pool.clone()?, name.to_string_lossy().to_string()))
        })
        .collect();
    if !live && !copies.is_empty() {
        return Err(AppError::field("target", Key::MoveOfflineNotShared));
    }
    let mode = match (file_disks.is_empty(), copies.is_empty()) {
        (true, _) => DiskMode::None,
        (false, true) => DiskMode::Shared,
        (false, false) => DiskMode::Copy,
    };
    let target_uri = state
        .gateway
        .read(|inv| inv.hosts.get(&choice.host_id).map(|h| h.uri.clone()))
        .ok_or(AppError::NotFound)?;
    Ok(Move {
        target: choice.host_id,
        target_name: choice.reason.host,
        spec: MigrateSpec {
            target_uri,
            live,
            copy_disks: mode == DiskMode::Copy,
            bandwidth_mib,
            max_downtime_ms,
        },
        mode,
        source_copies: copies,
    })
}

/// Checks the move of `row` and starts it as a job; the job's id. The
/// operation's audit record closes when the job ends.
pub async fn start(op: Op, row: DomainRow, form: MoveForm) -> Result<i64, AppError> {
    let before = serde_json::json!({ "host": row.host_name, "state": row.state.as_str() });
    let checked = check(&op.state, &row, &form).await;
    let mv = match checked {
        Ok(mv) => mv,
        Err(err) => return op.finish(Err(err), before, serde_json::Value::Null).await,
    };
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
        Err(err) => return op.finish(Err(err), before, serde_json::Value::Null).await,
    };
    let id = job.id;
    tokio::spawn(crate::gateway::late::scope(run(op, job, row, mv, before)));
    Ok(id)
}

/// Runs the migration, recording its progress every [`POLL`], aborting it
/// when the job is cancelled; then records its end and audits it.
async fn run(op: Op, mut job: JobHandle, row: DomainRow, mv: Move, before: serde_json::Value) {
    let state = op.state.clone();
    let gateway = &state.gateway;
    let (source, uuid) = (row.host_id, row.uuid.as_str());
    let cancel = job.cancel_handle();
    let mut migrate = std::pin::pin!(gateway.migrate(source, uuid, mv.spec.clone()));
    let mut ticker = tokio::time::interval(POLL);
    let mut last = MigrationFigures::default();
    let mut aborting = false;
    let result = loop {
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
    };
    if result.is_ok() {
        // The target's own record of the migration in has its downtime.
        if let Ok(Some(done)) = gateway.job_completed(mv.target, uuid).await {
            last.downtime_ms = done.downtime_ms.or(last.downtime_ms);
            last.data_total = last.data_total.max(done.data_total);
        }
        gateway.refresh_domain(mv.target, uuid);
        gateway
            .wait_until(Duration::from_secs(10), |inv| {
                inv.domain(mv.target, uuid).is_some()
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
    let _ = op.finish(result, before, after).await;
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
