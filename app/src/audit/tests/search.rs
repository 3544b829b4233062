//! Searches and exports: filters, keyset pages, CSV.

use futures::TryStreamExt;
use sqlx::SqlitePool;

use crate::audit::export::csv_batches;
use crate::audit::record::{AuditEntry, AuditFilter, AuditRecord, Outcome, Target};
use crate::audit::AuditLog;
use crate::store::audit::prefix_end;

/// A varied log: 30 records across 3 actors, 2 workspaces, 3 actions, 5
/// targets and all outcomes.
async fn varied(log: &AuditLog) -> Vec<AuditRecord> {
    let mut records = Vec::new();
    for i in 0..30 {
        let outcome = [Outcome::Ok, Outcome::Denied, Outcome::Failed][i % 3];
        let action = ["host.add", "host.remove", "domain.start"][i % 4 % 3];
        let entry = AuditEntry::new(["alice", "bob", "carol"][i % 3], "s", action)
            .workspace(["press", "paint"][i % 2])
            .target(Target::new(
                "host",
                (i % 5).to_string(),
                format!("Press {}", i % 5),
            ))
            .outcome(outcome, "");
        records.push(log.append(entry).await.unwrap());
    }
    records
}

/// The seqs `filter` should return from `all`, newest first.
fn expected(
    all: &[AuditRecord],
    filter: &AuditFilter,
    keep: impl Fn(&AuditRecord) -> bool,
) -> Vec<i64> {
    let before = filter.before_seq.unwrap_or(i64::MAX);
    let matching = all.iter().rev().filter(|r| r.seq < before && keep(r));
    matching
        .take(filter.page_size() as usize)
        .map(|r| r.seq)
        .collect()
}

/// Which of the records a filter should select.
type Keep<'a> = Box<dyn Fn(&AuditRecord) -> bool + 'a>;

/// The seqs of the page `filter` returns.
async fn page(log: &AuditLog, filter: &AuditFilter) -> Vec<i64> {
    log.page(filter)
        .await
        .unwrap()
        .iter()
        .map(|r| r.seq)
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn keyset_pages_run_newest_first(pool: SqlitePool) {
    let log = AuditLog::open(pool).await.unwrap();
    varied(&log).await;
    let mut filter = AuditFilter {
        limit: 4,
        ..Default::default()
    };
    assert_eq!(page(&log, &filter).await, [30, 29, 28, 27]);
    filter.before_seq = Some(27);
    assert_eq!(page(&log, &filter).await, [26, 25, 24, 23]);
    filter.before_seq = Some(3);
    assert_eq!(page(&log, &filter).await, [2, 1]);
    assert_eq!(page(&log, &AuditFilter::default()).await.len(), 30);
    let tiny = AuditFilter {
        limit: 0,
        ..Default::default()
    };
    assert_eq!(page(&log, &tiny).await, [30]);
}

/// The default filter with `set` applied.
fn by(set: impl FnOnce(&mut AuditFilter)) -> AuditFilter {
    let mut filter = AuditFilter::default();
    set(&mut filter);
    filter
}

/// Checks that each filter pages exactly the records its `Keep` selects.
async fn check(log: &AuditLog, all: &[AuditRecord], cases: Vec<(AuditFilter, Keep<'_>)>) {
    for (filter, keep) in cases {
        let want = expected(all, &filter, keep);
        assert_eq!(page(log, &filter).await, want, "{filter:?}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn equality_filters_select_their_rows(pool: SqlitePool) {
    let log = AuditLog::open(pool).await.unwrap();
    let all = varied(&log).await;
    let bob_denied = |f: &mut AuditFilter| {
        f.actor = Some("bob".into());
        f.outcome = Some(Outcome::Denied);
        f.limit = 3;
    };
    let cases: Vec<(AuditFilter, Keep)> = vec![
        (
            by(bob_denied),
            Box::new(|r| r.actor == "bob" && r.outcome == Outcome::Denied),
        ),
        (
            by(|f| {
                bob_denied(f);
                f.before_seq = Some(14);
            }),
            Box::new(|r| r.actor == "bob" && r.outcome == Outcome::Denied),
        ),
        (
            by(|f| f.workspace = Some("press".into())),
            Box::new(|r| r.workspace == "press"),
        ),
        (
            by(|f| f.outcome = Some(Outcome::Failed)),
            Box::new(|r| r.outcome == Outcome::Failed),
        ),
        (
            by(|f| f.target = Some("3".into())),
            Box::new(|r| r.target_id == "3"),
        ),
        (
            by(|f| f.target = Some("Press 3".into())),
            Box::new(|r| r.target_id == "3"),
        ),
        (by(|f| f.actor = Some("nobody".into())), Box::new(|_| false)),
    ];
    check(&log, &all, cases).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn prefix_and_time_filters_select_their_rows(pool: SqlitePool) {
    let log = AuditLog::open(pool).await.unwrap();
    let all = varied(&log).await;
    let from = all[9].at.clone();
    let cases: Vec<(AuditFilter, Keep)> = vec![
        (
            by(|f| {
                f.workspace = Some("paint".into());
                f.action = Some("host.".into());
            }),
            Box::new(|r| r.workspace == "paint" && r.action.starts_with("host.")),
        ),
        (
            by(|f| f.action = Some("host.add".into())),
            Box::new(|r| r.action == "host.add"),
        ),
        // A prefix is not a pattern, and it is case-sensitive.
        (by(|f| f.action = Some("host%".into())), Box::new(|_| false)),
        (by(|f| f.action = Some("HOST.".into())), Box::new(|_| false)),
        (
            by(|f| {
                f.from = Some(from.clone());
                f.to = Some("9999".into());
            }),
            Box::new(|r| r.at >= from),
        ),
        (by(|f| f.to = Some(all[0].at.clone())), Box::new(|_| false)),
    ];
    check(&log, &all, cases).await;
}

#[sqlx::test(migrations = "../migrations")]
async fn a_prefix_over_many_actions_falls_back_to_a_scan(pool: SqlitePool) {
    let log = AuditLog::open(pool).await.unwrap();
    let mut all = varied(&log).await;
    for i in 0..70 {
        let entry = AuditEntry::new("dave", "s", format!("bulk.a{i:02}"));
        all.push(log.append(entry).await.unwrap());
    }
    all.extend(varied(&log).await);
    for limit in [5, 500] {
        let filter = AuditFilter {
            action: Some("bulk.".into()),
            limit,
            ..Default::default()
        };
        let want = expected(&all, &filter, |r| r.action.starts_with("bulk."));
        assert_eq!(page(&log, &filter).await, want);
    }
}

#[test]
fn prefix_ends_sort_after_every_extension() {
    assert_eq!(prefix_end("host.").as_deref(), Some("host/"));
    assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
    assert_eq!(prefix_end("\u{D7FF}").as_deref(), Some("\u{E000}"));
    assert_eq!(prefix_end("\u{10FFFF}"), None);
}

const CSV_HEADER: &str = "seq,at,actor,source,workspace,action,target_kind,target_id,\
    target_name,params,before,after,outcome,message,duration_ms,prev_hash,hash";

#[sqlx::test(migrations = "../migrations")]
async fn csv_export_streams_every_matching_record(pool: SqlitePool) {
    let log = AuditLog::open(pool.clone()).await.unwrap();
    let all = varied(&log).await;
    let tricky = AuditEntry::new("alice", "s", "host.rename")
        .target(Target::new("host", "1", "Press, \"big\" one"))
        .outcome(Outcome::Failed, "line one\r\nline two");
    let tricky = log.append(tricky).await.unwrap();

    let alice = AuditFilter {
        actor: Some("alice".into()),
        limit: 2,
        ..Default::default()
    };
    // Batches of 3 cross several batches; `limit` does not cut the export.
    let chunks: Vec<String> = csv_batches(pool, alice.clone(), 3)
        .try_collect()
        .await
        .unwrap();
    let csv = chunks.concat();
    let whole: Vec<String> = log.csv(&alice).try_collect().await.unwrap();
    assert_eq!(csv, whole.concat());
    assert!(csv.ends_with("\r\n"));

    let mut lines = csv.split("\r\n");
    assert_eq!(lines.next(), Some(CSV_HEADER));
    let (seq, at) = (tricky.seq, &tricky.at);
    let first = format!(
        "{seq},{at},alice,s,,host.rename,host,1,\"Press, \"\"big\"\" one\",null,null,null,failed,\"line one"
    );
    assert_eq!(lines.next(), Some(first.as_str()));
    let second = format!("line two\",0,{},{}", tricky.prev_hash, tricky.hash);
    assert_eq!(lines.next(), Some(second.as_str()));
    let rest: Vec<i64> = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    let everything = AuditFilter {
        limit: 500,
        ..alice
    };
    assert_eq!(rest, expected(&all, &everything, |r| r.actor == "alice"));
}
