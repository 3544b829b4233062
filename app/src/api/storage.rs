//! Storage pools: list per host, create a directory pool, start, stop and
//! delete (administrators; members see their workspaces' pools). Volumes
//! are in [`crate::api::volumes`]; the upload route is on the server.

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::model::storage::{PoolView, VolumeView};

#[cfg(feature = "ssr")]
pub mod ssr;

/// Pools of every connected host the caller may see.
#[server]
pub async fn list_pools() -> Result<Vec<PoolView>, AppError> {
    use crate::guard::{Op, Subject};
    use crate::visibility::{scopes, sees_pool};
    let op = Op::begin(crate::policy::Action::StorageList, Subject::list("pool")).await?;
    let scopes = scopes(&op.state, &op.actor).await?;
    let pools = op.state.gateway.all_pools().await;
    Ok(pools
        .into_iter()
        .filter(|p| sees_pool(&op.actor, &scopes, p.host_id, &p.name))
        .collect())
}

#[cfg(feature = "ssr")]
fn pool_target(host_id: i64, pool: &str) -> crate::audit::Target {
    crate::audit::Target::new("pool", format!("{host_id}/{pool}"), pool)
}

/// Defines a directory pool, makes its directory and starts it.
#[server]
pub async fn create_pool(host_id: i64, name: String, path: String) -> Result<(), AppError> {
    use crate::domxml::storage::DirPoolSpec;
    use crate::guard::{Op, Subject};
    use crate::i18n::Key;
    use crate::policy::Action;
    use crate::validate::resources::{pool_path, resolved_pool_path, resource_name};
    let params = serde_json::json!({ "host_id": host_id, "name": name, "path": path });
    let target = pool_target(host_id, name.trim());
    let op = Op::begin(
        Action::PoolCreate,
        Subject::platform(target, params.clone()),
    )
    .await?;
    let result = async {
        let uri = op
            .state
            .gateway
            .read(|inv| inv.hosts.get(&host_id).map(|h| h.uri.clone()));
        let uri = uri.ok_or(AppError::field("host_id", Key::ErrNotFound))?;
        let path = pool_path(&path).and_then(|typed| {
            if crate::validate::HostUri::on_this_machine(&uri) {
                resolved_pool_path(&typed)
            } else {
                Ok(typed)
            }
        });
        let spec = match (resource_name("name", &name), path) {
            (Ok(name), Ok(path)) => DirPoolSpec { name, path },
            (n, p) => {
                let errors = [n.err(), p.err()].into_iter().flatten();
                return Err(AppError::Invalid(errors.collect()));
            }
        };
        op.state
            .gateway
            .create_dir_pool(host_id, spec)
            .await
            .map_err(|e| ssr::on_field(e, &[(Key::ErrPoolExists, "name")]))
    }
    .await;
    op.finish(result, serde_json::Value::Null, params).await
}

/// Starts (`start`) or stops (`stop`) a pool.
#[server]
pub async fn pool_action(host_id: i64, pool: String, action: String) -> Result<(), AppError> {
    use crate::guard::{Op, Subject};
    use crate::policy::Action;
    let params = serde_json::json!({ "action": action });
    let target = pool_target(host_id, &pool);
    let op = Op::begin(
        Action::PoolOperate,
        Subject::platform(target, params.clone()),
    )
    .await;
    let job = ssr::start_or_stop(&action).map(|active| {
        move |gw: crate::gateway::Gateway| async move {
            gw.set_pool_active(host_id, &pool, active).await
        }
    });
    ssr::host_job(op, params, job).await
}

/// Deletes an empty pool (its directory, then its definition).
#[server]
pub async fn delete_pool(host_id: i64, pool: String) -> Result<(), AppError> {
    use crate::guard::{Op, Subject};
    use crate::policy::Action;
    let target = pool_target(host_id, &pool);
    let op = Op::begin(
        Action::PoolDelete,
        Subject::platform(target, Default::default()),
    )
    .await;
    let job = Ok(|gw: crate::gateway::Gateway| async move { gw.delete_pool(host_id, &pool).await });
    ssr::host_job(op, Default::default(), job).await
}
