//! Workspaces: what creating, renaming, deleting, quotas, members, allowed
//! resources and domain assignment do once the guard allowed them.

use crate::error::AppError;
use crate::i18n::Key;
use crate::model::workspace::{Quotas, WorkspaceView};
use crate::policy::{Actor, Role};
use crate::state::AppState;
use crate::store::workspaces as store;

/// The workspaces `actor` may see (all for administrators), with usage:
/// its domains and its own volumes against its quotas.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<WorkspaceView>, AppError> {
    let mut list = store::list(&state.pool).await?;
    list.retain(|ws| actor.is_admin || actor.role_in(ws.id).is_some());
    state.gateway.read(|inv| {
        for ws in &mut list {
            ws.usage = inv.usage(&ws.slug);
        }
    });
    let mut conn = state.pool.acquire().await?;
    for ws in &mut list {
        ws.usage.disk_gib += crate::store::volumes::owned_gib(&mut conn, ws.id).await?;
    }
    Ok(list)
}

/// The workspace with `slug`, with its quotas and allowed resources.
pub async fn by_slug(state: &AppState, slug: &str) -> Result<Option<WorkspaceView>, AppError> {
    match store::id_of(&state.pool, slug).await? {
        Some(id) => Ok(store::by_id(&state.pool, id).await?),
        None => Ok(None),
    }
}

/// The hosts workspace `slug` may use (empty: any); none for a domain of
/// no workspace (`None`).
pub async fn allowed_hosts(state: &AppState, slug: Option<&str>) -> Result<Vec<i64>, AppError> {
    Ok(match slug {
        Some(slug) => by_slug(state, slug)
            .await?
            .map(|ws| ws.hosts)
            .unwrap_or_default(),
        None => Vec::new(),
    })
}

/// A new workspace; its id.
pub async fn create(state: &AppState, slug: &str, name: &str) -> Result<i64, AppError> {
    let errors: Vec<_> = [
        crate::validate::slug(slug).err(),
        crate::validate::DisplayName::parse("name", name).err(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    store::insert(&state.pool, slug, name)
        .await?
        .ok_or_else(|| AppError::field("slug", Key::ErrWorkspaceTaken))
}

/// Renames workspace `id`.
pub async fn rename(state: &AppState, id: i64, name: &str) -> Result<(), AppError> {
    crate::validate::DisplayName::parse("name", name).map_err(|e| AppError::Invalid(vec![e]))?;
    match store::rename(&state.pool, id, name).await? {
        Some(true) => Ok(()),
        Some(false) => Err(AppError::NotFound),
        None => Err(AppError::field("name", Key::ErrWorkspaceTaken)),
    }
}

/// Deletes workspace `id` (`slug`) when it owns no domain.
pub async fn delete(state: &AppState, id: i64, slug: &str) -> Result<(), AppError> {
    if state.gateway.read(|inv| inv.usage(slug).domains) > 0 {
        return Err(AppError::field("id", Key::ErrWorkspaceNotEmpty));
    }
    store::delete(&state.pool, id).await?;
    Ok(())
}

/// The quotas as typed (empty: no limit); every broken rule at once.
pub fn parse_quotas(
    vcpus: &str,
    memory_mib: &str,
    disk_gib: &str,
    domains: &str,
) -> Result<Quotas, AppError> {
    use crate::validate::quota;
    match (
        quota("vcpus", vcpus),
        quota("memory_mib", memory_mib),
        quota("disk_gib", disk_gib),
        quota("domains", domains),
    ) {
        (Ok(vcpus), Ok(memory_mib), Ok(disk_gib), Ok(domains)) => Ok(Quotas {
            vcpus,
            memory_mib,
            disk_gib,
            domains,
        }),
        (a, b, c, d) => Err(AppError::Invalid(
            [a.err(), b.err(), c.err(), d.err()]
                .into_iter()
                .flatten()
                .collect(),
        )),
    }
}

/// Sets workspace `id`'s quotas.
pub async fn set_quotas(state: &AppState, id: i64, quotas: &Quotas) -> Result<(), AppError> {
    store::set_quotas(&state.pool, id, quotas).await?;
    Ok(())
}

/// Adds the user named `username` to workspace `id` with `role`, or
/// changes their role.
pub async fn set_member(
    state: &AppState,
    id: i64,
    username: &str,
    role: &str,
) -> Result<(), AppError> {
    let role = Role::parse(role).ok_or_else(|| AppError::field("role", Key::ErrRole))?;
    let user = crate::store::users::by_name(&state.pool, username.trim())
        .await?
        .ok_or_else(|| AppError::field("username", Key::ErrUnknownUser))?;
    store::set_member(&state.pool, id, user.id, role).await?;
    Ok(())
}

/// Removes user `user_id` from workspace `id`.
pub async fn remove_member(state: &AppState, id: i64, user_id: i64) -> Result<(), AppError> {
    store::remove_member(&state.pool, id, user_id).await?;
    Ok(())
}

/// Sets the hosts (ids as typed), networks and pools workspace `id` may use.
pub async fn set_resources(
    state: &AppState,
    id: i64,
    host_ids: &[String],
    networks: &[String],
    pools: &[String],
) -> Result<(), AppError> {
    let ids: Vec<i64> = host_ids
        .iter()
        .map(|h| {
            h.parse()
                .map_err(|_| AppError::field("hosts", Key::ErrHostIds))
        })
        .collect::<Result<_, _>>()?;
    store::set_resources(&state.pool, id, &ids, networks, pools).await?;
    Ok(())
}

/// Gives the domain to workspace `slug` (`""`: to none) by rewriting
/// Millwright's element in its libvirt metadata.
pub async fn assign_domain(
    state: &AppState,
    host_id: i64,
    uuid: &str,
    slug: &str,
) -> Result<(), AppError> {
    if !slug.is_empty() && store::id_of(&state.pool, slug).await?.is_none() {
        return Err(AppError::field("workspace", Key::ErrNotFound));
    }
    let target = (!slug.is_empty()).then(|| slug.to_string());
    state.gateway.set_workspace(host_id, uuid, target).await?;
    state.gateway.refresh_domain(host_id, uuid);
    Ok(())
}
