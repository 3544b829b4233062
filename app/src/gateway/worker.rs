//! One worker thread per host: it owns the host's `virt::Connect`, runs every
//! libvirt call for that host in order, reconnects with backoff, and turns
//! lifecycle events into inventory updates.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use virt::connect::Connect;
use virt::domain::Domain;

use super::events::{self, Registration};
pub use super::mailbox::{Job, Msg};
use super::ops::{domain_xml, XmlRead};
use super::translate::translate;
use super::Shared;
use crate::domxml::parse_domain;
use crate::i18n::Key;
use crate::model::domain::{DomainConfig, DomainRow, DomainState};
use crate::model::host::{HostState, NodeFacts};

/// How often node facts (free memory) are refreshed while connected.
const FACTS_INTERVAL: Duration = Duration::from_secs(10);
const BACKOFF_MIN: Duration = Duration::from_millis(500);
/// The cap keeps a restarted host found within a few seconds.
const BACKOFF_MAX: Duration = Duration::from_secs(4);

pub struct Worker {
    pub host_id: i64,
    pub uri: String,
    pub shared: Arc<Shared>,
    pub rx: Receiver<Msg>,
    pub tx: Sender<Msg>,
}

struct Live {
    conn: Connect,
    registration: Registration,
}

impl Worker {
    pub fn run(self) {
        let mut live: Option<Live> = None;
        let mut backoff = BACKOFF_MIN;
        loop {
            if live.is_none() {
                match self.connect() {
                    Ok(l) => {
                        backoff = BACKOFF_MIN;
                        live = Some(l);
                    }
                    Err(key) => {
                        self.set_state(HostState::Unreachable, Some(key));
                        if !self.idle_until(Instant::now() + backoff) {
                            return;
                        }
                        backoff = (backoff * 2).min(BACKOFF_MAX);
                        continue;
                    }
                }
            }
            let Some(current) = live.as_ref() else {
                continue;
            };
            let keep = match self.rx.recv_timeout(FACTS_INTERVAL) {
                Ok(Msg::Job(job)) => {
                    job(&current.conn);
                    current.conn.is_alive().unwrap_or(false)
                }
                Ok(Msg::DomainChanged { uuid }) => {
                    self.refresh_domain(&current.conn, &uuid);
                    true
                }
                Ok(Msg::DomainGone { uuid }) => {
                    self.shared.update_domain(self.host_id, &uuid, |inv| {
                        if let Some(h) = inv.hosts.get_mut(&self.host_id) {
                            h.domains.remove(&uuid);
                        }
                    });
                    true
                }
                Ok(Msg::Closed) => false,
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => {
                    if let Some(l) = live.take() {
                        disconnect(l);
                    }
                    return;
                }
                Err(RecvTimeoutError::Timeout) => self.refresh_facts(&current.conn).is_ok(),
            };
            if !keep {
                if let Some(l) = live.take() {
                    disconnect(l);
                }
                self.set_state(HostState::Connecting, Some(Key::HostErrLost));
            }
        }
    }

    /// Waits until `deadline`, refusing jobs (their callers see the host as
    /// unreachable). Returns false when asked to stop.
    fn idle_until(&self, deadline: Instant) -> bool {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            match self.rx.recv_timeout(left) {
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return false,
                Ok(_) => {} // jobs are dropped: their reply channel closes
                Err(RecvTimeoutError::Timeout) => return true,
            }
        }
    }

    fn connect(&self) -> Result<Live, Key> {
        self.set_state(HostState::Connecting, None);
        let started = Instant::now();
        let conn = open(&self.uri)?;
        let registration = events::register(&conn, &self.tx);
        let live = Live { conn, registration };
        let facts = self.refresh_facts(&live.conn);
        let rows = list_domains(&live.conn, self.host_id, &self.host_name());
        match (facts, rows) {
            (Ok(()), Ok(rows)) => {
                tracing::info!(host = self.host_id, uri = %self.uri, domains = rows.len(), ms = started.elapsed().as_millis() as u64, "host connected");
                self.shared.update_host(self.host_id, |inv| {
                    inv.replace_domains(self.host_id, rows);
                    if let Some(h) = inv.hosts.get_mut(&self.host_id) {
                        h.state = HostState::Connected;
                        h.last_error = None;
                    }
                });
                Ok(live)
            }
            (Err(key), _) | (_, Err(key)) => {
                disconnect(live);
                Err(key)
            }
        }
    }

    fn host_name(&self) -> String {
        self.shared.read(|inv| {
            inv.hosts
                .get(&self.host_id)
                .map(|h| h.name.clone())
                .unwrap_or_default()
        })
    }

    /// Sets the host's state; pages hear of it only when it changed.
    fn set_state(&self, state: HostState, error: Option<Key>) {
        self.shared.update_host_if(self.host_id, |inv| {
            let Some(h) = inv.hosts.get_mut(&self.host_id) else {
                return false;
            };
            if h.state == state && error.is_none_or(|e| h.last_error == Some(e)) {
                return false;
            }
            h.state = state;
            h.last_error = error.or(h.last_error);
            true
        });
    }

    fn refresh_facts(&self, conn: &Connect) -> Result<(), Key> {
        let facts = node_facts(conn)?;
        self.shared.update_quiet(|inv| {
            if let Some(h) = inv.hosts.get_mut(&self.host_id) {
                h.facts = Some(facts);
            }
        });
        Ok(())
    }

    fn refresh_domain(&self, conn: &Connect, uuid: &str) {
        let host_name = self.host_name();
        let row = conn
            .lookup_domain_by_uuid_string(uuid)
            .ok()
            .and_then(|dom| domain_row(&dom, self.host_id, &host_name).ok());
        self.shared.update_domain(self.host_id, uuid, |inv| {
            if let Some(h) = inv.hosts.get_mut(&self.host_id) {
                match row {
                    Some(row) => {
                        h.domains.insert(row.uuid.clone(), row);
                    }
                    // A transient domain that stopped, or one migrated away.
                    None => {
                        h.domains.remove(uuid);
                    }
                }
            }
        });
    }
}

fn disconnect(live: Live) {
    let Live { conn, registration } = live;
    registration.cancel(&conn);
    // Dropping the last reference closes the connection.
    drop(conn);
}

/// Reads a host's facts: one node-info, free-memory and version round.
pub fn node_facts(conn: &Connect) -> Result<NodeFacts, Key> {
    let info = conn.node_info().map_err(|e| translate("node_info", &e))?;
    // Not every driver reports free memory (the test driver does per NUMA cell).
    let free = conn
        .free_memory()
        .or_else(|_| {
            conn.cells_free_memory(0, info.nodes.max(1) as i32)
                .map(|cells| cells.iter().sum())
        })
        .ok();
    let driver = conn.driver_type().unwrap_or_default();
    let hyp = conn.hyp_version().map(version_string).unwrap_or_default();
    Ok(NodeFacts {
        hostname: conn.hostname().unwrap_or_default(),
        cpu_model: info.model,
        cpus: info.cpus,
        mhz: info.mhz,
        memory_kib: info.memory,
        free_memory_kib: free.map(|bytes| bytes / 1024),
        hypervisor: format!("{driver} {hyp}").trim().to_string(),
        libvirt_version: conn.lib_version().map(version_string).unwrap_or_default(),
    })
}

/// Opens a connection to `uri`; remote ones detect a dead peer within
/// ~15 s even when idle (keepalive 5 s × 3).
pub fn open(uri: &str) -> Result<Connect, Key> {
    let conn = Connect::open(Some(uri)).map_err(|e| translate("connect", &e))?;
    if uri.contains('+') {
        if let Err(e) = conn.set_keep_alive(5, 3) {
            translate("keepalive", &e);
        }
    }
    Ok(conn)
}

/// libvirt encodes versions as major * 1,000,000 + minor * 1,000 + release.
fn version_string(v: u32) -> String {
    format!("{}.{}.{}", v / 1_000_000, (v / 1000) % 1000, v % 1000)
}

/// Lists every domain of a host with its facts.
pub fn list_domains(conn: &Connect, host_id: i64, host_name: &str) -> Result<Vec<DomainRow>, Key> {
    let domains = conn
        .list_all_domains(0)
        .map_err(|e| translate("list_all_domains", &e))?;
    let mut rows = Vec::with_capacity(domains.len());
    for dom in &domains {
        match domain_row(dom, host_id, host_name) {
            Ok(row) => rows.push(row),
            // It vanished between list and read; the next event settles it.
            Err(Key::ErrDomainNotFound) => {}
            Err(key) => return Err(key),
        }
    }
    Ok(rows)
}

/// One domain's inventory row: its state from `info()`, its configuration
/// from the XML (kind, workspace and tags live in our `<metadata>`).
pub fn domain_row(dom: &Domain, host_id: i64, host_name: &str) -> Result<DomainRow, Key> {
    let info = dom.info().map_err(|e| translate("domain info", &e))?;
    let xml = domain_xml(dom, 0, XmlRead::Inventory)?;
    let config = parse_domain(&xml).map_err(|e| {
        tracing::warn!(error = %e, "unreadable domain XML");
        Key::HostErrConfig
    })?;
    // Unreadable images count as nothing rather than hiding the domain.
    let disk_bytes = config
        .disks
        .iter()
        .filter(|d| d.device == "disk" && !d.target.is_empty())
        .filter_map(|d| dom.block_info(&d.target, 0).ok())
        .map(|b| b.capacity)
        .sum();
    Ok(row_of(&info, &config, disk_bytes, host_id, host_name))
}

/// The inventory row from facts already read: no libvirt call.
pub fn row_of(
    info: &virt::domain::DomainInfo,
    config: &DomainConfig,
    disk_bytes: u64,
    host_id: i64,
    host_name: &str,
) -> DomainRow {
    let state = DomainState::from_libvirt(info.state.to_raw());
    DomainRow {
        kind: config.kind(),
        uuid: config.uuid.clone(),
        name: config.name.clone(),
        state,
        vcpus: if state.is_active() {
            info.nr_virt_cpu
        } else {
            config.vcpus
        },
        memory_kib: config.memory_kib.max(info.max_mem),
        disk_bytes,
        host_id,
        host_name: host_name.to_string(),
        workspace: config.workspace.clone(),
        tags: config.tags.clone(),
    }
}
