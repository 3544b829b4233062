//! Volumes in a pool: list, create, grow and delete. Administrators, and
//! owners and operators of a workspace whose allowed pools include the pool.

use leptos::prelude::*;

pub use crate::api::storage::VolumeView;
use crate::error::AppError;

#[cfg(feature = "ssr")]
fn volume_target(host_id: i64, pool: &str, name: &str) -> crate::audit::Target {
    crate::audit::Target::new("volume", format!("{host_id}/{pool}/{name}"), name)
}

#[cfg(feature = "ssr")]
const GIB: u64 = 1 << 30;

/// The ISO volumes (`*.iso`) a create may boot from: in the pools the
/// caller's workspaces allow (on the hosts they allow).
#[server]
pub async fn list_boot_media() -> Result<Vec<crate::model::storage::BootMedium>, AppError> {
    use crate::guard::{Op, Subject};
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
    use crate::guard::{Op, Subject};
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
    if !op.actor.is_admin {
        // A shared pool: a member learns the names of its own domains only.
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
) -> Result<(), AppError> {
    use crate::api::storage::ssr;
    use crate::domxml::storage::VolumeSpec;
    use crate::guard::{Op, Subject};
    use crate::i18n::Key;
    use crate::policy::Action;
    use crate::validate::resources::{resource_name, volume_format, volume_gib};
    use crate::visibility::caller_pool_slugs;
    let params = serde_json::json!({ "gib": gib, "format": format });
    let target = volume_target(host_id, &pool, name.trim());
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
        let spec = VolumeSpec {
            name,
            bytes: gib * GIB,
            format: format.into(),
        };
        op.state
            .gateway
            .create_volume(host_id, &pool, spec)
            .await
            .map_err(|e| ssr::on_field(e, &[(Key::ErrVolumeExists, "name")]))
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
    use crate::guard::{Op, Subject};
    use crate::i18n::Key;
    use crate::policy::Action;
    use crate::visibility::caller_pool_slugs;
    let params = serde_json::json!({ "gib": gib });
    let target = volume_target(host_id, &pool, &name);
    let allowing = caller_pool_slugs(host_id, &pool).await?;
    let subject = Subject::pool(&allowing, target, params.clone());
    let op = Op::begin(Action::VolumeResize, subject).await?;
    let result = async {
        let gib = crate::validate::resources::volume_gib("gib", &gib)
            .map_err(|e| AppError::Invalid(vec![e]))?;
        op.state
            .gateway
            .grow_volume(host_id, &pool, &name, gib * GIB)
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
    use crate::guard::{Op, Subject};
    use crate::policy::Action;
    use crate::visibility::caller_pool_slugs;
    let target = volume_target(host_id, &pool, &name);
    let allowing = caller_pool_slugs(host_id, &pool).await?;
    let subject = Subject::pool(&allowing, target, Default::default());
    let op = Op::begin(Action::VolumeDelete, subject).await;
    let job = Ok(|gw: crate::gateway::Gateway| async move {
        gw.delete_volume(host_id, &pool, &name).await
    });
    ssr::host_job(op, Default::default(), job).await
}
