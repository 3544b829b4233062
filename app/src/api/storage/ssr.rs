//! Server side of storage and networks: who may see or change which pool,
//! and one guarded gateway change on a host.

use crate::audit::Target;
use crate::error::AppError;
use crate::gateway::Gateway;
use crate::guard::{current_actor, Op, Subject};
use crate::i18n::Key;
use crate::model::WorkspaceView;
use crate::policy::{Action, Actor, Object};
use crate::state::AppState;

/// The workspaces of a member (none for an administrator, who sees all).
pub async fn scopes(state: &AppState, actor: &Actor) -> Result<Vec<WorkspaceView>, AppError> {
    let mut out = Vec::new();
    if actor.is_admin {
        return Ok(out);
    }
    for m in &actor.memberships {
        if let Some(ws) = crate::store::workspaces::by_id(&state.pool, m.workspace_id).await? {
            out.push(ws);
        }
    }
    Ok(out)
}

fn on_host(ws: &WorkspaceView, host_id: i64) -> bool {
    ws.hosts.is_empty() || ws.hosts.contains(&host_id)
}

/// Slugs of the workspaces that allow `pool` on `host_id`. A workspace's
/// pools must name the pool: an empty list allows none here.
pub fn allowing_pool(scopes: &[WorkspaceView], host_id: i64, pool: &str) -> Vec<String> {
    scopes
        .iter()
        .filter(|ws| on_host(ws, host_id) && ws.pools.iter().any(|p| p == pool))
        .map(|ws| ws.slug.clone())
        .collect()
}

/// Whether a member's workspaces allow the network on that host.
pub fn sees_network(scopes: &[WorkspaceView], host_id: i64, name: &str) -> bool {
    scopes
        .iter()
        .any(|ws| on_host(ws, host_id) && ws.networks.iter().any(|n| n == name))
}

/// The policy's object for a pool, as slugs the actor's workspaces give.
pub async fn pool_slugs(
    state: &AppState,
    actor: Option<&Actor>,
    host_id: i64,
    pool: &str,
) -> Result<Vec<String>, AppError> {
    match actor {
        Some(actor) => Ok(allowing_pool(&scopes(state, actor).await?, host_id, pool)),
        None => Ok(Vec::new()),
    }
}

/// The guard for a change to a pool or one of its volumes.
pub async fn begin_on_pool(
    action: Action,
    host_id: i64,
    pool: &str,
    target: Target,
    params: serde_json::Value,
) -> Result<Op, AppError> {
    let state = crate::state::app_state()?;
    let actor = current_actor(&state).await?;
    let slugs = pool_slugs(&state, actor.as_ref(), host_id, pool).await?;
    let refs: Vec<&str> = slugs.iter().map(String::as_str).collect();
    let subject = Subject {
        resource: Object::Pool(&refs),
        workspace: refs.first().copied().unwrap_or(""),
        target,
        params,
    };
    Op::begin(action, subject).await
}

/// The guard for an administrator's change on a host (pools, networks).
pub async fn begin_platform(
    action: Action,
    target: Target,
    params: serde_json::Value,
) -> Result<Op, AppError> {
    Op::begin(action, Subject::platform(target, params)).await
}

/// `start` → true, `stop` → false; anything else names the field.
pub fn start_or_stop(action: &str) -> Result<bool, AppError> {
    match action {
        "start" => Ok(true),
        "stop" => Ok(false),
        _ => Err(AppError::field("action", Key::ErrOperationInvalid)),
    }
}

/// One guarded, audited libvirt change on a host: `job` is the checked
/// input turned into the gateway call (or the rule it broke, audited as a
/// failure).
pub async fn host_job<F, Fut>(
    op: Result<Op, AppError>,
    params: serde_json::Value,
    job: Result<F, AppError>,
) -> Result<(), AppError>
where
    F: FnOnce(Gateway) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    let op = op?;
    let result = match job {
        Ok(f) => f(op.state.gateway.clone()).await,
        Err(err) => Err(err),
    };
    op.finish(result, serde_json::Value::Null, params).await
}

/// Moves a host's refusal onto the form field it is about.
pub fn on_field(err: AppError, fields: &[(Key, &str)]) -> AppError {
    match err {
        AppError::Host(key) => match fields.iter().find(|(k, _)| *k == key) {
            Some((key, field)) => AppError::field(field, *key),
            None => AppError::Host(key),
        },
        other => other,
    }
}

/// A host id the gateway knows, or a field error naming `host`.
pub fn known_host(state: &AppState, host_id: i64) -> Result<(), AppError> {
    if state.gateway.read(|inv| inv.hosts.contains_key(&host_id)) {
        Ok(())
    } else {
        Err(AppError::field("host_id", Key::ErrNotFound))
    }
}
