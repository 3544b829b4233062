//! The dashboard's figures.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::DashboardData;

#[server]
pub async fn dashboard() -> Result<DashboardData, AppError> {
    let state = crate::state::app_state()?;
    Ok(state.gateway.read(|inv| inv.dashboard()))
}
