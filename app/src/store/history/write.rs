//! Writing a collection round: raw samples, closed minutes merged into their
//! hours and days, and the watermark; recovering the open minutes after a
//! restart.

use std::sync::OnceLock;

use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

use super::{metric_columns, values_at, CHUNK, WATERMARK};
use crate::history::metric::{Metric, Values};
use crate::history::rollup::{bucket, Closed, DAY, HOUR};

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
