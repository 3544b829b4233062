//! The inventory list: its query (from the URL) and one page of rows.

use serde::{Deserialize, Serialize};

use super::domain::{DomainKind, DomainRow, DomainState};

/// Column the inventory is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SortKey {
    #[default]
    Name,
    Kind,
    State,
    Vcpus,
    Memory,
    Host,
}

impl SortKey {
    pub const ALL: [SortKey; 6] = [
        SortKey::Name,
        SortKey::Kind,
        SortKey::State,
        SortKey::Vcpus,
        SortKey::Memory,
        SortKey::Host,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Kind => "kind",
            SortKey::State => "state",
            SortKey::Vcpus => "vcpus",
            SortKey::Memory => "memory",
            SortKey::Host => "host",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What the inventory page asks for; every field comes from the URL query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryQuery {
    pub text: String,
    pub host: Option<i64>,
    pub state: Option<DomainState>,
    pub kind: Option<DomainKind>,
    /// Only this workspace's domains (the workspace switcher).
    pub workspace: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    /// Zero-based page number.
    pub page: usize,
    pub per_page: usize,
}

/// Page size when the query names none.
pub const DEFAULT_PER_PAGE: usize = 50;

/// One page of the filtered, sorted inventory.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryPage {
    pub rows: Vec<DomainRow>,
    /// Rows matching the filter, over all pages.
    pub matched: usize,
    /// Domains known in all.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    /// Hosts for the filter drop-down: (id, name).
    pub hosts: Vec<(i64, String)>,
}

impl InventoryPage {
    pub fn page_count(&self) -> usize {
        self.matched.div_ceil(self.per_page.max(1)).max(1)
    }
}
