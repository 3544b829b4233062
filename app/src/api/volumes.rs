//! Volumes in a pool: list, create, grow and delete. Administrators, and
//! owners and operators of a workspace whose allowed pools include the pool.

use leptos::prelude::*;

pub use crate::api::storage::VolumeView;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guard::{Op, Subject};
#[cfg(feature = "ssr")]
use crate::service::volumes as service;

#[cfg(feature = "ssr")]
fn volume_target(key: crate::store::volumes::VolumeKey<'_>) -> crate::audit::Target {
    let (host_id, pool, name) = (key.host_id, key.pool, key.name);
    crate::audit::Target::new("volume", format!("{host_id}/{pool}/{name}"), name)
}

/// The ISO volumes (`*.iso`) a create may boot from: in the pools the
/// caller's workspaces allow (on the hosts they allow).
#[server]
pub async fn list_boot_media() -> Result<Vec<crate::model::storage::BootMedium>, AppError> {
    let op = Op::begin(
        crate::policy::Action::StorageList,
        Subject::list("boot_media"),
    )
    .await?;
    service::boot_media(&op.state, &op.actor).await
}

/// The pool's volumes, each with the domains that use it.
#[server]
pub async fn list_volumes(host_id: i64, pool: String) -> Result<Vec<VolumeView>, AppError> {
    let op = Op::begin(crate::policy::Action::StorageList, Subject::list("volume")).await?;
    service::list(&op.state, &op.actor, host_id, &pool).await
}

/// Creates a volume of `gib` GiB, `qcow2` or `raw`.
#[server]
pub async fn create_volume(
    host_id: i64,
    pool: String,
    name: String,
    gib: String,
    format: String,
    #[server(default)] workspace: String,
) -> Result<(), AppError> {
    use crate::policy::Action;
    use crate::visibility::caller_pool_slugs;
    let params = serde_json::json!({ "gib": gib, "format": format, "workspace": workspace });
    let target = volume_target(volume_key(host_id, &pool, name.trim()));
    let allowing = caller_pool_slugs(host_id, &pool).await?;
    let subject = Subject::pool(&allowing, target, params.clone());
    let op = Op::begin(Action::VolumeCreate, subject).await?;
    let new = service::NewVolume {
        host_id,
        pool: &pool,
        name: &name,
        gib: &gib,
        format: &format,
        workspace: &workspace,
    };
    let result = service::create(&op.state, &op.actor, &allowing, new).await;
    let after = serde_json::json!({ "path": result.as_ref().ok() });
    op.finish(result.map(|_| ()), serde_json::Value::Null, after)
        .await
}

/// Grows a volume to `gib` GiB (never shrinks).
#[server]
pub async fn resize_volume(
    host_id: i64,
    pool: String,
    name: String,
    gib: String,
) -> Result<(), AppError> {
    use crate::policy::Action;
    let params = serde_json::json!({ "gib": gib });
    let key = volume_key(host_id, &pool, &name);
    let (owner, capacity) = visible_owner(key).await?;
    let subject = Subject::volume(owner.as_deref(), volume_target(key), params.clone());
    let op = Op::begin(Action::VolumeResize, subject).await?;
    let result = service::grow(&op.state, key, owner.as_deref(), capacity, &gib).await;
    let before = serde_json::json!({ "bytes": result.as_ref().ok() });
    op.finish(result.map(|_| ()), before, params).await
}

/// Deletes a volume that no domain uses.
#[server]
pub async fn delete_volume(host_id: i64, pool: String, name: String) -> Result<(), AppError> {
    use crate::policy::Action;
    let key = volume_key(host_id, &pool, &name);
    let (owner, _) = visible_owner(key).await?;
    let subject = Subject::volume(owner.as_deref(), volume_target(key), Default::default());
    let op = Op::begin(Action::VolumeDelete, subject).await?;
    let result = service::delete(&op.state, key).await;
    op.finish(result, serde_json::Value::Null, serde_json::Value::Null)
        .await
}

/// Makes a volume a workspace's (`workspace` = its slug), or the plant's
/// (`""`): administrators only. Its capacity then counts against that
/// workspace's disk quota.
#[server]
pub async fn assign_volume(
    host_id: i64,
    pool: String,
    name: String,
    workspace: String,
) -> Result<(), AppError> {
    use crate::policy::Action;
    let params = serde_json::json!({ "workspace": workspace });
    let key = volume_key(host_id, &pool, &name);
    let (owner, capacity) = visible_owner(key).await?;
    let subject = Subject::volume(owner.as_deref(), volume_target(key), params.clone());
    let op = Op::begin(Action::VolumeAssign, subject).await?;
    let to = Some(workspace.trim()).filter(|s| !s.is_empty());
    let result = service::assign(&op.state, key, to, capacity).await;
    op.finish(result, serde_json::json!({ "workspace": owner }), params)
        .await
}

#[cfg(feature = "ssr")]
fn volume_key<'a>(
    host_id: i64,
    pool: &'a str,
    name: &'a str,
) -> crate::store::volumes::VolumeKey<'a> {
    crate::store::volumes::VolumeKey {
        host_id,
        pool,
        name,
    }
}

/// The volume's owner and capacity, for a caller who may see its pool.
#[cfg(feature = "ssr")]
async fn visible_owner(
    key: crate::store::volumes::VolumeKey<'_>,
) -> Result<(Option<String>, u64), AppError> {
    let state = &crate::state::app_state()?;
    let allowing = crate::visibility::caller_pool_slugs(key.host_id, key.pool).await?;
    let actor = crate::guard::current_actor(state).await?;
    let sees = actor
        .as_ref()
        .is_some_and(|a| a.is_admin || allowing.iter().any(|s| a.role_in_slug(s).is_some()));
    if !sees {
        // Nothing is read for them: the guard refuses (and audits) a
        // change to "the plant's" volume.
        return Ok((None, 0));
    }
    service::owner(state, key).await
}
