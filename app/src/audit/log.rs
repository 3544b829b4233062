//! The log: appends that extend the hash chain, retention pruning that
//! leaves a checkpoint, and filtered pages. Its SQL is `store::audit`.

use std::sync::Arc;

use serde_json::json;
use sqlx::SqlitePool;
use time::OffsetDateTime;
use tokio::sync::Mutex;

use super::chain::{self, GENESIS_HASH};
use super::record::{AuditEntry, AuditFilter, AuditRecord, Outcome};
use crate::store::audit as store;

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
        store::insert(&self.pool, &record).await?;
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
        let Some(span) = store::prune_span(&mut tx, cutoff_at, head.seq).await? else {
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
        store::insert(&mut *tx, &checkpoint).await?;
        store::set_guard(&mut tx, true).await?;
        store::delete_through(&mut tx, span.through_seq).await?;
        store::set_guard(&mut tx, false).await?;
        tx.commit().await?;
        head.advance(&checkpoint);
        Ok(span.count)
    }

    /// One page of records matching `filter`, newest first. The next page is
    /// `filter` with `before_seq` set to the last record's `seq`.
    pub async fn page(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, sqlx::Error> {
        store::fetch(&self.pool, filter, filter.page_size()).await
    }
}

/// The current time in the stored format.
fn now() -> String {
    chain::timestamp(OffsetDateTime::now_utc())
}

/// The last record's position and hash, or the genesis head when empty.
async fn read_head(pool: &SqlitePool) -> Result<ChainHead, sqlx::Error> {
    let (seq, hash) = store::last_link(pool)
        .await?
        .unwrap_or_else(|| (0, GENESIS_HASH.to_string()));
    Ok(ChainHead {
        seq,
        hash,
        in_doubt: false,
    })
}
