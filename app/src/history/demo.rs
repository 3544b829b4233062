//! The demo plant's history: its test-driver hosts report no CPU time, so
//! the running demo domains replay real PlanetLab VM traces (the last 24
//! hours end now), in the data set `trace:<directory name>`, which charts
//! label as a replay. Domain `i` (by host, then name) replays file `i` of
//! the directory (sorted by name); each host's series is its domains' sum.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use sqlx::SqlitePool;

use super::metric::{scaled, Metric, Values, M};
use super::trace::{import, planetlab_points, read_planetlab_dir, Entity, TraceError};
use crate::gateway::Gateway;
use crate::model::domain::DomainState;
use crate::model::host::HostState;

struct DemoHost {
    id: i64,
    name: String,
    cpus: u32,
    /// Running domains: (uuid, name, workspace), sorted by name.
    domains: Vec<(String, String, Option<String>)>,
}

/// Waits (up to 10 s) for the demo hosts to connect, then imports.
pub async fn replay(
    pool: &SqlitePool,
    gateway: &Gateway,
    dir: &Path,
    now: i64,
) -> Result<usize, TraceError> {
    for _ in 0..40 {
        let pending = gateway.read(|inv| {
            inv.hosts
                .values()
                .any(|h| h.demo && h.state != HostState::Connected)
        });
        if !pending {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let hosts = gateway.read(|inv| {
        let mut hosts: Vec<DemoHost> = inv
            .hosts
            .values()
            .filter(|h| h.demo)
            .map(|h| {
                let mut domains: Vec<(String, String, Option<String>)> = h
                    .domains
                    .values()
                    .filter(|d| d.state == DomainState::Running)
                    .map(|d| (d.uuid.clone(), d.name.clone(), d.workspace.clone()))
                    .collect();
                domains.sort_by(|a, b| a.1.cmp(&b.1));
                DemoHost {
                    id: h.id,
                    name: h.name.clone(),
                    cpus: h.facts.as_ref().map_or(1, |f| f.cpus.max(1)),
                    domains,
                }
            })
            .collect();
        hosts.sort_by_key(|h| h.id);
        hosts
    });
    let files = read_planetlab_dir(dir)?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "planetlab".into());
    let entities = assign(&hosts, &files, now);
    import(pool, &name, &entities).await
}

/// Pairs domains with trace files and adds each host's total.
fn assign(hosts: &[DemoHost], files: &[(String, Vec<f64>)], now: i64) -> Vec<Entity> {
    let mut out = Vec::new();
    if files.is_empty() {
        return out;
    }
    let mut i = 0;
    let mut workspaces: BTreeMap<String, Vec<(i64, Values)>> = BTreeMap::new();
    for h in hosts {
        let mut total: Vec<(i64, Values)> = Vec::new();
        for (uuid, name, workspace) in &h.domains {
            let (file, pcts) = &files[i % files.len()];
            i += 1;
            let points = planetlab_points(pcts, now);
            add_to_host(&mut total, &points);
            if let Some(ws) = workspace {
                add_to_host(workspaces.entry(ws.clone()).or_default(), &points);
            }
            out.push(Entity {
                key: uuid.clone(),
                label: format!("{name} ← PlanetLab {file}"),
                kind: "domain",
                points,
            });
        }
        for (_, v) in &mut total {
            let used = v[Metric::CpuUsed.index()].unwrap_or(0) as f64 / 1000.0;
            v[Metric::CpuPct.index()] =
                scaled(Metric::CpuPct, Some(used * 100.0 / f64::from(h.cpus)));
        }
        out.push(Entity {
            key: h.id.to_string(),
            label: h.name.clone(),
            kind: "host",
            points: total,
        });
    }
    for (slug, mut points) in workspaces {
        for (_, v) in &mut points {
            let (used, alloc) = (
                v[Metric::CpuUsed.index()].unwrap_or(0),
                v[Metric::CpuAlloc.index()].unwrap_or(0),
            );
            v[Metric::CpuPct.index()] = (alloc > 0).then(|| used * 10 / alloc);
        }
        out.push(Entity {
            label: slug.clone(),
            key: slug,
            kind: "workspace",
            points,
        });
    }
    out
}

fn add_to_host(total: &mut Vec<(i64, Values)>, points: &[(i64, Values)]) {
    if total.is_empty() {
        total.extend(points.iter().map(|(t, _)| (*t, [None; M])));
    }
    for ((_, sum), (_, v)) in total.iter_mut().zip(points) {
        for m in [Metric::CpuUsed, Metric::CpuAlloc, Metric::Running] {
            let i = m.index();
            sum[i] = Some(sum[i].unwrap_or(0) + v[i].unwrap_or(0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_replay_files_in_order_and_hosts_sum_them() {
        let hosts = [DemoHost {
            id: 1,
            name: "h".into(),
            cpus: 4,
            domains: vec![
                ("u1".into(), "a".into(), Some("ops".into())),
                ("u2".into(), "b".into(), None),
            ],
        }];
        let files = vec![
            ("f 1".to_string(), vec![50.0, 100.0]),
            ("f2".to_string(), vec![30.0, 0.0]),
        ];
        let e = assign(&hosts, &files, 1_000_000);
        assert_eq!(e.len(), 4);
        assert_eq!(
            (e[3].kind, e[3].points[0].1[Metric::CpuPct.index()]),
            ("workspace", Some(5_000))
        );
        assert_eq!(e[0].label, "a ← PlanetLab f 1");
        assert_eq!(
            e[0].points[1].0,
            crate::history::rollup::bucket(1_000_000, 300) - 300,
            "the trace ends now"
        );
        let host = &e[2];
        assert_eq!(host.kind, "host");
        assert_eq!(host.points[0].1[Metric::CpuUsed.index()], Some(800));
        assert_eq!(
            host.points[0].1[Metric::CpuPct.index()],
            Some(2_000),
            "0.8 of 4 CPUs"
        );
        assert_eq!(host.points[1].1[Metric::Running.index()], Some(2));
    }
}
