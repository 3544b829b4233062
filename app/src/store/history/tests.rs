use sqlx::SqlitePool;

use super::*;
use crate::history::rollup::{bucket, Agg, Closed, Minutes, DAY, HOUR, MINUTE};

fn values(cpu: i64) -> Values {
    let mut v = [None; M];
    v[Metric::CpuPct.index()] = Some(cpu);
    v[Metric::MemUsed.index()] = Some(cpu * 10);
    v
}

async fn series(pool: &SqlitePool, key: &str) -> i64 {
    let mut conn = pool.acquire().await.unwrap();
    let k = SeriesKey {
        dataset: "live",
        kind: "domain",
        key,
    };
    upsert_series(&mut conn, &k, &SeriesInfo::default())
        .await
        .unwrap()
}

/// Runs rounds every 10 s from `start` for `rounds`, like the collector.
async fn collect(pool: &SqlitePool, ids: &[i64], start: i64, rounds: i64, mins: &mut Minutes) {
    for r in 0..rounds {
        let t = start + r * 10;
        let minute = bucket(t, MINUTE);
        let closed = mins.close_before(minute);
        let rows: Vec<_> = ids.iter().map(|&s| (s, values(s * 100 + r))).collect();
        for (s, v) in &rows {
            mins.add(*s, t, v);
        }
        write_round(pool, t, &rows, &closed, minute).await.unwrap();
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn rounds_roll_up_into_minutes_hours_and_days(pool: SqlitePool) {
    let ids = [series(&pool, "a").await, series(&pool, "b").await];
    let mut mins = Minutes::default();
    // Two hours and one round: every minute of both hours closes.
    collect(&pool, &ids, 0, 721, &mut mins).await;
    let raw = read(&pool, Resolution::Raw, &ids[..1], 0, 7_210)
        .await
        .unwrap();
    assert_eq!(raw.len(), 721);
    let minutes = read(&pool, Resolution::Minute, &ids[..1], 0, 7_200)
        .await
        .unwrap();
    assert_eq!(minutes.len(), 120);
    // Minute 0 of series a: rounds 0..6 → cpu 100..105.
    assert_eq!(minutes[0].avg[0], Some(102.5));
    assert_eq!(minutes[0].max[0], Some(105));
    let hours = read(&pool, Resolution::Hour, &ids, 0, 7_200).await.unwrap();
    assert_eq!(hours.len(), 4);
    // Hour 1 of series b: rounds 360..720 → cpu 560..919.
    let h = &hours[3];
    assert_eq!((h.series, h.t), (ids[1], 3_600));
    assert_eq!(h.avg[0], Some(739.5));
    assert_eq!(h.max[0], Some(919));
    let days = read(&pool, Resolution::Day, &ids[..1], 0, DAY)
        .await
        .unwrap();
    assert_eq!(days[0].avg[0], Some((100.0 + 819.0) / 2.0));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_restart_rebuilds_the_open_minute_from_raw(pool: SqlitePool) {
    let ids = [series(&pool, "a").await];
    let mut before = Minutes::default();
    collect(&pool, &ids, 0, 9, &mut before).await; // 0..80 s: minute 60 is open
    drop(before);
    let (watermark, raw) = recover(&pool).await.unwrap();
    assert_eq!(watermark, 60);
    assert_eq!(raw.len(), 3);
    let mut after = Minutes::default();
    for (s, t, v) in &raw {
        after.add(*s, *t, v);
    }
    // Continue where the crashed collector stopped.
    for r in 9..12 {
        let t = r * 10;
        let closed = after.close_before(bucket(t, MINUTE));
        let rows = vec![(ids[0], values(100 + r))];
        after.add(ids[0], t, &rows[0].1);
        write_round(&pool, t, &rows, &closed, bucket(t, MINUTE))
            .await
            .unwrap();
    }
    let closed = after.close_before(120);
    let mut conn = pool.acquire().await.unwrap();
    write_closed(&mut conn, &closed).await.unwrap();
    let minutes = read(&pool, Resolution::Minute, &ids, 0, 120).await.unwrap();
    assert_eq!(
        minutes[1].avg[0],
        Some(108.5),
        "all six samples of minute 60"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn sql_merge_matches_the_rollup_arithmetic(pool: SqlitePool) {
    let id = series(&pool, "a").await;
    let mut expected = Agg::default();
    let mut closed = Vec::new();
    for m in 0..3 {
        let mut agg = Agg::default();
        let mut v = values(m * 7);
        if m == 1 {
            v[Metric::MemUsed.index()] = None;
        }
        agg.add(&v);
        expected.merge(&agg);
        closed.push(Closed {
            series: id,
            minute: m * 60,
            agg,
        });
    }
    let mut conn = pool.acquire().await.unwrap();
    write_closed(&mut conn, &closed[..2]).await.unwrap();
    write_closed(&mut conn, &closed[2..]).await.unwrap();
    let hour = read(&pool, Resolution::Hour, &[id], 0, 3_600)
        .await
        .unwrap();
    assert_eq!(hour[0].max, expected.max);
    assert_eq!(hour[0].avg, expected.avg());
}

#[sqlx::test(migrations = "../migrations")]
async fn pruning_keeps_each_resolution_for_its_retention(pool: SqlitePool) {
    let ids = [
        series(&pool, "a").await,
        series(&pool, "b").await,
        series(&pool, "c").await,
    ];
    let mut mins = Minutes::default();
    collect(&pool, &ids, 0, 30, &mut mins).await; // 0..290 s
    let keep = Retention {
        raw: 100,
        minute: 200,
        hour: 10_000,
        day: 100_000,
    };
    let deleted = prune(&pool, &keep, 300, 2).await.unwrap();
    let raw = read(&pool, Resolution::Raw, &ids, 0, 1_000).await.unwrap();
    assert!(raw.iter().all(|p| p.t >= 200));
    assert_eq!(raw.len(), 3 * 10);
    let minutes = read(&pool, Resolution::Minute, &ids, 0, 1_000)
        .await
        .unwrap();
    assert!(minutes.iter().all(|p| p.t >= 100));
    assert_eq!(deleted as usize, 3 * 20 + 3 * 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn bucketed_reads_aggregate_like_the_coarser_rollup(pool: SqlitePool) {
    let ids = [series(&pool, "a").await];
    let mut mins = Minutes::default();
    collect(&pool, &ids, 0, 721, &mut mins).await;
    let metrics = [Metric::CpuPct, Metric::MemUsed];
    let hours = read(&pool, Resolution::Hour, &ids, 0, 7_200).await.unwrap();
    let from_minutes = read_metrics(
        &pool,
        Resolution::Minute,
        &ids,
        (0, 7_200),
        &metrics,
        Some((0, HOUR)),
    )
    .await
    .unwrap();
    assert_eq!(from_minutes.len(), 2);
    for (h, m) in hours.iter().zip(&from_minutes) {
        assert_eq!((h.t, h.avg[0], h.max[0]), (m.t, m.avg[0], m.max[0]));
        assert_eq!(h.avg[4], m.avg[4]);
    }
    let from_raw = read_metrics(
        &pool,
        Resolution::Raw,
        &ids,
        (0, 7_200),
        &metrics,
        Some((0, HOUR)),
    )
    .await
    .unwrap();
    assert_eq!(from_raw[1].avg[0], hours[1].avg[0]);
    assert_eq!(from_raw[1].max[0], hours[1].max[0]);
}
