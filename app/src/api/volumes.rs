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

/// The pool's volumes, each with the domains that use it.
#[server]
pub async fn list_volumes(host_id: i64, pool: String) -> Result<Vec<VolumeView>, AppError> {
    use crate::api::storage::ssr;
    let (state, actor) = crate::guard::require_actor().await?;
    let scopes = ssr::scopes(&state, &actor).await?;
    if !actor.is_admin && ssr::allowing_pool(&scopes, host_id, &pool).is_empty() {
        return Err(AppError::NotFound);
    }
    state.gateway.volumes(host_id, &pool).await
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
    use crate::i18n::Key;
    use crate::validate::resources::{resource_name, volume_format, volume_gib};
    let params = serde_json::json!({ "gib": gib, "format": format });
    let target = volume_target(host_id, &pool, name.trim());
    let op = ssr::begin_on_pool(
        crate::policy::Action::VolumeCreate,
        host_id,
        &pool,
        target,
        params.clone(),
    )
    .await?;
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
    use crate::i18n::Key;
    let params = serde_json::json!({ "gib": gib });
    let target = volume_target(host_id, &pool, &name);
    let op = ssr::begin_on_pool(
        crate::policy::Action::VolumeResize,
        host_id,
        &pool,
        target,
        params.clone(),
    )
    .await?;
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
    let target = volume_target(host_id, &pool, &name);
    let action = crate::policy::Action::VolumeDelete;
    let op = ssr::begin_on_pool(action, host_id, &pool, target, Default::default()).await;
    let job = Ok(|gw: crate::gateway::Gateway| async move {
        gw.delete_volume(host_id, &pool, &name).await
    });
    ssr::host_job(op, Default::default(), job).await
}
