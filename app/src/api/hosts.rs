//! Registering, listing and removing hosts.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::host::HostView;

/// Every registered host with its live state and facts.
#[server]
pub async fn list_hosts() -> Result<Vec<HostView>, AppError> {
    use crate::guard::{Op, Subject};
    let op = Op::begin(crate::policy::Action::HostList, Subject::list("host")).await?;
    crate::service::hosts::list(&op.state, &op.actor).await
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
    let tags = [plant.as_str(), &area, &line, &cell];
    let result = crate::service::hosts::register(&op.state, &name, &uri, tags).await;
    op.finish(result, serde_json::Value::Null, params).await
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
    let result = crate::service::hosts::remove(&op.state, id).await;
    op.finish(
        result,
        serde_json::json!({ "name": name, "uri": uri }),
        serde_json::Value::Null,
    )
    .await
}
