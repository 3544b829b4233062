//! The dashboard's figures.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::DashboardData;

#[server]
pub async fn dashboard() -> Result<DashboardData, AppError> {
    let (state, actor) = crate::guard::require_actor().await?;
    let visible = actor.visible_slugs();
    let allowed = crate::api::hosts::allowed_hosts(&state.pool, &actor).await?;
    Ok(state.gateway.read(|inv| {
        inv.dashboard(
            &inv.visible_host_ids(visible.as_deref(), &allowed),
            visible.as_deref(),
        )
    }))
}
