//! Quota reservations: the share a create in flight holds against its
//! workspace (and its host's room) until the domain is in the inventory.

use sqlx::{SqliteConnection, SqlitePool};

/// One reservation: workspace id, vCPUs, MiB, GiB, host id, domain name,
/// and whether the create starts the domain.
pub type Held = (i64, i64, i64, i64, i64, String, bool);

/// A reservation to record.
pub struct NewReservation<'a> {
    pub workspace_id: i64,
    pub vcpus: i64,
    pub memory_mib: i64,
    pub disk_gib: i64,
    pub domains: i64,
    pub host_id: i64,
    pub name: &'a str,
    pub starts: bool,
}

/// Records a reservation (inside the caller's transaction); its id.
pub async fn insert(
    conn: &mut SqliteConnection,
    r: &NewReservation<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO quota_reservations
           (workspace_id, vcpus, memory_mib, disk_gib, domains, host_id, name, starts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(r.workspace_id)
    .bind(r.vcpus)
    .bind(r.memory_mib)
    .bind(r.disk_gib)
    .bind(r.domains)
    .bind(r.host_id)
    .bind(r.name)
    .bind(r.starts)
    .fetch_one(conn)
    .await
}

/// Every reservation held now.
pub async fn held(conn: &mut SqliteConnection) -> Result<Vec<Held>, sqlx::Error> {
    sqlx::query_as(
        "SELECT workspace_id, vcpus, memory_mib, disk_gib, host_id, name, starts
         FROM quota_reservations",
    )
    .fetch_all(conn)
    .await
}

/// Gives every reservation back: at start, each one belongs to a create of
/// a server that has since stopped (the inventory counts what it made).
pub async fn clear(pool: &SqlitePool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM quota_reservations")
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// Gives reservation `id` back.
pub async fn delete(pool: &SqlitePool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM quota_reservations WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
}
