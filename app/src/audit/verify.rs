//! Verifying the log: walk every record in order, recompute its hash and
//! check its link, and report the first place the chain breaks.

use serde_json::Value;

use super::chain::{record_hash, GENESIS_HASH};
use super::log::{AuditLog, PRUNE_ACTION};
use super::record::{AuditRecord, VerifyReport};
use crate::store::audit as store;

/// Records per query, so a million-record log never sits in memory at once.
const BATCH: i64 = 10_000;

/// Records hashed between yields, so a long verification shares its
/// runtime thread with requests (about a millisecond of hashing each).
const YIELD_EVERY: u64 = 256;

const EDITED: &str = "hash mismatch (record edited)";
const RELINKED: &str = "prev_hash does not match (inserted or reordered)";

fn deleted_before(seq: i64) -> String {
    format!("missing records before seq {seq} (deleted)")
}

impl AuditLog {
    /// Walks the whole log in `seq` order and reports the first record where
    /// the chain breaks, and why. Reads one snapshot, so appends and prunes
    /// running meanwhile neither show up halfway nor look like tampering.
    pub async fn verify(&self) -> Result<VerifyReport, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let mut report = VerifyReport::default();
        let mut prev: Option<(i64, String)> = None;
        let mut after = i64::MIN;
        loop {
            let batch = store::records_after(&mut tx, after, BATCH).await?;
            for record in &batch {
                let problem = match &prev {
                    Some((seq, hash)) => link_problem(*seq, hash, record),
                    None => {
                        let checkpoints =
                            store::params_after(&mut tx, PRUNE_ACTION, record.seq).await?;
                        start_problem(record, &checkpoints)
                    }
                }
                .or_else(|| hash_problem(record));
                report.checked += 1;
                report.first_seq.get_or_insert(record.seq);
                report.last_seq = Some(record.seq);
                if let Some(reason) = problem {
                    report.broken_at = Some(record.seq);
                    report.reason = Some(reason);
                    return Ok(report);
                }
                prev = Some((record.seq, record.hash.clone()));
                if report.checked % YIELD_EVERY == 0 {
                    tokio::task::yield_now().await;
                }
            }
            match batch.last() {
                Some(last) if batch.len() as i64 == BATCH => after = last.seq,
                _ => break,
            }
        }
        Ok(report)
    }
}

/// Why the first remaining record cannot start the chain, if it cannot: it
/// must be the genesis record, or follow exactly what a checkpoint (given
/// as params JSON) says was pruned.
pub(super) fn start_problem(first: &AuditRecord, checkpoints: &[String]) -> Option<String> {
    if first.seq == 1 && first.prev_hash == GENESIS_HASH {
        return None;
    }
    let vouches = |params: &String| {
        let Ok(params) = serde_json::from_str::<Value>(params) else {
            return false;
        };
        params["pruned_through_seq"].as_i64() == Some(first.seq - 1)
            && params["last_pruned_hash"].as_str() == Some(first.prev_hash.as_str())
    };
    if checkpoints.iter().any(vouches) {
        None
    } else if first.seq > 1 {
        Some(deleted_before(first.seq))
    } else {
        Some(RELINKED.to_string())
    }
}

/// Why `record` cannot follow the record (`prev_seq`, `prev_hash`), if so.
pub(super) fn link_problem(prev_seq: i64, prev_hash: &str, record: &AuditRecord) -> Option<String> {
    if record.seq != prev_seq + 1 {
        Some(deleted_before(record.seq))
    } else if record.prev_hash != prev_hash {
        Some(RELINKED.to_string())
    } else {
        None
    }
}

/// Why `record`'s own hash is wrong, if it is.
pub(super) fn hash_problem(record: &AuditRecord) -> Option<String> {
    (record_hash(record) != record.hash).then(|| EDITED.to_string())
}
