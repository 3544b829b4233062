//! Server side of storage and networks: one guarded gateway change on a
//! host, and the checks its inputs share.

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
