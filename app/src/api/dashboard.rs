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
    crate::service::inventory::dashboard(&op.state, &op.actor).await
}
