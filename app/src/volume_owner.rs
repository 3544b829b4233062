//! Volumes belong to a workspace: the one recorded when a member made or
//! uploaded it (or an administrator assigned it), else the one workspace
//! whose domains use it; else the plant's, which only administrators
//! change. A workspace's own volumes count against its disk quota.

use std::collections::BTreeSet;

use crate::error::AppError;
use crate::i18n::Key;
use crate::model::workspace::WorkspaceView;
use crate::policy::Actor;
use crate::quota::{check_change, claim_volume, Ask};
use crate::state::AppState;
use crate::store::volumes::{self as store, VolumeKey};

const GIB: u64 = 1 << 30;

/// Whole GiB that hold `bytes` (a volume's share of the disk quota).
pub fn gib_of(bytes: u64) -> i64 {
    bytes.div_ceil(GIB) as i64
}

/// The workspace (slug) the domains named `used_by` on `host_id` belong
/// to, when they all belong to one.
pub fn of_users(state: &AppState, host_id: i64, used_by: &[String]) -> Option<String> {
    let slugs: BTreeSet<String> = state.gateway.read(|inv| {
        inv.domains_on(host_id)
            .filter(|d| used_by.contains(&d.name))
            .filter_map(|d| d.workspace.clone())
            .collect()
    });
    match slugs.len() {
        1 => slugs.into_iter().next(),
        _ => None,
    }
}

/// The volume's owner and its capacity in bytes (read from its host), or
/// `NotFound`.
pub async fn owner(
    state: &AppState,
    key: VolumeKey<'_>,
) -> Result<(Option<String>, u64), AppError> {
    let volumes = state.gateway.volumes(key.host_id, key.pool).await?;
    let v = volumes
        .iter()
        .find(|v| v.name == key.name)
        .ok_or(AppError::NotFound)?;
    let recorded = store::owner(&state.pool, key).await?;
    let owner = recorded.or_else(|| of_users(state, key.host_id, &v.used_by));
    Ok((owner, v.capacity))
}

/// The workspace a new volume goes to: the one named (`""`: for a member,
/// its one operating workspace among those allowing the pool; for an
/// administrator, none — the plant's). `allowing`: the workspaces that may
/// use the pool.
pub async fn new_owner(
    state: &AppState,
    actor: &Actor,
    allowing: &[String],
    named: &str,
) -> Result<Option<WorkspaceView>, AppError> {
    let slug = match named.trim() {
        "" if actor.is_admin => return Ok(None),
        "" => {
            let mut operating = allowing
                .iter()
                .filter(|s| actor.role_in_slug(s).is_some_and(|r| r.operates()));
            match (operating.next(), operating.next()) {
                (Some(one), None) => one.clone(),
                _ => return Err(AppError::field("workspace", Key::ErrVolumeWorkspace)),
            }
        }
        slug => slug.to_string(),
    };
    let ws = crate::fleet::service::workspace(state, &slug).await?;
    let usable = actor.is_admin
        || (allowing.contains(&slug) && actor.role_in_slug(&slug).is_some_and(|r| r.operates()));
    match ws {
        Some(ws) if usable => Ok(Some(ws)),
        _ => Err(AppError::field("workspace", Key::ErrVolumeWorkspace)),
    }
}

/// Records the new volume as `ws`'s with `bytes` counted against its disk
/// quota (refused, naming the `gib` field, when that would pass it). Undo
/// with [`forget`] when the volume is not made after all.
pub async fn claim(
    state: &AppState,
    ws: &WorkspaceView,
    key: VolumeKey<'_>,
    bytes: u64,
) -> Result<(), AppError> {
    claim_volume(state, (ws.id, &ws.slug), &ws.quotas, key, gib_of(bytes))
        .await
        .map_err(|e| match e.field_key("disk_gib") {
            Some(rule) => AppError::field("gib", rule),
            None => e,
        })
}

/// Sets the made volume's share to its real size (an upload claims the
/// request's length first); logged on failure.
pub async fn settle(state: &AppState, key: VolumeKey<'_>, bytes: u64) {
    if let Err(e) = store::set_gib(&state.pool, key, gib_of(bytes)).await {
        tracing::error!(error = %e, volume = key.name, "could not record a volume's size");
    }
}

/// Forgets the volume's record (deleted, or never made); logged on failure.
pub async fn forget(state: &AppState, key: VolumeKey<'_>) {
    if let Err(e) = store::forget(&state.pool, key).await {
        tracing::error!(error = %e, volume = key.name, "could not forget a volume's owner");
    }
}

/// Grows the volume to `bytes` within its owner's disk quota: the quota
/// lock is held across `grow` so concurrent growths cannot both pass.
pub async fn grow<F, Fut>(
    state: &AppState,
    key: VolumeKey<'_>,
    owner: Option<&str>,
    from: u64,
    to: u64,
    grow: F,
) -> Result<u64, AppError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<u64, AppError>>,
{
    let ws = match owner {
        Some(slug) => crate::fleet::service::workspace(state, slug).await?,
        None => None,
    };
    let Some(ws) = ws else {
        return grow().await;
    };
    let ask = Ask {
        disk_gib: (gib_of(to) - gib_of(from)).max(0),
        ..Ask::default()
    };
    let _held = check_change(state, (ws.id, &ws.slug), &ws.quotas, ask)
        .await
        .map_err(|e| match e.field_key("disk_gib") {
            Some(rule) => AppError::field("gib", rule),
            None => e,
        })?;
    let before = grow().await?;
    if store::owner(&state.pool, key).await?.is_some() {
        store::set_gib(&state.pool, key, gib_of(to)).await?;
    }
    Ok(before)
}

/// Records `slug`'s ownership of the volume (an administrator's
/// assignment; `None` makes it the plant's again).
pub async fn assign(
    state: &AppState,
    key: VolumeKey<'_>,
    slug: Option<&str>,
    bytes: u64,
) -> Result<(), AppError> {
    let Some(slug) = slug else {
        store::forget(&state.pool, key).await?;
        return Ok(());
    };
    let ws = crate::fleet::service::workspace(state, slug)
        .await?
        .ok_or_else(|| AppError::field("workspace", Key::ErrNotFound))?;
    let mut conn = state.pool.acquire().await?;
    store::record(&mut conn, key, ws.id, gib_of(bytes)).await?;
    Ok(())
}
