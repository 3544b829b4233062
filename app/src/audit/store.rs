//! Writing the log: appends and retention pruning, the only code that changes
//! the `audit_log` table.

use std::sync::Arc;

use serde_json::json;
use sqlx::{Sqlite, SqlitePool};
use time::OffsetDateTime;
use tokio::sync::Mutex;

use super::chain::{self, GENESIS_HASH};
use super::record::{AuditEntry, AuditRecord, Outcome};

/// Every column, in table order, for queries that load whole records.
pub(super) const COLUMNS: &str = "seq, at, actor, source, workspace, action, target_kind, \
    target_id, target_name, params, before, after, outcome, message, duration_ms, prev_hash, hash";

/// The action of the checkpoint a prune leaves behind.
pub(super) const PRUNE_ACTION: &str = "audit.prune";

/// The newest record, which the next append links to. Kept in memory so an
/// append is one INSERT, not a read and a write.
#[derive(Debug)]
struct ChainHead {
    seq: i64,
    hash: String,
    /// Set while a write is under way. If the write fails, or the caller's
    /// future is dropped midway (a client hanging up), nobody knows whether
    /// it committed, so the next writer re-reads the head from the table.
    in_doubt: bool,
}

impl ChainHead {
    fn advance(&mut self, record: &AuditRecord) {
        self.seq = record.seq;
        self.hash.clone_from(&record.hash);
        self.in_doubt = false;
    }
}

/// The audit log. Open it once at start and clone it: the clones share the
/// chain head, which serializes appends. Two separately opened logs on one
/// database would collide on `seq`; the loser's append fails and its next
/// one resynchronizes, so the chain stays intact either way.
#[derive(Clone, Debug)]
pub struct AuditLog {
    pub(super) pool: SqlitePool,
    head: Arc<Mutex<ChainHead>>,
}

impl AuditLog {
    /// Opens the log in `pool`, continuing the chain from its last record.
    pub async fn open(pool: SqlitePool) -> Result<Self, sqlx::Error> {
        let head = read_head(&pool).await?;
        Ok(Self {
            pool,
            head: Arc::new(Mutex::new(head)),
        })
    }

    /// Appends `entry` now, with its secrets redacted, and returns the record
    /// as stored.
    pub async fn append(&self, entry: AuditEntry) -> Result<AuditRecord, sqlx::Error> {
        let mut head = self.head.lock().await;
        if head.in_doubt {
            *head = read_head(&self.pool).await?;
        }
        let record = chain::seal(head.seq + 1, now(), entry, &head.hash);
        head.in_doubt = true;
        insert(&self.pool, &record).await?;
        head.advance(&record);
        Ok(record)
    }

    /// Deletes the records older than `cutoff_at` (stored `at` format) and
    /// returns how many went. Everything from the first record at or after
    /// the cutoff is kept, even if a clock step put older times after it,
    /// and the newest record is never pruned. One transaction appends a
    /// checkpoint naming the last pruned record and its hash (so the chain
    /// still verifies from its new start), lifts the delete guard, deletes
    /// and restores the guard.
    pub async fn prune_before(&self, cutoff_at: &str) -> Result<u64, sqlx::Error> {
        let mut head = self.head.lock().await;
        if head.in_doubt {
            *head = read_head(&self.pool).await?;
        }
        // IMMEDIATE takes the write lock first: a deferred transaction that
        // read, then wrote after another connection's commit, would fail.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some(span) = prune_span(&mut tx, cutoff_at, head.seq).await? else {
            return Ok(0);
        };
        let entry = AuditEntry::new("system", "retention", PRUNE_ACTION)
            .params(json!({
                "pruned_through_seq": span.through_seq,
                "last_pruned_hash": span.last_hash,
                "count": span.count,
                "cutoff": cutoff_at,
            }))
            .outcome(Outcome::Ok, format!("pruned records before {cutoff_at}"));
        let checkpoint = chain::seal(head.seq + 1, now(), entry, &head.hash);
        head.in_doubt = true;
        insert(&mut *tx, &checkpoint).await?;
        set_guard(&mut tx, true).await?;
        sqlx::query("DELETE FROM audit_log WHERE seq <= ?")
            .bind(span.through_seq)
            .execute(&mut *tx)
            .await?;
        set_guard(&mut tx, false).await?;
        tx.commit().await?;
        head.advance(&checkpoint);
        Ok(span.count)
    }
}

/// The current time in the stored format.
fn now() -> String {
    chain::timestamp(OffsetDateTime::now_utc())
}

/// The last record's position and hash, or the genesis head when empty.
async fn read_head(pool: &SqlitePool) -> Result<ChainHead, sqlx::Error> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(pool)
            .await?;
    let (seq, hash) = last.unwrap_or_else(|| (0, GENESIS_HASH.to_string()));
    Ok(ChainHead {
        seq,
        hash,
        in_doubt: false,
    })
}

/// Stores `record` as it is.
pub(super) async fn insert<'e, E>(executor: E, record: &AuditRecord) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    sqlx::query(&format!(
        "INSERT INTO audit_log ({COLUMNS}) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(record.seq)
    .bind(&record.at)
    .bind(&record.actor)
    .bind(&record.source)
    .bind(&record.workspace)
    .bind(&record.action)
    .bind(&record.target_kind)
    .bind(&record.target_id)
    .bind(&record.target_name)
    .bind(&record.params)
    .bind(&record.before)
    .bind(&record.after)
    .bind(record.outcome)
    .bind(&record.message)
    .bind(record.duration_ms)
    .bind(&record.prev_hash)
    .bind(&record.hash)
    .execute(executor)
    .await?;
    Ok(())
}

/// The prefix of the log a prune removes.
struct PruneSpan {
    through_seq: i64,
    last_hash: String,
    count: u64,
}

/// What pruning before `cutoff_at` would remove, never reaching `head_seq`;
/// `None` when nothing.
async fn prune_span(
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
async fn set_guard(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    active: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE audit_prune_guard SET active = ? WHERE id = 1")
        .bind(active)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
