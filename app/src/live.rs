//! What a live push says: which host, and which of its domains, changed.
//! The gateway produces a [`Change`] with every inventory change; `/events`
//! sends each subscriber the changes it may see ([`Change::for_viewer`]); the
//! browser decodes them and refetches only the pages they touch
//! ([`Change::touches_domain`]).

use serde::{Deserialize, Serialize};

/// One inventory change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The gateway's change counter after this change (0: unknown).
    pub version: u64,
    pub scope: Scope,
    /// Workspaces owning the domain before and after the change (`None`:
    /// unowned). Server side only, for [`Change::for_viewer`]; never sent.
    #[serde(skip)]
    pub owners: Vec<Option<String>>,
}

/// What the change is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// One domain of the host was added, changed or removed.
    Domain { host_id: i64, uuid: String },
    /// The host itself (added, removed, connected, lost): any of its
    /// domains may have changed.
    Host { host_id: i64 },
    /// A job on a domain of `host_id` (moving to `target`) started, ended
    /// (`progress` false) or progressed (`progress` true).
    Job {
        id: i64,
        host_id: i64,
        target: Option<i64>,
        uuid: String,
        progress: bool,
    },
    /// Unknown (a lagged stream, a reconnect, unreadable data): anything may
    /// have changed.
    All,
}

impl Change {
    /// A change of which nothing is known.
    pub fn unknown() -> Self {
        Change {
            version: 0,
            scope: Scope::All,
            owners: Vec::new(),
        }
    }

    /// Whether a page following domain `uuid` on `host` must refetch.
    pub fn touches_domain(&self, host: i64, uuid: &str) -> bool {
        match &self.scope {
            Scope::Domain { host_id, uuid: u } => *host_id == host && u.eq_ignore_ascii_case(uuid),
            Scope::Host { host_id } => *host_id == host,
            Scope::Job {
                host_id,
                target,
                uuid: u,
                ..
            } => (*host_id == host || *target == Some(host)) && u.eq_ignore_ascii_case(uuid),
            Scope::All => true,
        }
    }

    /// Whether a page's list of jobs must refetch (`progress`: it shows
    /// their progress too, not only which run).
    pub fn touches_jobs(&self, progress: bool) -> bool {
        match &self.scope {
            Scope::Job { progress: p, .. } => progress || !p,
            Scope::All => true,
            // A domain that ended up elsewhere after a job: its end is
            // pushed as a job change too.
            Scope::Domain { .. } | Scope::Host { .. } => false,
        }
    }

    /// Whether a page that follows the inventory (not one domain, not
    /// jobs) must refetch: not for a job (its domain's own changes are
    /// pushed as they happen).
    pub fn touches_inventory(&self) -> bool {
        !matches!(self.scope, Scope::Job { .. })
    }

    /// The change as a viewer who sees the domains of `slugs` may receive
    /// it (`None` for `slugs`: an administrator, who sees all). A domain of
    /// another workspace is not named to a member: the change is dropped.
    pub fn for_viewer(&self, slugs: Option<&[String]>) -> Option<Change> {
        let visible = match (&self.scope, slugs) {
            (Scope::Domain { .. } | Scope::Job { .. }, Some(slugs)) => self
                .owners
                .iter()
                .flatten()
                .any(|owner| slugs.contains(owner)),
            _ => true,
        };
        visible.then(|| Change {
            owners: Vec::new(),
            ..self.clone()
        })
    }

    /// The `data:` line of the push.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The browser's reading of a push; unreadable data counts as "anything
    /// may have changed".
    pub fn decode(data: &str) -> Change {
        serde_json::from_str(data).unwrap_or_else(|_| Change::unknown())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_domain(owner: Option<&str>) -> Change {
        Change {
            version: 7,
            scope: Scope::Domain {
                host_id: 1,
                uuid: "AB-1".into(),
            },
            owners: vec![owner.map(str::to_string)],
        }
    }

    #[test]
    fn a_domain_page_refetches_only_for_its_own_domain() {
        let change = on_domain(Some("ops"));
        assert!(change.touches_domain(1, "ab-1"));
        assert!(!change.touches_domain(1, "ab-2"));
        assert!(!change.touches_domain(2, "ab-1"));
        let host = Change {
            scope: Scope::Host { host_id: 1 },
            ..change.clone()
        };
        assert!(host.touches_domain(1, "anything"));
        assert!(!host.touches_domain(2, "anything"));
        assert!(Change::unknown().touches_domain(9, "x"));
    }

    #[test]
    fn a_member_is_not_told_of_another_workspace_s_domain() {
        let ops = vec!["ops".to_string()];
        assert!(on_domain(Some("ops")).for_viewer(Some(&ops)).is_some());
        assert_eq!(on_domain(Some("dev")).for_viewer(Some(&ops)), None);
        assert_eq!(on_domain(None).for_viewer(Some(&ops)), None);
        assert!(on_domain(None).for_viewer(None).is_some());
        // Assigned away from (or to) the member's workspace: both owners count.
        let mut moved = on_domain(Some("dev"));
        moved.owners.push(Some("ops".into()));
        assert!(moved.for_viewer(Some(&ops)).is_some());
    }

    #[test]
    fn the_wire_carries_no_owner_and_reads_back() {
        let sent = on_domain(Some("ops")).for_viewer(None).unwrap();
        let data = sent.encode();
        assert!(!data.contains("ops"), "{data}");
        assert_eq!(Change::decode(&data), sent);
        assert_eq!(Change::decode("lagged"), Change::unknown());
    }
}
