//! Storage pools: what a caller sees and creating a directory pool, and
//! what storage and network changes share (one guarded gateway change on a
//! host, and the checks their inputs share). Volumes: [`super::volumes`].

use crate::error::AppError;
use crate::gateway::Gateway;
use crate::guard::Op;
use crate::i18n::Key;
use crate::state::AppState;

/// `start` → true, `stop` → false; anything else names the field.
pub fn start_or_stop(action: &str) -> Result<bool, AppError> {
    match action {
        "start" => Ok(true),
        "stop" => Ok(false),
        _ => Err(AppError::field("action", Key::ErrOperationInvalid)),
    }
}

/// One guarded, audited libvirt change on a host: `job` is the checked
/// input turned into the gateway call (or the rule it broke, audited as a
/// failure).
pub async fn host_job<F, Fut>(
    op: Result<Op, AppError>,
    params: serde_json::Value,
    job: Result<F, AppError>,
) -> Result<(), AppError>
where
    F: FnOnce(Gateway) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    let op = op?;
    let result = match job {
        Ok(f) => f(op.state.gateway.clone()).await,
        Err(err) => Err(err),
    };
    op.finish(result, serde_json::Value::Null, params).await
}

/// Moves a host's refusal onto the form field it is about.
pub fn on_field(err: AppError, fields: &[(Key, &str)]) -> AppError {
    match err {
        AppError::Host(key) => match fields.iter().find(|(k, _)| *k == key) {
            Some((key, field)) => AppError::field(field, *key),
            None => AppError::Host(key),
        },
        other => other,
    }
}

/// A host id the gateway knows, or a field error naming `host`.
pub fn known_host(state: &AppState, host_id: i64) -> Result<(), AppError> {
    if state.gateway.read(|inv| inv.hosts.contains_key(&host_id)) {
        Ok(())
    } else {
        Err(AppError::field("host_id", Key::ErrNotFound))
    }
}

/// Pools of every connected host `actor` may see.
pub async fn list_pools(
    state: &AppState,
    actor: &crate::policy::Actor,
) -> Result<Vec<crate::model::storage::PoolView>, AppError> {
    use crate::visibility::{scopes, sees_pool};
    let scopes = scopes(state, actor).await?;
    let pools = state.gateway.all_pools().await;
    Ok(pools
        .into_iter()
        .filter(|p| sees_pool(actor, &scopes, p.host_id, &p.name))
        .collect())
}

/// Defines a directory pool at `path`, makes its directory and starts it.
/// On a host of this machine the path's links are resolved first.
pub async fn create_pool(
    state: &AppState,
    host_id: i64,
    name: &str,
    path: &str,
) -> Result<(), AppError> {
    use crate::domxml::storage::DirPoolSpec;
    use crate::validate::resources::{pool_path, resolved_pool_path, resource_name};
    let uri = state
        .gateway
        .read(|inv| inv.hosts.get(&host_id).map(|h| h.uri.clone()))
        .ok_or(AppError::field("host_id", Key::ErrNotFound))?;
    let path = pool_path(path).and_then(|typed| {
        if crate::validate::HostUri::on_this_machine(&uri) {
            resolved_pool_path(&typed)
        } else {
            Ok(typed)
        }
    });
    let spec = match (resource_name("name", name), path) {
        (Ok(name), Ok(path)) => DirPoolSpec { name, path },
        (n, p) => {
            let errors = [n.err(), p.err()].into_iter().flatten();
            return Err(AppError::Invalid(errors.collect()));
        }
    };
    state
        .gateway
        .create_dir_pool(host_id, spec)
        .await
        .map_err(|e| on_field(e, &[(Key::ErrPoolExists, "name")]))
}
