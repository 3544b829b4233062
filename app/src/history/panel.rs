//! From a chart request to the lines it draws: which series, which
//! resolution, which metrics, in which units.

use sqlx::SqlitePool;

use super::chart::{Combine, Line, Palette, Spec};
use super::metric::Metric;
use super::range::{choose, Resolution, Window};
use super::view::{Panel, Target};
use super::Settings;
use crate::i18n::{Key, Locale};
use crate::store::history::{self as store, Point};

/// A chart asked for by a page.
#[derive(Clone, Debug)]
pub struct Request {
    pub target: Target,
    pub panel: Panel,
    pub window: Window,
    pub now: i64,
    pub palette: Palette,
    pub locale: Locale,
    /// `live`, or the trace data set shown instead (labelled as such).
    pub dataset: String,
    /// The hosts a fleet chart stacks (those the reader may see).
    pub fleet_hosts: Vec<i64>,
    /// Read this resolution instead of the one the range calls for.
    pub resolution: Option<Resolution>,
    /// Let the store aggregate to the drawn buckets (charts); a CSV export
    /// gets every stored point.
    pub downsample: bool,
}

pub use crate::store::history::trace_for;

/// Reads the data and describes the chart. A trace carries CPU only: its
/// other panels show the live samples.
pub async fn build(
    pool: &SqlitePool,
    settings: &Settings,
    req: &Request,
) -> Result<Spec, sqlx::Error> {
    let spec = build_from(pool, settings, req).await?;
    let is_trace = matches!(req.target, Target::Trace(_));
    if is_trace || req.dataset == super::LIVE || spec.lines.iter().any(|l| !l.points.is_empty()) {
        return Ok(spec);
    }
    let live = Request {
        dataset: super::LIVE.into(),
        ..req.clone()
    };
    build_from(pool, settings, &live).await
}

async fn build_from(
    pool: &SqlitePool,
    settings: &Settings,
    req: &Request,
) -> Result<Spec, sqlx::Error> {
    let (kind, keys) = match &req.target {
        Target::Domain { uuid, .. } => ("domain", Some(vec![uuid.clone()])),
        Target::Host(id) => ("host", Some(vec![id.to_string()])),
        Target::Workspace(slug) => ("workspace", Some(vec![slug.clone()])),
        Target::Fleet => (
            "host",
            Some(req.fleet_hosts.iter().map(i64::to_string).collect()),
        ),
        // Every VM of the data set.
        Target::Trace(_) => ("domain", None),
    };
    let series = store::find_series(pool, &req.dataset, kind, keys.as_deref()).await?;
    let sums = matches!(req.target, Target::Trace(_));
    let ids: Vec<i64> = series.iter().map(|s| s.0).collect();
    let Window { from, to, .. } = req.window;
    let mut res = req.resolution.unwrap_or_else(|| {
        choose(
            from,
            to,
            req.now,
            settings.interval_secs,
            &settings.retention,
        )
    });
    let wanted = wanted_metrics(&req.target, req.panel);
    let mut points;
    loop {
        let buckets = req.downsample.then(|| {
            (
                from,
                super::chart::bucket_width(from, to, step_of(res, settings, sums)),
            )
        });
        points = match buckets {
            // Stacked and summed charts draw averages only.
            Some(b) if (sums || req.target == Target::Fleet) && res != Resolution::Raw => {
                store::read_averages(pool, res, &ids, (from, to), &wanted, b).await?
            }
            _ => store::read_metrics(pool, res, &ids, (from, to), &wanted, buckets).await?,
        };
        // Imported traces and young installations may lack the finer tables.
        match res.coarser() {
            Some(next) if points.is_empty() && req.resolution.is_none() => res = next,
            _ => break,
        }
    }
    let t = |k: Key| req.locale.t(k).to_string();
    let (unit, lines) = if sums {
        let (m, unit, label) = trace_metric(req.panel);
        (t(unit), vec![sum_line(t(label), &points, m)])
    } else if req.target == Target::Fleet {
        let (m, unit) = fleet_metric(req.panel);
        let lines = series
            .iter()
            .map(|(id, _, label)| line(label.clone(), &points, Some(*id), m, Combine::Mean))
            .collect();
        (t(unit), lines)
    } else {
        let (unit, metrics) = metrics_of(&req.target, req.panel);
        let lines = metrics
            .iter()
            .map(|&(m, combine, label)| line(t(label), &points, None, m, combine))
            .collect();
        (t(unit), lines)
    };
    Ok(Spec {
        title: t(req.panel.title()),
        unit,
        lines,
        stacked: req.target == Target::Fleet,
        from,
        to,
        step: step_of(res, settings, sums),
        palette: req.palette,
        locale: req.locale,
        note: (req.dataset != super::LIVE).then(|| {
            t(if sums {
                Key::TraceImportedNote
            } else {
                Key::TraceNote
            })
        }),
        empty: t(Key::ChartNoData),
    })
}

type MetricLine = (Metric, Combine, Key);

/// Seconds between points at `res`. A sum over a trace's VMs needs every
/// VM in each drawn bucket, so its buckets span at least PlanetLab's step.
fn step_of(res: Resolution, settings: &Settings, sums: bool) -> i64 {
    let step = res.step(settings.interval_secs);
    if sums {
        step.max(super::trace::PLANETLAB_STEP / 2)
    } else {
        step
    }
}

/// What a fleet panel stacks, and its unit.
fn fleet_metric(panel: Panel) -> (Metric, Key) {
    match panel {
        Panel::Memory => (Metric::MemUsed, Key::UnitGib),
        _ => (Metric::CpuUsed, Key::UnitCores),
    }
}

/// What a trace panel sums over the data set's VMs, its unit and label.
fn trace_metric(panel: Panel) -> (Metric, Key, Key) {
    match panel {
        Panel::Domains => (Metric::Running, Key::UnitCount, Key::SeriesTraceVms),
        _ => (Metric::CpuUsed, Key::UnitCores, Key::SeriesUsed),
    }
}

/// The columns a panel reads.
fn wanted_metrics(target: &Target, panel: Panel) -> Vec<Metric> {
    if *target == Target::Fleet {
        return vec![fleet_metric(panel).0];
    }
    if let Target::Trace(_) = target {
        return vec![trace_metric(panel).0];
    }
    let mut out: Vec<Metric> = metrics_of(target, panel).1.iter().map(|l| l.0).collect();
    out.dedup();
    out
}

/// The unit and lines of a panel of a single-series target.
fn metrics_of(target: &Target, panel: Panel) -> (Key, &'static [MetricLine]) {
    use Combine::{Max, Mean};
    use Metric::*;
    match (panel, target) {
        (Panel::Cpu, Target::Workspace(_)) => (
            Key::UnitCores,
            &[
                (CpuUsed, Mean, Key::SeriesUsed),
                (CpuAlloc, Mean, Key::SeriesAllocated),
            ],
        ),
        (Panel::Cpu, Target::Host(_)) => (
            Key::UnitPercentHost,
            &[
                (CpuPct, Mean, Key::SeriesAvg),
                (CpuPct, Max, Key::SeriesMax),
            ],
        ),
        (Panel::Cpu, _) => (
            Key::UnitPercentVcpu,
            &[
                (CpuPct, Mean, Key::SeriesAvg),
                (CpuPct, Max, Key::SeriesMax),
            ],
        ),
        (Panel::Memory, Target::Host(_)) => (
            Key::UnitGib,
            &[
                (MemUsed, Mean, Key::SeriesUsed),
                (MemAlloc, Mean, Key::SeriesTotal),
            ],
        ),
        (Panel::Memory, _) => (
            Key::UnitGib,
            &[
                (MemUsed, Mean, Key::SeriesUsed),
                (MemAlloc, Mean, Key::SeriesAllocated),
            ],
        ),
        (Panel::Disk, _) => (
            Key::UnitKibS,
            &[(Rd, Mean, Key::SeriesRead), (Wr, Mean, Key::SeriesWrite)],
        ),
        (Panel::Network, _) => (
            Key::UnitKibS,
            &[
                (Rx, Mean, Key::SeriesReceive),
                (Tx, Mean, Key::SeriesTransmit),
            ],
        ),
        (Panel::Domains, _) => (
            Key::UnitCount,
            &[
                (Running, Mean, Key::SeriesAvg),
                (Running, Max, Key::SeriesMax),
            ],
        ),
    }
}

/// One metric of the points (of one series, when given) in display units.
fn line(label: String, points: &[Point], series: Option<i64>, m: Metric, combine: Combine) -> Line {
    // Memory is stored in KiB and shown in GiB.
    let div = match m {
        Metric::MemUsed | Metric::MemAlloc => m.scale() * 1024.0 * 1024.0,
        _ => m.scale(),
    };
    let i = m.index();
    let points = points
        .iter()
        .filter(|p| series.is_none_or(|s| p.series == s))
        .filter_map(|p| {
            let v = match combine {
                Combine::Mean => p.avg[i],
                Combine::Max => p.max[i].map(|x| x as f64),
            }?;
            Some((p.t, v / div))
        })
        .collect();
    Line {
        label,
        combine,
        points,
    }
}

/// One metric summed over every series at each time, in display units.
fn sum_line(label: String, points: &[Point], m: Metric) -> Line {
    let mut by_time = std::collections::BTreeMap::<i64, f64>::new();
    for p in points {
        if let Some(v) = p.avg[m.index()] {
            *by_time.entry(p.t).or_default() += v / m.scale();
        }
    }
    Line {
        label,
        combine: Combine::Mean,
        points: by_time.into_iter().collect(),
    }
}

/// The chart's series as CSV: one row per point and line, UTC times.
pub fn csv(spec: &Spec) -> String {
    let mut out = String::from("time_utc,unix_time,series,value,unit\n");
    for line in &spec.lines {
        for &(t, v) in &line.points {
            out.push_str(&format!(
                "{},{t},{},{v},{}\n",
                super::chart::full_time(t),
                crate::csv::quoted(&line.label),
                crate::csv::quoted(&spec.unit)
            ));
        }
    }
    out
}
