//! The in-memory inventory: every host and domain as libvirt last told us.
//! Pure data and queries; the gateway's workers keep it current.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use crate::i18n::Key;
use crate::model::{dashboard::*, domain::*, host::*, inventory::*, workspace::Usage};

/// One registered host and what is known of it.
#[derive(Clone, Debug)]
pub struct HostEntry {
    pub id: i64,
    pub name: String,
    pub uri: String,
    pub tags: PlantTags,
    pub demo: bool,
    pub state: HostState,
    pub last_error: Option<Key>,
    pub facts: Option<NodeFacts>,
    /// Placement gives it no new domains unless `Off`.
    pub maintenance: Maintenance,
    /// Domains by UUID.
    pub domains: HashMap<String, DomainRow>,
}

impl HostEntry {
    pub fn new(id: i64, name: String, uri: String, tags: PlantTags, demo: bool) -> Self {
        Self {
            id,
            name,
            uri,
            tags,
            demo,
            state: HostState::Connecting,
            last_error: None,
            facts: None,
            maintenance: Maintenance::Off,
            domains: HashMap::new(),
        }
    }

    /// The host as `visible` may see it (`None`: an administrator): a
    /// member gets its own domains counted and no connection URI.
    fn view(&self, visible: Option<&[String]>) -> HostView {
        let seen = || self.domains.values().filter(|d| sees(visible, d));
        let active = || self.domains.values().filter(|d| d.state.is_active());
        HostView {
            id: self.id,
            name: self.name.clone(),
            uri: if visible.is_none() {
                self.uri.clone()
            } else {
                String::new()
            },
            tags: self.tags.clone(),
            demo: self.demo,
            state: self.state,
            last_error: self.last_error,
            facts: self.facts.clone(),
            domains_running: seen()
                .filter(|d| matches!(d.state, DomainState::Running | DomainState::Blocked))
                .count() as u32,
            domains_total: seen().count() as u32,
            vcpus_allocated: active().map(|d| d.vcpus).sum(),
            memory_allocated_kib: active().map(|d| d.memory_kib).sum(),
            maintenance: self.maintenance,
            blockers: Vec::new(),
            lost: false,
            fenced: false,
            conflicts: Vec::new(),
            power: None,
        }
    }
}

/// All hosts by id.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub hosts: BTreeMap<i64, HostEntry>,
}

impl Inventory {
    /// The hosts `ids`, as `visible` may see them (see [`HostEntry::view`]).
    pub fn host_views(&self, ids: &[i64], visible: Option<&[String]>) -> Vec<HostView> {
        self.hosts
            .values()
            .filter(|h| ids.contains(&h.id))
            .map(|h| h.view(visible))
            .collect()
    }

    pub fn domain(&self, host_id: i64, uuid: &str) -> Option<&DomainRow> {
        self.hosts.get(&host_id)?.domains.get(uuid)
    }

    /// The domains on `host_id` (none for an unknown host).
    pub fn domains_on(&self, host_id: i64) -> impl Iterator<Item = &DomainRow> {
        self.hosts
            .get(&host_id)
            .into_iter()
            .flat_map(|h| h.domains.values())
    }

    pub fn domain_count(&self) -> usize {
        self.hosts.values().map(|h| h.domains.len()).sum()
    }

    /// Replaces everything known about `host_id`'s domains.
    pub fn replace_domains(&mut self, host_id: i64, rows: Vec<DomainRow>) {
        if let Some(host) = self.hosts.get_mut(&host_id) {
            host.domains = rows.into_iter().map(|r| (r.uuid.clone(), r)).collect();
        }
    }

    /// One filtered, sorted page. Rows are borrowed until the page is cut,
    /// so only the rows shown are cloned.
    /// `visible` limits the rows to these workspaces (members); `None` shows
    /// everything (administrators).
    pub fn query(&self, q: &InventoryQuery, visible: Option<&[String]>) -> InventoryPage {
        let needle = q.text.trim().to_lowercase();
        let may_see = |d: &DomainRow| sees(visible, d);
        let mut rows: Vec<&DomainRow> = self
            .hosts
            .values()
            .filter(|h| q.host.is_none_or(|id| id == h.id))
            .flat_map(|h| h.domains.values())
            .filter(|d| may_see(d))
            .filter(|d| {
                q.workspace
                    .as_ref()
                    .is_none_or(|w| d.workspace.as_ref() == Some(w))
            })
            .filter(|d| q.state.is_none_or(|s| s == d.state))
            .filter(|d| q.kind.is_none_or(|k| k == d.kind))
            .filter(|d| needle.is_empty() || matches_text(d, &needle))
            .collect();
        rows.sort_unstable_by(|a, b| {
            let ord = compare(a, b, q.sort)
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.uuid.cmp(&b.uuid));
            if q.descending {
                ord.reverse()
            } else {
                ord
            }
        });
        let per_page = if q.per_page == 0 {
            DEFAULT_PER_PAGE
        } else {
            q.per_page.min(500)
        };
        let matched = rows.len();
        let last_page = matched.saturating_sub(1) / per_page;
        let page = q.page.min(last_page);
        InventoryPage {
            rows: rows
                .into_iter()
                .skip(page * per_page)
                .take(per_page)
                .cloned()
                .collect(),
            matched,
            total: self
                .hosts
                .values()
                .flat_map(|h| h.domains.values())
                .filter(|d| may_see(d))
                .count(),
            page,
            per_page,
            hosts: self
                .hosts
                .values()
                .map(|h| (h.id, h.name.clone()))
                .collect(),
        }
    }

    /// What the domains of workspace `slug` hold, counted at allocation.
    pub fn usage(&self, slug: &str) -> Usage {
        let mut usage = Usage::default();
        let mut disk_bytes = 0u64;
        for d in self.hosts.values().flat_map(|h| h.domains.values()) {
            if d.workspace.as_deref() == Some(slug) {
                usage.domains += 1;
                usage.vcpus += i64::from(d.vcpus);
                usage.memory_mib += (d.memory_kib / 1024) as i64;
                disk_bytes += d.disk_bytes;
            }
        }
        usage.disk_gib = disk_bytes.div_ceil(1 << 30) as i64;
        usage
    }

    /// Hosts a member may see: those allowed to their workspaces and those
    /// running their domains. `None` visibility means every host.
    pub fn visible_host_ids(&self, visible: Option<&[String]>, allowed: &[i64]) -> Vec<i64> {
        self.hosts
            .values()
            .filter(|h| match visible {
                None => true,
                Some(set) => {
                    allowed.contains(&h.id)
                        || h.domains
                            .values()
                            .any(|d| d.workspace.as_ref().is_some_and(|w| set.contains(w)))
                }
            })
            .map(|h| h.id)
            .collect()
    }

    /// The dashboard over the given hosts and, for members, their domains only.
    pub fn dashboard(&self, hosts: &[i64], visible: Option<&[String]>) -> DashboardData {
        let mut data = DashboardData::default();
        for host in self.hosts.values().filter(|h| hosts.contains(&h.id)) {
            if host.state == HostState::Connected {
                data.hosts_up += 1;
            } else {
                data.hosts_down += 1;
            }
            for d in host.domains.values().filter(|d| sees(visible, d)) {
                match d.state {
                    DomainState::Running | DomainState::Blocked => data.domains_running += 1,
                    DomainState::Shutoff | DomainState::Crashed => data.domains_stopped += 1,
                    _ => data.domains_other += 1,
                }
            }
            let view = host.view(visible);
            let facts = host.facts.clone().unwrap_or_default();
            data.loads.push(HostLoad {
                id: host.id,
                name: host.name.clone(),
                state: host.state,
                vcpus_allocated: view.vcpus_allocated,
                cpus: facts.cpus,
                memory_allocated_kib: view.memory_allocated_kib,
                memory_kib: facts.memory_kib,
            });
        }
        data
    }
}

/// Whether readers of the workspaces `visible` see `d` (`None`: all).
fn sees(visible: Option<&[String]>, d: &DomainRow) -> bool {
    match (visible, &d.workspace) {
        (None, _) => true,
        (Some(set), Some(ws)) => set.contains(ws),
        (Some(_), None) => false,
    }
}

fn matches_text(d: &DomainRow, needle: &str) -> bool {
    let hay = [
        d.name.as_str(),
        d.uuid.as_str(),
        d.host_name.as_str(),
        d.workspace.as_deref().unwrap_or(""),
    ];
    hay.iter().any(|h| h.to_lowercase().contains(needle))
        || d.tags
            .pairs()
            .any(|(_, v)| v.to_lowercase().contains(needle))
}

fn compare(a: &DomainRow, b: &DomainRow, key: SortKey) -> Ordering {
    match key {
        SortKey::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        SortKey::Kind => a.kind.cmp(&b.kind),
        SortKey::State => a.state.cmp(&b.state),
        SortKey::Vcpus => a.vcpus.cmp(&b.vcpus),
        SortKey::Memory => a.memory_kib.cmp(&b.memory_kib),
        SortKey::Host => a.host_name.cmp(&b.host_name),
    }
}

#[cfg(test)]
mod tests;
