//! The cost model: the plant's figures (one row) and each host's watts.

use sqlx::SqlitePool;

use crate::consolidation::cost::Plant;

pub async fn plant(pool: &SqlitePool) -> Result<Plant, sqlx::Error> {
    let (pue, currency, tariff, server_yearly): (f64, String, f64, f64) =
        sqlx::query_as("SELECT pue, currency, tariff, server_yearly FROM cost_model WHERE id = 1")
            .fetch_one(pool)
            .await?;
    Ok(Plant {
        pue,
        currency,
        tariff,
        server_yearly,
    })
}

/// Hosts with figures of their own: (host, idle W, peak W).
pub async fn host_power(pool: &SqlitePool) -> Result<Vec<(i64, f64, f64)>, sqlx::Error> {
    sqlx::query_as("SELECT host_id, idle_w, peak_w FROM host_power ORDER BY host_id")
        .fetch_all(pool)
        .await
}

/// Replaces the plant's figures and the listed hosts' watts at once.
pub async fn save(
    pool: &SqlitePool,
    plant: &Plant,
    hosts: &[(i64, f64, f64)],
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE cost_model SET pue = ?, currency = ?, tariff = ?, server_yearly = ? WHERE id = 1",
    )
    .bind(plant.pue)
    .bind(&plant.currency)
    .bind(plant.tariff)
    .bind(plant.server_yearly)
    .execute(&mut *tx)
    .await?;
    for (host, idle, peak) in hosts {
        sqlx::query(
            "INSERT INTO host_power (host_id, idle_w, peak_w) VALUES (?, ?, ?)
             ON CONFLICT (host_id) DO UPDATE SET idle_w = excluded.idle_w, peak_w = excluded.peak_w",
        )
        .bind(host)
        .bind(idle)
        .bind(peak)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
