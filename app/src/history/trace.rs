//! Imported utilization traces, kept in their own data set
//! (`trace:<name>`) and always labelled as such: for what-if analysis, and
//! for the demo plant, whose test-driver hosts report no CPU statistics and
//! so replay real PlanetLab VM traces instead of invented numbers.
//!
//! Formats: the PlanetLab directory (one file per VM, one CPU percentage
//! per line at 5-minute steps; names may contain spaces) and CSV with a
//! header `entity,timestamp,<metric>...` (metric columns by their table
//! names, in display units: %, cores, MiB, KiB/s).

use std::collections::BTreeMap;
use std::path::Path;

use sqlx::SqlitePool;

use super::metric::{scaled, Metric, Values, M};
use super::range::parse_date;
use super::rollup::{bucket, Agg, Closed, MINUTE};
use crate::store::history::{self as store, SeriesInfo, SeriesKey};

/// PlanetLab's sampling step.
pub const PLANETLAB_STEP: i64 = 300;

/// Why a trace could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
    #[error("line {0}: {1}")]
    Line(usize, String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// One entity's samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    pub key: String,
    pub label: String,
    pub kind: &'static str,
    pub points: Vec<(i64, Values)>,
}

/// A row of a one-vCPU VM at `pct` percent.
pub fn cpu_values(pct: f64) -> Values {
    let mut v = [None; M];
    v[Metric::CpuPct.index()] = scaled(Metric::CpuPct, Some(pct));
    v[Metric::CpuUsed.index()] = scaled(Metric::CpuUsed, Some(pct / 100.0));
    v[Metric::CpuAlloc.index()] = Some(1);
    v[Metric::Running.index()] = Some(1);
    v
}

/// The percentages of one PlanetLab file.
pub fn parse_planetlab(text: &str) -> Result<Vec<f64>, TraceError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            l.trim()
                .parse::<f64>()
                .map_err(|_| TraceError::Line(n + 1, format!("not a number: {l:?}")))
        })
        .collect()
}

/// Every file of a PlanetLab directory, sorted by name, as `(name, %s)`.
pub fn read_planetlab_dir(dir: &Path) -> Result<Vec<(String, Vec<f64>)>, TraceError> {
    let io = |e| TraceError::Io(dir.display().to_string(), e);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if !path.is_file() {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| TraceError::Io(path.display().to_string(), e))?;
        out.push((name, parse_planetlab(&text)?));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Unix seconds, or `YYYY-MM-DD[T ]HH:MM[:SS][Z]` in UTC.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim().trim_end_matches('Z');
    if let Ok(t) = s.parse::<i64>() {
        return Some(t);
    }
    let (date, time) = s.split_once(['T', ' ']).unwrap_or((s, "00:00"));
    let mut hms = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, sec) = (
        hms.next()??,
        hms.next()??,
        hms.next().flatten().unwrap_or(0),
    );
    ((0..24).contains(&h) && (0..60).contains(&m) && (0..61).contains(&sec))
        .then(|| parse_date(date).map(|d| d + h * 3_600 + m * 60 + sec))?
}

/// A CSV trace: `entity,timestamp,<metric>...`; empty cells are unreported.
pub fn parse_csv(text: &str) -> Result<Vec<Entity>, TraceError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| TraceError::Line(1, "empty file".into()))?;
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    if cols.len() < 3 || cols[0] != "entity" || cols[1] != "timestamp" {
        return Err(TraceError::Line(
            1,
            "header must start with entity,timestamp".into(),
        ));
    }
    let metrics = cols[2..]
        .iter()
        .map(|c| {
            Metric::ALL
                .into_iter()
                .find(|m| m.column() == *c)
                .ok_or_else(|| TraceError::Line(1, format!("unknown metric {c:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut by_entity: BTreeMap<String, Vec<(i64, Values)>> = BTreeMap::new();
    for (n, line) in lines {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let bad = |what: String| TraceError::Line(n + 1, what);
        if cells.len() != cols.len() || cells[0].is_empty() {
            return Err(bad(format!("expected {} cells", cols.len())));
        }
        let t = parse_timestamp(cells[1])
            .ok_or_else(|| bad(format!("bad timestamp {:?}", cells[1])))?;
        let mut v = [None; M];
        for (m, cell) in metrics.iter().zip(&cells[2..]) {
            if !cell.is_empty() {
                let x: f64 = cell
                    .parse()
                    .map_err(|_| bad(format!("not a number: {cell:?}")))?;
                v[m.index()] = scaled(*m, Some(x));
            }
        }
        // A row is a sample of a VM that was there, unless told otherwise.
        if !metrics.contains(&Metric::Running) {
            v[Metric::Running.index()] = Some(1);
        }
        by_entity
            .entry(cells[0].to_string())
            .or_default()
            .push((t, v));
    }
    Ok(by_entity
        .into_iter()
        .map(|(key, mut points)| {
            points.sort_by_key(|p| p.0);
            Entity {
                label: key.clone(),
                key,
                kind: "domain",
                points,
            }
        })
        .collect())
}

/// One PlanetLab file's percentages as points, the last step ending at the
/// 5-minute boundary before `now` (Unix seconds).
pub fn planetlab_points(pcts: &[f64], now: i64) -> Vec<(i64, Values)> {
    let start = bucket(now, PLANETLAB_STEP) - pcts.len() as i64 * PLANETLAB_STEP;
    (0..)
        .zip(pcts)
        .map(|(j, &p)| (start + j * PLANETLAB_STEP, cpu_values(p)))
        .collect()
}

/// PlanetLab files as entities named after them, ending before `now`.
pub fn planetlab_entities(files: Vec<(String, Vec<f64>)>, now: i64) -> Vec<Entity> {
    files
        .into_iter()
        .map(|(file, pcts)| Entity {
            points: planetlab_points(&pcts, now),
            key: file.clone(),
            label: file,
            kind: "domain",
        })
        .collect()
}

/// One imported data set: (name, VMs, samples, first and last minute).
pub type Summary = (String, i64, i64, Option<i64>, Option<i64>);

/// Every imported data set, by name.
pub async fn list(pool: &SqlitePool) -> Result<Vec<Summary>, sqlx::Error> {
    Ok(store::trace_sets(pool)
        .await?
        .into_iter()
        .map(|(set, vms, n, from, to)| {
            let name = set.trim_start_matches("trace:").to_string();
            (name, vms, n.unwrap_or(0), from, to)
        })
        .collect())
}

/// Removes data set `trace:<name>`; whether it existed.
pub async fn remove(pool: &SqlitePool, name: &str) -> Result<bool, TraceError> {
    let mut tx = pool.begin().await?;
    let gone = store::clear_dataset(&mut tx, &format!("trace:{name}")).await?;
    tx.commit().await?;
    Ok(gone > 0)
}

/// Replaces data set `trace:<name>` with `entities`, written as rollups
/// (minutes, and merged hours and days) in one transaction. Returns the
/// number of points.
pub async fn import(
    pool: &SqlitePool,
    name: &str,
    entities: &[Entity],
) -> Result<usize, TraceError> {
    let dataset = format!("trace:{name}");
    let mut tx = pool.begin().await?;
    store::clear_dataset(&mut tx, &dataset).await?;
    let mut closed = Vec::new();
    for e in entities {
        let k = SeriesKey {
            dataset: &dataset,
            kind: e.kind,
            key: &e.key,
        };
        let info = SeriesInfo {
            label: e.label.clone(),
            ..Default::default()
        };
        let series = store::upsert_series(&mut tx, &k, &info).await?;
        closed.extend(minutes(series, &e.points));
    }
    store::write_closed(&mut tx, &closed).await?;
    tx.commit().await?;
    Ok(entities.iter().map(|e| e.points.len()).sum())
}

/// Folds time-ordered points into minute buckets.
fn minutes(series: i64, points: &[(i64, Values)]) -> Vec<Closed> {
    let mut out: Vec<Closed> = Vec::new();
    for (t, v) in points {
        let minute = bucket(*t, MINUTE);
        match out.last_mut() {
            Some(c) if c.minute == minute => c.agg.add(v),
            _ => {
                let mut agg = Agg::default();
                agg.add(v);
                out.push(Closed {
                    series,
                    minute,
                    agg,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planetlab_lines_are_percentages() {
        assert_eq!(
            parse_planetlab("12\n0\n\n100\n").unwrap(),
            vec![12.0, 0.0, 100.0]
        );
        assert!(matches!(
            parse_planetlab("5\nx\n"),
            Err(TraceError::Line(2, _))
        ));
    }

    #[test]
    fn the_shipped_demo_traces_read_with_spaces_in_names() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo/traces/planetlab-20110303");
        let files = read_planetlab_dir(&dir).unwrap();
        assert!(files.len() >= 37);
        assert!(files.iter().any(|(name, _)| name.contains(' ')));
        assert!(files.iter().all(|(_, v)| v.len() == 288));
    }

    #[test]
    fn csv_rows_group_by_entity_in_display_units() {
        let text = "entity,timestamp,cpu_pct,mem_used\nvm-b,2025-01-01T00:05:00Z,50,\nvm-a,60,12.5,256\nvm-b,2025-01-01 00:00,25,1\n";
        let e = parse_csv(text).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].key, "vm-a");
        assert_eq!(
            e[0].points,
            vec![(60, {
                let mut v = [None; M];
                v[Metric::CpuPct.index()] = Some(1_250);
                v[Metric::MemUsed.index()] = Some(256 * 1024);
                v[Metric::Running.index()] = Some(1);
                v
            })]
        );
        let b = &e[1].points;
        assert_eq!(b[1].0 - b[0].0, 300, "sorted by time");
        assert_eq!(b[1].1[Metric::MemUsed.index()], None);
        assert!(parse_csv("entity,timestamp,bogus\n").is_err());
        assert!(matches!(
            parse_csv("entity,timestamp,cpu_pct\nx,yesterday,1\n"),
            Err(TraceError::Line(2, _))
        ));
    }

    #[test]
    fn planetlab_files_end_at_the_given_time() {
        let e = planetlab_entities(vec![("vm 1".into(), vec![10.0, 20.0])], 3_299);
        assert_eq!(e[0].key, "vm 1");
        let times: Vec<i64> = e[0].points.iter().map(|p| p.0).collect();
        assert_eq!(times, vec![2_400, 2_700]);
        assert_eq!(
            e[0].points[1].1[Metric::CpuPct.index()],
            cpu_values(20.0)[Metric::CpuPct.index()]
        );
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn imported_sets_are_listed_and_removed_alone(pool: SqlitePool) {
        let a = planetlab_entities(
            vec![("a1".into(), vec![1.0; 3]), ("a2".into(), vec![2.0; 3])],
            6_299,
        );
        let b = parse_csv("entity,timestamp,cpu_pct\nplc,600,5\n").unwrap();
        assert_eq!(import(&pool, "plant-a", &a).await.unwrap(), 6);
        assert_eq!(import(&pool, "plant-b", &b).await.unwrap(), 1);
        let listed = list(&pool).await.unwrap();
        assert_eq!(
            listed,
            vec![
                ("plant-a".into(), 2, 6, Some(5_100), Some(5_700)),
                ("plant-b".into(), 1, 1, Some(600), Some(600)),
            ]
        );
        assert!(remove(&pool, "plant-a").await.unwrap());
        assert!(!remove(&pool, "plant-a").await.unwrap(), "already gone");
        assert_eq!(list(&pool).await.unwrap().len(), 1);
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM history_1h")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(left, 1, "only plant-b's hour is left");
    }

    #[test]
    fn points_fold_into_minutes() {
        let pts: Vec<_> = [0, 30, 300]
            .iter()
            .map(|&t| (t, cpu_values(10.0)))
            .collect();
        let m = minutes(1, &pts);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].agg.n, 2);
    }
}
