//! Utilization history benchmark on file databases opened as the server
//! opens its own. Prints figures, asserts nothing about time:
//! - ingestion of collection rounds of DOMAINS domains (plus their hosts):
//!   rates from counters, minute rollups, closed minutes merged into hours
//!   and days, one transaction per round — CPU time per round, and
//!   throughput as a ratio to plain batched INSERTs of the same rows into
//!   the same schema in the same run (target ≥ 50 %);
//! - serving a 30-day chart from 1-minute rollups (read + SVG render) for
//!   one host (target ≤ 30 ms) and for the fleet, stacked by host, of
//!   hosts carrying DOMAINS domains (target ≤ 150 ms);
//! - database bytes per domain per day at the default retentions.
//!
//! Run: `cargo run --release -p millwright --bin bench-history [-- DOMAINS ROUNDS]`.

use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use app::history::chart::{render, Palette};
use app::history::metric::{Values, M};
use app::history::panel::{build, Request};
use app::history::range::{Resolution, Retention, Span, Window};
use app::history::rate::{domain_values, DomainCounters};
use app::history::rollup::{bucket, Agg, Closed, Minutes, MINUTE};
use app::history::view::{Panel, Target};
use app::history::Settings;
use app::i18n::Locale;
use app::store::history::{self as store, SeriesInfo, SeriesKey};
use sqlx::SqlitePool;

type BenchResult<T> = Result<T, Box<dyn Error>>;

const HOSTS: usize = 20;
const T0: i64 = 1_767_225_600; // 2026-01-01, a minute boundary

async fn open(path: &Path) -> BenchResult<SqlitePool> {
    let _ = std::fs::remove_file(path);
    Ok(millwright::open_sqlite(path, 4).await?)
}

/// This process's user + system CPU time (from /proc, 10 ms ticks).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // Fields 14 and 15 of the line; `after` starts at field 3.
    let ticks = f.get(10).copied().unwrap_or(0) + f.get(11).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

async fn make_series(pool: &SqlitePool, kind: &'static str, n: usize) -> BenchResult<Vec<i64>> {
    let mut conn = pool.acquire().await?;
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let key = if kind == "host" {
            i.to_string()
        } else {
            format!("{kind}-{i:05}")
        };
        let k = SeriesKey {
            dataset: app::history::LIVE,
            kind,
            key: &key,
        };
        let info = SeriesInfo {
            label: key.clone(),
            host_id: Some((i % HOSTS) as i64),
            workspace: None,
        };
        ids.push(store::upsert_series(&mut conn, &k, &info).await?);
    }
    Ok(ids)
}

/// Domain `i`'s counters in round `r`: busy in proportion to `i`.
fn counters(i: usize, r: i64) -> DomainCounters {
    let t_ms = (T0 + r * 10) * 1000;
    let load = (i % 100) as u64 + 1;
    DomainCounters {
        host_id: (i % HOSTS) as i64,
        t_ms,
        running: true,
        vcpus: 2,
        cpu_ns: Some(r as u64 * load * 200_000_000),
        mem_used_kib: Some(1_048_576 + (i as u64 * 4_096) % 524_288),
        mem_alloc_kib: Some(2_097_152),
        rd_bytes: Some(r as u64 * load * 40_960),
        wr_bytes: Some(r as u64 * load * 20_480),
        rx_bytes: Some(r as u64 * load * 8_192),
        tx_bytes: Some(r as u64 * load * 4_096),
    }
}

/// The rows of every round, computed up front so both paths store the same.
fn rounds(domains: usize, n: i64) -> Vec<Vec<Values>> {
    (0..n)
        .map(|r| {
            (0..domains)
                .map(|i| {
                    let prev = (r > 0).then(|| counters(i, r - 1));
                    domain_values(prev.as_ref(), &counters(i, r), 32, 60_000)
                })
                .collect()
        })
        .collect()
}

async fn ingest(
    dir: &Path,
    domains: usize,
    data: &[Vec<Values>],
    with_rollups: bool,
) -> BenchResult<Ingest> {
    let path = dir.join(if with_rollups {
        "collector.db"
    } else {
        "baseline.db"
    });
    let pool = open(&path).await?;
    let ids = make_series(&pool, "domain", domains).await?;
    let mut minutes = Minutes::default();
    let (wall, cpu) = (Instant::now(), cpu_time());
    for (r, round) in data.iter().enumerate() {
        let t = T0 + r as i64 * 10;
        let rows: Vec<(i64, Values)> = ids.iter().copied().zip(round.iter().copied()).collect();
        if with_rollups {
            let minute = bucket(t, MINUTE);
            let closed = minutes.close_before(minute);
            for (s, v) in &rows {
                minutes.add(*s, t, v);
            }
            store::write_round(&pool, t, &rows, &closed, minute).await?;
        } else {
            let mut tx = pool.begin().await?;
            store::insert_raw(&mut tx, t, &rows).await?;
            tx.commit().await?;
        }
    }
    let out = (wall.elapsed(), cpu_time().saturating_sub(cpu));
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await?;
    let rollups: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM history_1m) + (SELECT count(*) FROM history_1h)
                + (SELECT count(*) FROM history_1d)",
    )
    .fetch_one(&pool)
    .await?;
    pool.close().await;
    let bytes = std::fs::metadata(&path)?.len();
    Ok(Ingest {
        wall: out.0,
        cpu: out.1,
        bytes,
        rollups: rollups as u64,
    })
}

/// One ingestion run: time, CPU time, file size, rollup rows written.
struct Ingest {
    wall: Duration,
    cpu: Duration,
    bytes: u64,
    rollups: u64,
}

/// 30 days of 1-minute rollups for `hosts` host series.
async fn fill_month(pool: &SqlitePool, hosts: usize) -> BenchResult<Vec<i64>> {
    let ids = make_series(pool, "host", hosts).await?;
    for day in 0..30 {
        let mut closed = Vec::with_capacity(hosts * 1440);
        for (h, &id) in ids.iter().enumerate() {
            for m in 0..1440 {
                let minute = T0 + (day * 1440 + m) * 60;
                let mut v: Values = [None; M];
                v[0] = Some((m * 7 + h as i64 * 13) % 10_000);
                v[2] = Some((m * 11 + h as i64 * 17) % 32_000);
                v[4] = Some(64 << 20);
                v[5] = Some(128 << 20);
                v[10] = Some(100);
                let mut agg = Agg::default();
                for _ in 0..6 {
                    agg.add(&v);
                }
                closed.push(Closed {
                    series: id,
                    minute,
                    agg,
                });
            }
        }
        let mut conn = pool.acquire().await?;
        // Minutes only: one 1-minute row per host and minute.
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        store::write_closed(&mut tx, &closed).await?;
        tx.commit().await?;
    }
    Ok(ids)
}

async fn serve(
    pool: &SqlitePool,
    target: Target,
    fleet: Vec<i64>,
    reps: usize,
) -> BenchResult<(Duration, usize)> {
    let settings = Settings {
        retention: Retention {
            minute: 31 * 86_400,
            ..Retention::default()
        },
        ..Settings::default()
    };
    let now = T0 + 30 * 86_400;
    let req = Request {
        target,
        panel: Panel::Cpu,
        window: Window {
            span: Span::Month,
            from: T0,
            to: now,
        },
        now,
        palette: Palette::Light,
        locale: Locale::En,
        dataset: app::history::LIVE.into(),
        fleet_hosts: fleet,
        resolution: Some(Resolution::Minute),
        downsample: true,
    };
    let mut times = Vec::new();
    let mut size = 0;
    // Every minute of the month is there (SQLite aggregates them for the chart).
    let full = Request {
        downsample: false,
        ..req.clone()
    };
    let lines = build(pool, &settings, &full).await?.lines;
    let points: usize = lines.iter().map(|l| l.points.len()).sum();
    assert!(points >= 43_200, "a month of minutes ({points} points)");
    let mut reads = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let spec = build(pool, &settings, &req).await?;
        reads.push(t.elapsed());
        size = render(&spec).len();
        times.push(t.elapsed());
    }
    times.sort();
    reads.sort();
    println!(
        "    (of which reading: {:.1} ms median)",
        ms(reads[reads.len() / 2])
    );
    Ok((times[times.len() / 2], size))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let domains = args.first().copied().unwrap_or(2_000);
    let n = args.get(1).copied().unwrap_or(60) as i64;
    let dir = std::env::temp_dir().join(format!("mw-bench-history-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let data = rounds(domains, n);
    println!(
        "ingestion: {n} rounds of {domains} domains ({} minutes of collection)",
        n / 6
    );
    let base = ingest(&dir, domains, &data, false).await?;
    let coll = ingest(&dir, domains, &data, true).await?;
    let per = |d: Duration| ms(d) / n as f64;
    println!(
        "  baseline (batched INSERT, raw only): {:.2} ms/round wall, {:.2} ms/round CPU",
        per(base.wall),
        per(base.cpu)
    );
    println!(
        "  collector path (raw + rollups):      {:.2} ms/round wall, {:.2} ms/round CPU",
        per(coll.wall),
        per(coll.cpu)
    );
    let ratio = 100.0 * base.wall.as_secs_f64() / coll.wall.as_secs_f64();
    println!("  throughput ratio collector/baseline: {ratio:.0} % (target ≥ 50 %)");
    let raw_row = base.bytes as f64 / (domains as f64 * n as f64);
    // The collector's file holds the same raw rows plus its rollup rows.
    let rollup_row = coll.bytes.saturating_sub(base.bytes) as f64 / coll.rollups.max(1) as f64;
    println!("  bytes per raw sample {raw_row:.1}, per domain rollup row {rollup_row:.1} ({} rollup rows)", coll.rollups);

    let pool = open(&dir.join("month.db")).await?;
    let fill = Instant::now();
    let hosts = fill_month(&pool, HOSTS).await?;
    println!(
        "30 days of 1-minute rollups for {HOSTS} hosts filled in {:.1} s",
        fill.elapsed().as_secs_f64()
    );
    let (one, svg) = serve(&pool, Target::Host(0), Vec::new(), 15).await?;
    let keys: Vec<i64> = (0..hosts.len() as i64).collect();
    println!("  one host, 30 days from 1-minute rollups: {:.1} ms median (read + SVG, {svg} B) (target ≤ 30 ms)", ms(one));
    let (fleet, svg) = serve(&pool, Target::Fleet, keys, 7).await?;
    println!("  fleet of {domains} domains on {HOSTS} hosts, stacked: {:.1} ms median ({svg} B) (target ≤ 150 ms)", ms(fleet));
    pool.close().await;
    let day = 8_640.0 * raw_row + (1_440.0 + 24.0 + 1.0) * rollup_row;
    let keep = Retention::default();
    let rollup_rows = (keep.minute / 60) + (keep.hour / 3_600) + (keep.day / 86_400);
    let steady = (keep.raw / 10) as f64 * raw_row + rollup_rows as f64 * rollup_row;
    println!("storage at the default retentions (10 s interval):");
    println!(
        "  written per domain per day: {:.2} MB; held per domain in steady state: {:.2} MB",
        day / 1e6,
        steady / 1e6
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
