//! Audit log benchmark on file databases opened as the server opens its own.
//!
//! Prints figures, asserts nothing about time:
//! - append throughput through `AuditLog::append` (redaction, hash chain,
//!   one writer task committing what has queued together), against plain INSERTs of the same prepared rows
//!   without hashing, one per transaction, as the baseline (target ≥ 5,000
//!   records/s);
//! - on a log bulk-filled to TOTAL chained records: filtered pages p50/p95
//!   against an unfiltered first page as the baseline (target ≤ 50 ms), the
//!   time to verify the whole chain, and the database size.
//!
//! Run: `cargo run --release -p millwright --bin bench-audit [-- APPENDS TOTAL]`.

use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use app::audit::{chain, AuditEntry, AuditFilter, AuditLog, AuditRecord, Outcome, Target};
use app::store::audit as store;
use serde_json::json;
use sqlx::SqlitePool;
use time::OffsetDateTime;

type BenchResult<T> = Result<T, Box<dyn Error>>;

const ACTORS: u64 = 20;
const WORKSPACES: u64 = 8;
const ACTIONS: [&str; 10] = [
    "auth.sign_in",
    "host.add",
    "host.remove",
    "domain.start",
    "domain.stop",
    "domain.create",
    "domain.delete",
    "workspace.update",
    "user.create",
    "audit.read",
];
const HOSTS: u64 = 200;
/// Rows per transaction while bulk-filling.
const BULK: u64 = 50_000;
const ROUNDS: usize = 50;

/// xorshift64*: deterministic, so every run measures the same data.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// A plausible record: 20 actors, 8 workspaces, 10 actions, 200 hosts;
/// 85 % ok, 10 % denied, 5 % failed.
fn entry(rng: &mut Rng) -> AuditEntry {
    let host = rng.below(HOSTS);
    let (outcome, message) = match rng.below(100) {
        0..=9 => (Outcome::Denied, "operator role needed in this workspace"),
        10..=14 => (Outcome::Failed, "host unreachable"),
        _ => (Outcome::Ok, ""),
    };
    let mut entry = AuditEntry::new(
        format!("user-{:02}", rng.below(ACTORS)),
        format!("10.0.{}.{}", rng.below(4), rng.below(250)),
        ACTIONS[rng.below(ACTIONS.len() as u64) as usize],
    )
    .workspace(format!("ws-{}", rng.below(WORKSPACES)))
    .target(Target::new(
        "host",
        host.to_string(),
        format!("press-{host:03}"),
    ))
    .params(json!({"uri": format!("qemu+tcp://press-{host:03}/system"), "memory_mib": 2048}))
    .outcome(outcome, message)
    .duration_ms(rng.below(400) as i64);
    if outcome == Outcome::Ok {
        entry = entry.change(json!({"state": "shutoff"}), json!({"state": "running"}));
    }
    entry
}

/// Opens `path` with the server's settings (see `open_database`).
async fn open(path: &Path) -> BenchResult<SqlitePool> {
    Ok(millwright::open_sqlite(path, 8).await?)
}

/// `entry` as a row, with placeholder hashes instead of a chain.
fn unhashed(seq: i64, entry: AuditEntry) -> AuditRecord {
    let mut row = chain::seal(seq, chain::timestamp(OffsetDateTime::now_utc()), entry, "");
    row.prev_hash = chain::GENESIS_HASH.to_string();
    row.hash = chain::GENESIS_HASH.to_string();
    row
}

fn rate(n: usize, elapsed: Duration) -> f64 {
    n as f64 / elapsed.as_secs_f64()
}

/// Appends `entries` from 8 tasks at once, as requests do in the server;
/// the writer task commits whatever has queued together.
async fn bench_concurrent(
    log: &AuditLog,
    entries: &[AuditEntry],
    baseline: f64,
) -> BenchResult<()> {
    let started = Instant::now();
    let tasks: Vec<_> = entries
        .chunks(entries.len().div_ceil(8).max(1))
        .map(|chunk| {
            let (log, chunk) = (log.clone(), chunk.to_vec());
            tokio::spawn(async move {
                for e in chunk {
                    log.append(e).await?;
                }
                Ok::<_, sqlx::Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let concurrent = rate(entries.len(), started.elapsed());
    println!(
        "{:<52} {concurrent:>10.0} records/s   ({:.2}x baseline)",
        "AuditLog::append from 8 concurrent tasks",
        concurrent / baseline
    );
    Ok(())
}

/// Part (a): appends through the chain against plain INSERTs.
async fn bench_appends(dir: &Path, appends: usize) -> BenchResult<()> {
    println!("== appends: {appends} records, one transaction each ==");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let entries: Vec<AuditEntry> = (0..appends).map(|_| entry(&mut rng)).collect();

    let plain = open(&dir.join("plain.db")).await?;
    let rows: Vec<AuditRecord> = (1..)
        .zip(entries.iter().cloned())
        .map(|(seq, e)| unhashed(seq, e))
        .collect();
    let started = Instant::now();
    for row in &rows {
        store::insert(&plain, row).await?;
    }
    let baseline = rate(appends, started.elapsed());
    println!(
        "{:<52} {baseline:>10.0} records/s",
        "baseline: plain INSERT, no hashing"
    );

    let log = AuditLog::open(open(&dir.join("chained.db")).await?).await?;
    let started = Instant::now();
    for e in entries.iter().cloned() {
        log.append(e).await?;
    }
    let chained = rate(appends, started.elapsed());
    println!(
        "{:<52} {chained:>10.0} records/s   ({:.2}x baseline, target >= 5000)",
        "AuditLog::append (redact + chain + INSERT)",
        chained / baseline
    );

    bench_concurrent(&log, &entries, baseline).await?;
    let report = log.verify().await?;
    println!(
        "chain after appends: {} records, intact: {}\n",
        report.checked,
        report.is_intact()
    );
    Ok(())
}

/// Bulk-fills `pool` with `total` chained records, three seconds apart.
async fn fill(pool: &SqlitePool, total: u64) -> BenchResult<()> {
    let base = OffsetDateTime::from_unix_timestamp(1_767_225_600)?; // 2026-01-01
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut prev = chain::GENESIS_HASH.to_string();
    let mut seq = 1;
    while seq <= total {
        let mut tx = pool.begin().await?;
        for seq in seq..(seq + BULK).min(total + 1) {
            let at = base + time::Duration::milliseconds(seq as i64 * 3_000 + (seq % 997) as i64);
            let record = chain::seal(seq as i64, chain::timestamp(at), entry(&mut rng), &prev);
            store::insert(&mut *tx, &record).await?;
            prev = record.hash;
        }
        tx.commit().await?;
        seq += BULK;
    }
    Ok(())
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Times `filter` over `ROUNDS` runs; prints p50/p95 and the ratio of p50 to
/// `baseline` (when given). Returns p50 and the page.
async fn time_page(
    log: &AuditLog,
    label: &str,
    filter: &AuditFilter,
    baseline: Option<Duration>,
) -> BenchResult<(Duration, Vec<AuditRecord>)> {
    let mut samples = Vec::with_capacity(ROUNDS);
    let mut page = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        page = log.page(filter).await?;
        samples.push(started.elapsed());
    }
    let p50 = percentile(&mut samples, 0.5);
    let p95 = percentile(&mut samples, 0.95);
    let ratio = baseline.map_or(String::new(), |b| {
        format!("  ({:.2}x)", p50.as_secs_f64() / b.as_secs_f64())
    });
    println!(
        "{label:<52} p50 {:>8.3} ms  p95 {:>8.3} ms  rows {:>3}{ratio}",
        ms(p50),
        ms(p95),
        page.len()
    );
    Ok((p50, page))
}

/// A filter with `set` applied to the defaults (page size 50).
fn filter(set: impl FnOnce(&mut AuditFilter)) -> AuditFilter {
    let mut f = AuditFilter::default();
    set(&mut f);
    f
}

/// The actor + outcome filter, its keyset second page and a page deep in
/// the past, against the unfiltered first page `base`.
async fn bench_keyset(log: &AuditLog, total: u64, base: Duration) -> BenchResult<()> {
    let b = Some(base);
    let denied = filter(|f| {
        f.actor = Some("user-07".into());
        f.outcome = Some(Outcome::Denied);
    });
    let (_, first) = time_page(log, "actor = user-07 AND outcome = denied", &denied, b).await?;
    let next = AuditFilter {
        before_seq: first.last().map(|r| r.seq),
        ..denied.clone()
    };
    time_page(log, "  same, keyset second page", &next, b).await?;
    let deep = AuditFilter {
        before_seq: Some(total as i64 / 10),
        ..denied
    };
    time_page(
        log,
        "  same, keyset page deep in the past (seq < 10 %)",
        &deep,
        b,
    )
    .await?;
    Ok(())
}

/// Filtered pages of a `total`-record log against the unfiltered first page.
async fn bench_pages(log: &AuditLog, total: u64) -> BenchResult<()> {
    let (base, _) = time_page(
        log,
        "baseline: unfiltered first page, 50",
        &filter(|_| {}),
        None,
    )
    .await?;
    bench_keyset(log, total, base).await?;
    let middle = OffsetDateTime::from_unix_timestamp(1_767_225_600 + total as i64 * 3 / 2)?;
    let cases = [
        (
            "workspace = ws-3 AND action prefix domain.",
            filter(|f| {
                f.workspace = Some("ws-3".into());
                f.action = Some("domain.".into());
            }),
        ),
        (
            "action prefix host. alone",
            filter(|f| f.action = Some("host.".into())),
        ),
        (
            "target = press-042 (id or name)",
            filter(|f| f.target = Some("press-042".into())),
        ),
        // `target_name` has no index: a target with few records walks the table.
        (
            "target = press-999 (no match: full walk)",
            filter(|f| f.target = Some("press-999".into())),
        ),
        (
            "one-hour window in the middle",
            filter(|f| {
                f.from = Some(chain::timestamp(middle));
                f.to = Some(chain::timestamp(middle + time::Duration::hours(1)));
            }),
        ),
    ];
    for (label, f) in &cases {
        time_page(log, label, f, Some(base)).await?;
    }
    Ok(())
}

/// Part (b): pages, verification and size of a large log.
async fn bench_large(dir: &Path, total: u64) -> BenchResult<()> {
    println!("== a log of {total} records ==");
    let path = dir.join("large.db");
    let pool = open(&path).await?;
    let started = Instant::now();
    fill(&pool, total).await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "bulk fill with chain: {secs:.1} s ({:.0} records/s)",
        total as f64 / secs
    );
    let log = AuditLog::open(pool.clone()).await?;
    bench_pages(&log, total).await?;

    let started = Instant::now();
    let report = log.verify().await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "verify: {} records in {secs:.2} s ({:.0} records/s), intact: {}",
        report.checked,
        report.checked as f64 / secs,
        report.is_intact()
    );
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await?;
    let size = std::fs::metadata(&path)?.len();
    println!(
        "database size: {:.1} MiB ({:.0} bytes/record)",
        size as f64 / 1_048_576.0,
        size as f64 / total as f64
    );
    pool.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let mut args = std::env::args().skip(1);
    let appends: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let total: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("millwright-bench-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = async {
        bench_appends(&dir, appends).await?;
        bench_large(&dir, total).await
    }
    .await;
    std::fs::remove_dir_all(&dir)?;
    result
}
