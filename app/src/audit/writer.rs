//! The one writer of the audit log: a task that owns the chain head.
//!
//! Callers hand it an entry and wait for the stored record. Whatever has
//! queued meanwhile is written in one transaction (group commit), so no
//! caller holds a lock across a write and concurrent appends share a
//! commit. The task, not the caller, writes: a caller that goes away (a
//! client hanging up) does not stop its record.
//!
//! Refusals of callers who are not signed in are aggregated: the first one
//! per source, action and reason in a minute is written at once, the rest of
//! that minute as one record with their count, so an anonymous flood costs
//! one record per source and reason per minute.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;
use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::chain::{self, GENESIS_HASH};
use super::log::PRUNE_ACTION;
use super::record::{AuditEntry, AuditRecord, Outcome};
use crate::store::audit as store;

/// Most records one commit takes.
const BATCH: usize = 512;
/// The window over which anonymous refusals are aggregated.
const FLOOD_WINDOW: Duration = Duration::from_secs(60);

/// A failure, told to every caller of a failed commit (`sqlx::Error` is not
/// `Clone`).
pub(super) type Failure = String;

pub(super) enum Job {
    Append(AuditEntry, oneshot::Sender<Result<AuditRecord, Failure>>),
    Refusal(AuditEntry, oneshot::Sender<Result<(), Failure>>),
    Prune(String, oneshot::Sender<Result<u64, Failure>>),
    /// Ends the aggregation window now (at shutdown, in tests).
    Flush(oneshot::Sender<Result<(), Failure>>),
}

/// The newest record, which the next append links to.
struct Head {
    seq: i64,
    hash: String,
    /// A write failed: nobody knows whether it committed, so the head is
    /// read again from the table before the next one.
    in_doubt: bool,
}

/// Starts the writer over `pool`, continuing the chain from its last record.
pub(super) async fn start(pool: SqlitePool) -> Result<mpsc::Sender<Job>, sqlx::Error> {
    let head = read_head(&pool).await?;
    let (tx, rx) = mpsc::channel(4 * BATCH);
    tokio::spawn(run(pool, head, rx));
    Ok(tx)
}

async fn run(pool: SqlitePool, mut head: Head, mut rx: mpsc::Receiver<Job>) {
    let mut flood = Flood::default();
    loop {
        let job = match flood.window_end {
            Some(end) => match tokio::time::timeout_at(end, rx.recv()).await {
                Ok(job) => job,
                Err(_) => {
                    let summaries = flood.close();
                    write(&pool, &mut head, summaries).await;
                    continue;
                }
            },
            None => rx.recv().await,
        };
        let job = match job {
            None => break,
            Some(job @ (Job::Prune(..) | Job::Flush(_))) => {
                control(&pool, &mut head, &mut flood, job).await;
                continue;
            }
            Some(job) => job,
        };
        let mut batch = vec![job];
        let mut after = None;
        while batch.len() < BATCH && after.is_none() {
            match rx.try_recv() {
                Ok(job @ (Job::Prune(..) | Job::Flush(_))) => after = Some(job),
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        write(&pool, &mut head, flood.admit(batch)).await;
        if let Some(job) = after {
            control(&pool, &mut head, &mut flood, job).await;
        }
    }
    let summaries = flood.close();
    write(&pool, &mut head, summaries).await;
}

/// A prune or a flush, which runs on its own between batches.
async fn control(pool: &SqlitePool, head: &mut Head, flood: &mut Flood, job: Job) {
    match job {
        Job::Prune(cutoff, reply) => {
            let _ = reply.send(prune_before(pool, head, &cutoff).await);
        }
        Job::Flush(reply) => {
            write(pool, head, flood.close()).await;
            let _ = reply.send(match head.in_doubt {
                true => Err("the aggregated refusals were not written".into()),
                false => Ok(()),
            });
        }
        Job::Append(..) | Job::Refusal(..) => unreachable!("written in batches"),
    }
}

/// One entry to write, and who waits for it.
enum Pending {
    Append(AuditEntry, oneshot::Sender<Result<AuditRecord, Failure>>),
    Refusal(AuditEntry, oneshot::Sender<Result<(), Failure>>),
    Summary(AuditEntry),
}

/// Seals `pending` onto the chain and commits them together; tells each
/// caller its record or the failure.
async fn write(pool: &SqlitePool, head: &mut Head, pending: Vec<Pending>) {
    if pending.is_empty() {
        return;
    }
    if head.in_doubt {
        match read_head(pool).await {
            Ok(read) => *head = read,
            Err(e) => return fail(pending, &e.to_string()),
        }
    }
    let (mut seq, mut prev) = (head.seq, head.hash.clone());
    let mut records = Vec::with_capacity(pending.len());
    for p in &pending {
        let entry = match p {
            Pending::Append(e, _) | Pending::Refusal(e, _) | Pending::Summary(e) => e.clone(),
        };
        seq += 1;
        let record = chain::seal(seq, now(), entry, &prev);
        prev.clone_from(&record.hash);
        records.push(record);
    }
    // One statement: all of them or none, and one round trip to SQLite.
    match store::insert_all(pool, &records).await {
        Ok(()) => {
            (head.seq, head.hash) = (seq, prev);
            for (record, p) in records.into_iter().zip(pending) {
                match p {
                    Pending::Append(_, reply) => drop(reply.send(Ok(record))),
                    Pending::Refusal(_, reply) => drop(reply.send(Ok(()))),
                    Pending::Summary(_) => {}
                }
            }
        }
        Err(e) => {
            head.in_doubt = true;
            fail(pending, &e.to_string());
        }
    }
}

fn fail(pending: Vec<Pending>, why: &str) {
    tracing::error!(
        error = why,
        records = pending.len(),
        "audit records not written"
    );
    for p in pending {
        match p {
            Pending::Append(_, reply) => drop(reply.send(Err(why.to_string()))),
            Pending::Refusal(_, reply) => drop(reply.send(Err(why.to_string()))),
            Pending::Summary(_) => {}
        }
    }
}

/// Anonymous refusals seen in the current window, by (source, action,
/// reason): how many were not written one by one.
#[derive(Default)]
struct Flood {
    seen: HashMap<(String, String, String), u64>,
    window_end: Option<Instant>,
}

impl Flood {
    /// What of `batch` to write: appends as they are, a refusal only when it
    /// is the first of its kind in the window (the others are counted and
    /// answered at once).
    fn admit(&mut self, batch: Vec<Job>) -> Vec<Pending> {
        let mut out = Vec::with_capacity(batch.len());
        for job in batch {
            match job {
                Job::Append(entry, reply) => out.push(Pending::Append(entry, reply)),
                Job::Refusal(entry, reply) => {
                    self.window_end
                        .get_or_insert_with(|| Instant::now() + FLOOD_WINDOW);
                    let key = (
                        entry.source.clone(),
                        entry.action.clone(),
                        entry.message.clone(),
                    );
                    match self.seen.get_mut(&key) {
                        Some(count) => {
                            *count += 1;
                            let _ = reply.send(Ok(()));
                        }
                        None => {
                            self.seen.insert(key, 0);
                            out.push(Pending::Refusal(entry, reply));
                        }
                    }
                }
                Job::Prune(..) | Job::Flush(_) => unreachable!("taken out of a batch"),
            }
        }
        out
    }

    /// Ends the window: one record for each kind with refusals not yet
    /// written.
    fn close(&mut self) -> Vec<Pending> {
        self.window_end = None;
        let mut kinds: Vec<_> = self.seen.drain().filter(|(_, n)| *n > 0).collect();
        kinds.sort();
        kinds
            .into_iter()
            .map(|((source, action, message), count)| {
                let summary = AuditEntry::new("anonymous", source, action)
                    .params(json!({ "aggregated": count }))
                    .outcome(
                        Outcome::Denied,
                        format!("{message} ({count} more from this source in the minute)"),
                    );
                Pending::Summary(summary)
            })
            .collect()
    }
}

/// Deletes the records older than `cutoff_at` behind a checkpoint; see
/// [`super::AuditLog::prune_before`].
async fn prune_before(pool: &SqlitePool, head: &mut Head, cutoff_at: &str) -> Result<u64, Failure> {
    if head.in_doubt {
        *head = read_head(pool).await.map_err(|e| e.to_string())?;
    }
    let pruned = async {
        // IMMEDIATE takes the write lock first: a deferred transaction that
        // read, then wrote after another connection's commit, would fail.
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some(span) = store::prune_span(&mut tx, cutoff_at, head.seq).await? else {
            return Ok(None);
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
        store::insert(&mut *tx, &checkpoint).await?;
        store::set_guard(&mut tx, true).await?;
        store::delete_through(&mut tx, span.through_seq).await?;
        store::set_guard(&mut tx, false).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(Some((checkpoint, span.count)))
    }
    .await;
    match pruned {
        Ok(None) => Ok(0),
        Ok(Some((checkpoint, count))) => {
            (head.seq, head.hash) = (checkpoint.seq, checkpoint.hash);
            Ok(count)
        }
        Err(e) => {
            head.in_doubt = true;
            Err(e.to_string())
        }
    }
}

/// The current time in the stored format.
fn now() -> String {
    chain::timestamp(time::OffsetDateTime::now_utc())
}

/// The last record's position and hash, or the genesis head when empty.
async fn read_head(pool: &SqlitePool) -> Result<Head, sqlx::Error> {
    let (seq, hash) = store::last_link(pool)
        .await?
        .unwrap_or_else(|| (0, GENESIS_HASH.to_string()));
    Ok(Head {
        seq,
        hash,
        in_doubt: false,
    })
}
