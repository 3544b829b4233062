//! The inventory as a caller sees it: the dashboard's figures, a page of
//! the domain list and a domain's detail (members: their workspaces'
//! domains and the hosts they may see).

use crate::error::AppError;
use crate::model::dashboard::DashboardData;
use crate::model::domain::DomainDetail;
use crate::model::inventory::{InventoryPage, InventoryQuery};
use crate::policy::Actor;
use crate::state::AppState;

/// The dashboard's figures over what `actor` sees.
pub async fn dashboard(state: &AppState, actor: &Actor) -> Result<DashboardData, AppError> {
    let hosts = crate::visibility::host_ids(state, actor).await?;
    let visible = actor.visible_slugs();
    Ok(state
        .gateway
        .read(|inv| inv.dashboard(&hosts, visible.as_deref())))
}

/// One page of the inventory, served from memory.
pub async fn page(
    state: &AppState,
    actor: &Actor,
    query: &InventoryQuery,
) -> Result<InventoryPage, AppError> {
    let visible = actor.visible_slugs();
    let mut page = state
        .gateway
        .read(|inv| inv.query(query, visible.as_deref()));
    if visible.is_some() {
        let hosts = crate::visibility::host_ids(state, actor).await?;
        page.hosts.retain(|(id, _)| hosts.contains(id));
    }
    Ok(page)
}

/// A domain's full description, read from its host.
pub async fn domain(state: &AppState, host_id: i64, uuid: &str) -> Result<DomainDetail, AppError> {
    state.gateway.domain_detail(host_id, uuid).await
}

/// The domain's snapshots, read from its host.
pub async fn snapshots(
    state: &AppState,
    host_id: i64,
    uuid: &str,
) -> Result<Vec<crate::model::domain::SnapshotView>, AppError> {
    state.gateway.snapshots(host_id, uuid).await
}
