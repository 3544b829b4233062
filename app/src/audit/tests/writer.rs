//! The writer task: concurrent appends share commits and keep the chain,
//! a dropped caller's record is written, anonymous refusals aggregate.

use sqlx::SqlitePool;

use super::super::record::{AuditEntry, AuditFilter, Outcome};
use super::super::AuditLog;

fn refusal(source: &str) -> AuditEntry {
    AuditEntry::new("anonymous", source, "request.cross_origin")
        .outcome(Outcome::Denied, "cross-origin request refused")
}

async fn all(log: &AuditLog) -> Vec<super::AuditRecord> {
    let filter = AuditFilter {
        limit: 1000,
        ..Default::default()
    };
    log.page(&filter).await.unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_appends_keep_one_chain(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let log = log.clone();
            tokio::spawn(async move {
                for i in 0..50 {
                    let who = format!("user{t}");
                    log.append(AuditEntry::new(who, "10.0.0.1", format!("x.{i}")))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let records = all(&log).await;
    assert_eq!(records.len(), 400);
    assert!(log.verify().await.unwrap().is_intact());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_dropped_caller_still_gets_its_record_written(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    {
        // The request's future is polled once (the entry is handed over)
        // and dropped, as when a client hangs up.
        let append = log.append(AuditEntry::new("op", "10.0.0.1", "domain.delete"));
        futures::pin_mut!(append);
        assert!(futures::poll!(append.as_mut()).is_pending());
    }
    let next = log
        .append(AuditEntry::new("op", "10.0.0.1", "domain.start"))
        .await
        .unwrap();
    assert_eq!(next.seq, 2, "the dropped caller's record came first");
    assert_eq!(all(&log).await[1].action, "domain.delete");
}

#[sqlx::test(migrations = "../migrations")]
async fn anonymous_refusals_are_one_record_per_source_and_reason_a_minute(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    for _ in 0..100 {
        log.append_refusal(refusal("192.0.2.1")).await.unwrap();
    }
    for _ in 0..3 {
        log.append_refusal(refusal("192.0.2.2")).await.unwrap();
    }
    assert_eq!(all(&log).await.len(), 2, "the first of each, at once");
    log.flush().await.unwrap();
    let records = all(&log).await;
    assert_eq!(records.len(), 4);
    let summary = |source: &str| {
        records
            .iter()
            .find(|r| r.source == source && r.params.contains("aggregated"))
            .unwrap_or_else(|| panic!("a summary for {source}: {records:?}"))
            .clone()
    };
    assert_eq!(summary("192.0.2.1").params, r#"{"aggregated":99}"#);
    assert_eq!(summary("192.0.2.2").params, r#"{"aggregated":2}"#);
    assert!(summary("192.0.2.1").message.contains("99 more"));
    assert!(log.verify().await.unwrap().is_intact());
    // A new window writes the next refusal at once again.
    log.append_refusal(refusal("192.0.2.1")).await.unwrap();
    assert_eq!(all(&log).await.len(), 5);
}

#[sqlx::test(migrations = false)]
async fn the_started_outcome_migration_keeps_every_record_and_the_chain(pool: SqlitePool) {
    let all_migrations = sqlx::migrate!("../migrations");
    let before_started = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(
            all_migrations
                .migrations
                .iter()
                .filter(|m| m.version < 7)
                .cloned()
                .collect(),
        ),
        ..sqlx::migrate!("../migrations")
    };
    before_started.run(&pool).await.unwrap();
    {
        let log = AuditLog::open(pool.clone()).await.unwrap();
        for i in 0..20 {
            log.append(AuditEntry::new("op", "10.0.0.1", format!("x.{i}")))
                .await
                .unwrap();
        }
    }
    all_migrations.run(&pool).await.unwrap();
    let log = AuditLog::open(pool.clone()).await.unwrap();
    assert_eq!(all(&log).await.len(), 20);
    log.append(AuditEntry::new("op", "10.0.0.1", "host.add").outcome(Outcome::Started, ""))
        .await
        .unwrap();
    assert!(log.verify().await.unwrap().is_intact());
    let edit = sqlx::query("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
        .execute(&pool)
        .await;
    assert!(edit.is_err(), "the append-only trigger is back");
}
