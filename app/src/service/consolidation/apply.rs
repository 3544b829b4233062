//! Applying a consolidation plan once an administrator confirmed it. The
//! plan is made again from the fleet as it is now and refused when it is
//! not the plan the administrator read (the fleet or its history changed
//! since). Its migrations then run through Mobility one after another —
//! each checked at its turn, a job and an audit record of its own — as one
//! plan job that pauses between two moves, resumes, and stops (a running
//! live migration is aborted). The hosts it empties go into maintenance
//! and are powered down by their program, or marked for powering off by
//! hand.

use sha2::{Digest, Sha256};
use tokio::sync::{watch, Notify};

use super::Computed;
use crate::error::{AppError, FieldError};
use crate::guard::{Op, Subject};
use crate::i18n::Key;
use crate::jobs::JobHandle;
use crate::live::Scope;
use crate::model::consolidation::PlanQuery;
use crate::model::host::Maintenance;
use crate::model::job::{DiskMode, JobKind, JobState, MigrationFigures, MoveForm};
use crate::service::mobility::{check, launch, Planned};
use crate::state::AppState;
use crate::store::jobs::NewJob;

/// What the plan was made from: the hosts planned, where each domain
/// runs, and the moves. Two plans with the same token are the same plan.
pub(super) fn token(c: &Computed) -> String {
    let mut hash = Sha256::new();
    for h in &c.hosts {
        hash.update(format!("h{}:{}:{};", h.id, h.host.receives, h.host.cpu_mhz));
    }
    for row in &c.rows {
        hash.update(format!("d{}@{};", row.uuid, row.host_id));
    }
    for m in c.plan.iter().flat_map(|p| &p.moves) {
        let (from, to) = (c.hosts[m.from].id, c.hosts[m.to].id);
        hash.update(format!("m{}:{from}>{to};", c.rows[m.vm].uuid));
    }
    hex::encode(&hash.finalize()[..12])
}

/// Why the plan cannot be applied, if it cannot.
pub(super) fn blocked(state: &AppState, c: &Computed) -> Option<Key> {
    let Some(plan) = &c.plan else {
        return Some(Key::PlanNoFit);
    };
    if plan.moves.is_empty() {
        return Some(Key::PlanNoMoves);
    }
    let test = |i: usize| {
        let id = c.hosts[i].id;
        state.gateway.read(|inv| {
            inv.hosts
                .get(&id)
                .is_none_or(|h| h.demo || h.uri.starts_with("test:"))
        })
    };
    plan.moves
        .iter()
        .any(|m| test(m.from) || test(m.to))
        .then_some(Key::PlanTestHosts)
}

/// How long an emptied host may take to report its last moved VM gone.
const EMPTY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// One migration of the plan.
struct Step {
    uuid: String,
    name: String,
    from: i64,
    to: i64,
}

/// Applies the plan of `query` that the administrator read (`token`) as a
/// job; its id. The operation's audit record closes when the job ends.
pub async fn apply(
    op: Op,
    query: PlanQuery,
    token: &str,
    confirmed: bool,
) -> Result<i64, AppError> {
    let state = op.state.clone();
    let null = serde_json::Value::Null;
    let refuse = |field: &'static str, key| AppError::Conflict(FieldError::new(field, key));
    if !confirmed {
        let err = AppError::field("confirm", Key::ErrApplyConfirm);
        return op.finish(Err(err), null.clone(), null).await;
    }
    let c = match super::compute(&state, &query).await {
        Ok(c) => c,
        Err(err) => return op.finish(Err(err), null.clone(), null).await,
    };
    if self::token(&c) != token {
        let err = refuse("token", Key::ErrPlanChanged);
        return op.finish(Err(err), null.clone(), null).await;
    }
    let plan = match (blocked(&state, &c), c.plan.as_ref()) {
        (None, Some(plan)) => plan,
        (why, _) => {
            let err = refuse("plan", why.unwrap_or(Key::PlanNoFit));
            return op.finish(Err(err), null.clone(), null).await;
        }
    };
    let steps: Vec<Step> = (plan.moves.iter())
        .map(|m| Step {
            uuid: c.rows[m.vm].uuid.clone(),
            name: c.rows[m.vm].name.clone(),
            from: c.hosts[m.from].id,
            to: c.hosts[m.to].id,
        })
        .collect();
    let emptied: Vec<(i64, String)> = (plan.emptied().into_iter())
        .map(|h| (c.hosts[h].id, c.hosts[h].name.clone()))
        .collect();
    let before = serde_json::json!({
        "hosts": plan.hosts_before,
        "hosts_after": plan.hosts_after,
        "moves": steps.len(),
        "to_power_down": emptied.iter().map(|e| e.1.clone()).collect::<Vec<_>>(),
    });
    let new = NewJob {
        kind: JobKind::Plan,
        host_id: emptied.first().map_or(steps[0].from, |e| e.0),
        target_host_id: None,
        domain_uuid: "",
        domain_name: &format!("{} → {}", plan.hosts_before, plan.hosts_after),
        workspace: None,
        actor: &op.actor.username,
        mode: DiskMode::None,
        started_at: &crate::jobs::now(),
    };
    let job = match JobHandle::start(&state, new).await {
        Ok(job) => job,
        Err(err) => return op.finish(Err(err), before, null).await,
    };
    let id = job.id;
    // Pauses are taken from the start: one asked as soon as this returns
    // holds before the next step.
    let paused = state.jobs.pauses.register(id);
    let run = run(op, (job, paused), steps, emptied, before);
    tokio::spawn(crate::gateway::late::scope(run));
    Ok(id)
}

/// Runs the moves in order, then powers the emptied hosts down.
async fn run(
    op: Op,
    (mut job, mut paused): (JobHandle, watch::Receiver<bool>),
    steps: Vec<Step>,
    emptied: Vec<(i64, String)>,
    before: serde_json::Value,
) {
    let state = op.state.clone();
    let cancel = job.cancel_handle();
    let total = steps.len();
    let (mut moved, mut stop) = (Vec::new(), None);
    for (n, step) in steps.iter().enumerate() {
        if !go_on(&mut job, &mut paused, &cancel, (n, total)).await {
            stop = Some(Key::PlanStopped);
            break;
        }
        let percent = (n * 100 / total).min(99) as u8;
        let phase = format!("plan:{}/{total}", n + 1);
        job.progress(&phase, percent, &MigrationFigures::default())
            .await;
        match one(&op, step, &cancel).await {
            Ok(stop_asked) => {
                moved.push(serde_json::json!({ "domain": step.name, "to": step.to }));
                if stop_asked {
                    stop = Some(Key::PlanStopped);
                    break;
                }
            }
            Err(key) => {
                stop = Some(key);
                break;
            }
        }
    }
    let mut powered = Vec::new();
    // Powering hosts down is a step too: it waits while the plan is paused.
    if stop.is_none() && !go_on(&mut job, &mut paused, &cancel, (total, total)).await {
        stop = Some(Key::PlanStopped);
    }
    let emptied = if stop.is_none() { emptied } else { Vec::new() };
    for (id, name) in &emptied {
        // The source reports a moved VM gone just after the target runs it.
        let empty = |inv: &crate::inventory::Inventory| {
            (inv.hosts.get(id)).is_some_and(|h| !h.domains.values().any(|d| d.state.is_active()))
        };
        if !state.gateway.wait_until(EMPTY_WAIT, empty).await {
            stop = Some(Key::PlanHostNotEmpty);
            continue;
        }
        if let Err(err) = crate::service::maintenance::set_mode(&state, *id, Maintenance::On).await
        {
            tracing::error!(
                host = id,
                ?err,
                "an emptied host was not put in maintenance"
            );
        }
        let power = crate::service::power::power_down(&state, &op.actor.username, (*id, name));
        powered.push(serde_json::json!({ "host": name, "power": power.await }));
        state.gateway.push_job(Scope::Host { host_id: *id }, None);
    }
    let (end, message, result) = match stop {
        None => (JobState::Succeeded, None, Ok(())),
        Some(Key::PlanStopped) => (
            JobState::Cancelled,
            Some(Key::PlanStopped),
            Err(AppError::Host(Key::PlanStopped)),
        ),
        Some(key) => (JobState::Failed, Some(key), Err(AppError::Host(key))),
    };
    job.finish(end, message, None).await;
    let after = serde_json::json!({ "moved": moved, "powered_down": powered, "stopped": stop.map(|k| k.name()) });
    let _ = op.finish(result, before, after).await;
}

/// Waits while the job is paused (shown as such); false when it is
/// stopped. `at`: moves done and in all.
async fn go_on(
    job: &mut JobHandle,
    paused: &mut watch::Receiver<bool>,
    cancel: &Notify,
    (done, total): (usize, usize),
) -> bool {
    loop {
        tokio::select! {
            biased;
            _ = cancel.notified() => return false,
            _ = std::future::ready(()) => {}
        }
        if !*paused.borrow_and_update() {
            return true;
        }
        let percent = (done * 100 / total.max(1)).min(99) as u8;
        let phase = format!("paused:{done}/{total}");
        job.progress(&phase, percent, &MigrationFigures::default())
            .await;
        tokio::select! {
            changed = paused.changed() => if changed.is_err() { return false },
            _ = cancel.notified() => return false,
        }
    }
}

/// One move, checked at its turn against the fleet as it is then: Ok
/// (whether a stop was asked meanwhile) once it moved, else why not.
async fn one(op: &Op, step: &Step, cancel: &Notify) -> Result<bool, Key> {
    let state = &op.state;
    let row = state
        .gateway
        .read(|inv| inv.domain(step.from, &step.uuid).cloned())
        .filter(|r| r.state.is_active())
        .ok_or(Key::ErrPlanChanged)?;
    let form = MoveForm {
        target: step.to.to_string(),
        ..MoveForm::default()
    };
    let key = |err: AppError| err.first_key();
    let mv = (check(state, &row, &form, &Planned::default()).await).map_err(key)?;
    let subject = Subject::existing_domain(Some(&row), &row.uuid, serde_json::json!(form));
    let action = crate::policy::Action::DomainMigrate;
    let source = "consolidation".to_string();
    let child = Op::authorize(
        state.clone(),
        Some(op.actor.clone()),
        source,
        action,
        subject,
    );
    let (child_id, mut task) = launch(child.await.map_err(key)?, row, mv)
        .await
        .map_err(key)?;
    let (ended, stop_asked) = tokio::select! {
        ended = &mut task => (ended, false),
        _ = cancel.notified() => {
            state.jobs.cancel(child_id);
            (task.await, true)
        }
    };
    match ended {
        Ok(Ok(())) => Ok(stop_asked),
        Ok(Err(_)) if stop_asked => Err(Key::PlanStopped),
        Ok(Err(err)) => Err(key(err)),
        Err(_) => Err(Key::ErrInternal),
    }
}
