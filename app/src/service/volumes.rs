//! Volumes: what a caller sees, creating one, and who it belongs to. A
//! volume belongs to a workspace: the one recorded when a member made or
//! uploaded it (or an administrator assigned it), else the one workspace
//! whose domains use it; else the plant's, which only administrators
//! change. A workspace's own volumes count against its disk quota.

use std::collections::BTreeSet;

use crate::error::AppError;
use crate::i18n::Key;
use crate::model::storage::{BootMedium, VolumeView};
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

/// The workspace (slug) the domains named `users` on `host_id` belong to,
/// when they all belong to one (a volume's disk users, never its CD-ROM
/// users: attaching an ISO does not make it yours).
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
    let owner = recorded.or_else(|| of_users(state, key.host_id, &v.disk_of));
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
    let ws = super::workspaces::by_slug(state, &slug).await?;
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

/// Forgets `ws`'s claim on a volume that was not made after all; logged
/// on failure.
pub async fn unclaim(state: &AppState, key: VolumeKey<'_>, ws: &WorkspaceView) {
    if let Err(e) = store::unclaim(&state.pool, key, ws.id).await {
        tracing::error!(error = %e, volume = key.name, "could not forget a volume's claim");
    }
}

/// Forgets the owners of the volumes at `paths` on `host_id` (removed with
/// their domain), found by their pool's directory.
pub async fn forget_paths(state: &AppState, host_id: i64, paths: &[String]) {
    let pools = state.gateway.all_pools().await;
    for path in paths {
        let Some((dir, name)) = path.rsplit_once('/') else {
            continue;
        };
        let pool = pools
            .iter()
            .find(|p| p.host_id == host_id && p.path.trim_end_matches('/') == dir);
        if let Some(pool) = pool {
            let key = VolumeKey {
                host_id,
                pool: &pool.name,
                name,
            };
            if let Err(e) = store::forget(&state.pool, key).await {
                tracing::error!(error = %e, path, "could not forget a removed volume's owner");
            }
        }
    }
}

/// Grows the volume to `gib` GiB (as typed; never shrinks) within its
/// owner's disk quota: the quota lock is held across the growth so
/// concurrent ones cannot both pass. The size it had, in bytes.
pub async fn grow(
    state: &AppState,
    key: VolumeKey<'_>,
    owner: Option<&str>,
    from: u64,
    gib: &str,
) -> Result<u64, AppError> {
    let to = crate::validate::resources::volume_gib("gib", gib)
        .map_err(|e| AppError::Invalid(vec![e]))?
        * GIB;
    let grow = || async {
        state
            .gateway
            .grow_volume(key.host_id, key.pool, key.name, to)
            .await
            .map_err(|e| super::storage::on_field(e, &[(Key::ErrGrowOnly, "gib")]))
    };
    let ws = match owner {
        Some(slug) => super::workspaces::by_slug(state, slug).await?,
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

/// Deletes the volume (refused while a domain uses it) and its owner's
/// record.
pub async fn delete(state: &AppState, key: VolumeKey<'_>) -> Result<(), AppError> {
    state
        .gateway
        .delete_volume(key.host_id, key.pool, key.name)
        .await?;
    store::forget(&state.pool, key).await?;
    Ok(())
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
    let ws = super::workspaces::by_slug(state, slug)
        .await?
        .ok_or_else(|| AppError::field("workspace", Key::ErrNotFound))?;
    store::assign(&state.pool, key, ws.id, gib_of(bytes)).await?;
    Ok(())
}

/// The pool's volumes `actor` may see, each with its owner and the domains
/// that use it: for a member, its workspaces' volumes and the plant's, and
/// the names of its own domains only.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    host_id: i64,
    pool: &str,
) -> Result<Vec<VolumeView>, AppError> {
    use crate::visibility::{own_domains_on, scopes, sees_pool};
    if !sees_pool(actor, &scopes(state, actor).await?, host_id, pool) {
        return Err(AppError::NotFound);
    }
    let mut volumes = state.gateway.volumes(host_id, pool).await?;
    let recorded = store::owners_in(&state.pool, host_id, pool).await?;
    for v in &mut volumes {
        v.owner = match recorded.iter().find(|(name, _)| *name == v.name) {
            Some((_, slug)) => Some(slug.clone()),
            None => of_users(state, host_id, &v.disk_of),
        };
    }
    if !actor.is_admin {
        let visible = actor.visible_slugs().unwrap_or_default();
        volumes.retain(|v| v.owner.as_ref().is_none_or(|o| visible.contains(o)));
        let own = own_domains_on(state, actor, host_id);
        for v in &mut volumes {
            let all = v.used_by.len();
            v.used_by.retain(|name| own.iter().any(|(_, n)| n == name));
            v.used_elsewhere = (all - v.used_by.len()) as u32;
        }
    }
    Ok(volumes)
}

/// A new volume as typed in its form.
pub struct NewVolume<'a> {
    pub host_id: i64,
    pub pool: &'a str,
    pub name: &'a str,
    pub gib: &'a str,
    pub format: &'a str,
    /// The workspace it goes to, as chosen (see [`new_owner`]).
    pub workspace: &'a str,
}

/// Makes the volume (within its workspace's disk quota); its path.
/// `allowing`: the workspaces that may use the pool.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    allowing: &[String],
    v: NewVolume<'_>,
) -> Result<String, AppError> {
    use crate::domxml::storage::VolumeSpec;
    use crate::validate::resources::{resource_name, volume_format, volume_gib};
    let (name, gib, format) = match (
        resource_name("name", v.name),
        volume_gib("gib", v.gib),
        volume_format(v.format),
    ) {
        (Ok(n), Ok(g), Ok(f)) => (n, g, f),
        (n, g, f) => {
            let errors = [n.err(), g.err(), f.err()].into_iter().flatten();
            return Err(AppError::Invalid(errors.collect()));
        }
    };
    let owner = new_owner(state, actor, allowing, v.workspace).await?;
    let key = VolumeKey {
        host_id: v.host_id,
        pool: v.pool,
        name: &name,
    };
    if let Some(ws) = &owner {
        claim(state, ws, key, gib * GIB).await?;
    }
    let spec = VolumeSpec {
        name: name.clone(),
        bytes: gib * GIB,
        format: format.into(),
    };
    let made = state.gateway.create_volume(v.host_id, v.pool, spec).await;
    match (&made, &owner) {
        // Still being made on the host: the claim stays with it.
        (Err(AppError::Host(Key::HostErrDeadline)), _) => {}
        (Err(_), Some(ws)) => unclaim(state, key, ws).await,
        _ => {}
    }
    made.map_err(|e| super::storage::on_field(e, &[(Key::ErrVolumeExists, "name")]))
}

/// The ISO volumes (`*.iso`) a create may boot from: in the pools `actor`'s
/// workspaces allow (on the hosts they allow).
pub async fn boot_media(state: &AppState, actor: &Actor) -> Result<Vec<BootMedium>, AppError> {
    use crate::visibility::{scopes, sees_pool};
    let scopes = scopes(state, actor).await?;
    let pools = state.gateway.all_pools().await;
    let mut media: Vec<BootMedium> = Vec::new();
    for p in pools.iter().filter(|p| p.active) {
        if !sees_pool(actor, &scopes, p.host_id, &p.name) {
            continue;
        }
        let Ok(names) = state.gateway.volume_names(p.host_id, &p.name).await else {
            continue;
        };
        // A member is not offered another workspace's volumes.
        let others: Vec<String> = match actor.visible_slugs() {
            None => Vec::new(),
            Some(mine) => store::owners_in(&state.pool, p.host_id, &p.name)
                .await?
                .into_iter()
                .filter(|(_, slug)| !mine.contains(slug))
                .map(|(name, _)| name)
                .collect(),
        };
        for volume in names
            .into_iter()
            .filter(|v| v.to_ascii_lowercase().ends_with(".iso") && !others.contains(v))
        {
            match media
                .iter_mut()
                .find(|m| m.pool == p.name && m.volume == volume)
            {
                Some(m) => m.hosts.push(p.host_name.clone()),
                None => media.push(BootMedium {
                    pool: p.name.clone(),
                    volume,
                    hosts: vec![p.host_name.clone()],
                }),
            }
        }
    }
    media.sort_by_key(BootMedium::value);
    Ok(media)
}
