//! Volumes in a pool: list, create, grow and delete. Administrators, and
//! owners and operators of a workspace whose allowed pools include the pool.

use leptos::prelude::*;

pub use crate::api::storage::VolumeView;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guard::{Op, Subject};

#[cfg(feature = "ssr")]
fn volume_target(key: crate::store::volumes::VolumeKey<'_>) -> crate::audit::Target {
    let (host_id, pool, name) = (key.host_id, key.pool, key.name);
    crate::audit::Target::new("volume", format!("{host_id}/{pool}/{name}"), name)
}

#[cfg(feature = "ssr")]
const GIB: u64 = 1 << 30;

/// The ISO volumes (`*.iso`) a create may boot from: in the pools the
/// caller's workspaces allow (on the hosts they allow).
#[server]
pub async fn list_boot_media() -> Result<Vec<crate::model::storage::BootMedium>, AppError> {
    use crate::model::storage::BootMedium;
    use crate::visibility::{scopes, sees_pool};
    let op = Op::begin(
        crate::policy::Action::StorageList,
        Subject::list("boot_media"),
    )
    .await?;
    let scopes = scopes(&op.state, &op.actor).await?;
    let pools = op.state.gateway.all_pools().await;
    let mut media: Vec<BootMedium> = Vec::new();
    for p in pools.iter().filter(|p| p.active) {
        if !sees_pool(&op.actor, &scopes, p.host_id, &p.name) {
            continue;
        }
        let Ok(names) = op.state.gateway.volume_names(p.host_id, &p.name).await else {
            continue;
        };
        for volume in names
            .into_iter()
            .filter(|v| v.to_ascii_lowercase().ends_with(".iso"))
        {
            match media
                .iter_mut()
                .find(|m| m.pool == p.name && m.volume == volume)
            {
                Some(m) => m.hosts.push(p.host_name.clone()),
                None => media.push(BootMedium {
                    pool: p.name.clone(),
                    volume,
                    hosts: vec![p.host_name.clone()],
                }),
            }
        }
    }
    media.sort_by_key(BootMedium::value);
    Ok(media)
}

/// The pool's volumes, each with the domains that use it.
#[server]
pub async fn list_volumes(host_id: i64, pool: String) -> Result<Vec<VolumeView>, AppError> {
    use crate::visibility::{scopes, sees_pool};
    let op = Op::begin(crate::policy::Action::StorageList, Subject::list("volume")).await?;
    if !sees_pool(
        &op.actor,
        &scopes(&op.state, &op.actor).await?,
        host_id,
        &pool,
    ) {
        return Err(AppError::NotFound);
    }
    let mut volumes = op.state.gateway.volumes(host_id, &pool).await?;
    let recorded = crate::store::volumes::owners_in(&op.state.pool, host_id, &pool).await?;
    for v in &mut volumes {
        v.owner = match recorded.iter().find(|(name, _)| *name == v.name) {
            Some((_, slug)) => Some(slug.clone()),
            None => crate::volume_owner::of_users(&op.state, host_id, &v.used_by),
        };
    }
    if !op.actor.is_admin {
        // A shared pool: a member sees its workspaces' volumes and the
        // plant's, and learns the names of its own domains only.
        let visible = op.actor.visible_slugs().unwrap_or_default();
        volumes.retain(|v| v.owner.as_ref().is_none_or(|o| visible.contains(o)));
        let own = crate::visibility::own_domains_on(&op.state, &op.actor, host_id);
        for v in &mut volumes {
            let all = v.used_by.len();
            v.used_by.retain(|name| own.iter().any(|(_, n)| n == name));
            v.used_elsewhere = (all - v.used_by.len()) as u32;
        }
    }
    Ok(volumes)
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
    use crate::api::storage::ssr;
    use crate::domxml::storage::VolumeSpec;
    use crate::i18n::Key;
    use crate::policy::Action;
    use crate::store::volumes::VolumeKey;
    use crate::validate::resources::{resource_name, volume_format, volume_gib};
    use crate::visibility::caller_pool_slugs;
    let params = serde_json::json!({ "gib": gib, "format": format, "workspace": workspace });
    let target = volume_target(volume_key(host_id, &pool, name.trim()));
    let allowing = caller_pool_slugs(host_id, &pool).await?;
    let subject = Subject::pool(&allowing, target, params.clone());
    let op = Op::begin(Action::VolumeCreate, subject).await?;
    let result = async {
        let (name, gib, format) = match (
            resource_name("name", &name),
            volume_gib("gib", &gib),
            volume_format(&format),
        ) {
            (Ok(n), Ok(g), Ok(f)) => (n, g, f),
            (n, g, f) => {
                let errors = [n.err(), g.err(), f.err()].into_iter().flatten();
                return Err(AppError::Invalid(errors.collect()));
            }
        };
        let owner =
            crate::volume_owner::new_owner(&op.state, &op.actor, &allowing, &workspace).await?;
        let key = VolumeKey {
            host_id,
            pool: &pool,
            name: &name,
        };
        if let Some(ws) = &owner {
            crate::volume_owner::claim(&op.state, ws, key, gib * GIB).await?;
        }
        let spec = VolumeSpec {
            name: name.clone(),
            bytes: gib * GIB,
            format: format.into(),
        };
        let made = op.state.gateway.create_volume(host_id, &pool, spec).await;
        if made.is_err() && owner.is_some() {
            crate::volume_owner::forget(&op.state, key).await;
        }
        made.map_err(|e| ssr::on_field(e, &[(Key::ErrVolumeExists, "name")]))
    }
    .await;
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
    use crate::api::storage::ssr;
    use crate::i18n::Key;
    use crate::policy::Action;
    let params = serde_json::json!({ "gib": gib });
    let key = volume_key(host_id, &pool, &name);
    let (owner, capacity) = visible_owner(key).await?;
    let subject = Subject::volume(owner.as_deref(), volume_target(key), params.clone());
    let op = Op::begin(Action::VolumeResize, subject).await?;
    let result = async {
        let gib = crate::validate::resources::volume_gib("gib", &gib)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        let to = gib * GIB;
        let (gw, p, n) = (op.state.gateway.clone(), pool.clone(), name.clone());
        let grow = || async move { gw.grow_volume(host_id, &p, &n, to).await };
        crate::volume_owner::grow(&op.state, key, owner.as_deref(), capacity, to, grow)
            .await
            .map_err(|e| ssr::on_field(e, &[(Key::ErrGrowOnly, "gib")]))
    }
    .await;
    let before = serde_json::json!({ "bytes": result.as_ref().ok() });
    op.finish(result.map(|_| ()), before, params).await
}

/// Deletes a volume that no domain uses.
#[server]
pub async fn delete_volume(host_id: i64, pool: String, name: String) -> Result<(), AppError> {
    use crate::api::storage::ssr;
    use crate::policy::Action;
    let key = volume_key(host_id, &pool, &name);
    let (owner, _) = visible_owner(key).await?;
    let subject = Subject::volume(owner.as_deref(), volume_target(key), Default::default());
    let op = Op::begin(Action::VolumeDelete, subject).await;
    let (p, n, state) = (pool.clone(), name.clone(), crate::state::app_state()?);
    let job = Ok(|gw: crate::gateway::Gateway| async move {
        gw.delete_volume(host_id, &p, &n).await?;
        crate::volume_owner::forget(&state, key).await;
        Ok(())
    });
    ssr::host_job(op, Default::default(), job).await
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
    let result = crate::volume_owner::assign(&op.state, key, to, capacity).await;
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
    crate::volume_owner::owner(state, key).await
}
