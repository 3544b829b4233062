//! The history tables (migration 0004): series, raw samples, rollups and
//! pruning. Writes of one collection round share one transaction.

use std::sync::OnceLock;

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

use super::metric::{Metric, Values, M};
use super::range::{Resolution, Retention};
use super::rollup::{bucket, Closed, DAY, HOUR};

/// Rows per multi-row statement (13–25 bound values each; SQLite allows
/// 32,766 per statement).
const CHUNK: usize = 1_000;
const WATERMARK: &str = "minute_watermark";

/// What a series is: a domain, host or workspace within a data set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesKey<'a> {
    pub dataset: &'a str,
    pub kind: &'a str,
    pub key: &'a str,
}

/// A series' descriptive fields, updated when they change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeriesInfo {
    pub label: String,
    pub host_id: Option<i64>,
    pub workspace: Option<String>,
}

/// The id of a series, creating it or updating its description.
pub async fn upsert_series(
    conn: &mut SqliteConnection,
    k: &SeriesKey<'_>,
    info: &SeriesInfo,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO history_series (dataset, kind, key, label, host_id, workspace)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (dataset, kind, key) DO UPDATE SET
           label = excluded.label, host_id = excluded.host_id, workspace = excluded.workspace
         RETURNING id",
    )
    .bind(k.dataset)
    .bind(k.kind)
    .bind(k.key)
    .bind(&info.label)
    .bind(info.host_id)
    .bind(&info.workspace)
    .fetch_one(conn)
    .await
}

/// Series ids of a data set and kind, optionally only those keys.
pub async fn find_series(
    pool: &SqlitePool,
    dataset: &str,
    kind: &str,
    keys: Option<&[String]>,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    let mut q =
        QueryBuilder::<Sqlite>::new("SELECT id, key, label FROM history_series WHERE dataset = ");
    q.push_bind(dataset).push(" AND kind = ").push_bind(kind);
    if let Some(keys) = keys {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        q.push(" AND key IN (");
        let mut sep = q.separated(", ");
        for k in keys {
            sep.push_bind(k);
        }
        q.push(")");
    }
    q.push(" ORDER BY label, key");
    let rows = q.build().fetch_all(pool).await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

fn metric_columns(prefix: &str) -> String {
    Metric::ALL
        .iter()
        .map(|m| format!("{prefix}{}", m.column()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts one round's raw samples, all at time `t`. Also the baseline the
/// ingestion benchmark compares against.
pub async fn insert_raw(
    conn: &mut SqliteConnection,
    t: i64,
    rows: &[(i64, Values)],
) -> Result<(), sqlx::Error> {
    static HEAD: OnceLock<String> = OnceLock::new();
    let head = HEAD.get_or_init(|| {
        format!(
            "INSERT OR REPLACE INTO history_raw (series, t, {}) ",
            metric_columns("")
        )
    });
    for chunk in rows.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new(head.as_str());
        q.push_values(chunk, |mut b, (series, v)| {
            b.push_bind(series).push_bind(t);
            for x in v {
                b.push_bind(x);
            }
        });
        q.build().persistent(false).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes closed minutes to the 1-minute table and merges them into their
/// hours and days.
pub async fn write_closed(
    conn: &mut SqliteConnection,
    closed: &[Closed],
) -> Result<(), sqlx::Error> {
    for (table, step) in [("history_1m", 0), ("history_1h", HOUR), ("history_1d", DAY)] {
        for chunk in closed.chunks(CHUNK) {
            upsert_rollups(conn, table, step, chunk).await?;
        }
    }
    Ok(())
}

async fn upsert_rollups(
    conn: &mut SqliteConnection,
    table: &str,
    step: i64,
    chunk: &[Closed],
) -> Result<(), sqlx::Error> {
    let cols = format!("{}, {}", metric_columns("s_"), metric_columns("x_"));
    let mut q = QueryBuilder::<Sqlite>::new(format!("INSERT INTO {table} (series, t, n, {cols}) "));
    q.push_values(chunk, |mut b, c| {
        let t = if step == 0 {
            c.minute
        } else {
            bucket(c.minute, step)
        };
        b.push_bind(c.series).push_bind(t).push_bind(c.agg.n);
        for x in c.agg.sum.iter().chain(c.agg.max.iter()) {
            b.push_bind(*x);
        }
    });
    // A minute is written once (the watermark commits with it); hours and
    // days merge their minutes: counts and sums add, maxima take the larger.
    let mut set = vec!["n = n + excluded.n".to_string()];
    for m in Metric::ALL {
        let c = m.column();
        set.push(format!(
            "s_{c} = coalesce(s_{c} + excluded.s_{c}, s_{c}, excluded.s_{c})"
        ));
        set.push(format!(
            "x_{c} = coalesce(max(x_{c}, excluded.x_{c}), x_{c}, excluded.x_{c})"
        ));
    }
    if step == 0 {
        q.push(" ON CONFLICT (series, t) DO NOTHING");
    } else {
        q.push(format!(
            " ON CONFLICT (series, t) DO UPDATE SET {}",
            set.join(", ")
        ));
    }
    q.build().persistent(false).execute(&mut *conn).await?;
    Ok(())
}

/// One collection round in one transaction: raw samples, the minutes that
/// closed, and the watermark saying which minutes are folded.
pub async fn write_round(
    pool: &SqlitePool,
    t: i64,
    rows: &[(i64, Values)],
    closed: &[Closed],
    watermark: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    insert_raw(&mut tx, t, rows).await?;
    if !closed.is_empty() {
        write_closed(&mut tx, closed).await?;
    }
    set_watermark(&mut tx, watermark).await?;
    tx.commit().await
}

async fn set_watermark(conn: &mut SqliteConnection, minute: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO history_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)")
        .bind(WATERMARK)
        .bind(minute)
        .execute(conn)
        .await?;
    Ok(())
}

/// After a restart: the first minute not yet folded into the rollups and
/// the raw samples from it on, to rebuild the open minutes.
pub async fn recover(pool: &SqlitePool) -> Result<(i64, Vec<(i64, i64, Values)>), sqlx::Error> {
    let watermark: Option<i64> = sqlx::query_scalar("SELECT value FROM history_meta WHERE key = ?")
        .bind(WATERMARK)
        .fetch_optional(pool)
        .await?;
    let Some(watermark) = watermark else {
        return Ok((0, Vec::new()));
    };
    let sql = format!(
        "SELECT r.series, r.t, {} FROM history_raw r JOIN history_series s ON s.id = r.series
         WHERE s.dataset = 'live' AND r.t >= ? ORDER BY r.t",
        metric_columns("r.")
    );
    let rows = sqlx::query(&sql).bind(watermark).fetch_all(pool).await?;
    let samples = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), values_at(r, 2)))
        .collect();
    Ok((watermark, samples))
}

fn values_at(r: &SqliteRow, first: usize) -> Values {
    let mut v = [None; M];
    for (i, x) in v.iter_mut().enumerate() {
        *x = r.get(first + i);
    }
    v
}

/// One point of a series read for a chart (display units not applied).
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub series: i64,
    pub t: i64,
    pub avg: [Option<f64>; M],
    pub max: Values,
}

/// The points of `series` in `[from, to)` at resolution `res`, ordered by
/// series then time (one range scan per series on the primary key).
pub async fn read(
    pool: &SqlitePool,
    res: Resolution,
    series: &[i64],
    from: i64,
    to: i64,
) -> Result<Vec<Point>, sqlx::Error> {
    read_metrics(pool, res, series, (from, to), &Metric::ALL, None).await
}

/// [`read`] of only `metrics` (the others stay `None`): a chart decodes
/// two or three columns of a row, not twenty-two. With `buckets`
/// (`(origin, width)`), SQLite aggregates the rows of each bucket (counts and
/// sums add, maxima take the largest) and returns one point per bucket,
/// stamped with its start.
pub async fn read_metrics(
    pool: &SqlitePool,
    res: Resolution,
    series: &[i64],
    (from, to): (i64, i64),
    metrics: &[Metric],
    buckets: Option<(i64, i64)>,
) -> Result<Vec<Point>, sqlx::Error> {
    if series.is_empty() || metrics.is_empty() {
        return Ok(Vec::new());
    }
    let raw = res == Resolution::Raw;
    if let (false, Some(b)) = (raw, buckets) {
        return read_buckets(pool, res, series, (from, to), metrics, b).await;
    }
    let cols: Vec<String> = metrics
        .iter()
        .map(|m| {
            let c = m.column();
            match (raw, buckets.is_some()) {
                (true, false) => format!("{c}, {c}"),
                (false, false) => format!("s_{c}, x_{c}"),
                (true, true) => format!("sum({c}), max({c})"),
                (false, true) => format!("sum(s_{c}), max(x_{c})"),
            }
        })
        .collect();
    let (t, n) = match buckets {
        Some((origin, w)) => (
            format!("{origin} + ((t - {origin}) / {w}) * {w}"),
            if raw { "count(*)" } else { "sum(n)" },
        ),
        None => ("t".to_string(), if raw { "1" } else { "n" }),
    };
    let mut q = QueryBuilder::<Sqlite>::new(format!(
        "SELECT series, {t} AS b, {n}, {} FROM {} WHERE series IN (",
        cols.join(", "),
        res.table()
    ));
    let mut sep = q.separated(", ");
    for s in series {
        sep.push_bind(*s);
    }
    q.push(") AND t >= ")
        .push_bind(from)
        .push(" AND t < ")
        .push_bind(to);
    if buckets.is_some() {
        q.push(" GROUP BY series, b");
    }
    q.push(" ORDER BY series, b");
    let rows = q.build().fetch_all(pool).await?;
    Ok(rows.iter().map(|r| point(r, metrics)).collect())
}

/// Rollups aggregated per bucket by range seeks per series and bucket
/// (correlated subqueries): unlike `GROUP BY` on a computed bucket, this
/// needs no sorter, so a month of minutes for twenty hosts reads in tens of
/// milliseconds.
async fn read_buckets(
    pool: &SqlitePool,
    res: Resolution,
    series: &[i64],
    (from, to): (i64, i64),
    metrics: &[Metric],
    (origin, w): (i64, i64),
) -> Result<Vec<Point>, sqlx::Error> {
    bucket_query(pool, res, series, (from, to), metrics, (origin, w), true).await
}

/// [`read_buckets`] without maxima (half the work).
pub async fn read_averages(
    pool: &SqlitePool,
    res: Resolution,
    series: &[i64],
    window: (i64, i64),
    metrics: &[Metric],
    buckets: (i64, i64),
) -> Result<Vec<Point>, sqlx::Error> {
    if series.is_empty() || metrics.is_empty() {
        return Ok(Vec::new());
    }
    bucket_query(pool, res, series, window, metrics, buckets, false).await
}

async fn bucket_query(
    pool: &SqlitePool,
    res: Resolution,
    series: &[i64],
    (from, to): (i64, i64),
    metrics: &[Metric],
    (origin, w): (i64, i64),
    maxima: bool,
) -> Result<Vec<Point>, sqlx::Error> {
    let table = res.table();
    let range = format!(
        "FROM {table} WHERE series = s.id AND t >= max(b.t, {from}) AND t < min(b.t + {w}, {to})"
    );
    let cols: Vec<String> = metrics
        .iter()
        .map(|m| {
            let c = m.column();
            let max = if maxima {
                format!("(SELECT max(x_{c}) {range})")
            } else {
                "NULL".into()
            };
            format!("(SELECT sum(s_{c}) * 1.0 / sum(n) {range}), {max}")
        })
        .collect();
    let first = origin + (from - origin).div_euclid(w) * w;
    let mut q = QueryBuilder::<Sqlite>::new(format!(
        "WITH RECURSIVE b(t) AS (SELECT {first} UNION ALL SELECT t + {w} FROM b WHERE t + {w} < {to}), s(id) AS (VALUES "
    ));
    let mut sep = q.separated(", ");
    for id in series {
        sep.push("(")
            .push_bind_unseparated(*id)
            .push_unseparated(")");
    }
    q.push(format!(
        ") SELECT s.id, b.t, {} FROM s CROSS JOIN b",
        cols.join(", ")
    ));
    let rows = q.build().fetch_all(pool).await?;
    let mut points: Vec<Point> = rows
        .iter()
        .map(|r| {
            let mut p = Point {
                series: r.get(0),
                t: r.get(1),
                avg: [None; M],
                max: [None; M],
            };
            for (k, m) in metrics.iter().enumerate() {
                p.avg[m.index()] = r.get(2 + 2 * k);
                p.max[m.index()] = r.get(3 + 2 * k);
            }
            p
        })
        .filter(|p| p.avg.iter().any(Option::is_some))
        .collect();
    points.sort_by_key(|p| (p.series, p.t));
    Ok(points)
}

fn point(r: &SqliteRow, metrics: &[Metric]) -> Point {
    let n: i64 = r.get(2);
    let mut avg = [None; M];
    let mut max = [None; M];
    for (k, m) in metrics.iter().enumerate() {
        let sum: Option<i64> = r.get(3 + 2 * k);
        avg[m.index()] = sum.map(|s| s as f64 / n.max(1) as f64);
        max[m.index()] = r.get(4 + 2 * k);
    }
    Point {
        series: r.get(0),
        t: r.get(1),
        avg,
        max,
    }
}

/// Deletes live samples older than their retention, `batch` series per
/// statement, yielding between statements so no request waits long on the
/// write lock. Returns the rows deleted.
pub async fn prune(
    pool: &SqlitePool,
    keep: &Retention,
    now: i64,
    batch: usize,
) -> Result<u64, sqlx::Error> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM history_series WHERE dataset = 'live' ORDER BY id")
            .fetch_all(pool)
            .await?;
    let mut deleted = 0;
    for res in Resolution::ALL {
        let cutoff = now - keep.of(res);
        for chunk in ids.chunks(batch.max(1)) {
            let mut q = QueryBuilder::<Sqlite>::new(format!(
                "DELETE FROM {} WHERE series IN (",
                res.table()
            ));
            let mut sep = q.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            q.push(") AND t < ").push_bind(cutoff);
            deleted += q.build().execute(pool).await?.rows_affected();
            tokio::task::yield_now().await;
        }
    }
    Ok(deleted)
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
