//! The log: appends that extend the hash chain, retention pruning that
//! leaves a checkpoint, and filtered pages. Its SQL is `store::audit`.

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use super::record::{AuditEntry, AuditFilter, AuditRecord};
use super::writer::{self, Job};
use crate::store::audit as store;

/// The action of the checkpoint a prune leaves behind.
pub(super) const PRUNE_ACTION: &str = "audit.prune";

/// The audit log. Open it once at start and clone it: the clones share one
/// writer task (see [`super::writer`]), which owns the chain head. Two
/// separately opened logs on one database would collide on `seq`; the
/// loser's append fails and its next one resynchronizes, so the chain stays
/// intact either way.
#[derive(Clone, Debug)]
pub struct AuditLog {
    pub(super) pool: SqlitePool,
    writer: mpsc::Sender<Job>,
}

impl AuditLog {
    /// Opens the log in `pool`, continuing the chain from its last record,
    /// and starts its writer (on the current Tokio runtime).
    pub async fn open(pool: SqlitePool) -> Result<Self, sqlx::Error> {
        let writer = writer::start(pool.clone()).await?;
        Ok(Self { pool, writer })
    }

    /// Appends `entry` now, with its secrets redacted, and returns the record
    /// as stored. The record is written even if this future is dropped.
    pub async fn append(&self, entry: AuditEntry) -> Result<AuditRecord, sqlx::Error> {
        self.ask(|reply| Job::Append(entry, reply)).await
    }

    /// Appends the refusal of a caller who is not signed in, aggregated with
    /// others from the same source for the same reason within a minute.
    pub async fn append_refusal(&self, entry: AuditEntry) -> Result<(), sqlx::Error> {
        self.ask(|reply| Job::Refusal(entry, reply)).await
    }

    /// Writes the aggregated refusals counted so far (at shutdown).
    pub async fn flush(&self) -> Result<(), sqlx::Error> {
        self.ask(Job::Flush).await
    }

    /// Deletes the records older than `cutoff_at` (stored `at` format) and
    /// returns how many went. Everything from the first record at or after
    /// the cutoff is kept, even if a clock step put older times after it,
    /// and the newest record is never pruned. One transaction appends a
    /// checkpoint naming the last pruned record and its hash (so the chain
    /// still verifies from its new start), lifts the delete guard, deletes
    /// and restores the guard.
    pub async fn prune_before(&self, cutoff_at: &str) -> Result<u64, sqlx::Error> {
        let cutoff = cutoff_at.to_string();
        self.ask(|reply| Job::Prune(cutoff, reply)).await
    }

    /// Sends a job to the writer and waits for its answer.
    async fn ask<T>(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<T, writer::Failure>>) -> Job,
    ) -> Result<T, sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        let gone = || sqlx::Error::Protocol("the audit writer has stopped".into());
        self.writer.send(job(reply)).await.map_err(|_| gone())?;
        answer
            .await
            .map_err(|_| gone())?
            .map_err(sqlx::Error::Protocol)
    }

    /// One page of records matching `filter`, newest first. The next page is
    /// `filter` with `before_seq` set to the last record's `seq`.
    pub async fn page(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, sqlx::Error> {
        store::fetch(&self.pool, filter, filter.page_size()).await
    }
}
