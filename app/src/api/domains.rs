//! The inventory list and a domain's detail.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{DomainDetail, InventoryPage, InventoryQuery};

/// One page of the inventory, served from memory.
#[server]
pub async fn fetch_inventory(query: InventoryQuery) -> Result<InventoryPage, AppError> {
    let (state, actor) = crate::guard::require_actor().await?;
    let visible = actor.visible_slugs();
    Ok(state
        .gateway
        .read(|inv| inv.query(&query, visible.as_deref())))
}

/// A domain's full description, read from its host.
#[server]
pub async fn fetch_domain(host_id: i64, uuid: String) -> Result<DomainDetail, AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};
    use crate::policy::{Action, Object};

    let state = crate::state::app_state()?;
    let found = state.gateway.read(|inv| {
        let host = inv.hosts.get(&host_id)?;
        let row = host.domains.get(&uuid)?;
        Some((host.name.clone(), row.name.clone(), row.workspace.clone()))
    });
    let (host_name, name, workspace) = found.unwrap_or_default();
    let subject = Subject {
        resource: Object::Domain(workspace.as_deref()),
        workspace: workspace.as_deref().unwrap_or(""),
        target: Target::new("domain", uuid.clone(), name),
        params: serde_json::json!({ "host_id": host_id }),
    };
    // A read: audited only when refused.
    let op = Op::begin(Action::DomainRead, subject).await?;
    if host_name.is_empty() {
        return Err(AppError::NotFound);
    }
    op.state.gateway.domain_detail(host_id, &uuid).await
}
