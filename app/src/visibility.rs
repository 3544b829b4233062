//! Which hosts, domains, pools and networks a member sees. The policy says
//! whether an actor may list a kind of resource at all; these rules filter
//! the list (administrators see everything). Server functions and routes
//! ask here, never write their own filter.

use crate::error::AppError;
use crate::model::domain::DomainRow;
use crate::model::workspace::WorkspaceView;
use crate::policy::Actor;
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

/// Whether the actor sees `pool` on `host_id`.
pub fn sees_pool(actor: &Actor, scopes: &[WorkspaceView], host_id: i64, pool: &str) -> bool {
    actor.is_admin || !allowing_pool(scopes, host_id, pool).is_empty()
}

/// Whether the actor sees the network `name` on `host_id`.
pub fn sees_network(actor: &Actor, scopes: &[WorkspaceView], host_id: i64, name: &str) -> bool {
    actor.is_admin
        || scopes
            .iter()
            .any(|ws| on_host(ws, host_id) && ws.networks.iter().any(|n| n == name))
}

/// The policy's object for a pool: slugs of the caller's workspaces that
/// allow it (none for a caller who is not signed in).
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

/// [`pool_slugs`] for the caller of the current request.
pub async fn caller_pool_slugs(host_id: i64, pool: &str) -> Result<Vec<String>, AppError> {
    let state = crate::state::app_state()?;
    let actor = crate::guard::current_actor(&state).await?;
    pool_slugs(&state, actor.as_ref(), host_id, pool).await
}

/// Hosts allowed to any of the actor's workspaces.
async fn allowed_hosts(state: &AppState, actor: &Actor) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = Vec::new();
    for m in &actor.memberships {
        ids.extend(crate::store::workspaces::host_ids(&state.pool, m.workspace_id).await?);
    }
    Ok(ids)
}

/// Ids of the hosts the actor sees: every host for an administrator; for a
/// member, the hosts allowed to its workspaces and those running its domains.
pub async fn host_ids(state: &AppState, actor: &Actor) -> Result<Vec<i64>, AppError> {
    let visible = actor.visible_slugs();
    let allowed = allowed_hosts(state, actor).await?;
    Ok(state
        .gateway
        .read(|inv| inv.visible_host_ids(visible.as_deref(), &allowed)))
}

/// The domains on `host_id` owned by the actor's workspaces, as `(uuid,
/// name)`: what of a shared network or pool a member may learn about.
pub fn own_domains_on(state: &AppState, actor: &Actor, host_id: i64) -> Vec<(String, String)> {
    let visible = actor.visible_slugs().unwrap_or_default();
    state.gateway.read(|inv| {
        inv.domains_on(host_id)
            .filter(|d| d.workspace.as_ref().is_some_and(|w| visible.contains(w)))
            .map(|d| (d.uuid.clone(), d.name.clone()))
            .collect()
    })
}

/// A domain as the inventory knows it, whoever asks: the guard decides on
/// its owner workspace, so a member learns nothing of another team's domain.
pub fn domain(host_id: i64, uuid: &str) -> Result<Option<DomainRow>, AppError> {
    let state = crate::state::app_state()?;
    Ok(state.gateway.read(|inv| inv.domain(host_id, uuid).cloned()))
}
