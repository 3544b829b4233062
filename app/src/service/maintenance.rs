//! Maintenance mode once the guard allowed it. Entering drains the host:
//! every domain gets a target from placement (never a host in maintenance,
//! never against a must-affinity rule), at most N moves at once, each a
//! job of its own under a drain job; what cannot move is listed with why,
//! and the host stays "entering" until it is empty or the operator forces
//! it. Leaving can move back what the drain moved.

use crate::error::AppError;
use crate::guard::{Op, Subject};
use crate::i18n::Key;
use crate::jobs::JobHandle;
use crate::live::Scope;
use crate::model::domain::DomainRow;
use crate::model::host::{Blocker, Maintenance};
use crate::model::job::{DiskMode, JobKind, JobState, MigrationFigures, MoveForm};
use crate::service::mobility::{check, launch, Planned};
use crate::state::AppState;
use crate::store::jobs::NewJob;

/// Sets the host's mode in the store and the inventory, and tells pages.
pub(crate) async fn set_mode(
    state: &AppState,
    host_id: i64,
    mode: Maintenance,
) -> Result<(), AppError> {
    crate::store::maintenance::set(&state.pool, host_id, mode).await?;
    state.gateway.set_maintenance(host_id, mode);
    Ok(())
}

fn host_name(state: &AppState, host_id: i64) -> Result<String, AppError> {
    state
        .gateway
        .read(|inv| inv.hosts.get(&host_id).map(|h| h.name.clone()))
        .ok_or(AppError::NotFound)
}

/// What the host's page shows of its maintenance: the domains its drain
/// could not move.
pub async fn blockers(state: &AppState, host_id: i64) -> Result<Vec<Blocker>, AppError> {
    Ok(crate::store::maintenance::blockers(&state.pool, host_id).await?)
}

/// Starts draining `host_id` (or, `force`, puts it in maintenance as it
/// is); the drain job's id (0 when forced).
pub async fn enter(op: Op, host_id: i64, force: bool) -> Result<i64, AppError> {
    let state = op.state.clone();
    let name = match host_name(&state, host_id) {
        Ok(name) => name,
        Err(err) => return op.finish(Err(err), json_null(), json_null()).await,
    };
    let before = serde_json::json!({ "maintenance": mode_of(&state, host_id).as_str() });
    if force {
        let result = set_mode(&state, host_id, Maintenance::On).await.map(|_| 0);
        let after = serde_json::json!({ "maintenance": "on", "forced": true });
        return op.finish(result, before, after).await;
    }
    if let Err(err) = set_mode(&state, host_id, Maintenance::Entering).await {
        return op.finish(Err(err), before, json_null()).await;
    }
    let job = match host_job(&op, JobKind::Drain, (host_id, &name), None).await {
        Ok(job) => job,
        Err(err) => return op.finish(Err(err), before, json_null()).await,
    };
    let id = job.id;
    tokio::spawn(crate::gateway::late::scope(drain(op, job, host_id, before)));
    Ok(id)
}

/// Starts job `kind` about host `host` (id, name), going to `target`.
async fn host_job(
    op: &Op,
    kind: JobKind,
    host: (i64, &str),
    target: Option<i64>,
) -> Result<JobHandle, AppError> {
    let job = NewJob {
        kind,
        host_id: host.0,
        target_host_id: target,
        domain_uuid: "",
        domain_name: host.1,
        workspace: None,
        actor: &op.actor.username,
        mode: DiskMode::None,
        started_at: &crate::jobs::now(),
    };
    JobHandle::start(&op.state, job).await
}

fn json_null() -> serde_json::Value {
    serde_json::Value::Null
}

fn mode_of(state: &AppState, host_id: i64) -> Maintenance {
    state
        .gateway
        .read(|inv| inv.hosts.get(&host_id).map(|h| h.maintenance))
        .unwrap_or_default()
}

/// The moves of `rows` (each to `to`, or to placement's choice when
/// `None`), each a job that waits its turn on its hosts (at most the
/// plant's per-host number at once): those that succeeded as (row,
/// target), and those that could not move.
async fn move_all(
    op: &Op,
    job: &mut JobHandle,
    rows: Vec<(DomainRow, Option<i64>)>,
) -> (Vec<(DomainRow, i64)>, Vec<Blocker>) {
    let state = &op.state;
    let mut planned = Planned::default();
    let (mut blocked, mut running) = (Vec::new(), Vec::new());
    let total = rows.len().max(1);
    for (row, to) in rows {
        let form = MoveForm {
            target: to.map_or("auto".into(), |h| h.to_string()),
            ..MoveForm::default()
        };
        let mv = match check(state, &row, &form, &planned).await {
            Ok(mv) => mv,
            Err(err) => {
                blocked.push(blocker(&row, &err));
                continue;
            }
        };
        planned.add(&row, mv.target);
        let subject = Subject::existing_domain(Some(&row), &row.uuid, serde_json::json!(form));
        let child = Op::authorize(
            state.clone(),
            Some(op.actor.clone()),
            "maintenance".into(),
            crate::policy::Action::DomainMigrate,
            subject,
        )
        .await;
        let target = mv.target;
        let launched = match child {
            Ok(child) => launch(child, row.clone(), mv).await,
            Err(err) => Err(err),
        };
        match launched {
            Ok((_, task)) => running.push((row, target, task)),
            Err(err) => blocked.push(blocker(&row, &err)),
        }
    }
    let mut moved = Vec::new();
    for (row, target, task) in running {
        match task.await {
            Ok(Ok(())) => moved.push((row, target)),
            Ok(Err(err)) => blocked.push(blocker(&row, &err)),
            Err(_) => blocked.push(blocker(&row, &AppError::Internal)),
        }
        let percent = ((moved.len() + blocked.len()) * 100 / total).min(99) as u8;
        job.progress("moving", percent, &MigrationFigures::default())
            .await;
    }
    (moved, blocked)
}

fn blocker(row: &DomainRow, err: &AppError) -> Blocker {
    Blocker {
        domain_uuid: row.uuid.clone(),
        domain_name: row.name.clone(),
        reason: err.first_key(),
        detail: err.field_detail("target").unwrap_or_default().to_string(),
    }
}

/// Moves every domain off `host_id`; in maintenance when none is left.
async fn drain(op: Op, mut job: JobHandle, host_id: i64, before: serde_json::Value) {
    let state = op.state.clone();
    let rows: Vec<(DomainRow, Option<i64>)> = state.gateway.read(|inv| {
        let mut rows: Vec<DomainRow> = inv.domains_on(host_id).cloned().collect();
        // Running ones first: they are what the work on the host would stop.
        rows.sort_by_key(|d| (!d.state.is_active(), d.name.clone()));
        rows.into_iter().map(|d| (d, None)).collect()
    });
    let (moved, blocked) = move_all(&op, &mut job, rows).await;
    for (row, target) in &moved {
        let recorded = crate::store::maintenance::record_move(
            &state.pool,
            host_id,
            &row.uuid,
            &row.name,
            *target,
        )
        .await;
        if let Err(err) = recorded {
            tracing::error!(error = %err, "a drain's move was not recorded");
        }
    }
    let _ = crate::store::maintenance::set_blockers(&state.pool, host_id, &blocked).await;
    let empty = blocked.is_empty();
    if empty {
        let _ = set_mode(&state, host_id, Maintenance::On).await;
    }
    state.gateway.push_job(Scope::Host { host_id }, None);
    let (end, message) = match empty {
        true => (JobState::Succeeded, None),
        false => (JobState::Failed, Some(Key::MaintenanceBlocked)),
    };
    job.finish(end, message, None).await;
    let after = serde_json::json!({
        "maintenance": if empty { "on" } else { "entering" },
        "moved": moved.iter().map(|(r, t)| serde_json::json!({ "domain": r.name, "to": t })).collect::<Vec<_>>(),
        "not_moved": blocked.iter().map(|b| serde_json::json!({ "domain": b.domain_name, "why": b.reason.name(), "detail": b.detail })).collect::<Vec<_>>(),
    });
    let _ = op.finish(Ok(()), before, after).await;
}

/// Takes `host_id` out of maintenance; with `move_back`, moves what its
/// drain moved back to it (a job; its id, else 0).
pub async fn leave(op: Op, host_id: i64, move_back: bool) -> Result<i64, AppError> {
    let state = op.state.clone();
    let name = match host_name(&state, host_id) {
        Ok(name) => name,
        Err(err) => return op.finish(Err(err), json_null(), json_null()).await,
    };
    let before = serde_json::json!({ "maintenance": mode_of(&state, host_id).as_str() });
    if let Err(err) = set_mode(&state, host_id, Maintenance::Off).await {
        return op.finish(Err(err), before, json_null()).await;
    }
    let _ = crate::store::maintenance::set_blockers(&state.pool, host_id, &[]).await;
    let _ = crate::store::power::clear(&state.pool, host_id).await;
    if !move_back {
        let after = serde_json::json!({ "maintenance": "off" });
        return op.finish(Ok(0), before, after).await;
    }
    let job = match host_job(&op, JobKind::MoveBack, (host_id, &name), Some(host_id)).await {
        Ok(job) => job,
        Err(err) => return op.finish(Err(err), before, json_null()).await,
    };
    let id = job.id;
    tokio::spawn(crate::gateway::late::scope(move_back_all(
        op, job, host_id, before,
    )));
    Ok(id)
}

async fn move_back_all(op: Op, mut job: JobHandle, host_id: i64, before: serde_json::Value) {
    let state = op.state.clone();
    let moves = crate::store::maintenance::moves(&state.pool, host_id)
        .await
        .unwrap_or_default();
    let rows: Vec<(DomainRow, Option<i64>)> = state.gateway.read(|inv| {
        moves
            .iter()
            .filter_map(|(uuid, _, to)| inv.domain(*to, uuid).cloned())
            .map(|d| (d, Some(host_id)))
            .collect()
    });
    let (moved, blocked) = move_all(&op, &mut job, rows).await;
    let _ = crate::store::maintenance::clear_moves(&state.pool, host_id).await;
    let (end, message) = match blocked.is_empty() {
        true => (JobState::Succeeded, None),
        false => (JobState::Failed, Some(Key::MaintenanceNotAllBack)),
    };
    job.finish(end, message, None).await;
    let after = serde_json::json!({
        "maintenance": "off",
        "moved_back": moved.iter().map(|(r, _)| r.name.clone()).collect::<Vec<_>>(),
        "not_moved": blocked.iter().map(|b| serde_json::json!({ "domain": b.domain_name, "why": b.reason.name(), "detail": b.detail })).collect::<Vec<_>>(),
    });
    let _ = op.finish(Ok(()), before, after).await;
}
