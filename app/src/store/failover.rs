//! Highly available domains (with their kept definition) and the stale
//! copies a failover left on lost hosts.

use sqlx::SqlitePool;

/// A highly available domain as kept.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct HaDomain {
    pub uuid: String,
    pub host_id: i64,
    pub name: String,
    pub workspace: Option<String>,
    pub xml: String,
}

/// Marks a domain highly available (or refreshes what is kept of it).
pub async fn keep(pool: &SqlitePool, d: &HaDomain, at: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ha_domains (uuid, host_id, name, workspace, xml, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (uuid) DO UPDATE SET host_id = excluded.host_id, name = excluded.name,
             workspace = excluded.workspace, xml = excluded.xml, updated_at = excluded.updated_at",
    )
    .bind(d.uuid.to_ascii_lowercase())
    .bind(d.host_id)
    .bind(&d.name)
    .bind(&d.workspace)
    .bind(&d.xml)
    .bind(at)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn forget(pool: &SqlitePool, uuid: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM ha_domains WHERE uuid = ?")
        .bind(uuid.to_ascii_lowercase())
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn all(pool: &SqlitePool) -> Result<Vec<HaDomain>, sqlx::Error> {
    sqlx::query_as("SELECT uuid, host_id, name, workspace, xml FROM ha_domains ORDER BY name")
        .fetch_all(pool)
        .await
}

/// Records that `uuid` now runs on `host_id`.
pub async fn moved(pool: &SqlitePool, uuid: &str, host_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE ha_domains SET host_id = ? WHERE uuid = ?")
        .bind(host_id)
        .bind(uuid.to_ascii_lowercase())
        .execute(pool)
        .await?;
    Ok(())
}

/// Records a copy of `uuid` left on the lost host `host_id`.
pub async fn stale(
    pool: &SqlitePool,
    uuid: &str,
    host_id: i64,
    name: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO stale_copies (uuid, host_id, name, since) VALUES (?, ?, ?, ?)
         ON CONFLICT (uuid, host_id) DO UPDATE SET state = 'pending', since = excluded.since",
    )
    .bind(uuid.to_ascii_lowercase())
    .bind(host_id)
    .bind(name)
    .bind(at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Stale copies on `host_id` in `state` (`pending`, `removed`, `conflict`):
/// (UUID, name).
pub async fn stale_on(
    pool: &SqlitePool,
    host_id: i64,
    state: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT uuid, name FROM stale_copies WHERE host_id = ? AND state = ? ORDER BY name",
    )
    .bind(host_id)
    .bind(state)
    .fetch_all(pool)
    .await
}

pub async fn set_stale(
    pool: &SqlitePool,
    uuid: &str,
    host_id: i64,
    state: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE stale_copies SET state = ? WHERE uuid = ? AND host_id = ?")
        .bind(state)
        .bind(uuid.to_ascii_lowercase())
        .bind(host_id)
        .execute(pool)
        .await?;
    Ok(())
}
