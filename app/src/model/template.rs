//! VM templates and container root filesystems.

use serde::{Deserialize, Serialize};

/// A VM template as the create page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub vcpus: i64,
    pub memory_mib: i64,
    pub disk_gib: i64,
    pub network: String,
    pub boot: String,
}

/// A container root filesystem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RootFsView {
    pub id: i64,
    pub name: String,
    pub path: String,
}
