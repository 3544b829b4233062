//! Changing existing domains: vCPUs and memory while off (within quota),
//! sandbox limits, clones. Each through the guard, audited with before/after.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::domain::Created;

/// Sets a shut-off domain's vCPUs and memory; growth must fit the quota.
#[server]
pub async fn resize_domain(
    host_id: i64,
    uuid: String,
    vcpus: String,
    memory_mib: String,
) -> Result<(), AppError> {
    let params = serde_json::json!({ "vcpus": vcpus, "memory_mib": memory_mib });
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = crate::guard::Subject::existing_domain(found.as_ref(), &uuid, params.clone());
    let (op, row) = crate::guard::Op::begin(crate::policy::Action::DomainOperate, subject)
        .await?
        .found(found)
        .await?;
    let old_mib = (row.memory_kib / 1024) as i64;
    let before = serde_json::json!({ "vcpus": row.vcpus, "memory_mib": old_mib });
    let result = crate::fleet::changes::resize(&op.state, &row, &vcpus, &memory_mib).await;
    op.finish(result, before, params).await
}

/// Sets the sandbox limits of a domain, live when it runs and in its
/// definition.
#[server]
pub async fn set_limits(
    host_id: i64,
    uuid: String,
    #[server(default)] cpu_shares: String,
    #[server(default)] cpu_quota_us: String,
    #[server(default)] cpu_period_us: String,
    #[server(default)] memory_hard_limit_mib: String,
    #[server(default)] blkio_weight: String,
) -> Result<(), AppError> {
    let limits = crate::model::forms::LimitsForm {
        cpu_shares,
        cpu_quota_us,
        cpu_period_us,
        memory_hard_limit_mib,
        blkio_weight,
    };
    let params = serde_json::json!(limits);
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = crate::guard::Subject::existing_domain(found.as_ref(), &uuid, params.clone());
    let (op, _row) = crate::guard::Op::begin(crate::policy::Action::DomainOperate, subject)
        .await?
        .found(found)
        .await?;
    let result = crate::fleet::changes::set_limits(&op.state, host_id, &uuid, &limits).await;
    op.finish(result, serde_json::Value::Null, params).await
}

/// Clones a shut-off domain on its host, in the same workspace and within
/// its quota: copies of its volumes, a new name, UUID and MACs.
#[server]
pub async fn clone_domain(host_id: i64, uuid: String, name: String) -> Result<Created, AppError> {
    let params = serde_json::json!({ "source": uuid, "name": name });
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = crate::guard::Subject::existing_domain(found.as_ref(), &uuid, params);
    let (op, row) = crate::guard::Op::begin(crate::policy::Action::DomainCreate, subject)
        .await?
        .found(found)
        .await?;
    let before = serde_json::json!(row);
    let work = crate::fleet::changes::clone(&op.state, &row, &name);
    let track = crate::jobs::Track {
        kind: crate::model::job::JobKind::Clone,
        host_id,
        uuid: "",
        name: &name,
        workspace: row.workspace.as_deref(),
    };
    let result = crate::jobs::tracked(&op.state, &op.actor.username, track, work).await;
    let after = result
        .as_ref()
        .ok()
        .map(|c| serde_json::json!(c))
        .unwrap_or_default();
    op.finish(result, before, after).await
}
