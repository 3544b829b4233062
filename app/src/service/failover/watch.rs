//! The failover watcher: every couple of seconds it notes hosts that stop
//! answering (lost past the grace period), runs a lost host's fencing
//! program and fails its HA VMs over when it succeeds, removes stale copies
//! from hosts that answer again, and refreshes the kept definitions.

use std::time::{Duration, Instant};

use super::{fail_over, mark_fenced, Loss};
use crate::audit::{AuditEntry, Outcome, Target};
use crate::gateway::Stale;
use crate::i18n::Key;
use crate::model::host::HostState;
use crate::state::AppState;
use crate::store::failover::HaDomain;

/// How often the watcher looks at the hosts.
const TICK: Duration = Duration::from_secs(2);
/// How many ticks between refreshes of the kept definitions.
const REFRESH_TICKS: u32 = 15;

/// Watches the hosts for as long as the server runs: lost hosts, fencing
/// programs, stale copies on hosts that came back, kept definitions.
pub fn spawn_watcher(state: AppState) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(TICK);
        let mut ticks = 0u32;
        loop {
            ticker.tick().await;
            ticks = ticks.wrapping_add(1);
            watch_once(&state, ticks.is_multiple_of(REFRESH_TICKS)).await;
        }
    });
}

async fn watch_once(state: &AppState, refresh: bool) {
    let hosts: Vec<(i64, String, bool)> = state.gateway.read(|inv| {
        inv.hosts
            .values()
            .map(|h| (h.id, h.name.clone(), h.state == HostState::Connected))
            .collect()
    });
    let kept = crate::store::failover::all(&state.pool)
        .await
        .unwrap_or_default();
    for (id, name, connected) in hosts {
        if connected {
            if state.failover.lock().remove(&id).is_some() {
                tracing::info!(host = id, "a lost host answers again");
            }
            settle_stale(state, id).await;
            continue;
        }
        let loss = *state.failover.lock().entry(id).or_insert(Loss {
            since: Instant::now(),
            fenced: false,
            fence_tried: None,
            announced: false,
        });
        if loss.since.elapsed() >= state.failover.grace && !loss.announced {
            if let Some(l) = state.failover.lock().get_mut(&id) {
                l.announced = true;
            }
            state
                .gateway
                .push_job(crate::live::Scope::Host { host_id: id }, None);
        }
        let has_ha = kept.iter().any(|d| d.host_id == id);
        let due = loss
            .fence_tried
            .is_none_or(|t| t.elapsed() >= state.failover.grace);
        if loss.since.elapsed() < state.failover.grace || loss.fenced || !has_ha || !due {
            continue;
        }
        if let Some(program) = state.failover.fence_programs.get(&name).cloned() {
            if let Some(l) = state.failover.lock().get_mut(&id) {
                l.fence_tried = Some(Instant::now());
            }
            if run_fence(state, &name, &program).await {
                mark_fenced(state, id);
                if let Err(err) = fail_over(state, "fencing", id).await {
                    tracing::error!(host = id, ?err, "failover did not start");
                }
            }
        }
    }
    if refresh {
        refresh_kept(state, &kept).await;
    }
}

/// Runs the host's fencing program (bounded by a minute); whether it
/// reported success. Audited either way.
async fn run_fence(state: &AppState, host: &str, program: &[String]) -> bool {
    let env = [("MILLWRIGHT_FENCE_HOST", host)];
    let ok = crate::service::power::run_program(program, &env, Duration::from_secs(60)).await;
    let cmd = program.first().map(String::as_str).unwrap_or_default();
    let entry = AuditEntry::new("fencing", "failover", "host.fence")
        .target(Target::new("host", "", host))
        .params(serde_json::json!({ "program": cmd }))
        .outcome(
            if ok { Outcome::Ok } else { Outcome::Failed },
            if ok { "" } else { "the fencing program failed" },
        );
    if let Err(err) = state.audit.append(entry).await {
        tracing::error!(error = %err, "audit record could not be written");
    }
    ok
}

/// Removes the stale copies on `host_id` (a host that answers again).
async fn settle_stale(state: &AppState, host_id: i64) {
    let pending = crate::store::failover::stale_on(&state.pool, host_id, "pending")
        .await
        .unwrap_or_default();
    for (uuid, name) in pending {
        let (to, outcome) = match state.gateway.remove_stale(host_id, &uuid).await {
            Ok(Stale::Removed | Stale::Absent) => ("removed", Outcome::Ok),
            Ok(Stale::Running) => ("conflict", Outcome::Failed),
            Err(_) => continue,
        };
        let _ = crate::store::failover::set_stale(&state.pool, &uuid, host_id, to).await;
        state.gateway.refresh_domain(host_id, &uuid);
        let message = if to == "conflict" {
            Key::StaleRunning.en()
        } else {
            ""
        };
        let entry = AuditEntry::new("failover", "failover", "domain.stale_copy")
            .target(Target::new("domain", &uuid, &name))
            .params(serde_json::json!({ "host": host_id, "copy": to }))
            .outcome(outcome, message);
        if let Err(err) = state.audit.append(entry).await {
            tracing::error!(error = %err, "audit record could not be written");
        }
    }
}

/// Keeps each HA VM's definition current from the host it runs on.
async fn refresh_kept(state: &AppState, kept: &[HaDomain]) {
    for d in kept {
        // Where it runs (a stale copy elsewhere is off).
        let on = state.gateway.read(|inv| {
            inv.hosts
                .values()
                .filter(|h| h.state == HostState::Connected)
                .find(|h| {
                    h.domains
                        .values()
                        .any(|r| r.uuid.eq_ignore_ascii_case(&d.uuid) && r.state.is_active())
                })
                .map(|h| h.id)
        });
        let Some(host_id) = on else { continue };
        if let Ok(xml) = state.gateway.definition(host_id, &d.uuid).await {
            let fresh = HaDomain {
                host_id,
                xml,
                ..d.clone()
            };
            let _ = crate::store::failover::keep(&state.pool, &fresh, &crate::jobs::now()).await;
        }
    }
}
