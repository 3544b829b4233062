//! Registering, listing and removing hosts.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::HostView;

/// Every registered host with its live state and facts.
#[server]
pub async fn list_hosts() -> Result<Vec<HostView>, AppError> {
    let state = crate::state::app_state()?;
    Ok(state.gateway.read(|inv| inv.host_views()))
}

/// Registers a host. It is saved even when unreachable, and shown as such.
#[server]
pub async fn add_host(
    name: String,
    uri: String,
    plant: String,
    area: String,
    line: String,
    cell: String,
) -> Result<i64, AppError> {
    use crate::error::FieldError;
    use crate::validate::{parse_tags, DisplayName, HostUri};

    let state = crate::state::app_state()?;
    let mut errors: Vec<FieldError> = Vec::new();
    let name = DisplayName::parse("name", &name)
        .map_err(|e| errors.push(e))
        .ok();
    let uri = HostUri::parse(&uri).map_err(|e| errors.push(e)).ok();
    let tags = parse_tags(&plant, &area, &line, &cell)
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

/// Forgets a host. Its domains are not touched.
#[server]
pub async fn remove_host(id: i64) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    if !crate::store::hosts::delete(&state.pool, id).await? {
        return Err(AppError::NotFound);
    }
    state.gateway.remove_host(id);
    tracing::info!(host = id, "host removed");
    Ok(())
}
