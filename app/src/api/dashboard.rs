//! The dashboard's figures.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::dashboard::DashboardData;

#[server]
pub async fn dashboard() -> Result<DashboardData, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(
        crate::policy::Action::DashboardRead,
        Subject::list("dashboard"),
    )
    .await?;
    let hosts = crate::visibility::host_ids(&op.state, &op.actor).await?;
    let visible = op.actor.visible_slugs();
    Ok(op
        .state
        .gateway
        .read(|inv| inv.dashboard(&hosts, visible.as_deref())))
}
