//! Hosts: listing what a caller may see, registering and forgetting.

use crate::error::{AppError, FieldError};
use crate::model::host::{HostView, Maintenance};
use crate::policy::Actor;
use crate::state::AppState;
use crate::validate::{parse_tags, DisplayName, HostUri};

/// The hosts `actor` sees, with live state and facts.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<HostView>, AppError> {
    let ids = crate::visibility::host_ids(state, actor).await?;
    let visible = actor.visible_slugs();
    let mut hosts = state
        .gateway
        .read(|inv| inv.host_views(&ids, visible.as_deref()));
    for h in hosts.iter_mut() {
        (h.lost, h.fenced) = state.failover.status(h.id);
    }
    if actor.is_admin {
        for h in hosts
            .iter_mut()
            .filter(|h| h.maintenance != Maintenance::Off)
        {
            h.blockers = crate::service::maintenance::blockers(state, h.id).await?;
        }
        let power = crate::store::power::all(&state.pool).await?;
        for h in hosts.iter_mut() {
            h.power = (power.iter()).find(|p| p.0 == h.id).map(|p| p.1.clone());
            let running = crate::store::failover::stale_on(&state.pool, h.id, "conflict").await?;
            h.conflicts = running.into_iter().map(|(_, name)| name).collect();
        }
    }
    Ok(hosts)
}

/// Registers a host (saved even when unreachable, shown as such); its id.
pub async fn register(
    state: &AppState,
    name: &str,
    uri: &str,
    [plant, area, line, cell]: [&str; 4],
) -> Result<i64, AppError> {
    let mut errors: Vec<FieldError> = Vec::new();
    let name = DisplayName::parse("name", name)
        .map_err(|e| errors.push(e))
        .ok();
    let uri = HostUri::parse(uri).map_err(|e| errors.push(e)).ok();
    let tags = parse_tags(plant, area, line, cell)
        .map_err(|e| errors.extend(e))
        .ok();
    let (Some(name), Some(uri), Some(tags)) = (name, uri, tags) else {
        return Err(AppError::Invalid(errors));
    };
    let spec = crate::store::hosts::insert(&state.pool, name.as_str(), uri.as_str(), &tags).await?;
    let id = spec.id;
    tracing::info!(host = id, uri = %spec.uri, "host registered");
    state.gateway.add_host(spec);
    Ok(id)
}

/// Forgets host `id`; its domains are not touched.
pub async fn remove(state: &AppState, id: i64) -> Result<(), AppError> {
    if !crate::store::hosts::delete(&state.pool, id).await? {
        return Err(AppError::NotFound);
    }
    state.gateway.remove_host(id);
    tracing::info!(host = id, "host removed");
    Ok(())
}
