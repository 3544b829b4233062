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
    use crate::fleet::service::workspace;
    use crate::quota::{check_change, Ask};
    let params = serde_json::json!({ "vcpus": vcpus, "memory_mib": memory_mib });
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = crate::guard::Subject::existing_domain(found.as_ref(), &uuid, params.clone());
    let (op, row) = crate::guard::Op::begin(crate::policy::Action::DomainOperate, subject)
        .await?
        .found(found)
        .await?;
    let old_mib = (row.memory_kib / 1024) as i64;
    let before = serde_json::json!({ "vcpus": row.vcpus, "memory_mib": old_mib });
    let result = async {
        let (vcpus, memory_mib) =
            crate::fleet::plan::validate_resize(&vcpus, &memory_mib).map_err(AppError::Invalid)?;
        if row.state.is_active() {
            return Err(AppError::field("vcpus", crate::i18n::Key::ErrMustBeOff));
        }
        let state = &op.state;
        let ask = Ask {
            vcpus: (i64::from(vcpus) - i64::from(row.vcpus)).max(0),
            memory_mib: (memory_mib as i64 - old_mib).max(0),
            ..Ask::default()
        };
        let grows = ask.vcpus > 0 || ask.memory_mib > 0;
        let _held = match &row.workspace {
            // Shrinking never waits on a quota (it may already be over one).
            _ if !grows => Some(state.quota_lock.lock().await),
            Some(slug) => {
                let ws = workspace(state, slug).await?.ok_or(AppError::NotFound)?;
                let target = (ws.id, ws.slug.as_str());
                Some(check_change(state, target, &ws.quotas, ask).await?)
            }
            None => None,
        };
        let new_row = state
            .gateway
            .resize(host_id, &uuid, vcpus, memory_mib)
            .await?;
        state.gateway.publish_domain(new_row);
        Ok(())
    }
    .await;
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
    let result = async {
        let limits = crate::fleet::plan::validate_limits(&limits).map_err(AppError::Invalid)?;
        op.state.gateway.set_limits(host_id, &uuid, limits).await?;
        op.state.gateway.refresh_domain(host_id, &uuid);
        Ok(())
    }
    .await;
    op.finish(result, serde_json::Value::Null, params).await
}

/// Clones a shut-off domain on its host, in the same workspace and within
/// its quota: copies of its volumes, a new name, UUID and MACs.
#[server]
pub async fn clone_domain(host_id: i64, uuid: String, name: String) -> Result<Created, AppError> {
    use crate::fleet::service::workspace;
    use crate::quota::{reserve, Ask, ForDomain};
    let params = serde_json::json!({ "source": uuid, "name": name });
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = crate::guard::Subject::existing_domain(found.as_ref(), &uuid, params);
    let (op, row) = crate::guard::Op::begin(crate::policy::Action::DomainCreate, subject)
        .await?
        .found(found)
        .await?;
    let before = serde_json::json!(row);
    let result = async {
        let name =
            crate::fleet::plan::vm_name(name.trim()).map_err(|e| AppError::Invalid(vec![e]))?;
        if row.state.is_active() {
            return Err(AppError::field("name", crate::i18n::Key::ErrMustBeOff));
        }
        let state = &op.state;
        let reservation = match &row.workspace {
            Some(slug) => {
                let ws = workspace(state, slug).await?.ok_or(AppError::NotFound)?;
                let ask = Ask::domain(
                    i64::from(row.vcpus),
                    (row.memory_kib / 1024) as i64,
                    row.disk_bytes.div_ceil(1 << 30) as i64,
                );
                let target = ForDomain {
                    workspace_id: ws.id,
                    slug: &ws.slug,
                    name: &name,
                };
                let same_host = |_: &_| Ok((host_id, String::new()));
                let (r, _, _) = reserve(state, target, &ws.quotas, ask, same_host).await?;
                Some(r)
            }
            None => None,
        };
        let made = state.gateway.clone_domain(host_id, &uuid, &name).await;
        match (made, reservation) {
            (Ok(new_row), r) => {
                let created = Created {
                    host_id,
                    uuid: new_row.uuid.clone(),
                    name: new_row.name.clone(),
                    placement: None,
                };
                match r {
                    Some(r) => {
                        r.settle(&state.pool, &state.quota_lock, &state.gateway, new_row)
                            .await
                    }
                    None => state.gateway.publish_domain(new_row),
                }
                Ok(created)
            }
            (Err(err), r) => {
                if let Some(r) = r {
                    r.release(&state.pool).await;
                }
                Err(crate::fleet::service::name_taken_on_field(err))
            }
        }
    }
    .await;
    let after = result
        .as_ref()
        .ok()
        .map(|c| serde_json::json!(c))
        .unwrap_or_default();
    op.finish(result, before, after).await
}
