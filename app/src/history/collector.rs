//! The collector: every interval, one reading per connected host (all at
//! once, each bounded by the gateway's deadline, so a dead host delays
//! nobody), rates from the previous round, host and workspace totals, and
//! one transaction for the whole round.

use std::collections::HashMap;
use std::time::Duration;

use sqlx::SqlitePool;

use super::metric::{scaled, Metric, Values, M};
use super::rate::{domain_values, host_cpu_pct, DomainCounters, HostCounters};
use super::rollup::{bucket, Minutes, MINUTE};
use super::Settings;
use crate::gateway::Gateway;
use crate::gateway::HostReading;
use crate::model::host::HostState;
use crate::store::history::{self as store, SeriesInfo, SeriesKey};

/// What the collector remembers between rounds.
pub struct Collector {
    pool: SqlitePool,
    gateway: Gateway,
    settings: Settings,
    minutes: Minutes,
    domains: HashMap<String, DomainCounters>,
    hosts: HashMap<i64, HostCounters>,
    series: HashMap<(&'static str, String), (i64, SeriesInfo)>,
}

/// A connected host as the round sees it.
struct HostMeta {
    id: i64,
    name: String,
    /// Per domain UUID: workspace, vCPUs and memory (KiB) as configured,
    /// for drivers whose statistics lack them (the test driver).
    domains: HashMap<String, (Option<String>, u32, u64)>,
}

impl Collector {
    /// Rebuilds the minutes open at the last shutdown from raw samples.
    pub async fn start(
        pool: SqlitePool,
        gateway: Gateway,
        settings: Settings,
    ) -> Result<Self, sqlx::Error> {
        let mut minutes = Minutes::default();
        let (_, raw) = store::recover(&pool).await?;
        for (series, t, v) in &raw {
            minutes.add(*series, *t, v);
        }
        Ok(Collector {
            pool,
            gateway,
            settings,
            minutes,
            domains: HashMap::new(),
            hosts: HashMap::new(),
            series: HashMap::new(),
        })
    }

    /// Collects forever at the configured interval.
    pub async fn run(mut self) {
        let mut tick = tokio::time::interval(Duration::from_secs(
            self.settings.interval_secs.max(1) as u64,
        ));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            if let Err(err) = self.round().await {
                tracing::warn!(error = %err, "history round not stored");
            }
        }
    }

    /// One round: read every connected host, compute, store.
    pub async fn round(&mut self) -> Result<usize, sqlx::Error> {
        let now_ms = crate::auth::now_ms();
        let t = now_ms / 1000;
        let hosts = self.connected_hosts();
        // A host that hangs is skipped after one interval, so the others'
        // round is stored on time (the gateway's deadline may be longer).
        let wait = Duration::from_secs(self.settings.interval_secs.max(1) as u64);
        let calls =
            hosts.iter().map(|h| {
                let id = h.id;
                let call = self.gateway.stats_round(id, now_ms);
                async move {
                    tokio::time::timeout(wait, call).await.unwrap_or(Err(
                        crate::error::AppError::Host(crate::i18n::Key::HostErrTimeout),
                    ))
                }
            });
        let readings = futures::future::join_all(calls).await;
        let mut rows = Vec::new();
        let mut workspaces: HashMap<String, Values> = HashMap::new();
        for (meta, reading) in hosts.iter().zip(readings) {
            match reading {
                Ok(r) => self.host_rows(meta, r, &mut rows, &mut workspaces).await?,
                Err(err) => {
                    tracing::debug!(host = meta.id, error = ?err, "host skipped this round")
                }
            }
        }
        for (slug, mut v) in workspaces {
            v[Metric::CpuPct.index()] = pct_of(
                v[Metric::CpuUsed.index()],
                v[Metric::CpuAlloc.index()],
                1000.0,
            );
            let id = self
                .series_id(
                    "workspace",
                    &slug,
                    SeriesInfo {
                        label: slug.clone(),
                        ..Default::default()
                    },
                )
                .await?;
            rows.push((id, v));
        }
        let minute = bucket(t, MINUTE);
        let closed = self.minutes.close_before(minute);
        for (series, v) in &rows {
            self.minutes.add(*series, t, v);
        }
        store::write_round(&self.pool, t, &rows, &closed, minute).await?;
        // Forget baselines too old to give a rate (deleted domains).
        let gap = self.settings.max_gap_ms();
        self.domains.retain(|_, c| now_ms - c.t_ms <= gap);
        Ok(rows.len())
    }

    fn connected_hosts(&self) -> Vec<HostMeta> {
        self.gateway.read(|inv| {
            inv.hosts
                .values()
                .filter(|h| h.state == HostState::Connected)
                .map(|h| HostMeta {
                    id: h.id,
                    name: h.name.clone(),
                    domains: h
                        .domains
                        .values()
                        .map(|d| (d.uuid.clone(), (d.workspace.clone(), d.vcpus, d.memory_kib)))
                        .collect(),
                })
                .collect()
        })
    }

    /// The rows of one host and its domains; adds to the workspace totals.
    async fn host_rows(
        &mut self,
        meta: &HostMeta,
        r: HostReading,
        rows: &mut Vec<(i64, Values)>,
        workspaces: &mut HashMap<String, Values>,
    ) -> Result<(), sqlx::Error> {
        let gap = self.settings.max_gap_ms();
        let mut total: Values = [None; M];
        for mut d in r.domains {
            let (workspace, vcpus, memory_kib) =
                meta.domains.get(&d.uuid).cloned().unwrap_or_default();
            if d.counters.vcpus == 0 {
                d.counters.vcpus = vcpus;
            }
            d.counters.mem_alloc_kib = d
                .counters
                .mem_alloc_kib
                .or(Some(memory_kib).filter(|m| *m > 0));
            let v = domain_values(self.domains.get(&d.uuid), &d.counters, r.host.cpus, gap);
            let info = SeriesInfo {
                label: d.name,
                host_id: Some(meta.id),
                workspace: workspace.clone(),
            };
            let id = self.series_id("domain", &d.uuid, info).await?;
            self.domains.insert(d.uuid, d.counters);
            sum_into(&mut total, &v);
            if let Some(slug) = workspace {
                sum_into(workspaces.entry(slug).or_insert([None; M]), &v);
            }
            rows.push((id, v));
        }
        let host_v = host_values(self.hosts.get(&meta.id), &r.host, &total, gap);
        self.hosts.insert(meta.id, r.host);
        let info = SeriesInfo {
            label: meta.name.clone(),
            host_id: Some(meta.id),
            workspace: None,
        };
        let id = self.series_id("host", &meta.id.to_string(), info).await?;
        rows.push((id, host_v));
        Ok(())
    }

    /// A series id from the cache; the table is touched only when the
    /// series is new or its name, host or workspace changed.
    async fn series_id(
        &mut self,
        kind: &'static str,
        key: &str,
        info: SeriesInfo,
    ) -> Result<i64, sqlx::Error> {
        if let Some((id, known)) = self.series.get(&(kind, key.to_string())) {
            if *known == info {
                return Ok(*id);
            }
        }
        let mut conn = self.pool.acquire().await?;
        let k = SeriesKey {
            dataset: super::LIVE,
            kind,
            key,
        };
        let id = store::upsert_series(&mut conn, &k, &info).await?;
        self.series.insert((kind, key.to_string()), (id, info));
        Ok(id)
    }
}

fn sum_into(total: &mut Values, v: &Values) {
    for m in [
        Metric::CpuUsed,
        Metric::CpuAlloc,
        Metric::MemUsed,
        Metric::MemAlloc,
        Metric::Rd,
        Metric::Wr,
        Metric::Rx,
        Metric::Tx,
        Metric::Running,
    ] {
        let i = m.index();
        if let Some(x) = v[i] {
            total[i] = Some(total[i].unwrap_or(0) + x);
        }
    }
}

/// `used / alloc` in hundredths of a percent, both stored with `scale_used`
/// and `CpuAlloc`'s unit respectively.
fn pct_of(used: Option<i64>, alloc: Option<i64>, scale_used: f64) -> Option<i64> {
    let (u, a) = (used?, alloc?);
    (a > 0).then(|| {
        scaled(
            Metric::CpuPct,
            Some(u as f64 / scale_used * 100.0 / a as f64),
        )
    })?
}

/// A host's row: node CPU and memory where reported, else its domains' sum.
fn host_values(
    prev: Option<&HostCounters>,
    cur: &HostCounters,
    domains: &Values,
    gap: i64,
) -> Values {
    let mut v = *domains;
    let cpus = f64::from(cur.cpus.max(1));
    let pct = host_cpu_pct(prev, cur, gap)
        .or_else(|| domains[Metric::CpuUsed.index()].map(|m| m as f64 / 1000.0 * 100.0 / cpus));
    v[Metric::CpuPct.index()] = scaled(Metric::CpuPct, pct);
    v[Metric::CpuUsed.index()] = scaled(Metric::CpuUsed, pct.map(|p| p * cpus / 100.0));
    v[Metric::CpuAlloc.index()] = domains[Metric::CpuAlloc.index()];
    v[Metric::MemAlloc.index()] = cur
        .mem_total_kib
        .and_then(|k| scaled(Metric::MemAlloc, Some(k as f64 / 1024.0)));
    if let (Some(total), Some(avail)) = (cur.mem_total_kib, cur.mem_avail_kib) {
        v[Metric::MemUsed.index()] = scaled(
            Metric::MemUsed,
            Some(total.saturating_sub(avail) as f64 / 1024.0),
        );
    }
    v[Metric::Running.index()] = Some(domains[Metric::Running.index()].unwrap_or(0));
    v
}

/// Prunes old samples every few minutes, in small batches.
pub async fn prune_forever(pool: SqlitePool, settings: Settings) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        let now = crate::auth::now_ms() / 1000;
        match store::prune(&pool, &settings.retention, now, 50).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(rows = n, "history pruned"),
            Err(err) => tracing::warn!(error = %err, "history pruning failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_cpu_falls_back_to_its_domains() {
        let mut domains = [None; M];
        domains[Metric::CpuUsed.index()] = Some(2_000); // 2 cores
        domains[Metric::Running.index()] = Some(3);
        let cur = HostCounters {
            t_ms: 10_000,
            cpus: 8,
            mem_total_kib: Some(8 << 20),
            ..Default::default()
        };
        let v = host_values(None, &cur, &domains, 60_000);
        assert_eq!(v[Metric::CpuPct.index()], Some(2_500));
        assert_eq!(v[Metric::Running.index()], Some(3));
        assert_eq!(v[Metric::MemAlloc.index()], Some(8 << 20));
    }

    #[test]
    fn workspace_cpu_is_a_share_of_its_allocation() {
        assert_eq!(pct_of(Some(1_000), Some(4), 1000.0), Some(2_500));
        assert_eq!(pct_of(Some(1_000), Some(0), 1000.0), None);
    }
}
