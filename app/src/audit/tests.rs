//! The audit log against a real SQLite database with the real migrations:
//! the chain verifies, every kind of tampering is caught at the right
//! record, the triggers hold, pruning keeps the chain verifiable, and
//! searches and exports return the right rows.

use serde_json::json;
use sqlx::SqlitePool;

use super::chain::{self, GENESIS_HASH, REDACTED};
use super::record::{AuditEntry, AuditRecord, Target};
use super::AuditLog;
use crate::store::audit::{insert, COLUMNS};

mod search;
mod writer;

/// Appends `n` plain records, returning them.
async fn fill(log: &AuditLog, n: usize) -> Vec<AuditRecord> {
    let mut records = Vec::new();
    for i in 0..n {
        let entry = AuditEntry::new("alice", "10.0.0.1", "host.refresh").target(Target::new(
            "host",
            i.to_string(),
            format!("Press {i}"),
        ));
        records.push(log.append(entry).await.unwrap());
    }
    records
}

async fn record(pool: &SqlitePool, seq: i64) -> AuditRecord {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM audit_log WHERE seq = ?"))
        .bind(seq)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Deletes `seq` as an attacker with file access would: lifting the guard.
async fn force_delete(pool: &SqlitePool, seq: i64) {
    sqlx::query("UPDATE audit_prune_guard SET active = 1")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq = ?")
        .bind(seq)
        .execute(pool)
        .await
        .unwrap();
}

/// Inserts `r` as it is, bypassing the log's chain head.
async fn force_insert(pool: &SqlitePool, r: &AuditRecord) {
    insert(pool, r).await.unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn appended_records_verify(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    let empty = log.verify().await.unwrap();
    assert_eq!((empty.checked, empty.broken_at), (0, None));

    let records = fill(&log, 5).await;
    assert_eq!(records[0].seq, 1);
    assert_eq!(records[0].prev_hash, GENESIS_HASH);
    assert_eq!(records[1].prev_hash, records[0].hash);
    assert_eq!(record(&pool, 3).await, records[2]);
    assert_eq!(records[0].at.len(), "2026-11-26T11:14:44.123Z".len());

    // A second log opened on the same table continues the same chain.
    let reopened = AuditLog::open(pool.clone()).await.unwrap();
    let next = reopened
        .append(AuditEntry::new("bob", "cli", "x"))
        .await
        .unwrap();
    assert_eq!((next.seq, &next.prev_hash), (6, &records[4].hash));

    let report = log.verify().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.checked, 6);
    assert_eq!((report.first_seq, report.last_seq), (Some(1), Some(6)));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_log_that_lost_a_race_resynchronizes(pool: SqlitePool) {
    let a = AuditLog::open(pool.clone()).await.unwrap();
    let b = AuditLog::open(pool.clone()).await.unwrap();
    a.append(AuditEntry::new("a", "s", "x")).await.unwrap();
    // `b` still believes the log is empty: its seq 1 collides and fails...
    assert!(b.append(AuditEntry::new("b", "s", "x")).await.is_err());
    // ...and its next append re-reads the head and links correctly.
    assert_eq!(
        b.append(AuditEntry::new("b", "s", "x")).await.unwrap().seq,
        2
    );
    assert!(a.verify().await.unwrap().is_intact());
}

#[sqlx::test(migrations = "../migrations")]
async fn an_edited_record_is_reported(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    fill(&log, 8).await;
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET outcome = 'ok', message = 'nothing to see' WHERE seq = 5")
        .execute(&pool)
        .await
        .unwrap();
    let report = log.verify().await.unwrap();
    assert_eq!(report.broken_at, Some(5));
    assert_eq!(
        report.reason.as_deref(),
        Some("hash mismatch (record edited)")
    );
    assert_eq!(report.checked, 5);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_edit_with_a_recomputed_hash_breaks_the_next_link(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    fill(&log, 8).await;
    let mut forged = record(&pool, 5).await;
    forged.actor = "mallory".into();
    forged.hash = chain::record_hash(&forged);
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor = ?, hash = ? WHERE seq = 5")
        .bind(&forged.actor)
        .bind(&forged.hash)
        .execute(&pool)
        .await
        .unwrap();
    let report = log.verify().await.unwrap();
    assert_eq!(report.broken_at, Some(6));
    assert_eq!(
        report.reason.as_deref(),
        Some("prev_hash does not match (inserted or reordered)")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_deleted_record_is_reported(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    fill(&log, 8).await;
    force_delete(&pool, 5).await;
    let report = log.verify().await.unwrap();
    assert_eq!(report.broken_at, Some(6));
    assert_eq!(
        report.reason.as_deref(),
        Some("missing records before seq 6 (deleted)")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn deleting_the_oldest_records_without_a_checkpoint_is_reported(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    fill(&log, 4).await;
    force_delete(&pool, 1).await;
    let report = log.verify().await.unwrap();
    assert_eq!(report.broken_at, Some(2));
    assert_eq!(
        report.reason.as_deref(),
        Some("missing records before seq 2 (deleted)")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_inserted_record_is_reported(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    let records = fill(&log, 8).await;
    // Replace seq 5 by a forgery that links to seq 4 and hashes correctly:
    // only its successor's link can tell.
    force_delete(&pool, 5).await;
    let forged = chain::seal(
        5,
        records[4].at.clone(),
        AuditEntry::new("alice", "10.0.0.1", "user.grant_admin")
            .target(Target::new("user", "9", "mallory")),
        &records[3].hash,
    );
    force_insert(&pool, &forged).await;
    let report = log.verify().await.unwrap();
    assert_eq!(report.broken_at, Some(6));
    assert_eq!(
        report.reason.as_deref(),
        Some("prev_hash does not match (inserted or reordered)")
    );

    // A cruder forgery, with a made-up hash, is caught at itself.
    force_delete(&pool, 3).await;
    let mut crude = records[2].clone();
    crude.actor = "mallory".into();
    force_insert(&pool, &crude).await;
    let report = log.verify().await.unwrap();
    assert_eq!(report.broken_at, Some(3));
    assert_eq!(
        report.reason.as_deref(),
        Some("hash mismatch (record edited)")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn triggers_refuse_updates_and_deletes(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    fill(&log, 3).await;
    for sql in [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 2",
        "DELETE FROM audit_log",
    ] {
        let err = sqlx::query(sql).execute(&pool).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let report = log.verify().await.unwrap();
    assert!(report.is_intact());
    assert_eq!(report.checked, 3);
}

#[sqlx::test(migrations = "../migrations")]
async fn pruning_keeps_the_chain_verifiable(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    let old = fill(&log, 4).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let kept = fill(&log, 3).await;
    assert!(kept[0].at > old[3].at);

    // Nothing is older than the oldest record.
    assert_eq!(log.prune_before(&old[0].at).await.unwrap(), 0);
    assert_eq!(log.verify().await.unwrap().checked, 7);

    assert_eq!(log.prune_before(&kept[0].at).await.unwrap(), 4);
    let checkpoint = record(&pool, 8).await;
    assert_eq!(
        (checkpoint.actor.as_str(), checkpoint.action.as_str()),
        ("system", "audit.prune")
    );
    let params: serde_json::Value = serde_json::from_str(&checkpoint.params).unwrap();
    assert_eq!(params["pruned_through_seq"], 4);
    assert_eq!(params["last_pruned_hash"], old[3].hash.as_str());
    assert_eq!(params["count"], 4);
    let report = log.verify().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(
        (report.first_seq, report.last_seq, report.checked),
        (Some(5), Some(8), 4)
    );
    // The guard is back on.
    assert!(sqlx::query("DELETE FROM audit_log WHERE seq = 5")
        .execute(&pool)
        .await
        .is_err());

    // A second prune, with a cutoff in the future, keeps only the newest
    // record (seq 10) and vouches for it with a new checkpoint (seq 11).
    fill(&log, 2).await;
    assert_eq!(
        log.prune_before("9999-12-31T00:00:00.000Z").await.unwrap(),
        5
    );
    let report = log.verify().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!((report.first_seq, report.last_seq), (Some(10), Some(11)));
    let next = log.append(AuditEntry::new("a", "s", "x")).await.unwrap();
    assert_eq!(next.seq, 12);
    assert!(log.verify().await.unwrap().is_intact());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_forged_prune_start_is_reported(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    fill(&log, 6).await;
    assert_eq!(log.prune_before("9999").await.unwrap(), 5);
    // Deleting the first kept record leaves a start no checkpoint vouches for.
    force_delete(&pool, 6).await;
    let report = log.verify().await.unwrap();
    assert_eq!(report.broken_at, Some(7));
    assert_eq!(
        report.reason.as_deref(),
        Some("missing records before seq 7 (deleted)")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn passwords_never_reach_the_table(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    let entry = AuditEntry::new("admin", "10.0.0.1", "user.create")
        .target(Target::new("user", "3", "bob"))
        .params(json!({"username": "bob", "password": "hunter2", "auth": {"Token": "t0k"}}));
    let stored = log.append(entry).await.unwrap();
    let row = record(&pool, stored.seq).await;
    assert!(!row.params.contains("hunter2") && !row.params.contains("t0k"));
    let params: serde_json::Value = serde_json::from_str(&row.params).unwrap();
    assert_eq!(params["password"], REDACTED);
    assert_eq!(params["auth"]["Token"], REDACTED);
    assert_eq!(params["username"], "bob");
    assert!(log.verify().await.unwrap().is_intact());
}
