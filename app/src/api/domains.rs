//! The inventory list and a domain's detail.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::domain::DomainDetail;
use crate::model::inventory::{InventoryPage, InventoryQuery};

/// One page of the inventory, served from memory.
#[server]
pub async fn fetch_inventory(query: InventoryQuery) -> Result<InventoryPage, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(crate::policy::Action::DomainList, Subject::list("domain")).await?;
    crate::service::inventory::page(&op.state, &op.actor, &query).await
}

/// A domain's full description, read from its host.
#[server]
pub async fn fetch_domain(host_id: i64, uuid: String) -> Result<DomainDetail, AppError> {
    use crate::guard::{Op, Subject};
    let found = crate::visibility::domain(host_id, &uuid)?;
    let params = serde_json::json!({ "host_id": host_id });
    let subject = Subject::existing_domain(found.as_ref(), &uuid, params);
    // A read: audited only when refused.
    let op = Op::begin(crate::policy::Action::DomainRead, subject).await?;
    if found.is_none() {
        return Err(AppError::NotFound);
    }
    crate::service::inventory::domain(&op.state, host_id, &uuid).await
}
