//! Creating, powering and deleting domains: each through the guard, within
//! the workspace's quota, audited with before/after.

use leptos::prelude::*;

use crate::error::AppError;

pub use crate::model::domain::Created;

/// Starts, stops, reboots, suspends or resumes a domain, or sets autostart.
/// A graceful shutdown waits until the domain is off; past the server's
/// shutdown timeout it fails with a message that offers force off.
#[server]
pub async fn power(host_id: i64, uuid: String, action: String) -> Result<(), AppError> {
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = crate::guard::Subject::existing_domain(
        found.as_ref(),
        &uuid,
        serde_json::json!({ "action": action }),
    );
    let (op, row) = crate::guard::Op::begin(crate::policy::Action::DomainOperate, subject)
        .await?
        .found(found)
        .await?;
    let before = serde_json::json!({ "state": row.state.as_str() });
    let result = crate::fleet::changes::power(&op.state, &row, &action).await;
    op.finish(result, before, serde_json::json!({ "action": action }))
        .await
}

/// Deletes a domain, confirmed by typing its name; optionally its volumes.
#[server]
pub async fn delete_domain(
    host_id: i64,
    uuid: String,
    confirm: String,
    #[server(default)] with_storage: Option<String>,
) -> Result<(), AppError> {
    let with_storage = with_storage.is_some();
    let params = serde_json::json!({ "with_storage": with_storage });
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = crate::guard::Subject::existing_domain(found.as_ref(), &uuid, params);
    let (op, row) = crate::guard::Op::begin(crate::policy::Action::DomainDelete, subject)
        .await?
        .found(found)
        .await?;
    let before = serde_json::json!(row);
    let work = crate::fleet::changes::delete(&op.state, &row, &confirm, with_storage);
    let track = crate::jobs::Track {
        kind: crate::model::job::JobKind::Delete,
        host_id,
        uuid: &uuid,
        name: &row.name,
        workspace: row.workspace.as_deref(),
    };
    let result = crate::jobs::tracked(&op.state, &op.actor.username, track, work).await;
    let after = serde_json::json!({ "removed_volumes": result.as_ref().ok() });
    let done = op.finish(result.map(|_| ()), before, after).await;
    // A form posted from the domain's page goes on to the inventory: the
    // page it came from is gone.
    if done.is_ok() {
        leptos_axum::redirect("/inventory");
    }
    done
}

/// Creates a VM or container from the create form (see `fleet::plan`).
#[server]
pub async fn create_domain(form: crate::model::forms::CreateForm) -> Result<Created, AppError> {
    use crate::guard::{Op, Subject};
    let slug = form.workspace.trim().to_string();
    let target = crate::audit::Target::new("domain", "", form.name.trim());
    let subject = Subject::domain(Some(&slug), target, serde_json::json!(form));
    let op = Op::begin(crate::policy::Action::DomainCreate, subject).await?;
    use crate::fleet::media::Chooser;
    let by = match op.actor.is_admin {
        true => Chooser::Administrator,
        false => Chooser::Member,
    };
    let name = form.name.trim().to_string();
    let track = crate::jobs::Track {
        kind: crate::model::job::JobKind::Create,
        host_id: 0,
        uuid: "",
        name: &name,
        workspace: Some(&slug),
    };
    let work = crate::fleet::service::create(&op.state, form, by);
    let result = crate::jobs::tracked(&op.state, &op.actor.username, track, work).await;
    let after = result.as_ref().ok().map(|c| serde_json::json!(c));
    op.finish(result, serde_json::Value::Null, after.unwrap_or_default())
        .await
}

/// The domain's snapshots (members of its workspace).
#[server]
pub async fn list_snapshots(
    host_id: i64,
    uuid: String,
) -> Result<Vec<crate::model::domain::SnapshotView>, AppError> {
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject =
        crate::guard::Subject::existing_domain(found.as_ref(), &uuid, serde_json::json!({}));
    let (op, _) = crate::guard::Op::begin(crate::policy::Action::DomainRead, subject)
        .await?
        .found(found)
        .await?;
    crate::service::inventory::snapshots(&op.state, host_id, &uuid).await
}

/// Creates, reverts to or deletes a snapshot (`action`: create, revert, delete).
#[server]
pub async fn snapshot(
    host_id: i64,
    uuid: String,
    action: String,
    name: String,
    #[server(default)] description: String,
) -> Result<(), AppError> {
    let params = serde_json::json!({ "action": action, "name": name, "description": description });
    let found = crate::visibility::domain(host_id, &uuid)?;
    let subject = crate::guard::Subject::existing_domain(found.as_ref(), &uuid, params.clone());
    let (op, row) = crate::guard::Op::begin(crate::policy::Action::DomainOperate, subject)
        .await?
        .found(found)
        .await?;
    let work = crate::fleet::changes::snapshot(&op.state, &row, &action, &name, &description);
    let track = crate::jobs::Track {
        kind: crate::model::job::JobKind::Snapshot,
        host_id,
        uuid: &uuid,
        name: &row.name,
        workspace: row.workspace.as_deref(),
    };
    let result = crate::jobs::tracked(&op.state, &op.actor.username, track, work).await;
    op.finish(
        result,
        serde_json::json!({ "state": row.state.as_str() }),
        params,
    )
    .await
}
