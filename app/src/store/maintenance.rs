//! A host's maintenance mode, what its drain moved and what it could not.

use sqlx::SqlitePool;

use crate::i18n::Key;
use crate::model::host::{Blocker, Maintenance};

/// Every host's maintenance mode, by id.
pub async fn states(pool: &SqlitePool) -> Result<Vec<(i64, Maintenance)>, sqlx::Error> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, maintenance FROM hosts")
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, m)| (id, Maintenance::parse(&m).unwrap_or_default()))
        .collect())
}

pub async fn set(pool: &SqlitePool, host_id: i64, mode: Maintenance) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE hosts SET maintenance = ? WHERE id = ?")
        .bind(mode.as_str())
        .bind(host_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Records that the drain of `host_id` moved `uuid` to `target`.
pub async fn record_move(
    pool: &SqlitePool,
    host_id: i64,
    uuid: &str,
    name: &str,
    target: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO maintenance_moves (host_id, domain_uuid, domain_name, target_host_id)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (host_id, domain_uuid) DO UPDATE SET target_host_id = excluded.target_host_id",
    )
    .bind(host_id)
    .bind(uuid)
    .bind(name)
    .bind(target)
    .execute(pool)
    .await?;
    Ok(())
}

/// What the drain of `host_id` moved: (UUID, name, where to).
pub async fn moves(
    pool: &SqlitePool,
    host_id: i64,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT domain_uuid, domain_name, target_host_id FROM maintenance_moves WHERE host_id = ?",
    )
    .bind(host_id)
    .fetch_all(pool)
    .await
}

pub async fn clear_moves(pool: &SqlitePool, host_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM maintenance_moves WHERE host_id = ?")
        .bind(host_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Replaces the list of what the drain of `host_id` could not move.
pub async fn set_blockers(
    pool: &SqlitePool,
    host_id: i64,
    blockers: &[Blocker],
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM maintenance_blockers WHERE host_id = ?")
        .bind(host_id)
        .execute(&mut *tx)
        .await?;
    for b in blockers {
        sqlx::query(
            "INSERT OR REPLACE INTO maintenance_blockers (host_id, domain_uuid, domain_name, reason, detail)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(host_id)
        .bind(&b.domain_uuid)
        .bind(&b.domain_name)
        .bind(b.reason.name())
        .bind(&b.detail)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// What the drain of `host_id` could not move.
pub async fn blockers(pool: &SqlitePool, host_id: i64) -> Result<Vec<Blocker>, sqlx::Error> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT domain_uuid, domain_name, reason, detail FROM maintenance_blockers
         WHERE host_id = ? ORDER BY domain_name",
    )
    .bind(host_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(domain_uuid, domain_name, reason, detail)| Blocker {
            domain_uuid,
            domain_name,
            reason: Key::from_name(&reason).unwrap_or(Key::ErrInternal),
            detail,
        })
        .collect())
}
