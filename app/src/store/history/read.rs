//! Reading series for charts: points at a resolution, optionally
//! aggregated per bucket by SQLite.

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use super::Point;
use crate::history::metric::{Metric, M};
use crate::history::range::Resolution;

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
        return bucket_query(pool, res, series, (from, to), metrics, b, true).await;
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

/// [`read_metrics`] per bucket without maxima (half the work).
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

/// Rollups aggregated per bucket by range seeks per series and bucket
/// (correlated subqueries): unlike `GROUP BY` on a computed bucket, this
/// needs no sorter, so a month of minutes for twenty hosts reads in tens of
/// milliseconds.
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
