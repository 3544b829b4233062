//! Team workspaces: create, rename, delete when empty, members, quotas, the
//! hosts they may use, and assigning domains to them.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guard::{Op, Subject};
use crate::model::workspace::WorkspaceView;
#[cfg(feature = "ssr")]
use crate::policy::Action;
#[cfg(feature = "ssr")]
use crate::service::workspaces as service;

/// Workspaces the caller may see (all for administrators), with usage.
#[server]
pub async fn list_workspaces() -> Result<Vec<WorkspaceView>, AppError> {
    let op = Op::begin(Action::WorkspaceList, Subject::list("workspace")).await?;
    service::list(&op.state, &op.actor).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;

    /// The slug of workspace `id`, for the guard's subject.
    pub async fn slug(id: i64) -> Result<Option<String>, AppError> {
        let state = crate::state::app_state()?;
        Ok(crate::store::workspaces::slug_of(&state.pool, id).await?)
    }
}

#[server]
pub async fn create_workspace(slug: String, name: String) -> Result<i64, AppError> {
    use crate::audit::Target;

    let (slug, name) = (slug.trim().to_string(), name.trim().to_string());
    let params = serde_json::json!({ "slug": slug, "name": name });
    let subject = Subject::platform(Target::new("workspace", "", slug.clone()), params.clone());
    let op = Op::begin(crate::policy::Action::WorkspaceCreate, subject).await?;
    let result = service::create(&op.state, &slug, &name).await;
    op.finish(result, serde_json::Value::Null, params).await
}

#[server]
pub async fn rename_workspace(id: i64, name: String) -> Result<(), AppError> {
    let name = name.trim().to_string();
    let slug = ssr::slug(id).await?;
    let subject = Subject::workspace(id, slug.as_deref(), serde_json::json!({ "name": name }));
    let (op, _) = Op::begin(Action::WorkspaceRename, subject)
        .await?
        .found(slug)
        .await?;
    let before = crate::store::workspaces::by_id(&op.state.pool, id)
        .await?
        .map(|w| w.name);
    let result = service::rename(&op.state, id, &name).await;
    op.finish(
        result,
        serde_json::json!({ "name": before }),
        serde_json::json!({ "name": name }),
    )
    .await
}

/// Deletes a workspace that owns no domain.
#[server]
pub async fn delete_workspace(id: i64) -> Result<(), AppError> {
    let slug = ssr::slug(id).await?;
    let subject = Subject::workspace(id, slug.as_deref(), serde_json::json!({}));
    let (op, slug) = Op::begin(Action::WorkspaceDelete, subject)
        .await?
        .found(slug)
        .await?;
    let result = service::delete(&op.state, id, &slug).await;
    op.finish(
        result,
        serde_json::json!({ "slug": slug }),
        serde_json::Value::Null,
    )
    .await
}

#[server]
pub async fn set_quotas(
    id: i64,
    vcpus: String,
    memory_mib: String,
    disk_gib: String,
    domains: String,
) -> Result<(), AppError> {
    let params = serde_json::json!({ "vcpus": vcpus, "memory_mib": memory_mib, "disk_gib": disk_gib, "domains": domains });
    let slug = ssr::slug(id).await?;
    let subject = Subject::workspace(id, slug.as_deref(), params);
    let (op, _) = Op::begin(Action::WorkspaceSetQuota, subject)
        .await?
        .found(slug)
        .await?;
    let before = crate::store::workspaces::by_id(&op.state.pool, id)
        .await?
        .map(|w| w.quotas);
    let result = match service::parse_quotas(&vcpus, &memory_mib, &disk_gib, &domains) {
        Ok(q) => service::set_quotas(&op.state, id, &q).await.map(|_| q),
        Err(e) => Err(e),
    };
    let after = result
        .as_ref()
        .ok()
        .map(|q| serde_json::json!(q))
        .unwrap_or_default();
    op.finish(result.map(|_| ()), serde_json::json!(before), after)
        .await
}

/// Adds a member by username, or changes their role.
#[server]
pub async fn set_member(id: i64, username: String, role: String) -> Result<(), AppError> {
    let params = serde_json::json!({ "username": username, "role": role });
    let slug = ssr::slug(id).await?;
    let subject = Subject::workspace(id, slug.as_deref(), params.clone());
    let (op, _) = Op::begin(Action::WorkspaceManageMembers, subject)
        .await?
        .found(slug)
        .await?;
    let result = service::set_member(&op.state, id, &username, &role).await;
    op.finish(result, serde_json::Value::Null, params).await
}

#[server]
pub async fn remove_member(id: i64, user_id: i64) -> Result<(), AppError> {
    let slug = ssr::slug(id).await?;
    let subject = Subject::workspace(
        id,
        slug.as_deref(),
        serde_json::json!({ "remove": user_id }),
    );
    let (op, _) = Op::begin(Action::WorkspaceManageMembers, subject)
        .await?
        .found(slug)
        .await?;
    let result = service::remove_member(&op.state, id, user_id).await;
    op.finish(
        result,
        serde_json::json!({ "user_id": user_id }),
        serde_json::Value::Null,
    )
    .await
}

/// Sets the hosts (by id, comma-separated), networks and pools the workspace may use.
#[server]
pub async fn set_resources(
    id: i64,
    hosts: String,
    networks: String,
    pools: String,
) -> Result<(), AppError> {
    let split = |s: &str| {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let (host_ids, networks, pools) = (split(&hosts), split(&networks), split(&pools));
    let params = serde_json::json!({ "hosts": host_ids, "networks": networks, "pools": pools });
    let slug = ssr::slug(id).await?;
    let subject = Subject::workspace(id, slug.as_deref(), params.clone());
    let (op, _) = Op::begin(Action::WorkspaceSetResources, subject)
        .await?
        .found(slug)
        .await?;
    let result = service::set_resources(&op.state, id, &host_ids, &networks, &pools).await;
    op.finish(result, serde_json::Value::Null, params).await
}

/// Assigns a domain to a workspace (or unowns it with an empty slug) by
/// rewriting Millwright's element in the domain's libvirt metadata.
#[server]
pub async fn assign_domain(host_id: i64, uuid: String, workspace: String) -> Result<(), AppError> {
    let row = crate::visibility::domain(host_id, &uuid)?;
    let before = row.as_ref().and_then(|r| r.workspace.clone());
    let params = serde_json::json!({ "host_id": host_id, "workspace": workspace });
    let subject = Subject::existing_domain(row.as_ref(), &uuid, params).audited_in(&workspace);
    let op = Op::begin(Action::DomainAssign, subject).await?;
    let slug = workspace.trim().to_string();
    let result = service::assign_domain(&op.state, host_id, &uuid, &slug).await;
    op.finish(
        result,
        serde_json::json!({ "workspace": before }),
        serde_json::json!({ "workspace": slug }),
    )
    .await
}
