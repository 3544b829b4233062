//! Changes to existing domains once the guard allowed them: power, delete,
//! snapshots, vCPUs and memory while off (growth within the quota),
//! sandbox limits, clones (within the quota, on the same host).

use crate::error::AppError;
use crate::fleet::service::{name_taken_on_field, workspace, RECONCILE_WAIT};
use crate::gateway::Power;
use crate::i18n::Key;
use crate::model::domain::{Created, DomainRow};
use crate::model::forms::LimitsForm;
use crate::quota::{check_change, reserve, Ask, ForDomain};
use crate::state::AppState;

/// Sets the shut-off domain `row`'s vCPUs and memory (as typed).
pub async fn resize(
    state: &AppState,
    row: &DomainRow,
    vcpus: &str,
    memory_mib: &str,
) -> Result<(), AppError> {
    let (host_id, uuid) = (row.host_id, row.uuid.as_str());
    let old_mib = (row.memory_kib / 1024) as i64;
    let (vcpus, memory_mib) =
        crate::fleet::plan::validate_resize(vcpus, memory_mib).map_err(AppError::Invalid)?;
    if row.state.is_active() {
        return Err(AppError::field("vcpus", Key::ErrMustBeOff));
    }
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
        .resize(host_id, uuid, vcpus, memory_mib)
        .await?;
    state.gateway.publish_domain(new_row);
    Ok(())
}

/// Sets the domain's sandbox limits (as typed), live when it runs and in
/// its definition.
pub async fn set_limits(
    state: &AppState,
    host_id: i64,
    uuid: &str,
    limits: &LimitsForm,
) -> Result<(), AppError> {
    let limits = crate::fleet::plan::validate_limits(limits).map_err(AppError::Invalid)?;
    state.gateway.set_limits(host_id, uuid, limits).await?;
    state.gateway.refresh_domain(host_id, uuid);
    Ok(())
}

/// Clones the shut-off domain `row` on its host as `name`, in the same
/// workspace and within its quota.
pub async fn clone(state: &AppState, row: &DomainRow, name: &str) -> Result<Created, AppError> {
    let (host_id, uuid) = (row.host_id, row.uuid.as_str());
    let name = crate::fleet::plan::vm_name(name.trim()).map_err(|e| AppError::Invalid(vec![e]))?;
    if row.state.is_active() {
        return Err(AppError::field("name", Key::ErrMustBeOff));
    }
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
    let made = state.gateway.clone_domain(host_id, uuid, &name).await;
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
        (Err(AppError::Host(Key::HostErrDeadline)), Some(r)) => {
            // It may still finish: its share is held until it is listed.
            let (pool, gateway) = (state.pool.clone(), state.gateway.clone());
            r.release_when_listed(pool, gateway, (host_id, name), RECONCILE_WAIT);
            Err(AppError::Host(Key::HostErrDeadline))
        }
        (Err(err), r) => {
            if let Some(r) = r {
                r.release(&state.pool).await;
            }
            Err(name_taken_on_field(err))
        }
    }
}

/// Applies a power change (`action` as sent) to `row`; a shutdown waits
/// for the domain to stop, within the plant's shutdown timeout.
pub async fn power(state: &AppState, row: &DomainRow, action: &str) -> Result<(), AppError> {
    let (host_id, uuid) = (row.host_id, row.uuid.as_str());
    let action = Power::parse(action).ok_or(AppError::field("action", Key::ErrOperationInvalid))?;
    state.gateway.power(host_id, uuid, action).await?;
    if matches!(action, Power::AutostartOn | Power::AutostartOff) {
        state.gateway.refresh_domain(host_id, uuid);
    }
    if action == Power::Shutdown {
        let timeout = state.fleet.shutdown_timeout;
        let off = state
            .gateway
            .wait_until(timeout, |inv| {
                inv.domain(host_id, uuid)
                    .is_none_or(|d| !d.state.is_active())
            })
            .await;
        if !off {
            return Err(AppError::Host(Key::ErrShutdownTimeout));
        }
    }
    Ok(())
}

/// Deletes `row` (its name typed as `confirm`), with its storage when
/// asked; the paths of the volumes removed.
pub async fn delete(
    state: &AppState,
    row: &DomainRow,
    confirm: &str,
    with_storage: bool,
) -> Result<Vec<String>, AppError> {
    if confirm.trim() != row.name {
        return Err(AppError::field("confirm", Key::ErrConfirmName));
    }
    let removed = state
        .gateway
        .delete_domain(row.host_id, &row.uuid, with_storage)
        .await?;
    state.gateway.refresh_domain(row.host_id, &row.uuid);
    if !removed.is_empty() {
        crate::service::volumes::forget_paths(state, row.host_id, &removed).await;
    }
    Ok(removed)
}

/// Takes (`create`), reverts to or deletes the snapshot `name` of `row`.
pub async fn snapshot(
    state: &AppState,
    row: &DomainRow,
    action: &str,
    name: &str,
    description: &str,
) -> Result<(), AppError> {
    let (host_id, uuid) = (row.host_id, row.uuid.as_str());
    let name = crate::fleet::plan::vm_name(name.trim()).map_err(|mut e| {
        e.field = "name".into();
        AppError::Invalid(vec![e])
    })?;
    let gateway = &state.gateway;
    let result = match action {
        "create" => {
            gateway
                .snapshot_create(host_id, uuid, &name, description)
                .await
        }
        "revert" => gateway.snapshot_revert(host_id, uuid, &name).await,
        "delete" => gateway.snapshot_delete(host_id, uuid, &name).await,
        _ => Err(AppError::field("action", Key::ErrOperationInvalid)),
    };
    gateway.refresh_domain(host_id, uuid);
    result
}
