//! Who a volume belongs to (`volume_owners`), and the disk quota its
//! workspace spends on it.

use sqlx::{SqliteConnection, SqlitePool};

/// A volume, by its host, pool and name.
#[derive(Clone, Copy, Debug)]
pub struct VolumeKey<'a> {
    pub host_id: i64,
    pub pool: &'a str,
    pub name: &'a str,
}

/// The slug of the workspace recorded as the volume's owner.
pub async fn owner(pool: &SqlitePool, key: VolumeKey<'_>) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT w.slug FROM volume_owners o JOIN workspaces w ON w.id = o.workspace_id
         WHERE o.host_id = ? AND o.pool = ? AND o.name = ?",
    )
    .bind(key.host_id)
    .bind(key.pool)
    .bind(key.name)
    .fetch_optional(pool)
    .await
}

/// The recorded owners of a pool's volumes: (volume name, workspace slug).
pub async fn owners_in(
    pool: &SqlitePool,
    host_id: i64,
    pool_name: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.name, w.slug FROM volume_owners o JOIN workspaces w ON w.id = o.workspace_id
         WHERE o.host_id = ? AND o.pool = ?",
    )
    .bind(host_id)
    .bind(pool_name)
    .fetch_all(pool)
    .await
}

/// Records a new volume as `workspace_id`'s with its share `gib`, unless
/// the name already has an owner; whether it was recorded.
pub async fn claim(
    conn: &mut SqliteConnection,
    key: VolumeKey<'_>,
    workspace_id: i64,
    gib: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO volume_owners (host_id, pool, name, workspace_id, gib) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (host_id, pool, name) DO NOTHING",
    )
    .bind(key.host_id)
    .bind(key.pool)
    .bind(key.name)
    .bind(workspace_id)
    .bind(gib)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records (or moves) the volume to `workspace_id` with its share `gib`
/// (an administrator's assignment).
pub async fn assign(
    pool: &SqlitePool,
    key: VolumeKey<'_>,
    workspace_id: i64,
    gib: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO volume_owners (host_id, pool, name, workspace_id, gib) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (host_id, pool, name) DO UPDATE SET workspace_id = excluded.workspace_id,
           gib = excluded.gib",
    )
    .bind(key.host_id)
    .bind(key.pool)
    .bind(key.name)
    .bind(workspace_id)
    .bind(gib)
    .execute(pool)
    .await
    .map(|_| ())
}

/// Forgets `workspace_id`'s claim on the volume (a create or upload that
/// made nothing): never another workspace's record.
pub async fn unclaim(
    pool: &SqlitePool,
    key: VolumeKey<'_>,
    workspace_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM volume_owners WHERE host_id = ? AND pool = ? AND name = ? AND workspace_id = ?",
    )
    .bind(key.host_id)
    .bind(key.pool)
    .bind(key.name)
    .bind(workspace_id)
    .execute(pool)
    .await
    .map(|_| ())
}

/// Sets the volume's share of its workspace's disk quota.
pub async fn set_gib(pool: &SqlitePool, key: VolumeKey<'_>, gib: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE volume_owners SET gib = ? WHERE host_id = ? AND pool = ? AND name = ?")
        .bind(gib)
        .bind(key.host_id)
        .bind(key.pool)
        .bind(key.name)
        .execute(pool)
        .await
        .map(|_| ())
}

/// Forgets the volume's owner (it was deleted, or never made).
pub async fn forget(pool: &SqlitePool, key: VolumeKey<'_>) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM volume_owners WHERE host_id = ? AND pool = ? AND name = ?")
        .bind(key.host_id)
        .bind(key.pool)
        .bind(key.name)
        .execute(pool)
        .await
        .map(|_| ())
}

/// GiB of the workspace's disk quota its volumes take.
pub async fn owned_gib(conn: &mut SqliteConnection, workspace_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COALESCE(SUM(gib), 0) FROM volume_owners WHERE workspace_id = ?")
        .bind(workspace_id)
        .fetch_one(conn)
        .await
}

/// Records the volume `from` as `to` (its domain moved and the volume is
/// now used from another host): owner and quota share follow it.
pub async fn moved(
    pool: &SqlitePool,
    from: VolumeKey<'_>,
    to: VolumeKey<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE OR REPLACE volume_owners SET host_id = ?, pool = ?, name = ?
         WHERE host_id = ? AND pool = ? AND name = ?",
    )
    .bind(to.host_id)
    .bind(to.pool)
    .bind(to.name)
    .bind(from.host_id)
    .bind(from.pool)
    .bind(from.name)
    .execute(pool)
    .await
    .map(|_| ())
}
