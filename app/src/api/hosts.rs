//! Registering, listing and removing hosts.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::host::HostView;

/// Every registered host with its live state and facts.
#[server]
pub async fn list_hosts() -> Result<Vec<HostView>, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(crate::policy::Action::HostList, Subject::list("host")).await?;
    let ids = crate::visibility::host_ids(&op.state, &op.actor).await?;
    let visible = op.actor.visible_slugs();
    Ok(op
        .state
        .gateway
        .read(|inv| inv.host_views(&ids, visible.as_deref())))
}

/// Registers a host. It is saved even when unreachable, and shown as such.
#[server]
pub async fn add_host(
    name: String,
    uri: String,
    plant: String,
    area: String,
    line: String,
    cell: String,
) -> Result<i64, AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};

    let params = serde_json::json!({ "name": name, "uri": uri, "plant": plant, "area": area, "line": line, "cell": cell });
    let subject = Subject::platform(Target::new("host", "", name.clone()), params.clone());
    let op = Op::begin(crate::policy::Action::HostAdd, subject).await?;
    let result = register(&op.state, name, uri, [plant, area, line, cell]).await;
    op.finish(result, serde_json::Value::Null, params).await
}

#[cfg(feature = "ssr")]
async fn register(
    state: &crate::state::AppState,
    name: String,
    uri: String,
    [plant, area, line, cell]: [String; 4],
) -> Result<i64, AppError> {
    use crate::error::FieldError;
    use crate::validate::{parse_tags, DisplayName, HostUri};

    let mut errors: Vec<FieldError> = Vec::new();
    let name = DisplayName::parse("name", &name)
        .map_err(|e| errors.push(e))
        .ok();
    let uri = HostUri::parse(&uri).map_err(|e| errors.push(e)).ok();
    let tags = parse_tags(&plant, &area, &line, &cell)
        .map_err(|e| errors.extend(e))
        .ok();
    let (Some(name), Some(uri), Some(tags)) = (name, uri, tags) else {
        return Err(AppError::Invalid(errors));
    };
    let spec = crate::store::hosts::insert(&state.pool, name.as_str(), uri.as_str(), &tags).await?;
    let id = spec.id;
    tracing::info!(host = id, uri = %spec.uri, "host registered");
    state.gateway.add_host(spec);
    Ok(id)
}

/// Forgets a host. Its domains are not touched.
#[server]
pub async fn remove_host(id: i64) -> Result<(), AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};

    let state = crate::state::app_state()?;
    let before = state
        .gateway
        .read(|inv| inv.hosts.get(&id).map(|h| (h.name.clone(), h.uri.clone())));
    let (name, uri) = before.clone().unwrap_or_default();
    let subject = Subject::platform(
        Target::new("host", id.to_string(), name.clone()),
        serde_json::json!({ "id": id }),
    );
    let op = Op::begin(crate::policy::Action::HostRemove, subject).await?;
    let result = async {
        if !crate::store::hosts::delete(&op.state.pool, id).await? {
            return Err(AppError::NotFound);
        }
        op.state.gateway.remove_host(id);
        tracing::info!(host = id, "host removed");
        Ok(())
    }
    .await;
    op.finish(
        result,
        serde_json::json!({ "name": name, "uri": uri }),
        serde_json::Value::Null,
    )
    .await
}
