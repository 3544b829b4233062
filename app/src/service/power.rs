//! Powering hosts down and up with the programs configured for them
//! (`--power-off NAME=PROGRAM ARG...`, `--power-on ...`: IPMI, a PDU,
//! wake-on-LAN). A host a consolidation plan emptied is powered down by
//! its program, or marked for an operator to power off by hand when it
//! has none (or it failed); an administrator powers it on again.

use std::time::Duration;

use crate::audit::{AuditEntry, Outcome, Target};
use crate::error::{AppError, FieldError};
use crate::guard::Op;
use crate::i18n::Key;
use crate::state::AppState;

/// How long a power program may run.
const PROGRAM_LIMIT: Duration = Duration::from_secs(120);

/// Runs `program` (argv) with `env` set, bounded by `limit`; whether it
/// exited with success.
pub async fn run_program(program: &[String], env: &[(&str, &str)], limit: Duration) -> bool {
    let Some((cmd, args)) = program.split_first() else {
        return false;
    };
    let run = tokio::process::Command::new(cmd)
        .args(args)
        .envs(env.iter().copied())
        .kill_on_drop(true)
        .output();
    matches!(
        tokio::time::timeout(limit, run).await,
        Ok(Ok(out)) if out.status.success()
    )
}

/// Powers down `host` (id, name), which a plan emptied and put in
/// maintenance: `off` when its program reported success, `manual`
/// otherwise. Recorded for the Hosts page and audited.
pub async fn power_down(state: &AppState, actor: &str, (id, name): (i64, &str)) -> &'static str {
    let program = state.failover.power_off.get(name).cloned();
    let ok = match &program {
        Some(p) => run_program(p, &[("MILLWRIGHT_POWER_HOST", name)], PROGRAM_LIMIT).await,
        None => false,
    };
    let power = if ok { "off" } else { "manual" };
    if let Err(err) = crate::store::power::set(&state.pool, id, power, &crate::jobs::now()).await {
        tracing::error!(host = id, error = %err, "a host's power state was not recorded");
    }
    let (outcome, message) = match (&program, ok) {
        (_, true) => (Outcome::Ok, ""),
        (None, _) => (Outcome::Ok, "no power-off program: to power off by hand"),
        (Some(_), false) => (Outcome::Failed, "the power-off program failed"),
    };
    let entry = AuditEntry::new(actor, "consolidation", "host.power_off")
        .target(Target::new("host", id.to_string(), name))
        .params(serde_json::json!({ "program": program.as_ref().and_then(|p| p.first()) }))
        .outcome(outcome, message);
    if let Err(err) = state.audit.append(entry).await {
        tracing::error!(error = %err, "audit record could not be written");
    }
    power
}

/// Powers `host_id` on with its program; it stays in maintenance until an
/// administrator takes it out.
pub async fn power_on(op: Op, host_id: i64, name: &str) -> Result<(), AppError> {
    let state = op.state.clone();
    let before = serde_json::json!({ "power": power_of(&state, host_id).await });
    let Some(program) = state.failover.power_on.get(name).cloned() else {
        let err = AppError::Conflict(FieldError::new("host_id", Key::PowerOnNoProgram));
        return op.finish(Err(err), before, serde_json::Value::Null).await;
    };
    let ok = run_program(&program, &[("MILLWRIGHT_POWER_HOST", name)], PROGRAM_LIMIT).await;
    let result = match ok {
        true => crate::store::power::clear(&state.pool, host_id)
            .await
            .map_err(AppError::from),
        false => Err(AppError::Host(Key::PowerOnFailed)),
    };
    if result.is_ok() {
        state
            .gateway
            .push_job(crate::live::Scope::Host { host_id }, None);
    }
    let after = serde_json::json!({ "power": if ok { "on" } else { "unchanged" }, "program": program.first() });
    op.finish(result, before, after).await
}

/// The power state recorded for `host_id` (`off`, `manual`), if any.
pub async fn power_of(state: &AppState, host_id: i64) -> Option<String> {
    let all = crate::store::power::all(&state.pool).await.ok()?;
    all.into_iter().find(|(h, _)| *h == host_id).map(|(_, s)| s)
}
