//! The history tables (migration 0004): series, raw samples, rollups and
//! pruning, imported trace data sets, and the lookups other features make
//! (a domain's trace, its recorded owner). Writes of one collection round
//! share one transaction (`write`); charts read through `read`.

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

use crate::history::metric::{Metric, Values, M};
use crate::history::range::{Resolution, Retention};

mod read;
mod write;

pub use read::{read, read_averages, read_metrics};
pub use write::{insert_raw, recover, write_closed, write_round};

/// Rows per multi-row statement (13–25 bound values each; SQLite allows
/// 32,766 per statement).
const CHUNK: usize = 1_000;
const WATERMARK: &str = "minute_watermark";

/// What a series is: a domain, host or workspace within a data set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesKey<'a> {
    pub dataset: &'a str,
    pub kind: &'a str,
    pub key: &'a str,
}

/// A series' descriptive fields, updated when they change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeriesInfo {
    pub label: String,
    pub host_id: Option<i64>,
    pub workspace: Option<String>,
}

/// The id of a series, creating it or updating its description.
pub async fn upsert_series(
    conn: &mut SqliteConnection,
    k: &SeriesKey<'_>,
    info: &SeriesInfo,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO history_series (dataset, kind, key, label, host_id, workspace)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (dataset, kind, key) DO UPDATE SET
           label = excluded.label, host_id = excluded.host_id, workspace = excluded.workspace
         RETURNING id",
    )
    .bind(k.dataset)
    .bind(k.kind)
    .bind(k.key)
    .bind(&info.label)
    .bind(info.host_id)
    .bind(&info.workspace)
    .fetch_one(conn)
    .await
}

/// Series ids of a data set and kind, optionally only those keys.
pub async fn find_series(
    pool: &SqlitePool,
    dataset: &str,
    kind: &str,
    keys: Option<&[String]>,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    let mut q =
        QueryBuilder::<Sqlite>::new("SELECT id, key, label FROM history_series WHERE dataset = ");
    q.push_bind(dataset).push(" AND kind = ").push_bind(kind);
    if let Some(keys) = keys {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        q.push(" AND key IN (");
        let mut sep = q.separated(", ");
        for k in keys {
            sep.push_bind(k);
        }
        q.push(")");
    }
    q.push(" ORDER BY label, key");
    let rows = q.build().fetch_all(pool).await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

fn metric_columns(prefix: &str) -> String {
    Metric::ALL
        .iter()
        .map(|m| format!("{prefix}{}", m.column()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn values_at(r: &SqliteRow, first: usize) -> Values {
    let mut v = [None; M];
    for (i, x) in v.iter_mut().enumerate() {
        *x = r.get(first + i);
    }
    v
}

/// One point of a series read for a chart (display units not applied).
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub series: i64,
    pub t: i64,
    pub avg: [Option<f64>; M],
    pub max: Values,
}

/// Deletes live samples older than their retention, `batch` series per
/// statement, yielding between statements so no request waits long on the
/// write lock. Returns the rows deleted.
pub async fn prune(
    pool: &SqlitePool,
    keep: &Retention,
    now: i64,
    batch: usize,
) -> Result<u64, sqlx::Error> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM history_series WHERE dataset = 'live' ORDER BY id")
            .fetch_all(pool)
            .await?;
    let mut deleted = 0;
    for res in Resolution::ALL {
        let cutoff = now - keep.of(res);
        for chunk in ids.chunks(batch.max(1)) {
            let mut q = QueryBuilder::<Sqlite>::new(format!(
                "DELETE FROM {} WHERE series IN (",
                res.table()
            ));
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            q.push(") AND t < ").push_bind(cutoff);
            deleted += q.build().execute(pool).await?.rows_affected();
            tokio::task::yield_now().await;
        }
    }
    Ok(deleted)
}

/// Imported trace data sets: (data set, VMs, samples, first and last minute).
pub async fn trace_sets(
    pool: &SqlitePool,
) -> Result<Vec<(String, i64, Option<i64>, Option<i64>, Option<i64>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.dataset, COUNT(DISTINCT s.id), SUM(m.n), MIN(m.t), MAX(m.t) \
         FROM history_series s LEFT JOIN history_1m m ON m.series = s.id \
         WHERE s.dataset LIKE 'trace:%' AND s.kind = 'domain' GROUP BY s.dataset ORDER BY s.dataset",
    )
    .fetch_all(pool)
    .await
}

/// Deletes a data set's samples, rollups and series; the number of series.
pub async fn clear_dataset(tx: &mut SqliteConnection, dataset: &str) -> Result<u64, sqlx::Error> {
    for table in ["history_raw", "history_1m", "history_1h", "history_1d"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE series IN (SELECT id FROM history_series WHERE dataset = ?)"
        ))
        .bind(dataset)
        .execute(&mut *tx)
        .await?;
    }
    let done = sqlx::query("DELETE FROM history_series WHERE dataset = ?")
        .bind(dataset)
        .execute(&mut *tx)
        .await?;
    Ok(done.rows_affected())
}

/// The trace data set replayed for `kind`/`key`, if one was imported for it.
pub async fn trace_for(
    pool: &SqlitePool,
    kind: &str,
    key: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT dataset FROM history_series WHERE kind = ? AND key = ? AND dataset LIKE 'trace:%' ORDER BY id LIMIT 1",
    )
    .bind(kind)
    .bind(key)
    .fetch_optional(pool)
    .await
}

/// The workspace recorded with a domain's live history: `None` when the
/// domain has none, `Some(None)` when it was unowned.
pub async fn domain_owner(
    pool: &SqlitePool,
    uuid: &str,
) -> Result<Option<Option<String>>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT workspace FROM history_series WHERE dataset = 'live' AND kind = 'domain' AND key = ?",
    )
    .bind(uuid)
    .fetch_optional(pool)
    .await
}

#[cfg(test)]
mod tests;
