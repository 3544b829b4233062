//! Storage pools: list per host, create a directory pool, start, stop and
//! delete (administrators; members see their workspaces' pools). Volumes
//! are in [`crate::api::volumes`]; the upload route is on the server.

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::model::storage::{PoolView, VolumeView};

#[cfg(feature = "ssr")]
use crate::service::storage as ssr;

/// Pools of every connected host the caller may see.
#[server]
pub async fn list_pools() -> Result<Vec<PoolView>, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(crate::policy::Action::StorageList, Subject::list("pool")).await?;
    ssr::list_pools(&op.state, &op.actor).await
}

#[cfg(feature = "ssr")]
fn pool_target(host_id: i64, pool: &str) -> crate::audit::Target {
    crate::audit::Target::new("pool", format!("{host_id}/{pool}"), pool)
}

/// Defines a directory pool, makes its directory and starts it.
#[server]
pub async fn create_pool(host_id: i64, name: String, path: String) -> Result<(), AppError> {
    use crate::guard::{Op, Subject};
    use crate::policy::Action;
    let params = serde_json::json!({ "host_id": host_id, "name": name, "path": path });
    let target = pool_target(host_id, name.trim());
    let op = Op::begin(
        Action::PoolCreate,
        Subject::platform(target, params.clone()),
    )
    .await?;
    let result = ssr::create_pool(&op.state, host_id, &name, &path).await;
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
