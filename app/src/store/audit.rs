//! The `audit_log` table: the only code that reads or changes it. Appends
//! and pruning are ordered by `audit::AuditLog`'s writer, which holds the
//! chain head; searches are in `search`.

use sqlx::{Sqlite, SqliteConnection, SqlitePool};

use crate::audit::AuditRecord;

mod search;

pub use search::{fetch, prefix_end};

/// Every column, in table order, for queries that load whole records.
pub const COLUMNS: &str = "seq, at, actor, source, workspace, action, target_kind, \
    target_id, target_name, params, before, after, outcome, message, duration_ms, prev_hash, hash";

/// The newest record's position and hash; `None` when the log is empty.
pub async fn last_link(pool: &SqlitePool) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(pool)
        .await
}

/// Stores `record` as it is.
pub async fn insert<'e, E>(executor: E, record: &AuditRecord) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    insert_all(executor, std::slice::from_ref(record)).await
}

/// Stores `records` as they are, in one statement (so all or none).
pub async fn insert_all<'e, E>(executor: E, records: &[AuditRecord]) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    let mut query =
        sqlx::QueryBuilder::<Sqlite>::new(format!("INSERT INTO audit_log ({COLUMNS}) "));
    query.push_values(records, |mut row, r| {
        row.push_bind(r.seq)
            .push_bind(&r.at)
            .push_bind(&r.actor)
            .push_bind(&r.source)
            .push_bind(&r.workspace)
            .push_bind(&r.action)
            .push_bind(&r.target_kind)
            .push_bind(&r.target_id)
            .push_bind(&r.target_name)
            .push_bind(&r.params)
            .push_bind(&r.before)
            .push_bind(&r.after)
            .push_bind(r.outcome)
            .push_bind(&r.message)
            .push_bind(r.duration_ms)
            .push_bind(&r.prev_hash)
            .push_bind(&r.hash);
    });
    query.build().execute(executor).await?;
    Ok(())
}

/// The prefix of the log a prune removes.
pub struct PruneSpan {
    pub through_seq: i64,
    pub last_hash: String,
    pub count: u64,
}

/// What pruning before `cutoff_at` would remove, never reaching `head_seq`;
/// `None` when nothing.
pub async fn prune_span(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    cutoff_at: &str,
    head_seq: i64,
) -> Result<Option<PruneSpan>, sqlx::Error> {
    // `+at` keeps SQLite off the `at` index: walking in seq order stops at
    // the first kept record instead of sorting every newer one.
    let first_kept: Option<i64> =
        sqlx::query_scalar("SELECT seq FROM audit_log WHERE +at >= ? ORDER BY seq LIMIT 1")
            .bind(cutoff_at)
            .fetch_optional(&mut **tx)
            .await?;
    let keep_from = first_kept.unwrap_or(head_seq).min(head_seq);
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT 1")
            .bind(keep_from)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((through_seq, last_hash)) = last else {
        return Ok(None);
    };
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE seq <= ?")
        .bind(through_seq)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Some(PruneSpan {
        through_seq,
        last_hash,
        count: count.unsigned_abs(),
    }))
}

/// Lifts or restores the trigger guard against deletes, inside `tx` only.
pub async fn set_guard(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    active: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE audit_prune_guard SET active = ? WHERE id = 1")
        .bind(active)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes the records up to and including `seq` (the guard must be lifted).
pub async fn delete_through(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    seq: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM audit_log WHERE seq <= ?")
        .bind(seq)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Up to `limit` whole records after `seq`, in order.
pub async fn records_after(
    conn: &mut SqliteConnection,
    seq: i64,
    limit: i64,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?"
    ))
    .bind(seq)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// The params of every `action` record after `seq`, in order.
pub async fn params_after(
    conn: &mut SqliteConnection,
    action: &str,
    seq: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT params FROM audit_log WHERE action = ? AND seq > ? ORDER BY seq")
        .bind(action)
        .bind(seq)
        .fetch_all(conn)
        .await
}
