//! Affinity rules on a domain's page: list (members of its workspace), add
//! and remove (its operators); and the rules a new domain may join on the
//! create form. Each through the guard.

use leptos::prelude::*;

use crate::affinity::{DomainAffinity, RuleForm};
use crate::error::AppError;

/// The rules naming the domain, and what a new rule may name.
#[server]
pub async fn affinity_of(host_id: i64, uuid: String) -> Result<DomainAffinity, AppError> {
    use crate::guard::{Op, Subject};
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = Subject::existing_domain(found.as_ref(), &uuid, serde_json::json!({}));
    let (op, row) = Op::begin(crate::policy::Action::DomainRead, subject)
        .await?
        .found(found)
        .await?;
    crate::service::affinity::for_domain(&op.state, &op.actor, &row).await
}

/// Adds a rule over the domain (and the other domains it names).
#[server]
pub async fn add_rule(host_id: i64, uuid: String, form: RuleForm) -> Result<i64, AppError> {
    use crate::guard::{Op, Subject};
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = Subject::existing_domain(found.as_ref(), &uuid, serde_json::json!(form));
    let (op, row) = Op::begin(crate::policy::Action::AffinityManage, subject)
        .await?
        .found(found)
        .await?;
    let result = crate::service::affinity::add(&op.state, &op.actor, &row, &form).await;
    let after = serde_json::json!({ "rule": result.as_ref().ok(), "form": form });
    op.finish(result, serde_json::Value::Null, after).await
}

/// Removes a rule that names the domain.
#[server]
pub async fn remove_rule(host_id: i64, uuid: String, id: i64) -> Result<(), AppError> {
    use crate::guard::{Op, Subject};
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject =
        Subject::existing_domain(found.as_ref(), &uuid, serde_json::json!({ "rule": id }));
    let (op, row) = Op::begin(crate::policy::Action::AffinityManage, subject)
        .await?
        .found(found)
        .await?;
    let result = crate::service::affinity::remove(&op.state, &row, id).await;
    op.finish(
        result,
        serde_json::json!({ "rule": id }),
        serde_json::Value::Null,
    )
    .await
}

/// The rules of the workspaces the member sees (every rule for an
/// administrator): what a new domain may join on the create form.
#[server]
pub async fn list_rules() -> Result<Vec<crate::affinity::Rule>, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(
        crate::policy::Action::AffinityList,
        Subject::list("affinity"),
    )
    .await?;
    crate::service::affinity::visible(&op.state, &op.actor).await
}
